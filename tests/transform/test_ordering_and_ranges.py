"""Small core blocks added for the complex utilities: null-safe statement order, a stored range
starting a day later, the service-id normaliser."""

from __future__ import annotations

from datetime import date

import pytest

from datafeeds_core.errors import ConfigurationError
from datafeeds_core.urjanet.model import Account
from datafeeds_core.urjanet.normalise import service_id
from datafeeds_core.urjanet.transform import (
    by_statement_date_nulls_oldest,
    store_start_plus_one_day,
)


def test_statements_without_a_date_sort_as_the_oldest_without_crashing() -> None:
    accounts = [
        Account(PK=1, StatementDate=date(2020, 2, 1)),
        Account(PK=2),
        Account(PK=3, StatementDate=date(2020, 3, 1)),
    ]
    newest_first = sorted(accounts, key=by_statement_date_nulls_oldest, reverse=True)
    assert [a.PK for a in newest_first] == [3, 1, 2]


def test_stored_range_starts_the_day_after_the_tested_one() -> None:
    span = (date(2020, 1, 1), date(2020, 2, 1))
    assert store_start_plus_one_day(Account(), span) == (date(2020, 1, 2), date(2020, 2, 1))


def test_service_id_is_trimmed_and_required() -> None:
    assert service_id("  0310 130 ") == "0310 130"
    for missing in (None, "", "   "):
        with pytest.raises(ConfigurationError, match="service id"):
            service_id(missing)
