"""City of Austin selection on a real Urjanet database: account digits before the first dash,
service types from the meter's commodity, meter numbers from the service id."""

from __future__ import annotations

from datetime import date

import pytest
from datafeeds_austin import KEY, PROVIDER, datafeeds_datasource, meter_numbers

from datafeeds_core.errors import ConfigurationError
from datafeeds_core.plugin_api.contract import DataSourceContext
from datafeeds_core.testing import UrjanetTestDatabase, builders
from datafeeds_core.urjanet.model import Account, Meter


def stmt(pk: int, number: str, *meters: Meter, provider: str = PROVIDER) -> Account:
    return builders.statement(
        pk,
        *meters,
        issued=date(2020, 2, 3),
        span=(date(2020, 1, 1), date(2020, 2, 1)),
        AccountNumber=number,
        UtilityProvider=provider,
    )


def meter(pk: int, number: str, service: str) -> Meter:
    return builders.meter(pk, MeterNumber=number, ServiceType=service)


@pytest.fixture
def seeded(urjanet_db: UrjanetTestDatabase) -> UrjanetTestDatabase:
    urjanet_db.seed(
        builders.urjanet_data(
            stmt(
                1,
                "1234567",
                meter(11, "555A", "electric"),
                meter(12, "555", "electric"),
                meter(13, "777", "water"),
                meter(14, "777", "irrigation"),
                meter(15, "777", "sewer"),
                meter(16, "5551", "electric"),
                meter(17, "55_", "electric"),
                meter(18, "555", "water"),
            ),
            stmt(2, "1234567", meter(21, "555", "electric"), provider="CityofAustinTXX"),
            stmt(3, "12345678", meter(31, "555", "electric")),
            stmt(4, "123456_", meter(41, "555", "electric")),
        )
    )
    return urjanet_db


def loaded(
    db: UrjanetTestDatabase, context: DataSourceContext
) -> list[tuple[int | None, list[int | None]]]:
    return builders.loaded_pks(db.load(datafeeds_datasource(KEY, context)))


def test_electric_meter_selects_its_numbers_with_and_without_trailing_capital(
    seeded: UrjanetTestDatabase,
) -> None:
    context = DataSourceContext(
        KEY, utility_account_id="123 4567-001", service_id="555A", commodity="kw"
    )
    assert loaded(seeded, context) == [(1, [11, 12])]


def test_water_meter_selects_water_and_irrigation_but_not_sewer(
    seeded: UrjanetTestDatabase,
) -> None:
    context = DataSourceContext(
        KEY, utility_account_id="1234567-01", service_id="777", commodity="ccf"
    )
    assert loaded(seeded, context) == [(1, [13, 14])]


def test_meter_numbers_are_split_on_commas_with_capital_suffix_variants() -> None:
    assert meter_numbers("100A, 200,300b") == ("100A", "200", "300b", "100")


@pytest.mark.parametrize("commodity", [None, "therms", ""])
def test_a_commodity_other_than_kw_or_ccf_is_a_configuration_error(commodity: str | None) -> None:
    with pytest.raises(ConfigurationError):
        datafeeds_datasource(
            KEY,
            DataSourceContext(KEY, utility_account_id="1-2", service_id="5", commodity=commodity),
        )


def test_an_account_id_without_digits_before_the_dash_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError):
        datafeeds_datasource(
            KEY, DataSourceContext(KEY, utility_account_id="AB-123", service_id="5", commodity="kw")
        )
