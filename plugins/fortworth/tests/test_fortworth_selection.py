"""Fort Worth selection on a real Urjanet database (SQLite and MariaDB): RawAccountNumber equal
as two numbers, provider, water/sewer/irrigation meters."""

from __future__ import annotations

from datetime import date

import pytest
from datafeeds_fortworth import KEY, PROVIDER, datafeeds_datasource

from datafeeds_core.errors import ConfigurationError
from datafeeds_core.plugin_api.contract import DataSourceContext
from datafeeds_core.testing import UrjanetTestDatabase
from datafeeds_core.testing.builders import meter, statement, urjanet_data
from datafeeds_core.urjanet.model import Account


def stmt(
    pk: int, raw: str, provider: str = PROVIDER, services: tuple[str, ...] = ("water",)
) -> Account:
    return statement(
        pk,
        *(meter(pk * 10 + i, ServiceType=s) for i, s in enumerate(services)),
        issued=date(2020, 2, 3),
        span=(date(2020, 1, 1), date(2020, 2, 1)),
        UtilityProvider=provider,
        RawAccountNumber=raw,
        AccountNumber=raw.replace("-", ""),
    )


def selected(
    urjanet_db: UrjanetTestDatabase, account_id: str
) -> list[tuple[int | None, list[str | None]]]:
    selection = datafeeds_datasource(KEY, DataSourceContext(KEY, utility_account_id=account_id))
    assert selection is not None
    return [(a.PK, [m.ServiceType for m in a.meters]) for a in urjanet_db.load(selection).accounts]


def test_selects_the_account_with_or_without_leading_zeros_and_nothing_alike(
    urjanet_db: UrjanetTestDatabase,
) -> None:
    urjanet_db.seed(
        urjanet_data(
            stmt(
                1,
                "001047273-000629328",
                services=("water", "sewer", "irrigation", "sanitation", "electric"),
            ),
            stmt(2, "1047273-629328"),
            stmt(3, "001047273-000629328", provider="CityOfFortWorthTXX"),
            stmt(4, "91047273-000629328"),  # the original LIKE '%1047273-%629328' took these
            stmt(5, "001047273-100629328"),
            stmt(6, "001047273-000629328-2"),
            stmt(7, "001047273-000629328", services=("electric",)),
        )
    )
    assert selected(urjanet_db, "001047273-000629328") == [
        (1, ["water", "sewer", "irrigation"]),
        (2, ["water"]),
    ]


def test_an_account_id_that_is_not_two_numbers_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError):
        datafeeds_datasource(KEY, DataSourceContext(KEY, utility_account_id="1047273_629328"))


def test_other_keys_are_not_served() -> None:
    assert (
        datafeeds_datasource(
            "other-urjanet", DataSourceContext("other-urjanet", utility_account_id="1-2")
        )
        is None
    )
