"""Clean Power Alliance transform rules: raw dates for the overlap test, stored
period ending a day earlier, then the usual boundary normalisation; generation-only bills."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from datafeeds_clean_power_alliance import KEY, TRANSFORMER, datafeeds_metadata

from datafeeds_core.testing import builders
from datafeeds_core.testing.builders import statement, urjanet_data
from datafeeds_core.urjanet.model import Account


def stmt(pk: int, start: date, end: date, issued: date) -> Account:
    return statement(pk, issued=issued, span=(start, end), NewCharges=Decimal(pk))


def spans(*accounts: Account) -> list[tuple[date, date]]:
    return builders.spans(TRANSFORMER(urjanet_data(*accounts)))


def test_every_stored_period_ends_a_day_before_the_statement_end_including_the_last() -> None:
    assert spans(
        stmt(1, date(2020, 1, 1), date(2020, 2, 1), date(2020, 2, 3)),
        stmt(2, date(2020, 2, 1), date(2020, 3, 1), date(2020, 3, 3)),
    ) == [(date(2020, 1, 1), date(2020, 1, 31)), (date(2020, 2, 1), date(2020, 2, 29))]


def test_overlap_is_tested_on_the_raw_dates() -> None:
    newer = stmt(1, date(2020, 2, 1), date(2020, 3, 1), date(2020, 3, 3))
    # Its stored period [Jan 1, Feb 1) would not overlap; its raw end (Feb 2) does.
    older = stmt(2, date(2020, 1, 1), date(2020, 2, 2), date(2020, 2, 3))
    result = TRANSFORMER(urjanet_data(older, newer))
    assert [(p.start, p.end) for p in result.periods] == [(date(2020, 2, 1), date(2020, 2, 29))]
    assert [d.PK for d in result.dropped] == [2]


def test_stored_periods_that_touch_are_then_normalised() -> None:
    newer = stmt(1, date(2020, 1, 1), date(2020, 2, 2), date(2020, 3, 5))  # stored [Jan 1, Feb 1)
    later_period = stmt(2, date(2020, 2, 1), date(2020, 3, 1), date(2020, 3, 3))
    assert spans(newer, later_period) == [
        (date(2020, 1, 1), date(2020, 1, 31)),
        (date(2020, 2, 1), date(2020, 2, 29)),
    ]


def test_a_one_day_statement_is_reported_not_crashed_on() -> None:
    result = TRANSFORMER(
        urjanet_data(stmt(1, date(2020, 1, 1), date(2020, 1, 2), date(2020, 1, 3)))
    )
    assert result.periods == ()
    assert [d.PK for d in result.dropped] == [1]


def test_the_key_produces_generation_only_bills() -> None:
    metadata = datafeeds_metadata(KEY)
    assert (
        metadata is not None
        and metadata.bill_type == "generation-only"
        and metadata.provider == "SCE"
    )
