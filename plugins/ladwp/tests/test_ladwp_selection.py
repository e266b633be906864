"""LADWP selections on a real Urjanet database (SQLite and MariaDB). Electric: account number,
provider, electric or gas meters whose number without spaces contains the service id. Water:
account number, provider, water meters whose PODid is the service id."""

from __future__ import annotations

from datetime import date

import pytest
from datafeeds_ladwp import ELECTRIC, PROVIDER, WATER, datafeeds_datasource

from datafeeds_core.errors import ConfigurationError
from datafeeds_core.plugin_api.contract import DataSourceContext
from datafeeds_core.testing import UrjanetTestDatabase, builders
from datafeeds_core.urjanet.model import Account, Meter

ACCOUNT = "4191949445"


def stmt(pk: int, *meters: Meter, number: str = ACCOUNT, provider: str = PROVIDER) -> Account:
    return builders.statement(
        pk,
        *meters,
        issued=date(2020, 2, 3),
        span=(date(2020, 1, 1), date(2020, 2, 1)),
        AccountNumber=number,
        UtilityProvider=provider,
    )


def meter(pk: int, number: str, service: str = "electric", podid: str | None = None) -> Meter:
    return builders.meter(
        pk,
        charges=(builders.charge(pk * 10),),
        MeterNumber=number,
        PODid=podid,
        ServiceType=service,
    )


def loaded(
    urjanet_db: UrjanetTestDatabase, key: str, service_id: str
) -> list[tuple[int | None, list[int | None]]]:
    context = DataSourceContext(key, utility_account_id=ACCOUNT, service_id=service_id)
    data = urjanet_db.load(datafeeds_datasource(key, context))
    return builders.loaded_pks(data)


def test_electric_meters_match_without_spaces_and_nothing_alike(
    urjanet_db: UrjanetTestDatabase,
) -> None:
    urjanet_db.seed(
        builders.urjanet_data(
            stmt(
                1,
                meter(11, "APMYD00009-000011 90"),
                meter(12, "XAPMYD00009-00001190", "natural_gas"),
                meter(13, "APMYD00009-000011 90", "water"),
                meter(14, "APMYD00009-000011 91"),
            ),
            stmt(2, meter(21, "APMYD00009-000011 90"), provider="LADeptOfWAndPX"),
            stmt(3, meter(31, "APMYD00009-000011 90"), number="4191949446"),
            stmt(4, meter(41, "APMYD00009-000011 90"), number="41919494%"),
        )
    )
    assert loaded(urjanet_db, ELECTRIC, "APMYD00009-00001190") == [(1, [11, 12])]


def test_electric_service_id_wildcards_are_literal(urjanet_db: UrjanetTestDatabase) -> None:
    urjanet_db.seed(builders.urjanet_data(stmt(1, meter(11, "PMYD_12"), meter(12, "PMYDX12"))))
    assert loaded(urjanet_db, ELECTRIC, "PMYD_12") == [(1, [11])]


def test_water_meters_match_the_podid_exactly(urjanet_db: UrjanetTestDatabase) -> None:
    urjanet_db.seed(
        builders.urjanet_data(
            stmt(
                1,
                meter(11, "96109457", "water", podid="1605394831"),
                meter(12, "96109457", "water", podid="16053948310"),
                meter(13, "96109457", "electric", podid="1605394831"),
                meter(14, "1605394831", "water", podid="1605_94831"),
            ),
            stmt(2, meter(21, "96109457", "water", podid="1605394831"), provider="Other"),
        )
    )
    assert loaded(urjanet_db, WATER, "1605394831") == [(1, [11])]


@pytest.mark.parametrize("key", [ELECTRIC, WATER])
def test_a_missing_service_id_is_a_configuration_error(key: str) -> None:
    with pytest.raises(ConfigurationError, match="service id"):
        datafeeds_datasource(key, DataSourceContext(key, utility_account_id=ACCOUNT))


def test_each_key_gets_its_own_metadata_and_transformer_and_others_get_none() -> None:
    from datafeeds_ladwp import datafeeds_metadata, datafeeds_transformer

    electric, water = datafeeds_metadata(ELECTRIC), datafeeds_metadata(WATER)
    assert electric is not None and electric.commodity == "electric"
    assert water is not None and water.commodity == "water"
    assert datafeeds_transformer(ELECTRIC) is not datafeeds_transformer(WATER)
    assert datafeeds_metadata("pge-urjanet-v2") is None
    assert datafeeds_transformer("pge-urjanet-v2") is None
    assert datafeeds_datasource("pge-urjanet-v2", DataSourceContext("pge-urjanet-v2")) is None
