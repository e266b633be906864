"""SFPUC selection on a real Urjanet database: account number, provider, water and sewer meters."""

from __future__ import annotations

from datetime import date

from datafeeds_sfpuc import KEY, PROVIDER, datafeeds_datasource

from datafeeds_core.plugin_api.contract import DataSourceContext
from datafeeds_core.urjanet.model import Account, Meter, UrjanetData


def stmt(pk: int, number: str, *meters: Meter, provider: str = PROVIDER) -> Account:
    return Account(
        PK=pk,
        AccountNumber=number,
        UtilityProvider=provider,
        StatementDate=date(2020, 2, 3),
        IntervalStart=date(2020, 1, 1),
        IntervalEnd=date(2020, 2, 1),
        meters=meters,
    )


def test_selects_water_and_sewer_meters_of_the_account_and_nothing_alike(urjanet_db):
    urjanet_db.seed(
        UrjanetData(
            (
                stmt(
                    1,
                    "12_456",
                    Meter(PK=11, ServiceType="water"),
                    Meter(PK=12, ServiceType="sewer"),
                    Meter(PK=13, ServiceType="irrigation"),
                    Meter(PK=14, ServiceType="electric"),
                ),
                stmt(
                    2,
                    "12_456",
                    Meter(PK=21, ServiceType="water"),
                    provider="SanFranciscoPublicUtilitiesX",
                ),
                stmt(3, "123456", Meter(PK=31, ServiceType="water")),
            )
        )
    )
    data = urjanet_db.load(
        datafeeds_datasource(KEY, DataSourceContext(KEY, utility_account_id="12_456"))
    )
    assert [(a.PK, [m.PK for m in a.meters]) for a in data.accounts] == [(1, [11, 12])]
