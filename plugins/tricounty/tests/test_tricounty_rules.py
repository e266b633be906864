"""Tri-County transform rules (SPEC §4.3): total and line items from meter charges only."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from datafeeds_tricounty import TRANSFORMER

from datafeeds_core.urjanet.model import Account, Charge, Meter, UrjanetData


def charge(pk: int, amount: str | None, unit: str = "", used: str | None = None) -> Charge:
    return Charge(
        PK=pk,
        ChargeAmount=Decimal(amount) if amount else None,
        UsageUnit=unit,
        ChargeUnitsUsed=Decimal(used) if used else None,
    )


def only_period(*meters: Meter, floating: tuple[Charge, ...] = ()):
    account = Account(
        PK=1,
        StatementDate=date(2020, 2, 3),
        IntervalStart=date(2020, 1, 1),
        IntervalEnd=date(2020, 2, 1),
        NewCharges=Decimal("999"),
        meters=meters,
        floating_charges=floating,
    )
    (period,) = TRANSFORMER(UrjanetData((account,))).periods
    return period


def test_total_and_line_items_are_the_meter_charges_without_floating_charges():
    period = only_period(
        Meter(PK=1, charges=(charge(1, "100.25"), charge(2, "-3.25"), charge(3, None))),
        Meter(PK=2, charges=(charge(4, "10"),)),
        floating=(charge(5, "45"),),
    )
    assert period.total_charge == Decimal("107.00")
    assert [c.PK for c in period.line_items] == [1, 2, 3, 4]


def test_no_meter_charges_gives_a_zero_total():
    assert only_period(Meter(PK=1), floating=(charge(5, "45"),)).total_charge == Decimal(0)


def test_peak_is_the_largest_kw_meter_charge():
    assert only_period(
        Meter(PK=1, charges=(charge(1, "5", "kW", "31.5"), charge(2, "5", "kWh", "800")))
    ).peak_demand == Decimal("31.5")
