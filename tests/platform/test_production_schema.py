"""`datafeeds db init` against the production platform schema (its pg_dump).

On an empty database it creates our tables exactly as production has them: every difference is
listed, with its reason, in docs/cut-over.md ("Deliberate differences in the schema"), and every
listed difference exists. On a production database it adds only our own tables.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

from datafeeds_core.database import make_engine
from datafeeds_core.platform.init import VERSION_TABLE, init_database
from datafeeds_core.testing import DatabaseFactory

pytestmark = pytest.mark.postgres

CUT_OVER = Path(__file__).resolve().parents[2] / "docs" / "cut-over.md"
OURS_ONLY = {"datafeeds_run", VERSION_TABLE}  # tables production does not have

_COLUMNS = """
SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
       pg_get_expr(d.adbin, d.adrelid)
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE n.nspname = 'public' AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
"""
_CONSTRAINTS = """
SELECT c.relname, con.conname, pg_get_constraintdef(con.oid)
FROM pg_constraint con
JOIN pg_class c ON c.oid = con.conrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'public'
"""
_INDEXES = "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'"
_ENUMS = """
SELECT t.typname, string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder)
FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid
JOIN pg_namespace n ON n.oid = t.typnamespace
WHERE n.nspname = 'public'
GROUP BY t.typname
"""
_SEQUENCES = """
SELECT sequencename, increment_by, start_value FROM pg_sequences WHERE schemaname = 'public'
"""
_RELATIONS = """
SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'public'
"""
_FUNCTIONS = """
SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE n.nspname = 'public'
"""


def catalog(conn: Connection, tables: set[str] | None = None) -> dict[str, str]:
    """The schema as `name → definition` entries: `table.column` (type, NOT NULL, default),
    `table:constraint`, `table:index`, and the enum types and sequences those use (`type:name`,
    `sequence:name`). `tables=None` takes every table, type, sequence, relation and function."""

    def kept(table: str) -> bool:
        return tables is None or table in tables

    out: dict[str, str] = {}
    used_types: set[str] = set()
    used_sequences: set[str] = set()
    for table, column, type_, not_null, default in conn.execute(text(_COLUMNS)):
        if kept(table):
            out[f"{table}.{column}"] = f"{type_} {'NOT NULL' if not_null else 'NULL'} {default}"
            used_types.add(type_.removeprefix("public."))
            used_sequences.update(re.findall(r"nextval\('(?:public\.)?(\w+)'", default or ""))
    for table, name, definition in conn.execute(text(_CONSTRAINTS)):
        if kept(table):
            out[f"{table}:{name}"] = definition
    for table, name, definition in conn.execute(text(_INDEXES)):
        if kept(table):
            out[f"{table}:{name}"] = definition
    for name, labels in conn.execute(text(_ENUMS)):
        if tables is None or name in used_types:
            out[f"type:{name}"] = labels
    for name, increment, start in conn.execute(text(_SEQUENCES)):
        if tables is None or name in used_sequences:
            out[f"sequence:{name}"] = f"increment {increment} start {start}"
    if tables is None:
        out.update({f"relation:{n}": k for n, k in conn.execute(text(_RELATIONS))})
        out.update({f"function:{f}": "" for (f,) in conn.execute(text(_FUNCTIONS))})
    return out


def differences(ours: dict[str, str], theirs: dict[str, str]) -> dict[str, str]:
    """Each entry that is missing on one side or defined differently, with both definitions."""
    return {
        key: f"ours: {ours.get(key)!s} / production: {theirs.get(key)!s}"
        for key in sorted(ours.keys() | theirs.keys())
        if ours.get(key) != theirs.get(key)
    }


def deliberate_differences() -> set[str]:
    """The entries docs/cut-over.md lists under "Deliberate differences in the schema" (the
    first cell of each table row, in backquotes)."""
    doc = CUT_OVER.read_text(encoding="utf-8")
    section = doc.split("## Deliberate differences in the schema", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `([^`]+)` \|", section, flags=re.M))


def _tables(conn: Connection) -> set[str]:
    return {n for n, kind in conn.execute(text(_RELATIONS)) if kind == "r"}


@pytest.fixture
def engines(database_factory: DatabaseFactory) -> Iterator[tuple[Engine, Engine]]:
    """An empty PostgreSQL database and a production one."""
    empty = make_engine(database_factory.create("postgresql"))
    production = make_engine(database_factory.create("production"))
    yield empty, production
    empty.dispose()
    production.dispose()


def test_db_init_on_an_empty_database_creates_our_tables_as_production_has_them(
    engines: tuple[Engine, Engine],
) -> None:
    empty, production = engines
    init_database(empty)
    with empty.connect() as ours_conn, production.connect() as prod_conn:
        created = _tables(ours_conn)
        assert created - _tables(prod_conn) == OURS_ONLY
        shared = created - OURS_ONLY
        found = differences(catalog(ours_conn, shared), catalog(prod_conn, shared))

    listed = deliberate_differences()
    unlisted = {k: v for k, v in found.items() if k not in listed}
    report = "\n".join(f"{k}: {v}" for k, v in unlisted.items())
    assert not unlisted, f"differences from production not listed in docs/cut-over.md:\n{report}"
    stale = listed - found.keys()
    assert not stale, f"listed in docs/cut-over.md but not found: {sorted(stale)}"


def test_db_init_on_a_production_database_adds_only_our_own_tables(
    engines: tuple[Engine, Engine],
) -> None:
    _, production = engines
    with production.connect() as conn:
        before = catalog(conn)

    report = init_database(production)

    with production.connect() as conn:
        after = catalog(conn)
    assert not report.platform_schema_created
    assert set(report.created_tables) == OURS_ONLY
    changed = differences(after, before)
    # Everything that changed belongs to a table of ours: its columns, keys, indexes, sequence.
    mine = re.compile(r"datafeeds_run|datafeeds_alembic_version")
    assert changed and all(mine.search(k) for k in changed), "\n".join(changed)
    assert all(k not in before for k in changed), "an existing object was changed"
