"""LADWP electric rules, on small hand-made statements."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from datafeeds_ladwp.electric import TRANSFORMER

from datafeeds_core.testing import builders
from datafeeds_core.urjanet.model import Account, Charge, Usage

D = date


def charge(pk: int, amount: str, start: date, end: date) -> Charge:
    return builders.charge(pk, amount, span=(start, end))


def kwh(pk: int, amount: str, start: date, end: date, component: str = "[total]") -> Usage:
    return builders.usage(pk, amount, "kWh", component, span=(start, end))


def kw(pk: int, amount: str, start: date, end: date) -> Usage:
    return builders.usage(pk, amount, "kW", None, span=(start, end))


def statement(
    pk: int,
    issued: date,
    start: date,
    end: date,
    charges: tuple[Charge, ...] | None = None,
    usages: tuple[Usage, ...] = (),
    floating: tuple[Charge, ...] = (),
) -> Account:
    if charges is None:
        charges = (charge(pk * 100, "10", start, end),)
    return builders.statement(
        pk,
        builders.meter(pk * 10, charges=charges, usages=usages, span=(start, end), Tariff="A-3"),
        issued=issued,
        span=(start, end),
        floating=floating,
    )


spans = builders.spans


def test_the_latest_statement_ends_a_day_early_and_touching_periods_are_shifted() -> None:
    result = TRANSFORMER(
        builders.urjanet_data(
            statement(1, D(2020, 2, 12), D(2020, 1, 13), D(2020, 2, 12)),
            statement(2, D(2020, 3, 13), D(2020, 2, 12), D(2020, 3, 13)),
        )
    )
    assert spans(result) == [(D(2020, 1, 13), D(2020, 2, 11)), (D(2020, 2, 12), D(2020, 3, 12))]


def test_charges_of_several_billing_ranges_widen_the_statement() -> None:
    start, split, end = D(2015, 8, 13), D(2015, 9, 1), D(2015, 9, 11)
    short = statement(
        1,
        D(2015, 9, 11),
        split,
        end,
        charges=(charge(1, "47.50", start, D(2015, 8, 31)), charge(2, "27.50", split, end)),
    )
    later = statement(2, D(2015, 10, 13), end, D(2015, 10, 12))

    result = TRANSFORMER(builders.urjanet_data(short, later))

    assert spans(result)[0] == (start, D(2015, 9, 10))
    assert result.periods[0].total_charge == Decimal("75.00")


def test_a_short_statement_is_merged_once_with_its_shorter_neighbour() -> None:
    # 10 days, newest; its only neighbour in date order is 20 days long: together under 35.
    newest = statement(3, D(2020, 5, 20), D(2020, 5, 10), D(2020, 5, 20))
    short_neighbour = statement(2, D(2020, 5, 11), D(2020, 4, 20), D(2020, 5, 10))
    old = statement(1, D(2020, 4, 21), D(2020, 3, 20), D(2020, 4, 20))

    # Input order is not date order: neighbours are taken in date order all the same.
    result = TRANSFORMER(builders.urjanet_data(short_neighbour, old, newest))

    assert spans(result) == [(D(2020, 3, 20), D(2020, 4, 19)), (D(2020, 4, 20), D(2020, 5, 19))]
    merged = result.periods[1]
    assert merged.statement == D(2020, 5, 11)  # the neighbour's statement…
    assert [c.PK for c in merged.line_items] == [300]  # …with the short statement's meters
    assert [(d.PK, d.reason) for d in result.dropped] == [(3, "merged with statement PK=2")]


def test_a_short_statement_whose_neighbours_are_too_long_stays_alone() -> None:
    short = statement(2, D(2020, 2, 12), D(2020, 2, 1), D(2020, 2, 12))
    full = statement(1, D(2020, 2, 2), D(2020, 1, 2), D(2020, 2, 1))
    result = TRANSFORMER(builders.urjanet_data(full, short))
    assert spans(result) == [(D(2020, 1, 2), D(2020, 1, 31)), (D(2020, 2, 1), D(2020, 2, 11))]


def test_a_statement_over_45_days_is_split_by_its_charge_ranges() -> None:
    start, middle, end = D(2019, 6, 12), D(2019, 7, 12), D(2019, 8, 9)
    long = statement(
        1,
        D(2019, 8, 21),
        start,
        end,
        charges=(
            charge(1, "100", D(2019, 6, 13), D(2019, 7, 11)),
            charge(2, "200", middle, end),
            charge(3, "5", start, end),  # the long range itself: in no piece
            charge(4, "1", middle, D(2019, 7, 13)),  # one day: not a billing range
        ),
        usages=(
            kwh(5, "1000", D(2019, 6, 13), D(2019, 7, 11), "[on_peak]"),
            kwh(6, "3000", middle, end),
        ),
    )
    next_bill = statement(2, D(2019, 9, 11), end, D(2019, 9, 10))

    result = TRANSFORMER(builders.urjanet_data(long, next_bill))

    assert spans(result)[:2] == [(D(2019, 6, 13), D(2019, 7, 11)), (middle, D(2019, 8, 8))]
    first, second = result.periods[:2]
    assert (first.total_charge, second.total_charge) == (Decimal("100"), Decimal("200"))
    assert (first.total_usage, second.total_usage) == (Decimal("1000"), Decimal("3000"))


def test_a_long_statement_billed_in_one_range_uses_its_first_charge_range() -> None:
    long = statement(
        1,
        D(2019, 3, 1),
        D(2019, 1, 2),
        D(2019, 3, 1),
        charges=(charge(1, "100", D(2019, 1, 2), D(2019, 2, 28)),),
    )
    long = replace(long, meters=(replace(long.meters[0], IntervalEnd=D(2019, 2, 28)),))
    later = statement(2, D(2019, 4, 1), D(2019, 2, 28), D(2019, 4, 1))

    result = TRANSFORMER(builders.urjanet_data(long, later))

    assert spans(result)[0] == (D(2019, 1, 2), D(2019, 2, 27))


def test_total_is_the_meter_charges_but_line_items_include_floating_charges() -> None:
    account = statement(
        1,
        D(2020, 2, 12),
        D(2020, 1, 13),
        D(2020, 2, 12),
        floating=(charge(9, "19", D(2020, 1, 13), D(2020, 2, 12)),),
    )
    period = builders.only_period(TRANSFORMER(builders.urjanet_data(account)))
    assert period.total_charge == Decimal("10")
    assert [c.PK for c in period.line_items] == [100, 9]


def usage_of(*usages: Usage) -> Decimal | None:
    account = statement(1, D(2020, 2, 12), D(2020, 1, 13), D(2020, 2, 12), usages=usages)
    period = builders.only_period(TRANSFORMER(builders.urjanet_data(account)))
    return period.total_usage


def test_usage_reconciles_the_total_with_the_time_of_use_parts() -> None:
    s, e = D(2020, 1, 13), D(2020, 2, 12)
    parts = (kwh(2, "100", s, e, "[on_peak]"), kwh(3, "200", s, e, "[off_peak]"))
    assert usage_of(kwh(1, "310", s, e), *parts) == Decimal("310")  # close: the total
    assert usage_of(kwh(1, "450", s, e), *parts) == Decimal("300")  # 50% over: the parts
    assert usage_of(*parts) == Decimal("300")  # no total
    assert usage_of(kwh(1, "310", s, e)) == Decimal("310")  # no parts


def test_usage_outside_the_meter_range_counts_only_when_none_is_inside() -> None:
    s, e = D(2020, 1, 13), D(2020, 2, 12)
    other = (D(2020, 1, 20), D(2020, 2, 12))
    assert usage_of(kwh(1, "500", *other)) == Decimal("500")
    assert usage_of(kwh(1, "500", *other), kwh(2, "70", s, e)) == Decimal("70")
    assert usage_of(kwh(1, "0", s, e), kwh(2, "0", s, e, "[on_peak]")) == Decimal("0")


def test_peak_prefers_the_meter_range_and_a_zero_peak_is_null() -> None:
    s, e = D(2020, 1, 13), D(2020, 2, 12)

    def peak(*usages: Usage) -> Decimal | None:
        account = statement(1, D(2020, 2, 12), s, e, usages=usages)
        period = builders.only_period(TRANSFORMER(builders.urjanet_data(account)))
        return period.peak_demand

    assert peak(kw(1, "40", s, e), kw(2, "90", D(2020, 1, 20), e)) == Decimal("40")
    assert peak(kw(2, "90", D(2020, 1, 20), e)) == Decimal("90")
    assert peak(kw(1, "0", s, e)) is None
    assert peak() is None
