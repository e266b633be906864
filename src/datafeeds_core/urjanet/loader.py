"""Loading statements: a plugin's `Selection` executed against the Urjanet database.

A constant number of queries, whatever the number of statements and meters: accounts, then
meters, charges and usages for all selected accounts at once (IN lists of account PKs, split
only beyond `IN_CHUNK` accounts). The SQL is plain SELECT / JOIN / IN-subquery, which MySQL 5.6
accepts (no CTEs, no window functions). Every value from a Selection is a bound parameter, and
LIKE patterns are escaped, so an account number containing `%` or `_` matches only itself.
"""

from __future__ import annotations

import gc
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import cache
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Select,
    Table,
    and_,
    bindparam,
    false,
    func,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.types import NullType

from datafeeds_core import logs
from datafeeds_core.database import unreachable_is_transient
from datafeeds_core.errors import ConfigurationError
from datafeeds_core.plugin_api.contract import AnyOf, Condition, Match, Selection
from datafeeds_core.urjanet.model import Account, Charge, Meter, UrjanetData, Usage
from datafeeds_core.urjanet.rows import as_int, column_parsers, parse_value, read_columns
from datafeeds_core.urjanet.schema import Delivery, DeliveryTables, tables_for

log = logs.get("urjanet")

# Account PKs per IN list. Realistic data sources have at most a few hundred statements, so the
# query count stays at 4; beyond this each further chunk costs 3 queries. Also far below
# SQLite's bound-parameter limit (32766).
IN_CHUNK = 5000


# ------------------------------------------------------------------ conditions → SQL


def _plain_value(match: Match, where: str) -> Any:
    value = match.value
    if value is None:
        raise ConfigurationError(f"selection: {where}.{match.column} {match.op} needs a value")
    if isinstance(value, (list, tuple, set, frozenset, dict)):
        raise ConfigurationError(f"selection: {where}.{match.column} {match.op} needs one value")
    return value.replace(" ", "") if match.strip_spaces and isinstance(value, str) else value


def compile_condition(condition: Condition, table: Table) -> ColumnElement[bool]:
    """A Match or AnyOf as a SQL expression on `table`'s columns; values bound, LIKE escaped."""
    if isinstance(condition, AnyOf):
        return or_(false(), *(compile_condition(c, table) for c in condition.conditions))
    if not isinstance(condition, Match):
        raise ConfigurationError(f"selection: {condition!r} is neither a Match nor an AnyOf")
    where = table.name
    column = table.c.get(condition.column)
    if column is None:
        raise ConfigurationError(f"selection: {where} has no column {condition.column!r}")
    target: ColumnElement[Any] = func.replace(column, " ", "") if condition.strip_spaces else column
    op = condition.op
    if op == "is_null":
        return target.is_(None)
    if op == "not_null":
        return target.is_not(None)
    if op == "in":
        values = condition.value
        if isinstance(values, (str, bytes)) or not isinstance(
            values, (list, tuple, set, frozenset)
        ):
            raise ConfigurationError(
                f"selection: {where}.{condition.column} in needs a tuple of values"
            )
        if condition.strip_spaces:
            values = [v.replace(" ", "") if isinstance(v, str) else v for v in values]
        return target.in_(list(values))
    value = _plain_value(condition, where)
    if op == "eq":
        equal: ColumnElement[bool] = target == value
        return equal
    if op == "ne":
        # "Not equal to the value": a NULL column is not equal, so it is selected too.
        return or_(target != value, target.is_(None))
    if op in ("contains", "startswith", "endswith"):
        if not isinstance(value, str):
            raise ConfigurationError(f"selection: {where}.{condition.column} {op} needs text")
        like = getattr(target, op)
        matches: ColumnElement[bool] = like(value, autoescape=True)
        return matches
    raise ConfigurationError(f"selection: unknown operator {op!r}")


# ------------------------------------------------------------------ the queries


@cache
def _raw_columns(table: Table) -> tuple[Any, ...]:
    # The driver's own values: declared types may not match a real Urjanet database (rows.py).
    # Built once per table: statements can share them, and building them was a third of the
    # time to build a selection's statements.
    return tuple(type_coerce(column, NullType()).label(column.name) for column in table.c)


@dataclass(frozen=True)
class Queries:
    """The statements one Selection compiles to. `meters`, `charges` and `usages` take the
    account PKs as the expanding parameter `account_pks`: built once, so SQLAlchemy finds each
    compiled statement by a cache key it worked out once too (docs/performance.md, item 3)."""

    accounts: Select[Any]
    meters: Select[Any]
    charges: Select[Any]
    usages: Select[Any]

    @classmethod
    def build(cls, selection: Selection, tables: DeliveryTables) -> Queries:
        account_t, meter_t = tables.account, tables.meter
        charge_t, usage_t = tables.charge, tables.usage
        account_conditions = [compile_condition(c, account_t) for c in selection.account]
        meter_conditions = [compile_condition(c, meter_t) for c in selection.meter]
        if not account_conditions and not (selection.accounts_need_meter and meter_conditions):
            raise ConfigurationError(
                "selection has no account condition: refusing to load the whole Urjanet "
                "database (name the account, or set accounts_need_meter with meter conditions)"
            )
        if selection.accounts_need_meter:
            # An IN subquery, not a correlated EXISTS: MySQL 5.6 runs it as a semi-join.
            having_meter = select(meter_t.c.AccountFK).where(*meter_conditions)
            account_conditions.append(account_t.c.PK.in_(having_meter))
        accounts = (
            select(*_raw_columns(account_t)).where(*account_conditions).order_by(account_t.c.PK)
        )
        account_pks: BindParameter[int] = bindparam("account_pks", expanding=True)
        meters = (
            select(*_raw_columns(meter_t))
            .where(meter_t.c.AccountFK.in_(account_pks), *meter_conditions)
            .order_by(meter_t.c.PK)
        )
        # Floating charges, and charges of the meters `meters` selects.
        charges = (
            select(*_raw_columns(charge_t))
            .select_from(
                charge_t.outerjoin(
                    meter_t,
                    and_(
                        charge_t.c.MeterFK == meter_t.c.PK,
                        meter_t.c.AccountFK == charge_t.c.AccountFK,
                    ),
                )
            )
            .where(
                charge_t.c.AccountFK.in_(account_pks),
                or_(
                    charge_t.c.MeterFK.is_(None),
                    and_(meter_t.c.PK.is_not(None), *meter_conditions),
                ),
            )
            .order_by(charge_t.c.PK)
        )
        usages = (
            select(*_raw_columns(usage_t))
            .select_from(
                usage_t.join(
                    meter_t,
                    and_(
                        usage_t.c.MeterFK == meter_t.c.PK,
                        meter_t.c.AccountFK == usage_t.c.AccountFK,
                    ),
                )
            )
            .where(usage_t.c.AccountFK.in_(account_pks), *meter_conditions)
            .order_by(usage_t.c.PK)
        )
        return cls(accounts, meters, charges, usages)


def _chunks(items: Sequence[int], size: int) -> Iterator[Sequence[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _foreign_key(table: Table, raw_pk: Any, column: str, value: Any) -> int | None:
    if value is None or type(value) is int:  # what the driver gives for an INT column
        return value
    key: int | None = parse_value(table.name, raw_pk, column, as_int, value)
    return key


def _keys(
    table: Table, columns: list[str], rows: Sequence[Sequence[Any]], name: str
) -> list[int | None]:
    """Column `name` of every row as keys: the driver's INTs as they are, anything else parsed."""
    at = columns.index(name)
    keys = [r[at] for r in rows]
    if set(map(type, keys)) <= {int, type(None)}:
        return keys
    pk_at = columns.index("PK")
    return [_foreign_key(table, r[pk_at], name, r[at]) for r in rows]


def _fetch(conn: Connection, queries: Queries, tables: DeliveryTables) -> UrjanetData:
    # Rows are read positionally and a column at a time (rows.py read_columns), each model built
    # from its values in field order: mapping lookups, keyword dicts and parsing per row were
    # most of the loader's own time (docs/performance.md, item 3). PK is the first field.
    t = tables
    columns, rows = _rows(conn, queries.accounts)
    account_rows = list(zip(*read_columns(Account, t.account.name, columns, rows), strict=True))
    if not account_rows:
        return UrjanetData()

    # Keyed by the row's AccountFK / MeterFK (the WHERE clauses keep them non-null).
    meters_of: dict[int | None, list[tuple[Any, ...]]] = defaultdict(list)
    charges_of: dict[int | None, list[Charge]] = defaultdict(list)
    floating_of: dict[int | None, list[Charge]] = defaultdict(list)
    usages_of: dict[int | None, list[Usage]] = defaultdict(list)
    pks = [values[0] for values in account_rows]
    for chunk in _chunks(pks, IN_CHUNK):
        columns, rows = _rows(conn, queries.meters, chunk)
        meter_rows = zip(*read_columns(Meter, t.meter.name, columns, rows), strict=True)
        for values, account_pk in zip(
            meter_rows, _keys(t.meter, columns, rows, "AccountFK"), strict=True
        ):
            meters_of[account_pk].append(values)
        columns, rows = _rows(conn, queries.charges, chunk)
        pk_at, account_at = columns.index("PK"), columns.index("AccountFK")
        charges = map(Charge, *read_columns(Charge, t.charge.name, columns, rows))
        for item, meter_pk, r in zip(
            charges, _keys(t.charge, columns, rows, "MeterFK"), rows, strict=True
        ):
            if meter_pk is None:
                account_pk = _foreign_key(t.charge, r[pk_at], "AccountFK", r[account_at])
                floating_of[account_pk].append(item)
            else:
                charges_of[meter_pk].append(item)
        columns, rows = _rows(conn, queries.usages, chunk)
        usages = map(Usage, *read_columns(Usage, t.usage.name, columns, rows))
        for usage, meter_pk in zip(usages, _keys(t.usage, columns, rows, "MeterFK"), strict=True):
            usages_of[meter_pk].append(usage)

    # Callable[..., X]: the scalar values are a tuple of unknown length to a type checker.
    new_meter: Callable[..., Meter] = Meter
    new_account: Callable[..., Account] = Account
    accounts = []
    empty = []
    for values in account_rows:
        account_pk = values[0]
        meters = tuple(
            new_meter(*m, charges=tuple(charges_of[m[0]]), usages=tuple(usages_of[m[0]]))
            for m in meters_of[account_pk]
        )
        floating = tuple(floating_of[account_pk])
        if meters or floating:  # an account with neither is not a statement of this source
            accounts.append(new_account(*values, meters=meters, floating_charges=floating))
        else:
            empty.append(account_pk)
    if empty:
        # Usually statements of the account's other services: worth a line, not a warning.
        log.info(
            "left out %d statements with no selected meter and no floating charge: PK %s",
            len(empty),
            ", ".join(str(pk) for pk in empty),
        )
    return UrjanetData(tuple(accounts))


def _rows(
    conn: Connection, statement: Select[Any], account_pks: Sequence[int] = ()
) -> tuple[list[str], list[Sequence[Any]]]:
    """The column names and the distinct rows of `statement`, read with one fetchall."""
    result = conn.execute(statement, {"account_pks": list(account_pks)} if account_pks else None)
    columns = list(result.keys())
    # The driver's own tuples: no column has a result processor (_raw_columns), so Row objects
    # would wrap the same values, at a cost (docs/performance.md, item 3).
    rows = result.cursor.fetchall() if result.cursor is not None else []
    result.close()
    return columns, _distinct(rows, columns.index("PK"))


def _distinct(rows: Sequence[Sequence[Any]], pk_at: int) -> list[Sequence[Any]]:
    """The rows without exact repeats. Our schema has primary keys, but a delivery we do not
    own may not: a row copied twice would count its charge or usage twice. Rows sharing a PK
    but differing in any column are all kept (the transformers decide, as for the statement
    split over two documents of the PG&E reference fixture "multi_source_link")."""
    try:
        # Identical rows share their PK: when no PK repeats (the usual case) there is nothing
        # to compare, and hashing the PKs alone is much cheaper than hashing whole rows.
        if len({row[pk_at] for row in rows}) == len(rows):
            return list(rows)
    except TypeError:  # an unhashable PK: compare the rows
        pass
    seen: set[Any] = set()
    out = []
    for row in rows:
        key: Any = tuple(row)
        try:
            repeated = key in seen
        except TypeError:  # a bytearray (BIT, BLOB) cannot be hashed: compare its bytes
            key = tuple(bytes(v) if isinstance(v, bytearray) else v for v in row)
            repeated = key in seen
        if repeated:
            log.warning("row PK=%s is in the delivery twice, identical: read once", row[pk_at])
            continue
        seen.add(key)
        out.append(row)
    return out


def load(
    bind: Connection | Engine, selection: Selection, *, tables: Delivery | None = None
) -> UrjanetData:
    """The statements `selection` names, with their meters, charges and usages, ordered by PK.

    Four queries (one when no account matches), after those of `selection.resolve`, if any.
    The tables are the `selection.delivery`'s unless `tables` names them. Accounts with neither
    a selected meter nor a floating charge are dropped; then `selection.refine` runs. An
    unreachable server raises TransientError; a selection without any account condition raises
    ConfigurationError.
    """
    # Built before connecting, so a selection refused costs no connection; a resolve step's
    # selection is only known once connected.
    queries = (
        None
        if selection.resolve
        else Queries.build(selection, tables_for(tables or selection.delivery))
    )
    with unreachable_is_transient("Urjanet database"), _collector_paused():
        if isinstance(bind, Engine):
            with bind.connect() as conn:
                selection, data = _resolve_and_fetch(conn, selection, tables, queries)
        else:
            selection, data = _resolve_and_fetch(bind, selection, tables, queries)
    return selection.refine(data) if selection.refine is not None else data


def _resolve_and_fetch(
    conn: Connection, selection: Selection, tables: Delivery | None, queries: Queries | None
) -> tuple[Selection, UrjanetData]:
    """The selection loaded (`selection.resolve`'s, when it has that step) and its rows."""
    if selection.resolve is not None:  # run once: what it returns is not resolved again
        selection = replace(selection.resolve(Lookup(conn, tables)), resolve=None)
    delivery = tables_for(tables or selection.delivery)
    return selection, _fetch(conn, queries or Queries.build(selection, delivery), delivery)


def load_statements(urjanet_url: str, selection: Selection) -> UrjanetData:
    """The statements `selection` names, read from the Urjanet database at `urjanet_url` (which
    must exist) over one connection; unreachable, it is a TransientError."""
    from datafeeds_core.database import URJANET, open_existing

    engine = open_existing(urjanet_url, URJANET)
    try:
        with unreachable_is_transient(URJANET), engine.connect() as conn:
            return load(conn, selection)
    finally:
        engine.dispose()


@contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while the rows become models: thousands of new container
    objects would trigger it every 700 allocations, to scan everything alive for cycles, and
    rows and models hold none (docs/performance.md, item 3)."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


class Lookup:
    """`UrjanetLookup` on one connection: what a `Selection.resolve` step reads."""

    def __init__(self, conn: Connection, tables: Delivery | None = None) -> None:
        self._conn = conn
        self._tables = tables

    def _meters_where(
        self, selection: Selection
    ) -> tuple[DeliveryTables, list[ColumnElement[bool]]]:
        delivery = tables_for(self._tables or selection.delivery)
        where = [compile_condition(c, delivery.meter) for c in selection.meter]
        if selection.account:
            account_t = delivery.account
            accounts = select(account_t.c.PK).where(
                *(compile_condition(c, account_t) for c in selection.account)
            )
            where.append(delivery.meter.c.AccountFK.in_(accounts))
        if not where:
            raise ConfigurationError(
                "lookup: the selection has no condition: refusing to read every meter"
            )
        return delivery, where

    def meters(self, selection: Selection, columns: Sequence[str]) -> list[tuple[Any, ...]]:
        delivery, where = self._meters_where(selection)
        meter_t = delivery.meter
        query = select(*_looked_up(meter_t, columns)).where(*where).order_by(meter_t.c.PK)
        parse = _lookup_parsers(Meter, columns)
        return [_parsed(meter_t, parse, row) for row in self._conn.execute(query)]

    def meter_charges(
        self, selection: Selection, meter_columns: Sequence[str], charge_columns: Sequence[str]
    ) -> list[tuple[Any, ...]]:
        delivery, where = self._meters_where(selection)
        meter_t, charge_t = delivery.meter, delivery.charge
        query = (
            select(*_looked_up(meter_t, meter_columns), *_looked_up(charge_t, charge_columns))
            .select_from(
                meter_t.join(
                    charge_t,
                    and_(
                        charge_t.c.MeterFK == meter_t.c.PK,
                        charge_t.c.AccountFK == meter_t.c.AccountFK,
                    ),
                )
            )
            .where(*where)
            .order_by(charge_t.c.PK)
        )
        parse = _lookup_parsers(Meter, meter_columns) + _lookup_parsers(Charge, charge_columns)
        return [_parsed(charge_t, parse, row) for row in self._conn.execute(query)]


def _looked_up(table: Table, columns: Sequence[str]) -> list[Any]:
    missing = [c for c in columns if c not in table.c]
    if missing:
        raise ConfigurationError(f"lookup: {table.name} has no column {', '.join(missing)}")
    # The driver's own values, parsed below as the loader parses rows (rows.py).
    return [type_coerce(table.c[c], NullType()).label(f"{table.name}_{c}") for c in columns]


def _lookup_parsers(cls: type, columns: Sequence[str]) -> tuple[tuple[str, Any], ...]:
    known = dict(column_parsers(cls))
    return tuple((c, known.get(c, _text_or_value)) for c in columns)


def _text_or_value(value: Any) -> Any:
    """A column the model does not hold (e.g. an xml meter's ServiceAddress): text as str."""
    return value.decode() if isinstance(value, (bytes, bytearray)) else value


def _parsed(table: Table, parse: Sequence[tuple[str, Any]], row: Sequence[Any]) -> tuple[Any, ...]:
    return tuple(
        parse_value(table.name, "?", column, parser, value)
        for (column, parser), value in zip(parse, row, strict=True)
    )
