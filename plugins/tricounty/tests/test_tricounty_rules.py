"""Tri-County transform rules: total and line items from meter charges only."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from datafeeds_tricounty import TRANSFORMER

from datafeeds_core.testing import builders
from datafeeds_core.testing.builders import meter, statement, urjanet_data
from datafeeds_core.urjanet.model import BillingPeriod, Charge, Meter


def charge(pk: int, amount: str | None, unit: str = "", used: str | None = None) -> Charge:
    return builders.charge(pk, amount, unit=unit, used=used)


def only_period(*meters: Meter, floating: tuple[Charge, ...] = ()) -> BillingPeriod:
    account = statement(
        1,
        *meters,
        issued=date(2020, 2, 3),
        span=(date(2020, 1, 1), date(2020, 2, 1)),
        NewCharges=Decimal("999"),
        floating=floating,
    )
    return builders.only_period(TRANSFORMER(urjanet_data(account)))


def test_total_and_line_items_are_the_meter_charges_without_floating_charges() -> None:
    period = only_period(
        meter(1, charges=(charge(1, "100.25"), charge(2, "-3.25"), charge(3, None))),
        meter(2, charges=(charge(4, "10"),)),
        floating=(charge(5, "45"),),
    )
    assert period.total_charge == Decimal("107.00")
    assert [c.PK for c in period.line_items] == [1, 2, 3, 4]


def test_no_meter_charges_gives_a_zero_total() -> None:
    assert only_period(meter(1), floating=(charge(5, "45"),)).total_charge == Decimal(0)


def test_peak_is_the_largest_kw_meter_charge() -> None:
    assert only_period(
        meter(1, charges=(charge(1, "5", "kW", "31.5"), charge(2, "5", "kWh", "800")))
    ).peak_demand == Decimal("31.5")
