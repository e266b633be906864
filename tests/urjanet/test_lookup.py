"""The selection's delivery, and `Selection.resolve`: a step that reads Urjanet rows through the
loader's lookup before naming the rows to load. Runs on SQLite and MariaDB."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import insert

from datafeeds_core.errors import ConfigurationError
from datafeeds_core.plugin_api.contract import Match, Selection, UrjanetLookup
from datafeeds_core.testing import UrjanetTestDatabase
from datafeeds_core.urjanet import loader, schema
from datafeeds_core.urjanet.model import UrjanetData

JAN, FEB = date(2020, 1, 3), date(2020, 2, 3)


def seed_xml(db: UrjanetTestDatabase) -> None:
    """Two statements of the xml delivery (the model has no ServiceAddress, so no seed())."""
    accounts: list[dict[str, object]] = [
        {"PK": pk, "UtilityProvider": provider, "AccountNumber": "1", "StatementDate": FEB}
        for pk, provider in ((1, "MCE"), (2, "PacGAndE"))
    ]
    meters: list[dict[str, object]] = [
        {"PK": 10, "AccountFK": 1, "PODid": "ESP-1", "ServiceAddress": "1 Main St",
         "ServiceType": "electric", "IntervalStart": JAN, "IntervalEnd": FEB},
        {"PK": 20, "AccountFK": 2, "PODid": "SAID", "ServiceAddress": None,
         "ServiceType": "electric", "IntervalStart": JAN, "IntervalEnd": FEB},
    ]  # fmt: skip
    charges: list[dict[str, object]] = [
        {"PK": 100, "AccountFK": 1, "MeterFK": 10, "ChargeUnitsUsed": 5.5, "ChargeAmount": 1.0,
         "IntervalStart": JAN, "IntervalEnd": FEB},
        {"PK": 101, "AccountFK": 1, "MeterFK": 10, "ChargeUnitsUsed": None, "ChargeAmount": 2.0,
         "IntervalStart": FEB, "IntervalEnd": FEB},
        {"PK": 200, "AccountFK": 2, "MeterFK": 20, "ChargeUnitsUsed": 7.0, "ChargeAmount": 3.0,
         "IntervalStart": JAN, "IntervalEnd": FEB},
    ]  # fmt: skip
    with db.engine.begin() as conn:
        for table, rows in (
            (schema.xmlaccount, accounts),
            (schema.xmlmeter, meters),
            (schema.xmlcharge, charges),
        ):
            conn.execute(insert(table), rows)


def pk_and_meters(data: UrjanetData) -> list[tuple[int | None, list[str | None]]]:
    return [(a.PK, [m.PODid for m in a.meters]) for a in data.accounts]


MCE = Selection(account=(Match("UtilityProvider", "eq", "MCE"),), delivery="xml")


def test_the_selection_delivery_chooses_the_xml_tables(urjanet_db: UrjanetTestDatabase) -> None:
    seed_xml(urjanet_db)
    selection = replace(MCE, meter=(Match("PODid", "eq", "ESP-1"),))

    assert pk_and_meters(loader.load(urjanet_db.engine, selection)) == [(1, ["ESP-1"])]
    assert loader.load(urjanet_db.engine, selection, tables="sql") == UrjanetData()


def test_resolve_reads_rows_then_names_the_selection_to_load(
    urjanet_db: UrjanetTestDatabase,
) -> None:
    seed_xml(urjanet_db)
    seen: dict[str, list[tuple[Any, ...]]] = {}

    def resolve(lookup: UrjanetLookup) -> Selection:
        any_statement = Selection(account=(), meter=(Match("ServiceType", "eq", "electric"),))
        seen["meters"] = lookup.meters(
            replace(any_statement, delivery="xml"), ("PODid", "ServiceAddress", "IntervalStart")
        )
        seen["charges"] = lookup.meter_charges(
            MCE, ("PODid",), ("ChargeUnitsUsed", "IntervalStart")
        )
        return replace(MCE, meter=(Match("PODid", "in", ("NOT-THERE",)),))

    data = loader.load(urjanet_db.engine, replace(MCE, resolve=resolve))

    assert seen["meters"] == [("ESP-1", "1 Main St", JAN), ("SAID", None, JAN)]
    assert seen["charges"] == [("ESP-1", Decimal("5.5"), JAN), ("ESP-1", None, FEB)]
    assert data == UrjanetData()  # the resolved selection was loaded, not the first one


def test_the_lookup_refuses_to_read_every_meter_and_unknown_columns(
    urjanet_db: UrjanetTestDatabase,
) -> None:
    seed_xml(urjanet_db)

    def everything(lookup: UrjanetLookup) -> Selection:
        lookup.meters(Selection(account=(), delivery="xml"), ("PODid",))
        return MCE

    def no_such_column(lookup: UrjanetLookup) -> Selection:
        lookup.meters(MCE, ("ServiceAddress",))
        return MCE

    with pytest.raises(ConfigurationError, match="refusing to read every meter"):
        loader.load(urjanet_db.engine, replace(MCE, resolve=everything))
    with pytest.raises(ConfigurationError, match="no column ServiceAddress"):
        loader.load(urjanet_db.engine, replace(MCE, resolve=no_such_column), tables="sql")
