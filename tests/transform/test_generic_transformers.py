"""The generic electric and water transformers against the reference fixtures and their rules."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from datafeeds_core.plugin_api.conformance import (
    Case,
    check_case,
    manifest_cases,
)
from datafeeds_core.testing.locations import reference_fixtures_dir
from datafeeds_core.urjanet.model import Account, Charge, Meter, UrjanetData, Usage
from datafeeds_core.urjanet.transform import GENERIC_ELECTRIC, GENERIC_WATER


def _cases(directory: str) -> list[Case]:
    return [c for c in manifest_cases(reference_fixtures_dir()) if c.id.startswith(directory + "/")]


@pytest.mark.parametrize("directory", ["calwater", "irvineranch", "pleasanton"])
def test_generic_water_reproduces_reference_fixtures(directory: str) -> None:
    cases = _cases(directory)
    assert cases
    for case in cases:
        assert check_case(case, GENERIC_WATER(case.data()).periods) == []


def test_generic_electric_reproduces_fpl_reference_fixture() -> None:
    (case,) = _cases("fpl")
    assert check_case(case, GENERIC_ELECTRIC(case.data()).periods) == []


def statement(
    pk: int,
    start: date,
    end: date,
    stmt: date | None,
    new: str | None = "100.00",
    meters: Iterable[Meter] = (),
    floating: Iterable[Charge] = (),
    **kw: Any,
) -> Account:
    return Account(
        PK=pk,
        StatementDate=stmt,
        IntervalStart=start,
        IntervalEnd=end,
        NewCharges=Decimal(new) if new is not None else None,
        SourceLink=f"https://example.test/source?id={pk}",
        meters=tuple(meters),
        floating_charges=tuple(floating),
        **kw,
    )


def usage(
    pk: int,
    amount: str,
    unit: str = "kWh",
    rc: str = "[total]",
    start: date = date(2020, 1, 1),
    end: date = date(2020, 2, 1),
) -> Usage:
    return Usage(
        PK=pk,
        UsageAmount=Decimal(amount),
        EnergyUnit=unit,
        RateComponent=rc,
        IntervalStart=start,
        IntervalEnd=end,
    )


def test_latest_statement_wins_and_older_overlapping_one_is_reported() -> None:
    old = statement(1, date(2020, 1, 1), date(2020, 2, 1), date(2020, 2, 3), new="10")
    correction = statement(2, date(2020, 1, 15), date(2020, 2, 1), date(2020, 3, 1), new="12")
    result = GENERIC_ELECTRIC(UrjanetData((old, correction)))
    assert [(p.start, p.total_charge) for p in result.periods] == [(date(2020, 1, 15), Decimal(12))]
    assert [(d.PK, d.reason) for d in result.dropped] == [
        (1, "overlaps a newer statement already taken")
    ]


def test_touching_periods_end_a_day_earlier_but_the_last_keeps_its_end() -> None:
    a = statement(1, date(2020, 1, 1), date(2020, 2, 1), date(2020, 2, 3))
    b = statement(2, date(2020, 2, 1), date(2020, 3, 1), date(2020, 3, 3))
    c = statement(3, date(2020, 3, 10), date(2020, 4, 1), date(2020, 4, 3))  # after a gap
    periods = GENERIC_ELECTRIC(UrjanetData((a, b, c))).periods
    assert [(p.start, p.end) for p in periods] == [
        (date(2020, 1, 1), date(2020, 1, 31)),
        (date(2020, 2, 1), date(2020, 3, 1)),
        (date(2020, 3, 10), date(2020, 4, 1)),
    ]


def test_usage_is_deduplicated_across_meters_and_converted_for_a_single_unit() -> None:
    m1 = Meter(PK=1, usages=(usage(1, "10", "TGAL"), usage(2, "5", "TGAL", rc="[on_peak]")))
    m2 = Meter(PK=2, usages=(usage(3, "10", "TGAL"), usage(4, "2", "TGAL")))
    (period,) = GENERIC_ELECTRIC(
        UrjanetData(
            (statement(1, date(2020, 1, 1), date(2020, 2, 1), date(2020, 2, 2), meters=[m1, m2]),)
        )
    ).periods
    assert period.total_usage == Decimal("12") * Decimal("1.3368")


def test_mixed_units_are_summed_without_conversion() -> None:
    m = Meter(PK=1, usages=(usage(1, "10", "kWh"), usage(2, "3", "kVARH")))
    (period,) = GENERIC_ELECTRIC(
        UrjanetData(
            (statement(1, date(2020, 1, 1), date(2020, 2, 1), date(2020, 2, 2), meters=[m]),)
        )
    ).periods
    assert period.total_usage == Decimal("13.0")


def test_peak_is_max_kw_meter_charge_and_null_without_one() -> None:
    charges = (
        Charge(PK=1, UsageUnit="kW", ChargeUnitsUsed=Decimal("40")),
        Charge(PK=2, UsageUnit="kW", ChargeUnitsUsed=None),
        Charge(PK=3, UsageUnit="kw", ChargeUnitsUsed=Decimal("99")),  # case-sensitive: ignored
    )
    with_peak = statement(
        1,
        date(2020, 1, 1),
        date(2020, 2, 1),
        date(2020, 2, 2),
        meters=[Meter(PK=1, charges=charges)],
    )
    without = statement(
        2, date(2020, 2, 1), date(2020, 3, 1), date(2020, 3, 2), meters=[Meter(PK=2)]
    )
    periods = GENERIC_ELECTRIC(UrjanetData((with_peak, without))).periods
    assert [p.peak_demand for p in periods] == [Decimal("40"), None]
    assert [c.PK for c in periods[0].line_items] == [1, 2, 3]


@pytest.mark.parametrize(
    ("new", "total", "outstanding", "expected"),
    [
        ("50", "80", "30", "50"),
        ("0", "80", "0", "80"),
        ("0", "80", "5", "0"),
        (None, "80", "0", "0"),
        ("-3", "10", "0", "0"),
    ],
)
def test_water_total_rules(new: str | None, total: str, outstanding: str, expected: str) -> None:
    acct = statement(
        1,
        date(2020, 1, 1),
        date(2020, 2, 1),
        date(2020, 2, 2),
        new=new,
        TotalBillAmount=Decimal(total),
        OutstandingBalance=Decimal(outstanding),
    )
    (period,) = GENERIC_WATER(UrjanetData((acct,))).periods
    assert period.total_charge == Decimal(expected)
    assert period.peak_demand is None


def test_zero_length_and_undated_statements_are_dropped_with_reasons() -> None:
    zero = statement(1, date(2020, 1, 1), date(2020, 1, 1), date(2020, 1, 5))
    undated = statement(2, date(2020, 2, 1), date(2020, 3, 1), None)
    result = GENERIC_WATER(UrjanetData((zero, undated)))
    assert result.periods == ()
    assert {d.PK: d.reason for d in result.dropped} == {
        1: "zero-length or missing interval",
        2: "no statement date",
    }


def test_one_day_period_touching_its_neighbour_is_dropped_not_crashed() -> None:
    short = statement(1, date(2020, 1, 31), date(2020, 2, 1), date(2020, 2, 2))
    nxt = statement(2, date(2020, 2, 1), date(2020, 3, 1), date(2020, 3, 2))
    result = GENERIC_ELECTRIC(UrjanetData((short, nxt)))
    assert [(p.start, p.end) for p in result.periods] == [(date(2020, 2, 1), date(2020, 3, 1))]
    assert [d.PK for d in result.dropped] == [1]


def test_inputs_are_never_mutated() -> None:
    (case,) = _cases("fpl")
    data = case.data()
    before = copy.deepcopy(data)
    first = GENERIC_ELECTRIC(data)
    second = GENERIC_ELECTRIC(data)
    assert data == before
    assert first == second


def test_hooks_are_replaced_without_touching_the_generic_transformer() -> None:
    custom = replace(GENERIC_WATER, total_charge=lambda a: Decimal("1"))
    acct = statement(1, date(2020, 1, 1), date(2020, 2, 1), date(2020, 2, 2))
    assert custom(UrjanetData((acct,))).periods[0].total_charge == Decimal("1")
    assert GENERIC_WATER(UrjanetData((acct,))).periods[0].total_charge == Decimal("100.00")
