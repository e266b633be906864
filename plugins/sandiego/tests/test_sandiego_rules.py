"""San Diego transform: the period of the first meter with a MeterNumber, else the
statement's, then the generic water rules."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from datafeeds_sandiego import TRANSFORMER

from datafeeds_core.testing import builders
from datafeeds_core.testing.builders import statement, urjanet_data
from datafeeds_core.urjanet.model import Account, Meter

STATEMENT = (date(2020, 1, 1), date(2020, 2, 1))


def meter(pk: int, number: str | None, start: date | None, end: date | None) -> Meter:
    return builders.meter(pk, span=(start, end), ServiceType="water", MeterNumber=number)


def stmt(pk: int, *meters: Meter, span: tuple[date, date] = STATEMENT) -> Account:
    return statement(pk, *meters, issued=date(2020, 2, 10), span=span, NewCharges=Decimal("55"))


def spans(*accounts: Account) -> list[tuple[date, date]]:
    return builders.spans(TRANSFORMER(urjanet_data(*accounts)))


def test_the_first_meter_with_a_number_gives_the_period() -> None:
    account = stmt(
        1,
        meter(1, "", date(2019, 12, 1), date(2020, 1, 3)),
        meter(2, "W-1", date(2019, 12, 28), date(2020, 1, 29)),
        meter(3, "W-2", date(2019, 12, 30), date(2020, 1, 30)),
    )
    assert spans(account) == [(date(2019, 12, 28), date(2020, 1, 29))]


def test_without_a_numbered_meter_the_statement_interval_is_the_period() -> None:
    assert spans(stmt(1, meter(1, None, date(2019, 12, 1), date(2020, 1, 3)))) == [STATEMENT]
    assert spans(stmt(2)) == [STATEMENT]


def test_a_numbered_meter_missing_a_date_falls_back_to_the_statement_interval() -> None:
    assert spans(stmt(1, meter(1, "W-1", None, date(2020, 1, 29)))) == [STATEMENT]


def test_the_meter_periods_decide_overlaps() -> None:
    # The statements' own intervals overlap, their numbered meters' do not: both are kept.
    first = stmt(
        1,
        meter(1, "W-1", date(2020, 1, 1), date(2020, 1, 31)),
        span=(date(2020, 1, 1), date(2020, 2, 5)),
    )
    second = stmt(
        2,
        meter(2, "W-1", date(2020, 1, 31), date(2020, 3, 1)),
        span=(date(2020, 1, 31), date(2020, 3, 1)),
    )
    assert spans(first, second) == [
        (date(2020, 1, 1), date(2020, 1, 30)),
        (date(2020, 1, 31), date(2020, 3, 1)),
    ]
