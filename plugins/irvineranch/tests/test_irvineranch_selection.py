"""Irvine Ranch Water District selection on a real Urjanet database (SQLite and MariaDB):
AccountNumber as given, provider, water and sewer meters."""

from __future__ import annotations

from datetime import date

from datafeeds_irvineranch import KEY, PROVIDER, datafeeds_datasource

from datafeeds_core.contract import DataSourceContext
from datafeeds_core.urjanet.model import Account, Meter, UrjanetData


def stmt(
    pk: int, number: str, provider: str = PROVIDER, services: tuple[str, ...] = ("water",)
) -> Account:
    return Account(
        PK=pk,
        UtilityProvider=provider,
        AccountNumber=number,
        StatementDate=date(2020, 2, 3),
        IntervalStart=date(2020, 1, 1),
        IntervalEnd=date(2020, 2, 1),
        meters=tuple(Meter(PK=pk * 10 + i, ServiceType=s) for i, s in enumerate(services)),
    )


def selected(urjanet_db, account_id: str) -> list[tuple[int | None, list[str | None]]]:
    data = urjanet_db.load(
        datafeeds_datasource(KEY, DataSourceContext(KEY, utility_account_id=account_id))
    )
    return [(a.PK, [m.ServiceType for m in a.meters]) for a in data.accounts]


def test_selects_the_accounts_water_sewer_meters_and_nothing_alike(urjanet_db):
    urjanet_db.seed(
        UrjanetData(
            (
                stmt(
                    1,
                    "9161911111",
                    services=("water", "sewer", "irrigation", "sanitation", "electric"),
                ),
                stmt(2, "9161911111", provider=PROVIDER + "X"),
                stmt(3, "91619111110"),
                stmt(4, "9161911111", services=("irrigation", "sanitation", "electric")),
                stmt(5, "9161911111"),
            )
        )
    )
    assert selected(urjanet_db, "9161911111") == [(1, ["water", "sewer"]), (5, ["water"])]


def test_a_wildcard_character_in_the_account_id_matches_only_itself(urjanet_db):
    urjanet_db.seed(UrjanetData((stmt(1, "9161911111"), stmt(2, "916191111_"))))
    assert selected(urjanet_db, "916191111_") == [(2, ["water"])]


def test_other_keys_are_not_served():
    assert (
        datafeeds_datasource(
            "other-urjanet", DataSourceContext("other-urjanet", utility_account_id="1")
        )
        is None
    )
