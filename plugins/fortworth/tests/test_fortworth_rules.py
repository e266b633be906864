"""Fort Worth transform: statements without a StatementDate are kept, ordered and
dated by their IntervalEnd; account ids compare as two numbers."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from datafeeds_fortworth import TRANSFORMER, account_id_parts

from datafeeds_core.testing.builders import statement, urjanet_data
from datafeeds_core.urjanet.model import Account


def stmt(pk: int, start: date, end: date | None, issued: date | None, charges: str) -> Account:
    return statement(pk, issued=issued, span=(start, end), NewCharges=Decimal(charges))


def test_a_statement_without_statement_date_is_dated_by_its_interval_end() -> None:
    data = urjanet_data(
        stmt(1, date(2020, 1, 1), date(2020, 2, 1), date(2020, 2, 6), "10"),
        stmt(2, date(2020, 2, 1), date(2020, 3, 1), None, "20"),
    )
    result = TRANSFORMER(data)
    assert [(p.start, p.end, p.statement, p.total_charge) for p in result.periods] == [
        (date(2020, 1, 1), date(2020, 1, 31), date(2020, 2, 6), Decimal("10")),
        (date(2020, 2, 1), date(2020, 3, 1), date(2020, 3, 1), Decimal("20")),
    ]
    assert result.dropped == ()


def test_the_interval_end_orders_an_undated_statement_among_dated_ones() -> None:
    # Undated, but its IntervalEnd (2020-03-01) is later than the other's StatementDate: it wins.
    undated = stmt(1, date(2020, 1, 15), date(2020, 3, 1), None, "30")
    dated = stmt(2, date(2020, 1, 1), date(2020, 2, 1), date(2020, 2, 6), "10")
    result = TRANSFORMER(urjanet_data(dated, undated))
    assert [p.total_charge for p in result.periods] == [Decimal("30")]
    assert [d.PK for d in result.dropped] == [2]


def test_a_statement_with_neither_date_is_reported() -> None:
    result = TRANSFORMER(urjanet_data(stmt(1, date(2020, 1, 1), None, None, "10")))
    assert result.periods == ()
    assert [(d.PK, d.reason) for d in result.dropped] == [
        (1, "no statement date and no interval end")
    ]


def test_account_ids_compare_as_two_numbers_ignoring_leading_zeros() -> None:
    assert account_id_parts("001047273-000629328") == (1047273, 629328)
    assert account_id_parts(" 1047273-629328 ") == (1047273, 629328)
    assert account_id_parts("91047273-000629328") == (91047273, 629328)
    assert account_id_parts("1047273") is None
