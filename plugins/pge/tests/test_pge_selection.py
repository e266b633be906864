"""PG&E selections on a real Urjanet database (SQLite and MariaDB).

Bills (SQL delivery): the printed account number starting with the id, or the cleaned number
equal to it; provider PacGAndE; electric, gas or lighting meters of the service id.
Generation (XML delivery): a RawAccountNumber that is one of the service's current or historical
(gen) account ids, with or without check digit, of any provider but PG&E; meters of the current
or historical (gen) service ids. (Finding ESP customer numbers is tested with the loader.)
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from datafeeds_pge import BILLS, GENERATION, datafeeds_datasource

from datafeeds_core.errors import ConfigurationError
from datafeeds_core.plugin_api.contract import DataSourceContext
from datafeeds_core.testing import UrjanetTestDatabase, builders
from datafeeds_core.urjanet import loader
from datafeeds_core.urjanet.model import Account, Meter


def stmt(pk: int, raw: str, *meters: Meter, provider: str = "PacGAndE") -> Account:
    return builders.statement(
        pk,
        *meters,
        issued=date(2020, 2, 3),
        span=(date(2020, 1, 1), date(2020, 2, 1)),
        RawAccountNumber=raw,
        AccountNumber=raw.replace("-", ""),
        UtilityProvider=provider,
    )


def meter(pk: int, podid: str, service: str = "electric") -> Meter:
    return builders.meter(pk, charges=(builders.charge(pk * 10),), PODid=podid, ServiceType=service)


def loaded(
    urjanet_db: UrjanetTestDatabase, key: str, **context: Any
) -> list[tuple[int | None, list[int | None]]]:
    # The loader itself: it reads the tables the selection's delivery names.
    selection = datafeeds_datasource(key, DataSourceContext(key, **context))
    assert selection is not None
    data = loader.load(urjanet_db.engine, selection)
    return builders.loaded_pks(data)


def test_bills_select_the_account_and_service_and_nothing_alike(
    urjanet_db: UrjanetTestDatabase,
) -> None:
    urjanet_db.seed(
        builders.urjanet_data(
            stmt(
                1,
                "0011060001-1",
                meter(11, "5231532252"),
                meter(12, "5231532252", "lighting"),
                meter(13, "5231532252", "water"),
                meter(14, "52315322520"),
                meter(15, "5231_32252"),
            ),
            stmt(2, "0011060001-1", meter(21, "5231532252"), provider="MCE"),
            stmt(3, "0011060002-1", meter(31, "5231532252")),
            stmt(4, "0011%60001-1", meter(41, "5231532252")),
        )
    )
    for account_id in ("0011060001-1", "0011060001", "00110600011"):
        assert loaded(
            urjanet_db, BILLS, utility_account_id=account_id, service_id="5231532252"
        ) == [(1, [11, 12])], account_id


def test_bills_refuse_an_account_id_shorter_than_ten_digits() -> None:
    with pytest.raises(ConfigurationError, match="too short"):
        datafeeds_datasource(
            BILLS, DataSourceContext(BILLS, utility_account_id="123-456", service_id="1")
        )


def test_generation_selects_cca_statements_of_current_and_historical_ids(
    urjanet_db: UrjanetTestDatabase,
) -> None:
    urjanet_db.seed(
        builders.urjanet_data(
            stmt(1, "2204205244-2", meter(11, "7327227277"), provider="MCE"),
            stmt(2, "2204205244-7", meter(21, "OLD-SAID"), provider="MCE"),
            stmt(3, "9990000000-1", meter(31, "GEN-SAID"), provider="CleanPowerSF"),
            stmt(4, "2204205244-2", meter(41, "7327227277")),
            stmt(5, "122042052442", meter(51, "7327227277"), provider="MCE"),
            stmt(6, "x2204205244-2", meter(61, "7327227277"), provider="MCE"),
            stmt(7, "2204205244-2", meter(71, "OTHER"), provider="MCE"),
        ),
        tables="xml",
    )
    got = loaded(
        urjanet_db,
        GENERATION,
        utility_account_id="2204205244-2",
        service_id="7327227277",
        gen_utility_account_id="9990000000-1",
        gen_service_id="GEN-SAID",
        history_service_ids=("OLD-SAID",),
    )
    assert got == [(1, [11]), (2, [21]), (3, [31])]


def test_generation_reads_only_the_xml_tables(urjanet_db: UrjanetTestDatabase) -> None:
    urjanet_db.seed(builders.urjanet_data(stmt(1, "2204205244-2", meter(11, "S"), provider="MCE")))
    assert loaded(urjanet_db, GENERATION, utility_account_id="2204205244-2", service_id="S") == []


def test_generation_needs_an_account_id_and_a_service_id() -> None:
    with pytest.raises(ConfigurationError, match="account id"):
        datafeeds_datasource(GENERATION, DataSourceContext(GENERATION, service_id="S"))
    with pytest.raises(ConfigurationError, match="service id"):
        datafeeds_datasource(
            GENERATION, DataSourceContext(GENERATION, history_account_ids=("2204205244-2",))
        )
