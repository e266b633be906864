"""Constellation: generic electric rules with total = TotalBillAmount (SPEC §4.3)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from datafeeds_constellation import TRANSFORMER

from datafeeds_core.urjanet.model import Account, UrjanetData


def test_total_is_the_total_bill_amount_not_new_charges():
    account = Account(
        PK=1,
        StatementDate=date(2020, 2, 3),
        IntervalStart=date(2020, 1, 1),
        IntervalEnd=date(2020, 2, 1),
        NewCharges=Decimal("41073.96"),
        TotalBillAmount=Decimal("41072.13"),
    )
    (period,) = TRANSFORMER(UrjanetData((account,))).periods
    assert period.total_charge == Decimal("41072.13")


def test_a_null_total_bill_amount_gives_a_null_total():
    account = Account(
        PK=1,
        StatementDate=date(2020, 2, 3),
        IntervalStart=date(2020, 1, 1),
        IntervalEnd=date(2020, 2, 1),
        NewCharges=Decimal("5"),
    )
    (period,) = TRANSFORMER(UrjanetData((account,))).periods
    assert period.total_charge is None
