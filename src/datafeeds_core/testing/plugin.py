"""The pytest side of the test kit: its fixtures, markers and header line.

Fixtures: `database_factory` (session), `urjanet_databases` / `platform_databases` (session),
`urjanet_backend` / `platform_backend` (the parameters), `urjanet_db`, `platform_db`,
`datafeeds_cli`. Markers: `postgres`, `mariadb` (set by the backend parameters) and `slow`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import cast

import pytest

from datafeeds_core.testing.cli import DatafeedsCli
from datafeeds_core.testing.locations import platform_schema, reference_fixtures
from datafeeds_core.testing.platform_db import (
    PlatformBackend,
    PlatformDatabases,
    PlatformTestDatabase,
)
from datafeeds_core.testing.servers import DatabaseFactory
from datafeeds_core.testing.urjanet_db import UrjanetBackend, UrjanetDatabases, UrjanetTestDatabase

MARKERS = (
    "postgres: needs a PostgreSQL server",
    "mariadb: needs a MariaDB/MySQL server",
    "slow: takes more than about 2 s; -m 'not slow' leaves it out for a quick loop",
)


def pytest_configure(config: pytest.Config) -> None:
    for marker in MARKERS:
        config.addinivalue_line("markers", marker)


def pytest_report_header(config: pytest.Config) -> list[str]:
    """Where this session reads the reference fixtures and the platform schema from."""
    return [f"datafeeds {where.describe()}" for where in (reference_fixtures(), platform_schema())]


@pytest.fixture(scope="session")
def database_factory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DatabaseFactory]:
    """Creates databases of any backend; drops them at the end of the session."""
    factory = DatabaseFactory(tmp_path_factory.mktemp("databases"))
    yield factory
    factory.close()


@pytest.fixture(scope="session")
def urjanet_databases(database_factory: DatabaseFactory) -> Iterator[UrjanetDatabases]:
    databases = UrjanetDatabases(database_factory)
    yield databases
    databases.close()


@pytest.fixture(params=["sqlite", pytest.param("mariadb", marks=pytest.mark.mariadb)])
def urjanet_backend(request: pytest.FixtureRequest) -> UrjanetBackend:
    return cast(UrjanetBackend, request.param)


@pytest.fixture
def urjanet_db(
    urjanet_backend: UrjanetBackend, urjanet_databases: UrjanetDatabases
) -> Iterator[UrjanetTestDatabase]:
    """A Urjanet database, once on SQLite and once on MariaDB; empty at the start of a test."""
    db = urjanet_databases.get(urjanet_backend)
    yield db
    db.clear()


@pytest.fixture(scope="session")
def platform_databases(database_factory: DatabaseFactory) -> Iterator[PlatformDatabases]:
    databases = PlatformDatabases(database_factory)
    yield databases
    databases.close()


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param("postgresql", marks=pytest.mark.postgres),
        pytest.param("production", marks=pytest.mark.postgres),
    ]
)
def platform_backend(request: pytest.FixtureRequest) -> PlatformBackend:
    """sqlite and postgresql: the schema `datafeeds db init` makes on an empty database;
    production: the production schema (from its dump) with `datafeeds db init` run on top."""
    return cast(PlatformBackend, request.param)


@pytest.fixture
def platform_db(
    platform_backend: PlatformBackend, platform_databases: PlatformDatabases
) -> Iterator[PlatformTestDatabase]:
    """A platform database, on each `platform_backend`; empty at the start of a test."""
    db = platform_databases.get(platform_backend)
    yield db
    db.clear()


@pytest.fixture
def datafeeds_cli(tmp_path: Path) -> DatafeedsCli:
    """The `datafeeds` command in a subprocess, with its own DATAFEEDS_HOME and none of the
    caller's DATAFEEDS_* / URJANET_* / POSTGRES_URL settings."""
    return DatafeedsCli(home=tmp_path / "home")
