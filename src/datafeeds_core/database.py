"""Engines for the platform and Urjanet databases, and the mapping of outages to exit 75."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from datafeeds_core.errors import TransientError

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine, Url

CONNECT_TIMEOUT_S = 10
STATEMENT_TIMEOUT_MS = 60_000


def normalise_url(url: str) -> Url:
    """Accept the old spellings: postgresql+psycopg2:// and postgres:// mean psycopg 3."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    driver = parsed.drivername
    if driver in ("postgres", "postgresql", "postgresql+psycopg2"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    elif driver in ("mysql", "mariadb", "mysql+pymysql", "mariadb+mysqldb"):
        parsed = parsed.set(drivername="mysql+mysqldb")
    return parsed


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine with timeouts, explicit charset, and SQLite WAL + busy timeout."""
    from sqlalchemy import create_engine, event

    parsed = normalise_url(url)
    backend = parsed.get_backend_name()
    connect_args: dict[str, Any] = {}
    if backend == "postgresql":
        connect_args = {
            "connect_timeout": CONNECT_TIMEOUT_S,
            "application_name": "datafeeds",
            "options": f"-c statement_timeout={STATEMENT_TIMEOUT_MS}",
        }
    elif backend == "mysql":
        connect_args = {"connect_timeout": CONNECT_TIMEOUT_S, "charset": "utf8mb4"}
    elif backend == "sqlite":
        connect_args = {"timeout": 30}
    engine = create_engine(parsed, connect_args=connect_args, **kwargs)
    if backend == "sqlite":

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

    return engine


def masked(url: str) -> str:
    """The URL with its password hidden, for messages and logs."""
    try:
        return normalise_url(url).render_as_string(hide_password=True)
    except Exception:
        return "<unparseable database URL>"


@contextmanager
def unreachable_is_transient(what: str) -> Iterator[None]:
    """Turn "cannot connect" / "connection lost" into TransientError (exit 75), in one line."""
    from sqlalchemy.exc import DBAPIError, OperationalError

    try:
        yield
    except (OperationalError, DBAPIError) as exc:
        orig = exc.orig
        if type(orig).__module__.startswith("sqlite3") and not any(
            word in str(orig) for word in ("unable to open", "locked", "disk I/O")
        ):
            raise  # a missing table in a local file is a configuration problem, not an outage
        if isinstance(exc, OperationalError) or exc.connection_invalidated:
            first = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
            raise TransientError(f"{what} unreachable: {first}") from exc
        raise
