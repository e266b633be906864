"""Database servers for benchmarks: found as the test suite finds them (datafeeds_core.testing),
with databases the benchmark creates and drops itself."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from datafeeds_core.testing.servers import Server, ServerBackend, find_server


def server(backend: ServerBackend) -> Server:
    """The PostgreSQL or MariaDB server the tests would use; an error when there is none."""
    found = find_server(backend)
    if found is None:
        var = (
            "DATAFEEDS_TEST_POSTGRES_URL" if backend == "postgresql" else "DATAFEEDS_TEST_MYSQL_URL"
        )
        raise RuntimeError(f"no {backend} server found (set {var})")
    return found


@contextmanager
def fresh_database(backend: ServerBackend) -> Iterator[str]:
    """A new uniquely named database for the duration of the block; its URL."""
    srv = server(backend)
    try:
        yield srv.create_database()
    finally:
        srv.drop_all()


def named_mariadb_url(name: str) -> str:
    """The URL of database `name` on the MariaDB server (not created here)."""
    from sqlalchemy.engine import make_url

    admin = make_url(server("mariadb").admin_url)
    return admin.set(database=name).render_as_string(hide_password=False)


def admin_execute(backend: ServerBackend, statement: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(server(backend).admin_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(statement))
    finally:
        engine.dispose()


def mysqldb_connect(url: str, **kwargs: Any) -> Any:
    """A plain MySQLdb connection (no SQLAlchemy) to the database of `url`."""
    import MySQLdb
    from sqlalchemy.engine import make_url

    u = make_url(url)
    return MySQLdb.connect(
        host=u.host or "127.0.0.1",
        port=u.port or 3306,
        user=u.username or "root",
        password=u.password or "",
        database=u.database or "",
        charset="utf8mb4",
        **kwargs,
    )
