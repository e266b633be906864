"""Shared building blocks: period ranges and ordering (transform.py), peak, totals and line
items (rules.py) used by several utilities."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from datafeeds_core.urjanet import rules
from datafeeds_core.urjanet.model import Account, Charge, Meter, UrjanetData, Usage
from datafeeds_core.urjanet.transform import (
    GENERIC_ELECTRIC,
    by_interval_end_then_pk,
    needs_interval,
    start_plus_one_day,
    store_end_minus_one_day,
)


def stmt(pk: int, start: date, end: date, statement: date | None = None, **kw: object) -> Account:
    return Account(PK=pk, IntervalStart=start, IntervalEnd=end, StatementDate=statement, **kw)  # type: ignore[arg-type]


def test_interval_end_ordering_takes_the_latest_end_then_the_lowest_pk() -> None:
    accounts = [
        stmt(5, date(2020, 1, 1), date(2020, 2, 1)),
        stmt(3, date(2020, 1, 10), date(2020, 2, 1)),
        stmt(4, date(2020, 2, 1), date(2020, 3, 1)),
    ]
    ordered = sorted(accounts, key=by_interval_end_then_pk, reverse=True)
    assert [a.PK for a in ordered] == [4, 3, 5]


def test_interval_ordering_keeps_undated_statements_and_reports_missing_intervals() -> None:
    transformer = replace(
        GENERIC_ELECTRIC, eligible=needs_interval, order_key=by_interval_end_then_pk
    )
    lower_pk = stmt(1, date(2020, 1, 5), date(2020, 2, 1), NewCharges=Decimal(1))
    higher_pk = stmt(2, date(2020, 1, 1), date(2020, 2, 1), NewCharges=Decimal(2))
    no_interval = Account(PK=3, StatementDate=date(2020, 2, 3))
    result = transformer(UrjanetData((higher_pk, no_interval, lower_pk)))
    # Equal ends: the lower PK is taken first and the other overlaps it.
    assert [(p.start, p.total_charge) for p in result.periods] == [(date(2020, 1, 5), Decimal(1))]
    assert sorted((d.PK, d.reason) for d in result.dropped) == [
        (2, "overlaps a newer statement already taken"),
        (3, "no statement interval"),
    ]


def test_start_plus_one_day_leaves_the_statement_unchanged() -> None:
    account = stmt(1, date(2020, 1, 1), date(2020, 2, 1))
    assert start_plus_one_day(account) == (date(2020, 1, 2), date(2020, 2, 1))
    assert start_plus_one_day(account) == (date(2020, 1, 2), date(2020, 2, 1))
    assert account.IntervalStart == date(2020, 1, 1)
    assert start_plus_one_day(Account(PK=2)) is None


def test_stored_range_ending_a_day_earlier_keeps_the_raw_span_for_the_overlap_test() -> None:
    transformer = replace(GENERIC_ELECTRIC, stored_range=store_end_minus_one_day)
    jan = stmt(1, date(2020, 1, 1), date(2020, 2, 1), date(2020, 2, 3))
    feb = stmt(2, date(2020, 2, 1), date(2020, 3, 1), date(2020, 3, 3))
    # Ends a day into January: shortened it would fit before January, but the overlap test
    # uses the raw dates, so the older statement is dropped.
    dec = stmt(3, date(2019, 12, 1), date(2020, 1, 2), date(2020, 1, 3))
    result = transformer(UrjanetData((jan, feb, dec)))
    assert [(p.start, p.end) for p in result.periods] == [
        (date(2020, 1, 1), date(2020, 1, 31)),
        (date(2020, 2, 1), date(2020, 2, 29)),
    ]
    assert [d.PK for d in result.dropped] == [3]


def kw_usage(pk: int, amount: str, unit: str = "kW") -> Usage:
    return Usage(PK=pk, UsageAmount=Decimal(amount), EnergyUnit=unit)


def test_usage_peak_is_the_largest_kw_reading_or_null() -> None:
    account = Account(
        meters=(
            Meter(PK=1, usages=(kw_usage(1, "40"), kw_usage(2, "900", "kWh"))),
            Meter(
                PK=2, usages=(kw_usage(3, "55.5"), kw_usage(4, "70", "kw"))
            ),  # unit is case-sensitive
        )
    )
    assert rules.usage_peak(account) == Decimal("55.5")
    assert (
        rules.usage_peak(Account(meters=(Meter(PK=1, usages=(kw_usage(1, "9", "kWh"),)),))) is None
    )


def charge(pk: int, amount: str, charge_id: str | None = None) -> Charge:
    return Charge(PK=pk, ChargeAmount=Decimal(amount), ChargeId=charge_id)


def test_meter_total_without_late_fees_excludes_only_late_fee_charges() -> None:
    account = Account(
        meters=(
            Meter(
                PK=1,
                charges=(charge(1, "10"), charge(2, "5", "ch.late_fee"), charge(3, "2.5", None)),
            ),
        ),
        floating_charges=(charge(4, "100"),),
    )
    assert rules.meter_charges_without_late_fees(account) == Decimal("12.5")


def test_unique_line_items_lists_a_charge_loaded_twice_once() -> None:
    a, b, c = charge(1, "1"), charge(2, "2"), charge(3, "3")
    account = Account(meters=(Meter(PK=1, charges=(a, b, c)),), floating_charges=(a, b))
    assert [x.PK for x in rules.unique_line_items(account)] == [1, 2, 3]
    separate = Account(meters=(Meter(PK=1, charges=(c,)),), floating_charges=(a, b))
    assert [x.PK for x in rules.unique_line_items(separate)] == [3, 1, 2]
