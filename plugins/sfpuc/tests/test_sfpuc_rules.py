"""SFPUC water transform rules: electric base, usage from water meters only."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from datafeeds_sfpuc import TRANSFORMER

from datafeeds_core.testing import builders
from datafeeds_core.testing.builders import as_decimal, meter, statement, urjanet_data, usage
from datafeeds_core.urjanet.model import BillingPeriod, Meter, Usage

JAN = (date(2020, 1, 1), date(2020, 2, 1))


def use(pk: int, amount: str, rc: str = "[total]", unit: str = "ccf") -> Usage:
    return usage(pk, amount, unit, rc, span=JAN)


def only_period(*meters: Meter, new: str | None = "88.20") -> BillingPeriod:
    account = statement(1, *meters, issued=date(2020, 2, 3), span=JAN, NewCharges=as_decimal(new))
    return builders.only_period(TRANSFORMER(urjanet_data(account)))


def test_usage_sums_total_usages_of_water_meters_without_deduplication() -> None:
    period = only_period(
        meter(1, ServiceType="water", usages=(use(1, "12"), use(2, "12"), use(3, "40", "[tier1]"))),
        meter(2, ServiceType="water", usages=(use(4, "3"),)),
        meter(3, ServiceType="sewer", usages=(use(5, "12"),)),
    )
    assert period.total_usage == Decimal(27)


def test_gallons_are_summed_as_delivered() -> None:
    period = only_period(meter(1, ServiceType="water", usages=(use(1, "748", unit="gallons"),)))
    assert period.total_usage == Decimal(748)


def test_total_is_new_charges_even_when_null_or_negative_and_there_is_no_peak() -> None:
    assert only_period(meter(1, ServiceType="water"), new="-4.10").total_charge == Decimal("-4.10")
    period = only_period(meter(1, ServiceType="water"), new=None)
    assert (period.total_charge, period.peak_demand, period.total_usage) == (None, None, Decimal(0))
