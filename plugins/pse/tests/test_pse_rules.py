"""Puget Sound Energy transform: the generic electric rules its reference data follows
(UTILITIES.md), not the old system's production override."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from datafeeds_pse import TRANSFORMER

from datafeeds_core.testing import builders
from datafeeds_core.testing.builders import charge, meter, statement, urjanet_data, usage
from datafeeds_core.urjanet.model import BillingPeriod, Meter, Usage

JAN = (date(2020, 1, 1), date(2020, 2, 1))


def use(pk: int, amount: str, unit: str, rc: str = "[total]") -> Usage:
    return usage(pk, amount, unit, rc, span=JAN)


def only_period(*meters: Meter, new: str = "410.10") -> BillingPeriod:
    account = statement(1, *meters, issued=date(2020, 2, 3), span=JAN, NewCharges=Decimal(new))
    return builders.only_period(TRANSFORMER(urjanet_data(account)))


def test_total_is_new_charges_not_the_sum_of_meter_charges() -> None:
    period = only_period(meter(1, charges=(charge(1, 5),)))
    assert period.total_charge == Decimal("410.10")


def test_mixed_unit_total_usages_are_summed_without_conversion() -> None:
    # The generic rule the reference data follows adds kWh and kVARH totals.
    period = only_period(
        meter(
            1,
            usages=(use(1, "1000", "kWh"), use(2, "250", "kVARH"), use(3, "9", "kWh", "[on_peak]")),
        )
    )
    assert period.total_usage == Decimal(1250)


def test_single_unit_therms_are_not_converted() -> None:
    period = only_period(meter(1, ServiceType="natural_gas", usages=(use(1, "75.5", "therms"),)))
    assert period.total_usage == Decimal("75.5")


def test_peak_is_the_largest_kw_meter_charge_or_null() -> None:
    with_demand = meter(
        1,
        charges=(
            charge(1, unit="kW", used=61),
            charge(2, unit="kW", used=None),  # no crash on a null quantity
            charge(3, unit="KW", used=99),  # unit is case-sensitive
        ),
    )
    assert only_period(with_demand).peak_demand == Decimal(61)
    assert only_period(meter(1)).peak_demand is None
