"""NV Energy selection on a real Urjanet database (SQLite and MariaDB): the account number and
provider; electric, gas or lighting meters whose number holds the service id (or ends with the
meta meter number), else the meters of the commodity's service type; one statement per interval."""

from __future__ import annotations

from datetime import date
from typing import Any

from datafeeds_nve import KEY, datafeeds_datasource
from datafeeds_nve.selection import PROVIDER

from datafeeds_core.plugin_api.contract import DataSourceContext
from datafeeds_core.testing import UrjanetTestDatabase, builders
from datafeeds_core.urjanet.model import Account, Meter

ACCOUNT = "2000222720007202770"


def stmt(
    pk: int,
    *meters: Meter,
    number: str = ACCOUNT,
    provider: str = PROVIDER,
    issued: date = date(2020, 2, 3),
    start: date = date(2020, 1, 1),
) -> Account:
    return builders.statement(
        pk,
        *meters,
        issued=issued,
        span=(start, date(2020, 2, 1)),
        AccountNumber=number,
        UtilityProvider=provider,
    )


def meter(pk: int, number: str, service: str = "electric") -> Meter:
    return builders.meter(
        pk, charges=(builders.charge(pk * 10),), MeterNumber=number, ServiceType=service
    )


def loaded(
    urjanet_db: UrjanetTestDatabase, **context: Any
) -> list[tuple[int | None, list[int | None]]]:
    selection = datafeeds_datasource(KEY, DataSourceContext(KEY, **context))
    return builders.loaded_pks(urjanet_db.load(selection))


def test_selects_meters_holding_the_service_id_and_nothing_alike(
    urjanet_db: UrjanetTestDatabase,
) -> None:
    urjanet_db.seed(
        builders.urjanet_data(
            stmt(
                1,
                meter(11, "AA1001_0212"),
                meter(12, "AA1001_0212,AA1001_0212R", "lighting"),
                meter(13, "AA1001X0212"),
                meter(14, "AA1001_0212", "water"),
            ),
            stmt(2, meter(21, "AA1001_0212"), provider="NVEnergyX"),
            stmt(3, meter(31, "AA1001_0212"), number=ACCOUNT + "1"),
            stmt(4, meter(41, "AA1001_0212"), number="2000%22720007202770"),
        )
    )
    assert loaded(urjanet_db, utility_account_id=ACCOUNT, service_id="1001_02") == [(1, [11, 12])]


def test_a_meter_ending_with_the_meta_meter_number_is_selected_too(
    urjanet_db: UrjanetTestDatabase,
) -> None:
    urjanet_db.seed(builders.urjanet_data(stmt(1, meter(11, "CI388182"), meter(12, "X-77123"))))
    got = loaded(
        urjanet_db,
        utility_account_id=ACCOUNT,
        service_id="388182",
        meta={"nveMeterNumber": "77123"},
    )
    assert got == [(1, [11, 12])]


def test_without_a_matching_meter_the_commodity_service_type_decides(
    urjanet_db: UrjanetTestDatabase,
) -> None:
    urjanet_db.seed(
        builders.urjanet_data(stmt(1, meter(11, "OLD-1"), meter(12, "OLD-2", "natural_gas")))
    )
    common = {"utility_account_id": ACCOUNT, "service_id": "NEW"}
    assert loaded(urjanet_db, commodity="therms", **common) == [(1, [12])]
    assert loaded(urjanet_db, commodity="kw", **common) == [(1, [11])]
    assert loaded(urjanet_db, **common) == []


def test_one_statement_per_interval_the_latest_even_when_not_adjacent(
    urjanet_db: UrjanetTestDatabase,
) -> None:
    urjanet_db.seed(
        builders.urjanet_data(
            stmt(1, meter(11, "M1"), issued=date(2020, 2, 3)),
            stmt(2, meter(21, "M1"), start=date(2019, 12, 1)),
            stmt(3, meter(31, "M1"), issued=date(2020, 2, 20)),
        )
    )
    assert loaded(urjanet_db, utility_account_id=ACCOUNT, service_id="M1") == [
        (2, [21]),
        (3, [31]),
    ]
