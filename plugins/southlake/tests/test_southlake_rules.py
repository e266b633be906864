"""Southlake transform: statements without a StatementDate, kept when both interval
dates are present and ordered by (IntervalEnd, −PK) descending."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from datafeeds_southlake import TRANSFORMER

from datafeeds_core.testing.builders import statement, urjanet_data
from datafeeds_core.urjanet.model import Account


def stmt(pk: int, start: date | None, end: date | None, charges: str = "10") -> Account:
    return statement(pk, span=(start, end), NewCharges=Decimal(charges))


def test_statements_without_statement_date_become_periods() -> None:
    data = urjanet_data(
        stmt(1, date(2020, 1, 1), date(2020, 2, 1)), stmt(2, date(2020, 2, 1), date(2020, 3, 1))
    )
    result = TRANSFORMER(data)
    assert [(p.start, p.end, p.statement) for p in result.periods] == [
        (date(2020, 1, 1), date(2020, 1, 31), None),
        (date(2020, 2, 1), date(2020, 3, 1), None),
    ]
    assert result.dropped == ()


def test_the_statement_with_the_later_interval_end_wins_an_overlap() -> None:
    data = urjanet_data(
        stmt(1, date(2020, 1, 15), date(2020, 2, 20), "30"),
        stmt(2, date(2020, 1, 1), date(2020, 2, 1), "20"),
    )
    result = TRANSFORMER(data)
    assert [p.total_charge for p in result.periods] == [Decimal("30")]
    assert [d.PK for d in result.dropped] == [2]


def test_for_equal_interval_ends_the_lowest_pk_wins_whatever_the_input_order() -> None:
    later_pk = stmt(9, date(2020, 1, 1), date(2020, 2, 1), "90")
    lower_pk = stmt(4, date(2020, 1, 10), date(2020, 2, 1), "40")
    for data in (urjanet_data(later_pk, lower_pk), urjanet_data(lower_pk, later_pk)):
        result = TRANSFORMER(data)
        assert [p.total_charge for p in result.periods] == [Decimal("40")]
        assert [d.PK for d in result.dropped] == [9]


def test_statements_missing_an_interval_date_are_reported() -> None:
    data = urjanet_data(
        stmt(1, date(2020, 1, 1), date(2020, 2, 1)), stmt(2, None, date(2020, 3, 1))
    )
    result = TRANSFORMER(data)
    assert len(result.periods) == 1
    assert [(d.PK, d.reason) for d in result.dropped] == [(2, "no statement interval")]
