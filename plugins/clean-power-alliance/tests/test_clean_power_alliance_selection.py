"""Clean Power Alliance selection on a real Urjanet database: SCE statements of the generation
account (gen SAID without dashes), electric meters."""

from __future__ import annotations

from datetime import date

import pytest
from datafeeds_clean_power_alliance import KEY, PROVIDER, datafeeds_datasource

from datafeeds_core.errors import ConfigurationError
from datafeeds_core.plugin_api.contract import DataSourceContext
from datafeeds_core.testing import UrjanetTestDatabase, builders
from datafeeds_core.testing.builders import statement, urjanet_data
from datafeeds_core.urjanet.model import Account, Meter


def stmt(pk: int, number: str, *meters: Meter, provider: str = PROVIDER) -> Account:
    return statement(
        pk,
        *meters,
        issued=date(2020, 2, 3),
        span=(date(2020, 1, 1), date(2020, 2, 1)),
        AccountNumber=number,
        UtilityProvider=provider,
    )


def meter(pk: int, service: str = "electric") -> Meter:
    return builders.meter(pk, ServiceType=service, MeterNumber=f"M{pk}")


@pytest.fixture
def seeded(urjanet_db: UrjanetTestDatabase) -> UrjanetTestDatabase:
    urjanet_db.seed(
        urjanet_data(
            stmt(1, "300012345678", meter(11), meter(12, "natural_gas")),
            stmt(2, "300012345678", meter(21), provider="SCEX"),
            stmt(3, "700099999999", meter(31)),  # the T&D account of the same service
            stmt(4, "30001234567_", meter(41)),
        )
    )
    return urjanet_db


def loaded(
    db: UrjanetTestDatabase, context: DataSourceContext
) -> list[tuple[int | None, list[int | None]]]:
    selection = datafeeds_datasource(KEY, context)
    assert selection is not None
    return builders.loaded_pks(db.load(selection))


def test_selects_the_generation_account_by_gen_said_without_dashes(
    seeded: UrjanetTestDatabase,
) -> None:
    context = DataSourceContext(
        KEY,
        utility_account_id="7-000-9999-9999",
        service_id="7000999",
        gen_service_id="3-000-1234-5678",
        gen_utility_account_id="99",
    )
    assert loaded(seeded, context) == [(1, [11])]


def test_falls_back_to_the_gen_utility_account_id(seeded: UrjanetTestDatabase) -> None:
    context = DataSourceContext(
        KEY, utility_account_id="7-000-9999-9999", gen_utility_account_id="3000-1234-5678"
    )
    assert loaded(seeded, context) == [(1, [11])]


def test_a_service_without_generation_ids_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError):
        datafeeds_datasource(
            KEY, DataSourceContext(KEY, utility_account_id="7-000", gen_service_id=" ")
        )
