"""Constellation: generic electric rules with total = TotalBillAmount."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from datafeeds_constellation import TRANSFORMER

from datafeeds_core.testing.builders import only_period, statement, urjanet_data

JAN = (date(2020, 1, 1), date(2020, 2, 1))


def test_total_is_the_total_bill_amount_not_new_charges() -> None:
    account = statement(
        1,
        issued=date(2020, 2, 3),
        span=JAN,
        NewCharges=Decimal("41073.96"),
        TotalBillAmount=Decimal("41072.13"),
    )
    period = only_period(TRANSFORMER(urjanet_data(account)))
    assert period.total_charge == Decimal("41072.13")


def test_a_null_total_bill_amount_gives_a_null_total() -> None:
    account = statement(1, issued=date(2020, 2, 3), span=JAN, NewCharges=Decimal("5"))
    period = only_period(TRANSFORMER(urjanet_data(account)))
    assert period.total_charge is None
