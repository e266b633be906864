"""Puget Sound Energy transform: the generic electric rules its reference data follows
(UTILITIES.md), not the production override of SPEC §4.3."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from datafeeds_pse import TRANSFORMER

from datafeeds_core.urjanet.model import Account, Charge, Meter, UrjanetData, Usage

JAN = (date(2020, 1, 1), date(2020, 2, 1))


def use(pk: int, amount: str, unit: str, rc: str = "[total]") -> Usage:
    return Usage(
        PK=pk,
        UsageAmount=Decimal(amount),
        EnergyUnit=unit,
        RateComponent=rc,
        IntervalStart=JAN[0],
        IntervalEnd=JAN[1],
    )


def only_period(*meters: Meter, new: str = "410.10"):
    account = Account(
        PK=1,
        StatementDate=date(2020, 2, 3),
        IntervalStart=JAN[0],
        IntervalEnd=JAN[1],
        NewCharges=Decimal(new),
        meters=meters,
    )
    (period,) = TRANSFORMER(UrjanetData((account,))).periods
    return period


def test_total_is_new_charges_not_the_sum_of_meter_charges():
    period = only_period(Meter(PK=1, charges=(Charge(PK=1, ChargeAmount=Decimal(5)),)))
    assert period.total_charge == Decimal("410.10")


def test_mixed_unit_total_usages_are_summed_without_conversion():
    # The generic rule the reference data follows adds kWh and kVARH totals (SPEC §8.13).
    period = only_period(
        Meter(
            PK=1,
            usages=(use(1, "1000", "kWh"), use(2, "250", "kVARH"), use(3, "9", "kWh", "[on_peak]")),
        )
    )
    assert period.total_usage == Decimal(1250)


def test_single_unit_therms_are_not_converted():
    period = only_period(Meter(PK=1, ServiceType="natural_gas", usages=(use(1, "75.5", "therms"),)))
    assert period.total_usage == Decimal("75.5")


def test_peak_is_the_largest_kw_meter_charge_or_null():
    with_demand = Meter(
        PK=1,
        charges=(
            Charge(PK=1, UsageUnit="kW", ChargeUnitsUsed=Decimal(61)),
            Charge(PK=2, UsageUnit="kW", ChargeUnitsUsed=None),  # no crash on a null quantity
            Charge(PK=3, UsageUnit="KW", ChargeUnitsUsed=Decimal(99)),  # unit is case-sensitive
        ),
    )
    assert only_period(with_demand).peak_demand == Decimal(61)
    assert only_period(Meter(PK=1)).peak_demand is None
