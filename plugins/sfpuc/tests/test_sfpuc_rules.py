"""SFPUC water transform rules (SPEC §4.3): electric base, usage from water meters only."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from datafeeds_sfpuc import TRANSFORMER

from datafeeds_core.urjanet.model import Account, Meter, UrjanetData, Usage

JAN = (date(2020, 1, 1), date(2020, 2, 1))


def use(pk: int, amount: str, rc: str = "[total]", unit: str = "ccf") -> Usage:
    return Usage(
        PK=pk,
        UsageAmount=Decimal(amount),
        EnergyUnit=unit,
        RateComponent=rc,
        IntervalStart=JAN[0],
        IntervalEnd=JAN[1],
    )


def only_period(*meters: Meter, new: str | None = "88.20"):
    account = Account(
        PK=1,
        StatementDate=date(2020, 2, 3),
        IntervalStart=JAN[0],
        IntervalEnd=JAN[1],
        NewCharges=Decimal(new) if new is not None else None,
        meters=meters,
    )
    (period,) = TRANSFORMER(UrjanetData((account,))).periods
    return period


def test_usage_sums_total_usages_of_water_meters_without_deduplication():
    period = only_period(
        Meter(
            PK=1, ServiceType="water", usages=(use(1, "12"), use(2, "12"), use(3, "40", "[tier1]"))
        ),
        Meter(PK=2, ServiceType="water", usages=(use(4, "3"),)),
        Meter(PK=3, ServiceType="sewer", usages=(use(5, "12"),)),
    )
    assert period.total_usage == Decimal(27)


def test_gallons_are_summed_as_delivered():
    period = only_period(Meter(PK=1, ServiceType="water", usages=(use(1, "748", unit="gallons"),)))
    assert period.total_usage == Decimal(748)


def test_total_is_new_charges_even_when_null_or_negative_and_there_is_no_peak():
    assert only_period(Meter(PK=1, ServiceType="water"), new="-4.10").total_charge == Decimal(
        "-4.10"
    )
    period = only_period(Meter(PK=1, ServiceType="water"), new=None)
    assert (period.total_charge, period.peak_demand, period.total_usage) == (None, None, Decimal(0))
