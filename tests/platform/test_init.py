"""`init_database`: the full schema only on an empty database; our own tables everywhere else."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine

from datafeeds_core.database import make_engine
from datafeeds_core.platform.init import VERSION_TABLE, current_revision, init_database
from datafeeds_core.platform.schema import OWN_TABLES, PLATFORM_TABLES, own_metadata
from datafeeds_core.testing import DatabaseFactory, PlatformBackend

OURS = {*OWN_TABLES, VERSION_TABLE}


@pytest.fixture
def empty_engine(
    database_factory: DatabaseFactory, empty_backend: PlatformBackend
) -> Iterator[Engine]:
    engine = make_engine(database_factory.create(empty_backend))
    yield engine
    engine.dispose()


def _tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names())


def test_empty_database_gets_the_platform_schema_and_our_tables(empty_engine: Engine) -> None:
    report = init_database(empty_engine)

    assert report.platform_schema_created
    assert _tables(empty_engine) == PLATFORM_TABLES | OURS
    assert set(report.created_tables) == PLATFORM_TABLES | OURS
    assert report.migrations_applied == ("0001", "0002", "0003")
    assert report.revision == "0003"
    assert report.lines()[0] == "empty database: created the platform schema"


def test_second_init_changes_nothing_and_says_so(empty_engine: Engine) -> None:
    init_database(empty_engine)
    before = _columns(empty_engine)

    report = init_database(empty_engine)

    assert not report.changed
    assert report.created_tables == () and report.migrations_applied == ()
    assert report.lines() == ["nothing to do: the database is up to date (revision 0003)"]
    assert _columns(empty_engine) == before


def _columns(engine: Engine) -> dict[str, list[str]]:
    inspector = inspect(engine)
    return {t: [c["name"] for c in inspector.get_columns(t)] for t in inspector.get_table_names()}


def test_existing_database_only_gets_our_tables_and_keeps_its_own(empty_engine: Engine) -> None:
    with empty_engine.begin() as conn:
        # A platform database of another shape: `bill` exists with other columns, plus an
        # unrelated table with rows.
        conn.execute(text("CREATE TABLE bill (oid INTEGER PRIMARY KEY, cost FLOAT, note TEXT)"))
        conn.execute(text("INSERT INTO bill (oid, cost, note) VALUES (1, 12.5, 'keep me')"))
        conn.execute(text("CREATE TABLE customer_notes (id INTEGER PRIMARY KEY, body TEXT)"))
        conn.execute(text("INSERT INTO customer_notes (id, body) VALUES (7, 'hello')"))
    before = _columns(empty_engine)

    report = init_database(empty_engine)

    assert not report.platform_schema_created
    assert set(report.created_tables) == OURS
    assert _tables(empty_engine) == {"bill", "customer_notes", *OURS}
    after = _columns(empty_engine)
    assert {t: after[t] for t in before} == before
    with empty_engine.connect() as conn:
        assert conn.execute(text("SELECT oid, cost, note FROM bill")).all() == [
            (1, 12.5, "keep me")
        ]
        assert conn.execute(text("SELECT id, body FROM customer_notes")).all() == [(7, "hello")]
    assert report.lines()[0] == "existing database: created only datafeeds' own tables"
    assert not init_database(empty_engine).changed


def test_an_existing_feed_config_table_is_kept_with_its_rows(empty_engine: Engine) -> None:
    with empty_engine.begin() as conn:
        conn.execute(
            text(
                "CREATE TABLE datafeeds_feed_config (name VARCHAR PRIMARY KEY, enabled BOOLEAN "
                "NOT NULL, utility_account_scope VARCHAR NOT NULL)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO datafeeds_feed_config (name, enabled, utility_account_scope) "
                "VALUES ('watauga-urjanet', true, 'all')"
            )
        )

    report = init_database(empty_engine)

    assert set(report.created_tables) == {"datafeeds_run", VERSION_TABLE}
    with empty_engine.connect() as conn:
        rows = conn.execute(text("SELECT name, enabled FROM datafeeds_feed_config")).all()
    assert [(name, bool(enabled)) for name, enabled in rows] == [("watauga-urjanet", True)]


def test_migrations_build_exactly_the_declared_own_tables(empty_engine: Engine) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    init_database(empty_engine)

    def ours(name: str | None, kind: str, parents: dict[str, str | None]) -> bool:
        table = name if kind == "table" else parents.get("table_name")
        return table is None or table in OWN_TABLES

    with empty_engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_name": ours}
        )
        assert compare_metadata(context, own_metadata) == []
        assert current_revision(conn) == "0003"
