"""latest_statement_per_interval: one statement per billing interval."""

from __future__ import annotations

from datetime import date

from datafeeds_core.urjanet.model import Account, UrjanetData
from datafeeds_core.urjanet.refine import latest_statement_per_interval

JAN = (date(2020, 1, 1), date(2020, 2, 1))
FEB = (date(2020, 2, 1), date(2020, 3, 1))


def stmt(pk: int, span: tuple[date, date] | tuple[None, None], statement: date | None) -> Account:
    return Account(PK=pk, IntervalStart=span[0], IntervalEnd=span[1], StatementDate=statement)


def kept(*accounts: Account) -> list[int | None]:
    return [a.PK for a in latest_statement_per_interval(UrjanetData(accounts)).accounts]


def test_the_latest_statement_of_an_interval_is_kept_even_when_not_adjacent() -> None:
    assert kept(
        stmt(1, JAN, date(2020, 2, 5)),
        stmt(2, FEB, date(2020, 3, 5)),
        stmt(3, JAN, date(2020, 4, 1)),  # a correction delivered after February's bill
    ) == [2, 3]


def test_a_null_statement_date_loses_to_any_date_and_does_not_crash() -> None:
    assert kept(stmt(1, JAN, date(2020, 2, 5)), stmt(2, JAN, None)) == [1]
    assert kept(stmt(1, JAN, None), stmt(2, JAN, None)) == [2]


def test_equal_statement_dates_keep_the_higher_pk_whatever_the_row_order() -> None:
    a, b = stmt(7, JAN, date(2020, 2, 5)), stmt(9, JAN, date(2020, 2, 5))
    assert kept(a, b) == [9]
    assert kept(b, a) == [9]


def test_statements_without_an_interval_are_all_kept_for_the_transformer_to_report() -> None:
    assert kept(stmt(1, (None, None), date(2020, 2, 5)), stmt(2, (None, None), None)) == [1, 2]


def test_the_input_is_not_changed() -> None:
    data = UrjanetData((stmt(1, JAN, date(2020, 2, 5)), stmt(2, JAN, date(2020, 3, 5))))
    latest_statement_per_interval(data)
    assert [a.PK for a in data.accounts] == [1, 2]
