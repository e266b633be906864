"""City of Austin transform rules: meter charges without late fees, usage without
solar generation."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from datafeeds_austin import TRANSFORMER

from datafeeds_core.testing import builders
from datafeeds_core.urjanet.model import Account, BillingPeriod, Charge, Meter, Usage

JAN = (date(2020, 1, 1), date(2020, 2, 1))


def stmt(*meters: Meter, floating: tuple[Charge, ...] = ()) -> Account:
    return builders.statement(
        1, *meters, issued=date(2020, 2, 3), span=JAN, floating=floating, NewCharges=Decimal("999")
    )


def charge(
    pk: int, amount: str, charge_id: str | None = None, unit: str = "", used: str | None = None
) -> Charge:
    return builders.charge(
        pk, amount, unit=unit, used=Decimal(used) if used else None, ChargeId=charge_id
    )


def use(pk: int, amount: str, name: str | None, unit: str = "kWh", rc: str = "[total]") -> Usage:
    return builders.usage(pk, amount, unit, rc, span=JAN, UsageActualName=name)


def only_period(*meters: Meter, floating: tuple[Charge, ...] = ()) -> BillingPeriod:
    return builders.only_period(
        TRANSFORMER(builders.urjanet_data(stmt(*meters, floating=floating)))
    )


def test_total_sums_meter_charges_except_late_fees_and_ignores_floating_charges() -> None:
    period = only_period(
        builders.meter(
            1,
            charges=(
                charge(1, "120.10", "ch.usage_charge"),
                charge(2, "15", "ch.late_fee"),
                charge(3, "4.90"),
            ),
        ),
        builders.meter(2, charges=(charge(4, "10", "ch.customer_charge"),)),
        floating=(charge(5, "50", "ch.tax"),),
    )
    assert period.total_charge == Decimal("135.00")


def test_usage_excludes_solar_generation_and_tolerates_unnamed_usages() -> None:
    period = only_period(
        builders.meter(
            1,
            usages=(
                use(1, "1200", "Total Consumption"),
                use(2, "300", "Total Generation kWh"),
                use(3, "45", None),
                use(4, "999", "On Peak", rc="[on_peak]"),
            ),
        ),
    )
    assert period.total_usage == Decimal("1245")


def test_duplicate_usages_across_meters_count_once() -> None:
    period = only_period(
        builders.meter(1, usages=(use(1, "500", "Total"),)),
        builders.meter(2, usages=(use(2, "500", "Total"),)),
    )
    assert period.total_usage == Decimal("500")


def test_water_usage_in_ccf_and_no_peak_without_kw_charges() -> None:
    period = only_period(
        builders.meter(
            1,
            charges=(charge(1, "30", unit="ccf", used="12.5"),),
            usages=(use(1, "12.5", "Water", "ccf"),),
            ServiceType="water",
        )
    )
    assert (period.total_usage, period.peak_demand) == (Decimal("12.5"), None)


def test_peak_is_the_largest_kw_meter_charge() -> None:
    period = only_period(
        builders.meter(
            1,
            charges=(charge(1, "10", unit="kW", used="80"), charge(2, "10", unit="kW", used="95")),
        )
    )
    assert period.peak_demand == Decimal("95")
