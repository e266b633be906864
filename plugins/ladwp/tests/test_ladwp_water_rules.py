"""LADWP water rules, on small hand-made statements."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from datafeeds_ladwp.water import water_transform

from datafeeds_core.testing import builders
from datafeeds_core.urjanet.model import Account

D = date


def statement(
    pk: int,
    issued: date | None,
    meters: tuple[tuple[date, date], ...],
    charges: tuple[tuple[int, str, date], ...] = (),
    usages: tuple[tuple[int, str, date], ...] = (),
) -> Account:
    """Charges and usages (pk, amount, start day) hang off the first meter."""
    built = [
        builders.meter(pk * 10 + i, span=(s, e), Tariff="Schedule C")
        for i, (s, e) in enumerate(meters)
    ]
    built[0] = replace(
        built[0],
        charges=tuple(builders.charge(c, a, span=(s, None)) for c, a, s in charges),
        usages=tuple(builders.usage(u, a, None, "[total]", span=(s, None)) for u, a, s in usages),
    )
    return builders.statement(pk, *tuple(built), issued=issued, SourceLink=f"url{pk}")


JAN, FEB, MAR, APR = D(2015, 1, 1), D(2015, 1, 31), D(2015, 3, 3), D(2015, 3, 31)


def test_periods_come_from_meter_ranges_and_touching_ones_are_shifted() -> None:
    result = water_transform(
        builders.urjanet_data(
            statement(1, D(2015, 2, 4), ((JAN, FEB),), charges=((1, "34.74", JAN),)),
            statement(2, D(2015, 3, 10), ((FEB, MAR),), charges=((2, "44.66", FEB),)),
        )
    )
    assert [(p.start, p.end, p.total_charge) for p in result.periods] == [
        (JAN, D(2015, 1, 30), Decimal("34.74")),
        (FEB, MAR, Decimal("44.66")),
    ]
    assert all(p.peak_demand is None for p in result.periods)


def test_a_newer_statement_rebilling_a_month_supplies_its_charges_and_usage() -> None:
    newer = statement(
        2,
        D(2015, 3, 10),
        ((FEB, MAR),),
        charges=((21, "44.66", D(2015, 2, 1)), (22, "34.74", D(2015, 1, 2))),
        usages=((23, "9", D(2015, 2, 1)), (24, "7", D(2015, 1, 2))),
    )
    older = statement(
        1, D(2015, 2, 4), ((JAN, FEB),), charges=((11, "39.72", JAN),), usages=((12, "8", JAN),)
    )

    january, february = water_transform(builders.urjanet_data(older, newer)).periods

    assert [c.PK for c in january.line_items] == [22]
    assert (january.total_charge, january.total_usage) == (Decimal("34.74"), Decimal("7"))
    assert january.source_urls == ("url2",)
    assert january.statement == D(2015, 2, 4)  # the statement that defined the period
    assert [c.PK for c in february.line_items] == [21]


def test_a_charge_outside_every_period_is_left_out() -> None:
    account = statement(1, D(2015, 2, 4), ((JAN, FEB),), charges=((1, "5", D(2014, 12, 1)),))
    (period,) = water_transform(builders.urjanet_data(account)).periods
    assert period.line_items == () and period.total_charge == Decimal("0")


def test_overlapping_meter_ranges_of_a_statement_make_one_period() -> None:
    account = statement(1, D(2015, 4, 2), ((MAR, APR), (D(2015, 3, 10), D(2015, 4, 2))))
    (period,) = water_transform(builders.urjanet_data(account)).periods
    assert (period.start, period.end) == (MAR, D(2015, 4, 2))


def test_an_older_statement_overlapping_a_newer_one_is_reported() -> None:
    newer = statement(2, D(2015, 3, 10), ((D(2015, 1, 15), MAR),))
    older = statement(1, D(2015, 2, 4), ((JAN, FEB),))
    result = water_transform(builders.urjanet_data(older, newer))
    assert [p.statement for p in result.periods] == [D(2015, 3, 10)]
    assert [(d.PK, d.reason) for d in result.dropped] == [(1, "overlaps a newer statement")]


def test_a_statement_without_a_date_counts_as_the_oldest_instead_of_crashing() -> None:
    undated = statement(1, None, ((D(2015, 1, 15), MAR),), charges=((1, "1", D(2015, 2, 1)),))
    dated = statement(2, D(2015, 2, 4), ((JAN, FEB),), charges=((2, "2", D(2015, 1, 2)),))
    result = water_transform(builders.urjanet_data(undated, dated))
    assert [(p.start, p.total_charge) for p in result.periods] == [(JAN, Decimal("2"))]
