"""CCA meters found by what they bill (`datafeeds_pge.selection.cca_meter_ids`).

A CCA statement's meter carries the ESP customer number as its PODid; the platform only knows the
PG&E service id. The generation selection's resolve step finds the CCA meter because its charges
repeat the quantities PG&E's own (T&D) charges bill from the same day at the service's address.
Runs through the core loader on SQLite and MariaDB.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from datafeeds_pge.selection import with_cca_meters
from sqlalchemy import event, insert

from datafeeds_core.errors import ConfigurationError
from datafeeds_core.plugin_api.contract import Match, Selection, service_type_in
from datafeeds_core.testing import UrjanetTestDatabase
from datafeeds_core.urjanet import loader, schema
from datafeeds_core.urjanet.model import UrjanetData

SAID = "1234567890"
JAN, FEB = date(2020, 1, 3), date(2020, 2, 3)


class Rows:
    """Inserts xml-delivery rows (the model has no ServiceAddress, so no seed())."""

    def __init__(self) -> None:
        self.accounts: list[dict[str, Any]] = []
        self.meters: list[dict[str, Any]] = []
        self.charges: list[dict[str, Any]] = []

    def account(self, pk: int, provider: str, raw: str = "1111111111-1") -> int:
        self.accounts.append(
            {
                "PK": pk,
                "UtilityProvider": provider,
                "RawAccountNumber": raw,
                "AccountNumber": raw.replace("-", ""),
                "StatementDate": FEB,
                "IntervalStart": JAN,
                "IntervalEnd": FEB,
            }
        )
        return pk

    def meter(
        self,
        pk: int,
        account: int,
        podid: str,
        address: str | None = "1 MAIN ST",
        start: date = JAN,
        service: str = "electric",
        units: tuple[float, ...] = (),
    ) -> int:
        self.meters.append(
            {
                "PK": pk,
                "AccountFK": account,
                "PODid": podid,
                "ServiceAddress": address,
                "ServiceType": service,
                "IntervalStart": start,
                "IntervalEnd": FEB,
            }
        )
        for i, quantity in enumerate(units):
            self.charges.append(
                {
                    "PK": pk * 100 + i,
                    "AccountFK": account,
                    "MeterFK": pk,
                    "ChargeUnitsUsed": quantity,
                    "ChargeAmount": 1.0,
                    "IntervalStart": start,
                    "IntervalEnd": FEB,
                }
            )
        return pk

    def insert(self, db: UrjanetTestDatabase) -> None:
        with db.engine.begin() as conn:
            for table, rows in (
                (schema.xmlaccount, self.accounts),
                (schema.xmlmeter, self.meters),
                (schema.xmlcharge, self.charges),
            ):
                if rows:
                    conn.execute(insert(table), rows)


def cca_selection(*known: str) -> Selection:
    cca = Selection(
        account=(Match("UtilityProvider", "ne", "PacGAndE"),),
        meter=(service_type_in("electric"),),
        delivery="xml",
    )
    return replace(cca, resolve=lambda lookup: with_cca_meters(cca, known, lookup))


def meter_ids(data: UrjanetData) -> list[tuple[int | None, list[str | None]]]:
    return [(a.PK, [m.PODid for m in a.meters]) for a in data.accounts]


@pytest.fixture
def cca_history(urjanet_db: UrjanetTestDatabase) -> Iterator[UrjanetTestDatabase]:
    """PG&E bills the service at 1 Main St (T&D charges of 500 and 120 kWh; a later statement
    spells the address in capitals) and once at another address; MCE bills the same kWh on its
    meter ESP-1; other CCA meters repeat one quantity only, the other address's quantities, or
    the quantities from another day."""
    rows = Rows()
    pge = rows.account(1, "PacGAndE")
    rows.meter(10, pge, SAID, address="1 Main St", units=(500.0, 120.0))
    rows.meter(11, pge, SAID, address="9 ELM ST", units=(777.0, 778.0))
    rows.meter(12, rows.account(3, "PacGAndE"), SAID, address="1 MAIN ST", units=(42.0, 43.0))
    mce = rows.account(2, "MCE")
    rows.meter(20, mce, "ESP-1", units=(500.0, 120.0, 3.5))
    rows.meter(21, mce, "ESP-ONCE", units=(500.0, 9.0))
    rows.meter(22, mce, "ESP-ELM", units=(777.0, 778.0))
    rows.meter(23, mce, "ESP-LATER", start=date(2020, 1, 4), units=(500.0, 120.0))
    rows.meter(24, mce, SAID, units=(1.0,))
    rows.meter(25, mce, "ESP-CASE", units=(42.0, 43.0))
    rows.insert(urjanet_db)
    yield urjanet_db


def test_finds_the_meter_repeating_the_known_meters_charges_at_their_address(
    cca_history: UrjanetTestDatabase,
) -> None:
    loaded = loader.load(cca_history.engine, cca_selection(SAID))

    assert meter_ids(loaded) == [(2, ["ESP-1", SAID, "ESP-CASE"])]


def test_a_meter_matching_once_another_address_or_another_day_is_not_taken(
    cca_history: UrjanetTestDatabase,
) -> None:
    loaded = loader.load(cca_history.engine, cca_selection(SAID))

    taken = {m.PODid for a in loaded.accounts for m in a.meters}
    assert not taken & {"ESP-ONCE", "ESP-ELM", "ESP-LATER"}


def test_unknown_service_ids_find_nothing_and_select_no_meter(
    cca_history: UrjanetTestDatabase,
) -> None:
    assert loader.load(cca_history.engine, cca_selection("NOPE")) == UrjanetData()


def test_a_known_meter_without_an_address_finds_no_other_meter(
    urjanet_db: UrjanetTestDatabase,
) -> None:
    rows = Rows()
    rows.meter(10, rows.account(1, "PacGAndE"), SAID, address=None, units=(5.0, 6.0))
    rows.meter(20, rows.account(2, "MCE"), "ESP-1", address=None, units=(5.0, 6.0))
    rows.insert(urjanet_db)

    assert loader.load(urjanet_db.engine, cca_selection(SAID)) == UrjanetData()


def test_discovery_adds_three_plain_queries_and_no_temporary_table(
    cca_history: UrjanetTestDatabase,
) -> None:
    statements: list[str] = []
    with cca_history.engine.connect() as conn:
        event.listen(conn, "before_cursor_execute", lambda c, cur, sql, *a: statements.append(sql))
        loader.load(conn, cca_selection(SAID))

    assert len(statements) == 7
    for sql in statements:
        text = sql.upper()
        assert "TEMPORARY" not in text and not text.lstrip().startswith("WITH")
        assert " OVER " not in text and " OVER(" not in text


def test_discovery_on_tables_without_service_address_is_a_configuration_error(
    urjanet_db: UrjanetTestDatabase,
) -> None:
    with pytest.raises(ConfigurationError, match="ServiceAddress"):
        loader.load(urjanet_db.engine, cca_selection(SAID), tables="sql")
