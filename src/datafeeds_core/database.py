"""Engines for the platform and Urjanet databases, and the mapping of outages to exit 75."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from datafeeds_core.errors import ConfigurationError, TransientError
from datafeeds_core.logs import mask_url

if TYPE_CHECKING:
    from sqlalchemy.engine import URL, Engine

CONNECT_TIMEOUT_S = 10
STATEMENT_TIMEOUT_MS = 60_000
PLATFORM = "platform database"
URJANET = "Urjanet database"
# What to do about a database that is missing or lacks our tables, by what it is.
HINTS = {
    PLATFORM: "run `datafeeds db init` first (or set DATAFEEDS_PLATFORM_URL)",
    URJANET: "set DATAFEEDS_URJANET_URL (or URJANET_MYSQL_HOST/USER/PASSWORD/DB) to the "
    "Urjanet database",
}


def normalise_url(url: str) -> URL:
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
    try:
        engine = create_engine(parsed, connect_args=connect_args, **kwargs)
    except ImportError as exc:  # the URL is fine; its driver is not installed
        raise ConfigurationError(
            f"the {backend} driver is not installed ({exc.name or exc}): "
            "pip install 'datafeeds-core[mysql]' for MySQL/MariaDB"
        ) from None
    if backend == "sqlite":

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()
            # Text that is not UTF-8 (a SQLite file holds any bytes) reads with U+FFFD in place
            # of the bad bytes instead of failing the whole query.
            dbapi_conn.text_factory = _lenient_text

    return engine


def existing_database(url: str, what: str) -> str:
    """`url`, refusing a SQLite file that does not exist: connecting would create an empty one
    (a typo'd path would then look like an empty database). ConfigurationError with the hint."""
    from pathlib import Path

    parsed = normalise_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if not database or database == ":memory:" or not Path(database).is_file():
            raise ConfigurationError(f"no {what} at {mask_url(url)}: {HINTS[what]}")
    return url


def open_existing(url: str, what: str, **kwargs: Any) -> Engine:
    """An engine on a database that must exist already (`what`: PLATFORM or URJANET)."""
    return make_engine(existing_database(url, what), **kwargs)


def _lenient_text(raw: bytes) -> str:
    return raw.decode("utf-8", errors="replace")


# MySQL client/server codes that mean "the server is gone or busy", not "your SQL is wrong".
_MYSQL_TRANSIENT = {1040, 1053, 1205, 1213, 2002, 2003, 2005, 2006, 2013, 2055}


def is_outage(orig: BaseException | None) -> bool:
    """Is this driver error an outage (retry later) rather than a mistake (fix something)?"""
    if orig is None:
        return False
    module = type(orig).__module__
    if module.startswith("sqlite3"):
        # "unable to open" is a path that cannot be a database (missing folder, a folder):
        # a configuration error (is_misconfiguration), which no retry cures.
        return any(word in str(orig) for word in ("locked", "disk I/O"))
    if module.startswith(("MySQLdb", "pymysql")):
        code = orig.args[0] if orig.args and isinstance(orig.args[0], int) else None
        return code in _MYSQL_TRANSIENT
    if module.startswith("psycopg"):
        import psycopg

        return isinstance(orig, psycopg.OperationalError)
    return False


# MySQL: access denied (to the server, to the database), unknown database, auth plugin refused.
_MYSQL_MISCONFIGURED = {1044, 1045, 1049, 1251, 1698}
# PostgreSQL refusing the connection settings (libpq gives no SQLSTATE before the session).
_PG_MISCONFIGURED = (
    "password authentication failed",
    "authentication failed",
    "no pg_hba.conf entry",
    "does not exist",  # the role or the database
)


# MySQL: no such table, no such column.
_MYSQL_MISSING = {1146, 1054}


def is_missing_schema(orig: BaseException | None) -> bool:
    """Does the database lack a table or column we read (the wrong database, or not set up)?"""
    if orig is None:
        return False
    module = type(orig).__module__
    if module.startswith("sqlite3"):
        return any(word in str(orig) for word in ("no such table", "no such column"))
    if module.startswith(("MySQLdb", "pymysql")):
        return bool(orig.args) and orig.args[0] in _MYSQL_MISSING
    if module.startswith("psycopg"):
        return getattr(orig, "sqlstate", None) in ("42P01", "42703")
    return False


def is_misconfiguration(orig: BaseException | None) -> bool:
    """Did the server refuse the URL's settings (user, password, database)? Retrying cannot
    help: a configuration error, not an outage."""
    if orig is None:
        return False
    module = type(orig).__module__
    if module.startswith("sqlite3"):
        return "unable to open" in str(orig)
    if module.startswith(("MySQLdb", "pymysql")):
        return bool(orig.args) and orig.args[0] in _MYSQL_MISCONFIGURED
    if module.startswith("psycopg"):
        text = str(orig)
        return "FATAL" in text and any(words in text for words in _PG_MISCONFIGURED)
    return False


@contextmanager
def unreachable_is_transient(what: str) -> Iterator[None]:
    """Turn "cannot connect" / "connection lost" into TransientError (exit 75), and refused
    credentials or an unknown database into ConfigurationError (exit 3), in one line."""
    from sqlalchemy.exc import DBAPIError

    try:
        yield
    except DBAPIError as exc:
        first = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
        hint = f"; {HINTS[what]}" if what in HINTS else ""
        if is_missing_schema(exc.orig):
            raise ConfigurationError(f"{what} is missing a table: {first}{hint}") from exc
        if is_misconfiguration(exc.orig):
            # A SQLite path that cannot be opened: the hint says how to make it. A server's
            # refusal (user, password, database) names what to fix already.
            local = type(exc.orig).__module__.startswith("sqlite3")
            hint = hint if local else ""
            raise ConfigurationError(f"{what} refused the connection: {first}{hint}") from exc
        if exc.connection_invalidated or is_outage(exc.orig):
            raise TransientError(f"{what} unreachable: {first}") from exc
        raise


@contextmanager
def engine_for(url: str, what: str, *, must_exist: bool = True, **kwargs: Any) -> Iterator[Engine]:
    """An engine for one piece of work, disposed after it. `what` (PLATFORM or URJANET) names
    the database in errors: a SQLite file that is not there (with `must_exist`), an outage or a
    refused connection become one-line errors with their exit codes (unreachable_is_transient).
    Without `must_exist` a missing SQLite file is left to the driver (`db init` creates it)."""
    engine = open_existing(url, what, **kwargs) if must_exist else make_engine(url, **kwargs)
    try:
        with unreachable_is_transient(what):
            yield engine
    finally:
        engine.dispose()
