"""HECO selection on a real Urjanet database: account without dashes, provider, listed
electric meters."""

from __future__ import annotations

from datetime import date

import pytest
from datafeeds_heco import KEY, PROVIDER, datafeeds_datasource

from datafeeds_core.errors import ConfigurationError
from datafeeds_core.plugin_api.contract import DataSourceContext
from datafeeds_core.testing import UrjanetTestDatabase, builders
from datafeeds_core.testing.builders import statement, urjanet_data
from datafeeds_core.urjanet.model import Account, Meter


def stmt(pk: int, number: str, provider: str, *meters: Meter) -> Account:
    return statement(
        pk,
        *meters,
        issued=date(2020, 2, 3),
        span=(date(2020, 1, 1), date(2020, 2, 1)),
        AccountNumber=number,
        UtilityProvider=provider,
    )


def meter(pk: int, number: str, service: str = "electric") -> Meter:
    return builders.meter(pk, MeterNumber=number, ServiceType=service)


def test_selects_the_listed_electric_meters_of_the_account_and_nothing_alike(
    urjanet_db: UrjanetTestDatabase,
) -> None:
    urjanet_db.seed(
        urjanet_data(
            stmt(
                1,
                "2021131591",
                PROVIDER,
                meter(11, "MPX1"),
                meter(12, "MPX2"),
                meter(13, "MPX10"),
                meter(14, "MPX1", "natural_gas"),
                meter(15, "MPX_"),
            ),
            stmt(2, "2021131591", "HawaiianElectricCompanyHIx", meter(21, "MPX1")),
            stmt(3, "20211315910", PROVIDER, meter(31, "MPX1")),
            stmt(4, "202113159_", PROVIDER, meter(41, "MPX1")),
        )
    )
    context = DataSourceContext(KEY, utility_account_id="2021-131-591", service_id="MPX1, MPX2")
    selection = datafeeds_datasource(KEY, context)
    assert selection is not None
    data = urjanet_db.load(selection)
    assert builders.loaded_pks(data) == [(1, [11, 12])]


def test_a_service_without_meter_numbers_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError):
        datafeeds_datasource(KEY, DataSourceContext(KEY, utility_account_id="1", service_id=" , "))


def test_other_keys_are_not_served() -> None:
    assert (
        datafeeds_datasource(
            "fpl-urjanet", DataSourceContext("fpl-urjanet", utility_account_id="1")
        )
        is None
    )
