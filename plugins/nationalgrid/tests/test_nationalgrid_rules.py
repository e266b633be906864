"""National Grid transform rules: periods start the day after IntervalStart (without
changing the input), peak from kW usages, total NewCharges."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from datafeeds_nationalgrid import TRANSFORMER

from datafeeds_core.testing import builders
from datafeeds_core.urjanet.model import Account, Meter, Usage


def stmt(pk: int, start: date, end: date, statement: date | None, *meters: Meter) -> Account:
    return builders.statement(
        pk,
        *meters,
        issued=statement,
        span=(start, end),
        NewCharges=Decimal("250.75"),
        TotalBillAmount=Decimal("999"),
    )


def use(pk: int, amount: str, unit: str, rc: str = "[total]") -> Usage:
    return builders.usage(pk, amount, unit, rc, span=(date(2020, 1, 1), date(2020, 2, 1)))


def test_periods_start_a_day_after_the_statement_start_and_touching_ones_are_not_shortened() -> (
    None
):
    data = builders.urjanet_data(
        stmt(1, date(2020, 1, 1), date(2020, 2, 1), date(2020, 2, 3)),
        stmt(2, date(2020, 2, 1), date(2020, 3, 1), date(2020, 3, 3)),
    )
    periods = TRANSFORMER(data).periods
    assert [(p.start, p.end) for p in periods] == [
        (date(2020, 1, 2), date(2020, 2, 1)),
        (date(2020, 2, 2), date(2020, 3, 1)),
    ]


def test_the_input_is_not_changed_and_a_second_run_gives_the_same_periods() -> None:
    data = builders.urjanet_data(stmt(1, date(2020, 1, 1), date(2020, 2, 1), date(2020, 2, 3)))
    first, second = TRANSFORMER(data), TRANSFORMER(data)
    assert first == second
    assert data.accounts[0].IntervalStart == date(2020, 1, 1)


def test_statements_sharing_only_their_boundary_day_both_become_periods() -> None:
    # Raw [Jan 1, Feb 1] and [Jan 31, Mar 1) overlap, but start + 1 day makes them touch.
    data = builders.urjanet_data(
        stmt(1, date(2020, 1, 1), date(2020, 2, 1), date(2020, 2, 3)),
        stmt(2, date(2020, 1, 31), date(2020, 3, 1), date(2020, 3, 3)),
    )
    result = TRANSFORMER(data)
    assert [(p.start, p.end) for p in result.periods] == [
        (date(2020, 1, 2), date(2020, 1, 31)),
        (date(2020, 2, 1), date(2020, 3, 1)),
    ]


def test_a_one_day_statement_is_reported_not_crashed_on() -> None:
    result = TRANSFORMER(
        builders.urjanet_data(stmt(1, date(2020, 1, 1), date(2020, 1, 2), date(2020, 1, 3)))
    )
    assert result.periods == ()
    assert [d.PK for d in result.dropped] == [1]


def test_peak_is_the_largest_kw_usage_and_total_is_new_charges() -> None:
    meter = builders.meter(
        1,
        charges=(builders.charge(1, 1, unit="kW", used=300),),
        usages=(
            use(1, "88.4", "kW", "[max]"),
            use(2, "120", "kW", "[on_peak]"),
            use(3, "5000", "kWh"),
        ),
    )
    (period,) = TRANSFORMER(
        builders.urjanet_data(stmt(1, date(2020, 1, 1), date(2020, 2, 1), date(2020, 2, 3), meter))
    ).periods
    assert (period.peak_demand, period.total_charge, period.total_usage) == (
        Decimal(120),
        Decimal("250.75"),
        Decimal(5000),
    )


def test_no_kw_usage_gives_a_null_peak() -> None:
    meter = builders.meter(1, usages=(use(1, "5000", "kWh"),))
    (period,) = TRANSFORMER(
        builders.urjanet_data(stmt(1, date(2020, 1, 1), date(2020, 2, 1), date(2020, 2, 3), meter))
    ).periods
    assert period.peak_demand is None
