"""Write UrjanetData into the Urjanet schema: for tests, fixtures and the demo.

The inverse of the loader: one executemany per table. Accounts and meters without a PK get one
after the highest PK in the table and in the data. A charge listed more than once under an
account (the FPL reference fixtures repeat every floating charge under the meter) is
one row: floating if it is listed as floating anywhere in that account.
"""

from __future__ import annotations

from dataclasses import fields, replace
from typing import Any

from sqlalchemy import Table, func, insert, select
from sqlalchemy.engine import Connection, Engine

from datafeeds_core.urjanet.model import Charge, UrjanetData
from datafeeds_core.urjanet.schema import Delivery, tables_for

_CHILDREN = {"meters", "floating_charges", "charges", "usages"}


def _scalars(item: Any) -> dict[str, Any]:
    return {f.name: getattr(item, f.name) for f in fields(item) if f.name not in _CHILDREN}


def _next_pk(conn: Connection, table: Table, used: list[int | None]) -> int:
    highest = conn.execute(select(func.max(table.c.PK))).scalar() or 0
    return max([highest, *(pk for pk in used if pk is not None)]) + 1


def _with_pks(conn: Connection, data: UrjanetData, delivery: Delivery) -> UrjanetData:
    """A copy in which every account and meter has a PK."""
    t = tables_for(delivery)
    accounts = data.accounts
    next_account = _next_pk(conn, t.account, [a.PK for a in accounts])
    next_meter = _next_pk(conn, t.meter, [m.PK for a in accounts for m in a.meters])
    out = []
    for account in accounts:
        meters = []
        for meter in account.meters:
            if meter.PK is None:
                meter = replace(meter, PK=next_meter)
                next_meter += 1
            meters.append(meter)
        if account.PK is None:
            account = replace(account, PK=next_account)
            next_account += 1
        out.append(replace(account, meters=tuple(meters)))
    return UrjanetData(tuple(out))


def _charge_row(charge: Charge, account_pk: int | None, meter_pk: int | None) -> dict[str, Any]:
    row = _scalars(charge)
    row.update(AccountFK=account_pk, MeterFK=meter_pk)
    if row["IsAdjustmentCharge"] is not None:
        row["IsAdjustmentCharge"] = int(row["IsAdjustmentCharge"])
    return row


def _rows(data: UrjanetData) -> dict[str, list[dict[str, Any]]]:
    rows: dict[str, list[dict[str, Any]]] = {"account": [], "meter": [], "charge": [], "usage": []}
    charges_seen: dict[int, Charge] = {}

    def add_charge(charge: Charge, account_pk: int | None, meter_pk: int | None) -> None:
        earlier = charges_seen.get(charge.PK)
        if earlier is not None:
            if earlier != charge:
                raise ValueError(f"two different charges share PK {charge.PK}")
            return
        charges_seen[charge.PK] = charge
        rows["charge"].append(_charge_row(charge, account_pk, meter_pk))

    for account in data.accounts:
        rows["account"].append(_scalars(account))
        for charge in account.floating_charges:
            add_charge(charge, account.PK, None)
        for meter in account.meters:
            rows["meter"].append({**_scalars(meter), "AccountFK": account.PK})
            for charge in meter.charges:
                add_charge(charge, account.PK, meter.PK)
            for usage in meter.usages:
                rows["usage"].append(
                    {**_scalars(usage), "AccountFK": account.PK, "MeterFK": meter.PK}
                )
    return rows


def _insert(conn: Connection, data: UrjanetData, delivery: Delivery) -> UrjanetData:
    stored = _with_pks(conn, data, delivery)
    t = tables_for(delivery)
    rows = _rows(stored)
    for name, table in (
        ("account", t.account),
        ("meter", t.meter),
        ("charge", t.charge),
        ("usage", t.usage),
    ):
        if rows[name]:
            conn.execute(insert(table), rows[name])  # executemany
    return stored


def seed(bind: Engine | Connection, data: UrjanetData, *, tables: Delivery = "sql") -> UrjanetData:
    """Insert `data`; returns it as stored (with the PKs assigned). An Engine commits; with a
    Connection the caller owns the transaction. `data` itself is never changed."""
    if isinstance(bind, Engine):
        with bind.begin() as conn:
            return _insert(conn, data, tables)
    return _insert(bind, data, tables)
