"""SFPUC selection on a real Urjanet database: account number, provider, water and sewer meters."""

from __future__ import annotations

from datetime import date

from datafeeds_sfpuc import KEY, PROVIDER, datafeeds_datasource

from datafeeds_core.plugin_api.contract import DataSourceContext
from datafeeds_core.testing import UrjanetTestDatabase, builders
from datafeeds_core.testing.builders import meter, statement, urjanet_data
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


def test_selects_water_and_sewer_meters_of_the_account_and_nothing_alike(
    urjanet_db: UrjanetTestDatabase,
) -> None:
    urjanet_db.seed(
        urjanet_data(
            stmt(
                1,
                "12_456",
                meter(11, ServiceType="water"),
                meter(12, ServiceType="sewer"),
                meter(13, ServiceType="irrigation"),
                meter(14, ServiceType="electric"),
            ),
            stmt(
                2, "12_456", meter(21, ServiceType="water"), provider="SanFranciscoPublicUtilitiesX"
            ),
            stmt(3, "123456", meter(31, ServiceType="water")),
        )
    )
    selection = datafeeds_datasource(KEY, DataSourceContext(KEY, utility_account_id="12_456"))
    assert selection is not None
    data = urjanet_db.load(selection)
    assert builders.loaded_pks(data) == [(1, [11, 12])]
