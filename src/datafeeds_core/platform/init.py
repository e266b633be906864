"""`datafeeds db init`: create the platform schema on an empty database, then migrate our tables.

An empty database gets the full platform schema (production's) plus our own tables. A database that
already has tables (an existing platform database) only gets our own tables, through the Alembic
migrations in `platform/migrations` with their own version table; nothing else is touched. A second
run changes nothing and says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import inspect

from datafeeds_core.database import unreachable_is_transient
from datafeeds_core.platform.locking import SCHEMA_LOCK_KEY, locked_transaction
from datafeeds_core.platform.schema import platform_metadata

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine

MIGRATIONS = Path(__file__).with_name("migrations")
VERSION_TABLE = "datafeeds_alembic_version"


@dataclass(frozen=True)
class InitReport:
    """What `init_database` did."""

    platform_schema_created: bool  # the database was empty
    created_tables: tuple[str, ...]
    migrations_applied: tuple[str, ...]  # revision ids, oldest first
    revision: str | None  # the revision our tables are at now

    @property
    def changed(self) -> bool:
        return bool(self.created_tables or self.migrations_applied)

    def lines(self) -> list[str]:
        """A human summary, one fact per line."""
        if not self.changed:
            return [f"nothing to do: the database is up to date (revision {self.revision})"]
        out = []
        if self.platform_schema_created:
            out.append("empty database: created the platform schema")
        else:
            out.append("existing database: created only datafeeds' own tables")
        if self.created_tables:
            out.append(f"created tables: {', '.join(self.created_tables)}")
        if self.migrations_applied:
            out.append(f"applied migrations: {', '.join(self.migrations_applied)}")
        return out


def init_database(engine: Engine) -> InitReport:
    """Create what is missing, in one transaction (serialised against concurrent inits).

    The folder of an embedded SQLite file is created first.
    """
    if engine.dialect.name == "sqlite" and engine.url.database not in (None, "", ":memory:"):
        Path(engine.url.database).parent.mkdir(parents=True, exist_ok=True)
    with (
        unreachable_is_transient("platform database"),
        locked_transaction(engine, SCHEMA_LOCK_KEY) as conn,
    ):
        before = set(inspect(conn).get_table_names())
        empty = not before
        if empty:
            platform_metadata.create_all(conn)
        applied = upgrade_own_tables(conn)
        after = set(inspect(conn).get_table_names())
        revision = current_revision(conn)
    return InitReport(
        platform_schema_created=empty,
        created_tables=tuple(sorted(after - before)),
        migrations_applied=applied,
        revision=revision,
    )


def _config(conn: Connection | None = None) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if conn is not None:
        config.attributes["connection"] = conn
    return config


def head_revision() -> str | None:
    """The revision this code's migrations end at (what `db init` brings a database to)."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_config()).get_current_head()


def upgrade_own_tables(conn: Connection, target: str = "head") -> tuple[str, ...]:
    """Run our migrations up to `target` on `conn` (inside the caller's transaction)."""
    from alembic import command

    applied: list[str] = []

    def record(*, step: Any, **_: Any) -> None:
        if step.is_upgrade:
            applied.append(step.up_revision_id)

    config = _config(conn)
    config.attributes["on_version_apply"] = record
    command.upgrade(config, target)
    return tuple(applied)


def current_revision(conn: Connection) -> str | None:
    """The revision of our own tables, None before the first migration."""
    from alembic.runtime.migration import MigrationContext

    context = MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE})
    return context.get_current_revision()
