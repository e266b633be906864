"""American Water transform: total = NewCharges if > 0, else TotalBillAmount − OutstandingBalance
(SPEC §4.3) on the generic water skeleton."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from datafeeds_american import TRANSFORMER

from datafeeds_core.urjanet.model import Account, UrjanetData


def total(**amounts: Decimal | None) -> Decimal | None:
    account = Account(
        PK=1,
        StatementDate=date(2020, 2, 5),
        IntervalStart=date(2020, 1, 1),
        IntervalEnd=date(2020, 2, 1),
        **amounts,  # type: ignore[arg-type]
    )
    (period,) = TRANSFORMER(UrjanetData((account,))).periods
    assert period.peak_demand is None
    return period.total_charge


def test_positive_new_charges_are_the_total():
    assert total(NewCharges=Decimal("81.20"), TotalBillAmount=Decimal("500")) == Decimal("81.20")


def test_otherwise_the_total_is_bill_amount_minus_outstanding_balance():
    amounts = {"TotalBillAmount": Decimal("150.75"), "OutstandingBalance": Decimal("100.25")}
    assert total(NewCharges=Decimal("0"), **amounts) == Decimal("50.50")
    assert total(NewCharges=Decimal("-5"), **amounts) == Decimal("50.50")


def test_null_new_charges_or_balance_do_not_crash():
    assert total(NewCharges=None, TotalBillAmount=Decimal("40")) == Decimal("40")
    assert total(NewCharges=None, TotalBillAmount=None) is None
