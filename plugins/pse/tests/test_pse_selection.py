"""Puget Sound Energy selection on a real Urjanet database: raw account number, provider,
electric or gas meters whose number contains the meter number (also without a leading capital)."""

from __future__ import annotations

from datetime import date

import pytest
from datafeeds_pse import KEY, PROVIDER, datafeeds_datasource, meter_number_patterns

from datafeeds_core.errors import ConfigurationError
from datafeeds_core.plugin_api.contract import DataSourceContext
from datafeeds_core.testing import UrjanetTestDatabase, builders
from datafeeds_core.testing.builders import statement, urjanet_data
from datafeeds_core.urjanet.model import Account, Meter


def stmt(pk: int, raw: str, *meters: Meter, provider: str = PROVIDER) -> Account:
    return statement(
        pk,
        *meters,
        issued=date(2020, 2, 3),
        span=(date(2020, 1, 1), date(2020, 2, 1)),
        RawAccountNumber=raw,
        AccountNumber=f"A{pk}",
        UtilityProvider=provider,
    )


def meter(pk: int, number: str, service: str = "electric") -> Meter:
    return builders.meter(pk, MeterNumber=number, ServiceType=service)


@pytest.fixture
def seeded(urjanet_db: UrjanetTestDatabase) -> UrjanetTestDatabase:
    urjanet_db.seed(
        urjanet_data(
            stmt(
                1,
                "220-00_1",
                meter(11, "Z1234_5"),
                meter(12, "001234_5 A", "natural_gas"),
                meter(13, "1234X5"),
                meter(14, "Z1234_5", "water"),
                meter(15, "Q99"),
            ),
            stmt(2, "220-00_1", meter(21, "Z1234_5"), provider="PugetSoundEnergyX"),
            stmt(3, "220-0001", meter(31, "Z1234_5")),
        )
    )
    return urjanet_db


def loaded(
    db: UrjanetTestDatabase, context: DataSourceContext
) -> list[tuple[int | None, list[int | None]]]:
    selection = datafeeds_datasource(KEY, context)
    assert selection is not None
    return builders.loaded_pks(db.load(selection))


def test_meta_meter_number_wins_and_also_matches_without_its_leading_capital(
    seeded: UrjanetTestDatabase,
) -> None:
    context = DataSourceContext(
        KEY, utility_account_id="220-00_1", service_id="Q99", meta={"meterNumber": "Z1234_5"}
    )
    assert loaded(seeded, context) == [(1, [11, 12])]


def test_service_id_is_used_without_meta(seeded: UrjanetTestDatabase) -> None:
    context = DataSourceContext(KEY, utility_account_id="220-00_1", service_id="Q99")
    assert loaded(seeded, context) == [(1, [15])]


def test_leading_capital_variant_only_for_a_capital_letter() -> None:
    assert meter_number_patterns("Z123") == ("Z123", "123")
    assert meter_number_patterns("z123") == ("z123",)
    assert meter_number_patterns("123") == ("123",)


def test_no_meter_number_at_all_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError):
        datafeeds_datasource(
            KEY, DataSourceContext(KEY, utility_account_id="1", meta={"meterNumber": ""})
        )
