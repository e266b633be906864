"""SDG&E selection on a real Urjanet database (SQLite and MariaDB): the account number without
spaces (exactly), provider SDGAndE, electric or gas meters whose number contains the service id."""

from __future__ import annotations

from datetime import date

import pytest
from datafeeds_sdge import KEY, PROVIDER, datafeeds_datasource

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
        RawAccountNumber=number,
        UtilityProvider=provider,
    )


def meter(pk: int, number: str, service: str = "electric") -> Meter:
    return builders.meter(
        pk,
        charges=(builders.charge(pk * 10, ChargeActualName="energy"),),
        MeterNumber=number,
        ServiceType=service,
    )


def loaded(
    urjanet_db: UrjanetTestDatabase, context: DataSourceContext
) -> list[tuple[int | None, list[int | None]]]:
    data = urjanet_db.load(datafeeds_datasource(KEY, context))
    return builders.loaded_pks(data)


def test_selects_the_accounts_electric_and_gas_meters_and_nothing_alike(
    urjanet_db: UrjanetTestDatabase,
) -> None:
    urjanet_db.seed(
        builders.urjanet_data(
            stmt(
                1,
                "07700777776",
                meter(11, "0310_130"),
                meter(12, "X0310_130Y", "natural_gas"),
                meter(13, "0310_130", "water"),
                meter(14, "03105130"),
                meter(15, "0310_131"),
            ),
            stmt(2, "07700777776", meter(21, "0310_130"), provider="SDGAndEX"),
            stmt(3, "07700777775", meter(31, "0310_130")),
            stmt(4, "107700777776", meter(41, "0310_130")),
            stmt(5, "0770%777776", meter(51, "0310_130")),
        )
    )
    context = DataSourceContext(KEY, utility_account_id="0770 077 777 6", service_id="0310_130")

    assert loaded(urjanet_db, context) == [(1, [11, 12])]


def test_missing_ids_are_configuration_errors() -> None:
    with pytest.raises(ConfigurationError, match="service id"):
        datafeeds_datasource(KEY, DataSourceContext(KEY, utility_account_id="1"))
    with pytest.raises(ConfigurationError, match="account id"):
        datafeeds_datasource(KEY, DataSourceContext(KEY, service_id="1"))


def test_other_keys_are_not_served() -> None:
    assert datafeeds_datasource("nve-urjanet", DataSourceContext("nve-urjanet")) is None
