"""Generic water selection on a real Urjanet database (SQLite and MariaDB): RawAccountNumber as
given, provider from meta, water/sewer/irrigation meters, usages scaled by the meta factor."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from datafeeds_generic_water import KEY, datafeeds_datasource

from datafeeds_core.plugin_api.contract import DataSourceContext
from datafeeds_core.testing import UrjanetTestDatabase
from datafeeds_core.testing.builders import meter, statement, urjanet_data, usage
from datafeeds_core.urjanet.model import Account, UrjanetData

PROVIDER = "CityOfSomewhereCA"


def stmt(
    pk: int, raw: str, provider: str = PROVIDER, services: tuple[str, ...] = ("water",)
) -> Account:
    meters = (
        meter(pk * 10 + i, usages=(usage(pk * 10 + i, "100.0000", None),), ServiceType=s)
        for i, s in enumerate(services)
    )
    return statement(
        pk,
        *meters,
        issued=date(2020, 2, 3),
        span=(date(2020, 1, 1), date(2020, 2, 1)),
        UtilityProvider=provider,
        RawAccountNumber=raw,
        AccountNumber=raw.replace("-", ""),
    )


def load(urjanet_db: UrjanetTestDatabase, account_id: str, **meta: object) -> UrjanetData:
    context = DataSourceContext(KEY, utility_account_id=account_id, meta=meta)
    selection = datafeeds_datasource(KEY, context)
    assert selection is not None
    return urjanet_db.load(selection)


def test_selects_the_raw_account_of_the_meta_provider_and_nothing_alike(
    urjanet_db: UrjanetTestDatabase,
) -> None:
    urjanet_db.seed(
        urjanet_data(
            stmt(1, "12-345", services=("water", "sewer", "irrigation", "sanitation", "electric")),
            stmt(2, "12-345", provider="CityOfElsewhereCA"),
            stmt(3, "12345"),
            stmt(4, "12-3456"),
            stmt(5, "12-345", services=("sanitation",)),
        )
    )
    data = load(urjanet_db, "12-345", utility_provider=PROVIDER)
    assert [(a.PK, [m.ServiceType for m in a.meters]) for a in data.accounts] == [
        (1, ["water", "sewer", "irrigation"])
    ]


def test_a_wildcard_character_in_the_account_id_matches_only_itself(
    urjanet_db: UrjanetTestDatabase,
) -> None:
    urjanet_db.seed(urjanet_data(stmt(1, "12-345"), stmt(2, "12-34%")))
    data = load(urjanet_db, "12-34%", utility_provider=PROVIDER)
    assert [a.PK for a in data.accounts] == [2]


def test_loaded_usages_are_multiplied_by_the_meta_conversion_factor(
    urjanet_db: UrjanetTestDatabase,
) -> None:
    urjanet_db.seed(urjanet_data(stmt(1, "12-345")))
    data = load(urjanet_db, "12-345", utility_provider=PROVIDER, conversion_factor=0.748)
    assert [u.UsageAmount for u in data.accounts[0].meter_usages()] == [Decimal("74.8")]
