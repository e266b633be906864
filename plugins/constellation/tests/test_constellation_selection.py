"""Constellation selection on a real Urjanet database: bills of the account whose electric or
gas meter number contains the last six characters of the service id."""

from __future__ import annotations

from datetime import date

import pytest
from datafeeds_constellation import DEFAULT_ACCOUNT, KEY, PROVIDER, datafeeds_datasource

from datafeeds_core.errors import ConfigurationError
from datafeeds_core.plugin_api.contract import DataSourceContext
from datafeeds_core.testing import UrjanetTestDatabase, builders
from datafeeds_core.testing.builders import statement, urjanet_data
from datafeeds_core.urjanet.model import Account, Meter


def stmt(
    pk: int,
    number: str,
    *meters: Meter,
    provider: str = PROVIDER,
    kind: str = "statement_type_bill",
) -> Account:
    return statement(
        pk,
        *meters,
        issued=date(2020, 2, 3),
        span=(date(2020, 1, 1), date(2020, 2, 1)),
        AccountNumber=number,
        UtilityProvider=provider,
        StatementType=kind,
    )


def meter(pk: int, number: str, service: str = "electric") -> Meter:
    return builders.meter(pk, MeterNumber=number, ServiceType=service)


def loaded(
    urjanet_db: UrjanetTestDatabase, context: DataSourceContext
) -> list[tuple[int | None, list[int | None]]]:
    selection = datafeeds_datasource(KEY, context)
    assert selection is not None
    data = urjanet_db.load(selection)
    return builders.loaded_pks(data)


def test_selects_bills_of_the_account_by_meter_number_tail_and_nothing_alike(
    urjanet_db: UrjanetTestDatabase,
) -> None:
    urjanet_db.seed(
        urjanet_data(
            stmt(
                1,
                "4VEN4444",
                meter(11, "0012%456"),
                meter(12, "12%456-B", "natural_gas"),
                meter(13, "9912X456"),
                meter(14, "12%456", "water"),
            ),
            stmt(2, "4VEN4444", meter(21, "12%456"), kind="statement_type_adjustment"),
            stmt(3, "4VEN4444", meter(31, "12%456"), provider="ConstellationX"),
            stmt(4, "4VEN44445", meter(41, "12%456")),
        )
    )
    context = DataSourceContext(KEY, utility_account_id="4VEN4444", service_id="SA-12%456")
    assert loaded(urjanet_db, context) == [(1, [11, 12])]


def test_without_an_account_id_the_historical_default_account_is_used(
    urjanet_db: UrjanetTestDatabase,
) -> None:
    urjanet_db.seed(
        urjanet_data(
            stmt(1, DEFAULT_ACCOUNT, meter(11, "888888")), stmt(2, "OTHER", meter(21, "888888"))
        )
    )
    assert loaded(urjanet_db, DataSourceContext(KEY, service_id="888888")) == [(1, [11])]


def test_a_missing_service_id_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError):
        datafeeds_datasource(KEY, DataSourceContext(KEY, utility_account_id="4VEN4444"))
