"""City of Austin transform rules (SPEC §4.3): meter charges without late fees, usage without
solar generation."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from datafeeds_austin import TRANSFORMER

from datafeeds_core.urjanet.model import Account, Charge, Meter, UrjanetData, Usage

JAN = (date(2020, 1, 1), date(2020, 2, 1))


def stmt(*meters: Meter, floating: tuple[Charge, ...] = ()) -> Account:
    return Account(
        PK=1,
        StatementDate=date(2020, 2, 3),
        IntervalStart=JAN[0],
        IntervalEnd=JAN[1],
        NewCharges=Decimal("999"),
        meters=meters,
        floating_charges=floating,
    )


def charge(
    pk: int, amount: str, charge_id: str | None = None, unit: str = "", used: str | None = None
) -> Charge:
    return Charge(
        PK=pk,
        ChargeAmount=Decimal(amount),
        ChargeId=charge_id,
        UsageUnit=unit,
        ChargeUnitsUsed=Decimal(used) if used else None,
    )


def use(pk: int, amount: str, name: str | None, unit: str = "kWh", rc: str = "[total]") -> Usage:
    return Usage(
        PK=pk,
        UsageAmount=Decimal(amount),
        UsageActualName=name,
        EnergyUnit=unit,
        RateComponent=rc,
        IntervalStart=JAN[0],
        IntervalEnd=JAN[1],
    )


def only_period(*meters: Meter, floating: tuple[Charge, ...] = ()):
    (period,) = TRANSFORMER(UrjanetData((stmt(*meters, floating=floating),))).periods
    return period


def test_total_sums_meter_charges_except_late_fees_and_ignores_floating_charges():
    period = only_period(
        Meter(
            PK=1,
            charges=(
                charge(1, "120.10", "ch.usage_charge"),
                charge(2, "15", "ch.late_fee"),
                charge(3, "4.90"),
            ),
        ),
        Meter(PK=2, charges=(charge(4, "10", "ch.customer_charge"),)),
        floating=(charge(5, "50", "ch.tax"),),
    )
    assert period.total_charge == Decimal("135.00")


def test_usage_excludes_solar_generation_and_tolerates_unnamed_usages():
    period = only_period(
        Meter(
            PK=1,
            usages=(
                use(1, "1200", "Total Consumption"),
                use(2, "300", "Total Generation kWh"),
                use(3, "45", None),
                use(4, "999", "On Peak", rc="[on_peak]"),
            ),
        ),
    )
    assert period.total_usage == Decimal("1245")


def test_duplicate_usages_across_meters_count_once():
    period = only_period(
        Meter(PK=1, usages=(use(1, "500", "Total"),)), Meter(PK=2, usages=(use(2, "500", "Total"),))
    )
    assert period.total_usage == Decimal("500")


def test_water_usage_in_ccf_and_no_peak_without_kw_charges():
    period = only_period(
        Meter(
            PK=1,
            ServiceType="water",
            usages=(use(1, "12.5", "Water", "ccf"),),
            charges=(charge(1, "30", unit="ccf", used="12.5"),),
        )
    )
    assert (period.total_usage, period.peak_demand) == (Decimal("12.5"), None)


def test_peak_is_the_largest_kw_meter_charge():
    period = only_period(
        Meter(
            PK=1,
            charges=(charge(1, "10", unit="kW", used="80"), charge(2, "10", unit="kW", used="95")),
        )
    )
    assert period.peak_demand == Decimal("95")
