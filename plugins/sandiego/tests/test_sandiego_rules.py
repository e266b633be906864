"""San Diego transform (SPEC §4.3): the period of the first meter with a MeterNumber, else the
statement's, then the generic water rules."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from datafeeds_sandiego import TRANSFORMER

from datafeeds_core.urjanet.model import Account, Meter, UrjanetData

STATEMENT = (date(2020, 1, 1), date(2020, 2, 1))


def meter(pk: int, number: str | None, start: date | None, end: date | None) -> Meter:
    return Meter(
        PK=pk, ServiceType="water", MeterNumber=number, IntervalStart=start, IntervalEnd=end
    )


def stmt(pk: int, *meters: Meter, span: tuple[date, date] = STATEMENT) -> Account:
    return Account(
        PK=pk,
        StatementDate=date(2020, 2, 10),
        IntervalStart=span[0],
        IntervalEnd=span[1],
        NewCharges=Decimal("55"),
        meters=meters,
    )


def spans(*accounts: Account) -> list[tuple[date, date]]:
    return [(p.start, p.end) for p in TRANSFORMER(UrjanetData(accounts)).periods]


def test_the_first_meter_with_a_number_gives_the_period():
    account = stmt(
        1,
        meter(1, "", date(2019, 12, 1), date(2020, 1, 3)),
        meter(2, "W-1", date(2019, 12, 28), date(2020, 1, 29)),
        meter(3, "W-2", date(2019, 12, 30), date(2020, 1, 30)),
    )
    assert spans(account) == [(date(2019, 12, 28), date(2020, 1, 29))]


def test_without_a_numbered_meter_the_statement_interval_is_the_period():
    assert spans(stmt(1, meter(1, None, date(2019, 12, 1), date(2020, 1, 3)))) == [STATEMENT]
    assert spans(stmt(2)) == [STATEMENT]


def test_a_numbered_meter_missing_a_date_falls_back_to_the_statement_interval():
    assert spans(stmt(1, meter(1, "W-1", None, date(2020, 1, 29)))) == [STATEMENT]


def test_the_meter_periods_decide_overlaps():
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
