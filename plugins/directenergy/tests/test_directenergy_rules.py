"""Direct Energy transform: the generic electric rules."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from datafeeds_directenergy import TRANSFORMER

from datafeeds_core.testing.builders import (
    charge,
    meter,
    only_period,
    statement,
    urjanet_data,
    usage,
)
from datafeeds_core.urjanet.model import Account, Charge, Meter, Usage

JAN = (date(2020, 1, 1), date(2020, 2, 1))
FEB = (date(2020, 2, 1), date(2020, 3, 1))


def stmt(
    pk: int,
    span: tuple[date, date],
    issued: date | None,
    new: str = "100",
    *meters: Meter,
    floating: tuple[Charge, ...] = (),
) -> Account:
    return statement(
        pk,
        *meters,
        issued=issued,
        span=span,
        floating=floating,
        NewCharges=Decimal(new),
        SourceLink=f"https://example.test/{pk}",
    )


def use(pk: int, amount: str, unit: str = "kWh", rc: str = "[total]") -> Usage:
    return usage(pk, amount, unit, rc, span=JAN)


def test_period_values_follow_the_generic_electric_rules() -> None:
    first = meter(
        1,
        charges=(charge(1, 5, unit="kW", used=42), charge(2, 7, unit="kWh", used=900)),
        usages=(use(1, "900"), use(2, "400", rc="[on_peak]"), use(3, "42", "kW", "[max]")),
        Tariff="",
    )
    second = meter(2, usages=(use(4, "900"),), Tariff="RES-1")  # same reading: counted once
    floating = (charge(3, 1),)
    period = only_period(
        TRANSFORMER(
            urjanet_data(stmt(1, JAN, date(2020, 2, 3), "-12.50", first, second, floating=floating))
        )
    )
    assert (period.start, period.end, period.statement) == (JAN[0], JAN[1], date(2020, 2, 3))
    assert (period.total_charge, period.total_usage, period.peak_demand, period.tariff) == (
        Decimal("-12.50"),
        Decimal(900),
        Decimal(42),
        "RES-1",
    )
    assert [c.PK for c in period.line_items] == [1, 2, 3]
    assert period.source_urls == ("https://example.test/1",)


def test_newest_statement_wins_and_touching_periods_end_a_day_earlier() -> None:
    result = TRANSFORMER(
        urjanet_data(
            stmt(1, JAN, date(2020, 2, 3), "10"),
            stmt(2, (date(2020, 1, 15), date(2020, 2, 1)), date(2020, 4, 1), "11"),
            stmt(3, FEB, date(2020, 3, 3), "20"),
            stmt(4, FEB, None, "30"),
        )
    )
    assert [(p.start, p.end, p.total_charge) for p in result.periods] == [
        (date(2020, 1, 15), date(2020, 1, 31), Decimal(11)),
        (date(2020, 2, 1), date(2020, 3, 1), Decimal(20)),
    ]
    assert sorted((d.PK, d.reason) for d in result.dropped) == [
        (1, "overlaps a newer statement already taken"),
        (4, "no statement date"),
    ]
