"""Database servers for tests, and the session's factory of throwaway databases.

A server is found, per backend, in this order: the URL in DATAFEEDS_TEST_POSTGRES_URL /
DATAFEEDS_TEST_MYSQL_URL; a testcontainers container when a Docker daemon answers (images
DATAFEEDS_TEST_POSTGRES_IMAGE / DATAFEEDS_TEST_MARIADB_IMAGE, default postgres:15 and
mariadb:10.11); the default local port; else the test is skipped (failed when CI is set).
Each session creates uniquely named databases and drops them at the end.
"""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal, NoReturn

import pytest

if TYPE_CHECKING:
    from testcontainers.core.container import DockerContainer

ServerBackend = Literal["postgresql", "mariadb"]
# What `DatabaseFactory.create` makes: an empty database of a server backend, an SQLite file, or
# a PostgreSQL database holding the production platform schema.
Backend = Literal["sqlite", "postgresql", "mariadb", "production"]

POSTGRES_VAR = "DATAFEEDS_TEST_POSTGRES_URL"
MYSQL_VAR = "DATAFEEDS_TEST_MYSQL_URL"
# The images of the testcontainers path (official ones by default; container/testdb/ builds
# local ones), and the log line that says the MariaDB image is ready.
POSTGRES_IMAGE_VAR = "DATAFEEDS_TEST_POSTGRES_IMAGE"
MARIADB_IMAGE_VAR = "DATAFEEDS_TEST_MARIADB_IMAGE"
MARIADB_READY_VAR = "DATAFEEDS_TEST_MARIADB_READY"
LOCAL_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
LOCAL_MYSQL = "mysql+mysqldb://root@127.0.0.1:3306/mysql"
PRODUCTION_ROLE = "gridium"  # the production dump's objects belong to it


def unavailable(reason: str) -> NoReturn:
    """Skip a database test, except in CI where a skipped database test is a failure."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set: database tests may not be skipped)", pytrace=False)
    pytest.skip(reason)


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def _docker_answers() -> bool:
    try:
        import docker

        docker.from_env(timeout=2).ping()
        return True
    except Exception:  # no client library, no socket, no daemon: all mean "no Docker"
        return False


@dataclass
class Server:
    """A database server the session may create databases on (through `admin_url`)."""

    backend: ServerBackend
    admin_url: str
    # The testcontainers container serving it, stopped with the session; None for a server
    # found by URL or port. tests/testcontainers reads it to check the container's image.
    _container: DockerContainer | None = None
    created: list[str] = field(default_factory=list)

    def create_database(self, template: str | None = None) -> str:
        """A new, uniquely named database (empty, or a copy of PostgreSQL database `template`);
        returns its URL."""
        from sqlalchemy import create_engine, text
        from sqlalchemy.engine import make_url

        name = f"datafeeds_test_{os.getpid()}_{uuid.uuid4().hex[:10]}"
        engine = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            if self.backend == "postgresql":
                copy = f' TEMPLATE "{template}"' if template else ""
                conn.execute(text(f'CREATE DATABASE "{name}"{copy}'))
            else:
                conn.execute(text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4"))
        engine.dispose()
        self.created.append(name)
        return make_url(self.admin_url).set(database=name).render_as_string(hide_password=False)

    def drop_all(self) -> None:
        """Drop the databases this session created; stop the container, if any."""
        from sqlalchemy import create_engine, text

        engine = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            for name in self.created:
                if self.backend == "postgresql":
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                else:
                    conn.execute(text(f"DROP DATABASE IF EXISTS `{name}`"))
        engine.dispose()
        if self._container is not None:
            self._container.stop()


def find_server(backend: ServerBackend) -> Server | None:
    var, local, port = (
        (POSTGRES_VAR, LOCAL_POSTGRES, 5432)
        if backend == "postgresql"
        else (MYSQL_VAR, LOCAL_MYSQL, 3306)
    )
    if os.environ.get(var):
        return Server(backend, os.environ[var])
    if _docker_answers():
        try:
            return _container_server(backend)
        except Exception as exc:  # fall through to the local port
            import warnings

            warnings.warn(f"no {backend} container ({exc}); trying 127.0.0.1", stacklevel=1)
    if _port_open("127.0.0.1", port):
        return Server(backend, local)
    return None


def _container_server(backend: ServerBackend) -> Server:
    """A PostgreSQL or MariaDB container (testcontainers); the images are settings, so that
    machines without a registry use images built locally (container/testdb/)."""
    if backend == "postgresql":
        from testcontainers.community.postgres import PostgresContainer

        image = os.environ.get(POSTGRES_IMAGE_VAR, "postgres:15")
        pg = PostgresContainer(image, driver="psycopg").start()
        return Server(backend, pg.get_connection_url(), pg)
    from testcontainers.community.mysql import MySqlContainer

    image = os.environ.get(MARIADB_IMAGE_VAR, "mariadb:10.11")
    # One "ready for connections" line: the official image logs two (a setup server first).
    ready = r".*: ready for connections.*: ready for connections.*"
    my = MySqlContainer(image, wait_strategy_check_string=os.environ.get(MARIADB_READY_VAR, ready))
    my.start()
    host, port = my.get_container_host_ip(), my.get_exposed_port(3306)
    # root creates and drops the test databases (the image's own user may not).
    url = f"mysql+mysqldb://root:{my.root_password}@{host}:{port}/mysql"
    return Server(backend, url, my)


def _load_production_schema(server: Server) -> str:
    """A new database holding the production platform schema; returns its name.

    Reads the dump in place (`locations.platform_schema`). Creates the role the dump assigns
    ownership to when the server lacks it; needs PostGIS on the server.
    """
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from datafeeds_core.testing.locations import platform_schema

    schema = platform_schema()
    if not schema.path.is_file():
        unavailable(schema.missing())
    dump = schema.path
    admin = create_engine(server.admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            if (
                conn.execute(
                    text("SELECT 1 FROM pg_available_extensions WHERE name = 'postgis'")
                ).first()
                is None
            ):
                unavailable(
                    "PostGIS is not installed on the PostgreSQL server (Debian: apt-get install "
                    "postgresql-<major>-postgis-3; scripts/test-all does it)"
                )
            # Roles are per server: another session may create it at the same moment.
            conn.execute(
                text(
                    f"DO $$ BEGIN CREATE ROLE {PRODUCTION_ROLE} NOLOGIN; "
                    "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
                )
            )
    finally:
        admin.dispose()
    url = server.create_database()
    name = str(make_url(url).database)
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            # A schema-only dump has no parameters: psycopg sends it as one simple query.
            conn.exec_driver_sql(dump.read_text(encoding="utf-8"))
    finally:
        engine.dispose()
    return name


class DatabaseFactory:
    """Creates databases on demand per backend: sqlite, postgresql, mariadb, and production (a
    PostgreSQL database holding the production platform schema, loaded from its dump)."""

    def __init__(self, tmp: Path) -> None:
        self._tmp = tmp
        self._servers: dict[ServerBackend, Server | None] = {}
        self._production_template: str | None = None

    def server(self, backend: ServerBackend) -> Server:
        """This session's server for `backend`; skips (fails under CI) when there is none."""
        if backend not in self._servers:
            self._servers[backend] = find_server(backend)
        found = self._servers[backend]
        if found is None:
            var = POSTGRES_VAR if backend == "postgresql" else MYSQL_VAR
            unavailable(f"no {backend} server found (set {var})")
        return found

    def create(self, backend: Backend) -> str:
        """The URL of a new database of `backend` (dropped at the end of the session)."""
        if backend == "sqlite":
            return f"sqlite:///{self._tmp / (uuid.uuid4().hex[:10] + '.db')}"
        if backend == "production":
            # The dump loads once per session (PostGIS makes it take seconds); copies are quick.
            server = self.server("postgresql")
            if self._production_template is None:
                self._production_template = _load_production_schema(server)
            return server.create_database(template=self._production_template)
        return self.server(backend).create_database()

    def close(self) -> None:
        """Drop every database of the session, on every server it used."""
        for server in self._servers.values():
            if server is not None:
                server.drop_all()
