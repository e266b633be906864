"""American Water transform: total = NewCharges if > 0, else TotalBillAmount − OutstandingBalance
on the generic water skeleton."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Unpack

from datafeeds_american import TRANSFORMER

from datafeeds_core.testing.builders import StatementFields, only_period, statement, urjanet_data


def total(**amounts: Unpack[StatementFields]) -> Decimal | None:
    account = statement(
        1, issued=date(2020, 2, 5), span=(date(2020, 1, 1), date(2020, 2, 1)), **amounts
    )
    period = only_period(TRANSFORMER(urjanet_data(account)))
    assert period.peak_demand is None
    return period.total_charge


def test_positive_new_charges_are_the_total() -> None:
    assert total(NewCharges=Decimal("81.20"), TotalBillAmount=Decimal("500")) == Decimal("81.20")


def test_otherwise_the_total_is_bill_amount_minus_outstanding_balance() -> None:
    balance = Decimal("100.25")
    bill = Decimal("150.75")
    assert total(NewCharges=Decimal("0"), TotalBillAmount=bill, OutstandingBalance=balance) == (
        Decimal("50.50")
    )
    assert total(NewCharges=Decimal("-5"), TotalBillAmount=bill, OutstandingBalance=balance) == (
        Decimal("50.50")
    )


def test_null_new_charges_or_balance_do_not_crash() -> None:
    assert total(NewCharges=None, TotalBillAmount=Decimal("40")) == Decimal("40")
    assert total(NewCharges=None, TotalBillAmount=None) is None
