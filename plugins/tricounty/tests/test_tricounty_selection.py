"""Tri-County selection on a real Urjanet database: account number, provider, the electric
meter whose number is the service id exactly."""

from __future__ import annotations

from datetime import date

from datafeeds_tricounty import KEY, PROVIDER, datafeeds_datasource

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


def meter(pk: int, number: str, service: str = "electric") -> Meter:
    return builders.meter(pk, MeterNumber=number, ServiceType=service)


def test_selects_the_exact_electric_meter_of_the_account_and_nothing_alike(
    urjanet_db: UrjanetTestDatabase,
) -> None:
    urjanet_db.seed(
        builders.urjanet_data(
            stmt(
                1,
                "55_01",
                meter(11, "M_7"),
                meter(12, "MX7"),
                meter(13, "M_77"),
                meter(14, "M_7", "water"),
            ),
            stmt(2, "55_01", meter(21, "M_7"), provider="TriCountyECoopTXX"),
            stmt(3, "55X01", meter(31, "M_7")),
        )
    )
    context = DataSourceContext(KEY, utility_account_id="55_01", service_id=" M_7 ")
    data = urjanet_db.load(datafeeds_datasource(KEY, context))
    assert builders.loaded_pks(data) == [(1, [11])]
