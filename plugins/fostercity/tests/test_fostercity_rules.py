"""Foster City transform: zero-length statements dropped; a total no generic water
rule gives stays null."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Unpack

from datafeeds_fostercity import TRANSFORMER

from datafeeds_core.testing.builders import StatementFields, statement, urjanet_data
from datafeeds_core.urjanet.model import Account

JAN = (date(2020, 1, 1), date(2020, 2, 1))
FEB = (date(2020, 2, 1), date(2020, 3, 1))


def stmt(pk: int, span: tuple[date, date], **amounts: Unpack[StatementFields]) -> Account:
    return statement(pk, issued=date(2020, 3, 5), span=span, **amounts)


def test_a_zero_length_statement_is_dropped_and_reported() -> None:
    empty = stmt(2, (date(2020, 2, 1), date(2020, 2, 1)), NewCharges=Decimal("9"))
    result = TRANSFORMER(urjanet_data(stmt(1, JAN, NewCharges=Decimal("10")), empty))
    assert [(p.start, p.end) for p in result.periods] == [(date(2020, 1, 1), date(2020, 2, 1))]
    assert [d.PK for d in result.dropped] == [2]


def test_total_is_the_generic_water_total_where_one_applies() -> None:
    statements = (
        stmt(1, JAN, NewCharges=Decimal("10.50")),
        stmt(
            2,
            FEB,
            NewCharges=Decimal("0"),
            OutstandingBalance=Decimal("0"),
            TotalBillAmount=Decimal("8"),
        ),
    )
    totals = [p.total_charge for p in TRANSFORMER(urjanet_data(*statements)).periods]
    assert totals == [Decimal("10.50"), Decimal("8")]


def test_total_is_null_where_generic_water_would_fall_through_to_zero() -> None:
    statements = (
        stmt(
            1,
            JAN,
            NewCharges=Decimal("0"),
            OutstandingBalance=Decimal("3"),
            TotalBillAmount=Decimal("8"),
        ),
        stmt(2, FEB, NewCharges=None),
    )
    totals = [p.total_charge for p in TRANSFORMER(urjanet_data(*statements)).periods]
    assert totals == [None, None]
