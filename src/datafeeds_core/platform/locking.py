"""One write transaction holding a lock: an advisory lock on PostgreSQL, BEGIN IMMEDIATE on SQLite.

Concurrent jobs for the same utility service must not interleave their bill writes
(docs/bill-rules.md).
PostgreSQL takes `pg_advisory_xact_lock(key)`, released at commit or rollback. SQLite has one
writer per file: BEGIN IMMEDIATE takes the write lock before the first read, so what a job reads
is what it writes against (the engine's busy timeout makes waiters queue instead of failing).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from sqlalchemy import text

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine

# Advisory-lock key for schema changes (`datafeeds db init`): a constant far above any oid.
SCHEMA_LOCK_KEY = 0x6461_7461_6665_6564  # "datafeed"


@contextmanager
def locked_transaction(engine: Engine, key: int, *more_keys: int) -> Iterator[Connection]:
    """A connection in a transaction holding the lock for `key` (and `more_keys`); commits on
    success.

    Several keys are locked in ascending order, so two writers of overlapping sets of services
    cannot deadlock. The caller may roll back instead (`conn.rollback()`), e.g. for a dry run.
    """
    with engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        dbapi: Any = conn.connection.dbapi_connection
        saved = dbapi.isolation_level if sqlite else None
        try:
            if sqlite:
                # pysqlite begins lazily (DEFERRED, and only before DML, so DDL would
                # autocommit); with isolation_level None we issue BEGIN IMMEDIATE ourselves.
                dbapi.isolation_level = None
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            elif conn.dialect.name == "postgresql":
                for each in sorted({key, *more_keys}):
                    conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": each})
            try:
                yield conn
            except BaseException:
                conn.rollback()
                raise
            if conn.in_transaction():
                conn.commit()
        finally:
            if sqlite:
                if dbapi.in_transaction:  # never hand a connection back mid-transaction
                    dbapi.rollback()
                dbapi.isolation_level = saved
