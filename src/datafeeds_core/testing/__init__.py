"""pytest plugin for datafeeds and its plugin authors (auto-registered through `pytest11`).

Installing datafeeds-core makes these available to every test, with no import:

- `urjanet_db` — a Urjanet database (SPEC §1 schema), run once on SQLite and once on MariaDB.
  `urjanet_db.seed_fixture_json(path)` / `.seed(data)` insert statements, `.load(selection)`
  reads them back through the core loader, `.url` is its URL. Tables are emptied after each test.
- `platform_db` — a platform database, run on SQLite and PostgreSQL (as `datafeeds db init` makes
  it on an empty database) and on `production`: PostgreSQL loaded from the production schema dump
  (`../shared/reference/platform-schema.sql` or $DATAFEEDS_PLATFORM_SCHEMA; needs PostGIS), with
  `datafeeds db init` run on top. `add_account`, `add_service`, `add_meter`, `add_building`,
  `add_data_source`, `add_target` (a whole job target), `add_bill`, `enrol_in_bill_audit`,
  `rows(table, **where)`, `.url`.
- `datafeeds_cli` — runs `python -m datafeeds_core ARGS` in a subprocess with its own
  `DATAFEEDS_HOME` (`datafeeds_cli.home`) and none of the caller's `DATAFEEDS_*` / `URJANET_*` /
  `POSTGRES_URL` settings; `datafeeds_cli("plugins", "list", env={...})` returns the
  `subprocess.CompletedProcess` (text stdout and stderr, returncode).
- `database_factory` — `create("sqlite" | "postgresql" | "mariadb")` gives the URL of a new,
  empty database, `create("production")` one with the production platform schema (session
  scoped; dropped at the end).

And one function, `conformance_suite(scraper_key, folder=..., csv=...)`, which returns a test
parametrized over reference fixtures: pairs `NAME_input.json` / `NAME_expected.json` in `folder`
(compared as the shared checker does), or, with `csv`, the rows of a CSV-style expectation file
(columns utility,utility_account_id,service_id,start,end,cost,used,peak) grouped by key
(service_id, else utility_account_id), each key's input being `folder/<key>.json`. Assign it in
a test module: `test_reference = conformance_suite("lakeside-urjanet", folder=HERE / "fixtures")`.

Database servers are found in the order ARCHITECTURE "Tests" gives: DATAFEEDS_TEST_POSTGRES_URL /
DATAFEEDS_TEST_MYSQL_URL; testcontainers when a Docker daemon answers (images
DATAFEEDS_TEST_POSTGRES_IMAGE / DATAFEEDS_TEST_MARIADB_IMAGE, default postgres:15 and
mariadb:10.11); the default local port; else skip (fail when CI is set). Each test session
creates uniquely named databases and drops them at the end.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

POSTGRES_VAR = "DATAFEEDS_TEST_POSTGRES_URL"
MYSQL_VAR = "DATAFEEDS_TEST_MYSQL_URL"
# The images of the testcontainers path (official ones by default; container/testdb/ builds
# local ones), and the log line that says the MariaDB image is ready.
POSTGRES_IMAGE_VAR = "DATAFEEDS_TEST_POSTGRES_IMAGE"
MARIADB_IMAGE_VAR = "DATAFEEDS_TEST_MARIADB_IMAGE"
MARIADB_READY_VAR = "DATAFEEDS_TEST_MARIADB_READY"
LOCAL_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
LOCAL_MYSQL = "mysql+mysqldb://root@127.0.0.1:3306/mysql"


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
    except Exception:
        return False


def unavailable(reason: str) -> None:
    """Skip a database test, except in CI where a skipped database test is a failure."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set: database tests may not be skipped)", pytrace=False)
    pytest.skip(reason)


@dataclass
class Server:
    backend: str  # postgresql | mariadb
    admin_url: str
    _container: Any = None
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


def _find_server(backend: str) -> Server | None:
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


PRODUCTION_ROLE = "gridium"  # the dump's objects belong to it


def _load_production_schema(server: Server) -> str:
    """A new database holding the production platform schema; returns its name.

    Reads the dump in place (`conformance.platform_schema_dump`). Creates the role the dump
    assigns ownership to when the server lacks it; needs PostGIS on the server.
    """
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from datafeeds_core.plugin_api.conformance import PLATFORM_SCHEMA_VAR, platform_schema_dump

    dump = platform_schema_dump(Path(__file__)) or platform_schema_dump()
    if dump is None or not dump.is_file():
        unavailable(f"production platform schema not found (set {PLATFORM_SCHEMA_VAR})")
    assert dump is not None
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


def _container_server(backend: str) -> Server:
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


class DatabaseFactory:
    """Creates databases on demand per backend: sqlite, postgresql, mariadb, and production (a
    PostgreSQL database with the production platform schema, JOBS §2, loaded from its dump)."""

    def __init__(self, tmp: Path) -> None:
        self._tmp = tmp
        self._servers: dict[str, Server | None] = {}
        self._production_template: str | None = None

    def server(self, backend: str) -> Server:
        if backend not in self._servers:
            self._servers[backend] = _find_server(backend)
        found = self._servers[backend]
        if found is None:
            var = POSTGRES_VAR if backend == "postgresql" else MYSQL_VAR
            unavailable(f"no {backend} server found (set {var})")
            raise AssertionError("unreachable")
        return found

    def create(self, backend: str) -> str:
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
        for server in self._servers.values():
            if server is not None:
                server.drop_all()


@pytest.fixture(scope="session")
def database_factory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DatabaseFactory]:
    factory = DatabaseFactory(tmp_path_factory.mktemp("databases"))
    yield factory
    factory.close()


# ---------------------------------------------------------------- conformance


def _local_cases(scraper: str, folder: Path) -> list[Any]:
    from datafeeds_core.plugin_api.conformance import Case

    cases = []
    for inp in sorted(folder.glob("*_input.json")):
        expected = inp.with_name(inp.name.replace("_input.json", "_expected.json"))
        if expected.is_file():
            cases.append(Case(f"{folder.name}/{inp.stem}", scraper, "json", inp, expected))
    return cases


def _csv_cases(scraper: str, folder: Path, expectations: Path) -> list[Any]:
    """One case per key (service_id, else utility_account_id) of the CSV, input `<key>.json`."""
    import csv

    from datafeeds_core.plugin_api.conformance import Case

    with expectations.open(newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    # The key as conformance.compare_csv groups rows: service_id, else utility_account_id.
    keys = dict.fromkeys(r.get("service_id") or r.get("utility_account_id") or "" for r in rows)
    return [
        Case(f"{folder.name}/{k}", scraper, "csv", folder / f"{k}.json", expectations, csv_key=k)
        for k in keys
        if k
    ]


def conformance_suite(
    scraper: str, folder: Path | None = None, csv: Path | None = None
) -> Callable[..., None]:
    """A test function, parametrized over the reference fixtures of `scraper`.

    Cases come from `folder` (pairs `NAME_input.json` / `NAME_expected.json`) when given, else
    from the shared manifest. With `csv`, they come from that CSV-style expectation file instead:
    one case per key, whose input is `<folder>/<key>.json` (`folder` defaults to the CSV's own
    folder). With no case at all, the test fails and says what to add.
    """
    from datafeeds_core.plugin_api.conformance import manifest_cases, reference_fixtures_dir

    cases: list[Any] = []
    if csv is not None:
        folder = folder if folder is not None else csv.parent
        if csv.is_file():
            cases = _csv_cases(scraper, folder, csv)
        missing = (
            f"add rows (utility,utility_account_id,service_id,start,end,cost,used,peak) to {csv} "
            f"and each key's input as {folder}/<key>.json"
        )
    else:
        if folder is not None and folder.is_dir():
            cases = _local_cases(scraper, folder)
        if not cases:
            shared = reference_fixtures_dir(Path(__file__))
            if shared is None:
                shared = reference_fixtures_dir()
            if shared is not None:
                cases = manifest_cases(shared, scraper)
        missing = (
            "add NAME_input.json and NAME_expected.json pairs (datafeeds urjanet dump, then check "
            "the expected periods against the bill PDFs) to "
            f"{folder or 'the shared manifest ($DATAFEEDS_REFERENCE_FIXTURES)'}"
        )
    params = cases or [None]

    @pytest.mark.parametrize("case", params, ids=[c.id if c else "no-fixtures" for c in params])
    def test_reference_fixtures(case: Any) -> None:
        if case is None:
            pytest.fail(f"no reference fixtures for {scraper}: {missing}", pytrace=False)
        if not case.input.is_file():
            pytest.fail(
                f"{case.expected} has rows for {case.csv_key} but its input {case.input} is "
                f"missing: export it with `datafeeds urjanet dump {scraper} --account ... "
                f"--anonymize --seed ... --output {case.input}`",
                pytrace=False,
            )
        from datafeeds_core.plugin_api.conformance import check_case
        from datafeeds_core.plugin_api.registry import load

        result = load(scraper).transformer()(case.data())
        problems = check_case(case, result.periods)
        assert not problems, "\n".join(problems)

    return test_reference_fixtures


# ---------------------------------------------------------------- Urjanet database
# `urjanet_db`: a Urjanet schema on SQLite and on MariaDB (the `urjanet_backend` parameter).
# One database per backend per session, schema created once; every test starts from empty
# tables (rows are deleted at teardown).

URJANET_BACKENDS = ("sqlite", "mariadb")


@dataclass
class UrjanetTestDatabase:
    backend: str  # sqlite | mariadb
    url: str
    engine: Any  # sqlalchemy.engine.Engine

    def seed(self, data: Any, *, tables: str = "sql") -> Any:
        """Insert UrjanetData; returns it as stored (PKs assigned where they were None)."""
        from datafeeds_core.urjanet.seed import seed

        return seed(self.engine, data, tables=tables)  # type: ignore[arg-type]

    def seed_fixture_json(self, path: Path | str, *, tables: str = "sql") -> Any:
        """Insert an input fixture (SPEC §2 JSON); returns the data as stored."""
        from datafeeds_core.urjanet.fixture_json import load_urjanet_data

        return self.seed(load_urjanet_data(Path(path)), tables=tables)

    def load(self, selection: Any, *, tables: str | None = None) -> Any:
        from datafeeds_core.urjanet.loader import load

        return load(self.engine, selection, tables=tables)  # type: ignore[arg-type]

    def clear(self) -> None:
        from sqlalchemy import delete

        from datafeeds_core.urjanet.schema import metadata

        with self.engine.begin() as conn:
            for table in reversed(metadata.sorted_tables):
                conn.execute(delete(table))


class _UrjanetDatabases:
    def __init__(self, factory: DatabaseFactory) -> None:
        self._factory = factory
        self._made: dict[str, UrjanetTestDatabase] = {}

    def get(self, backend: str) -> UrjanetTestDatabase:
        if backend not in self._made:
            from datafeeds_core.database import make_engine
            from datafeeds_core.urjanet.schema import create_schema

            url = self._factory.create(backend)
            engine = make_engine(url)
            create_schema(engine)
            self._made[backend] = UrjanetTestDatabase(backend, url, engine)
        return self._made[backend]

    def close(self) -> None:
        for db in self._made.values():
            db.engine.dispose()  # before the factory drops the databases


@pytest.fixture(scope="session")
def urjanet_databases(database_factory: DatabaseFactory) -> Iterator[_UrjanetDatabases]:
    databases = _UrjanetDatabases(database_factory)
    yield databases
    databases.close()


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param("mariadb", marks=pytest.mark.mariadb),
    ]
)
def urjanet_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def urjanet_db(
    urjanet_backend: str, urjanet_databases: _UrjanetDatabases
) -> Iterator[UrjanetTestDatabase]:
    db = urjanet_databases.get(urjanet_backend)
    yield db
    db.clear()


# ---------------------------------------------------------------- platform database
# `platform_db`: the platform schema (as `datafeeds db init` makes it) on SQLite and on PostgreSQL
# (the `platform_backend` parameter). One database per backend per session, initialised once;
# every test starts from empty tables (rows are deleted at teardown). `platform_db.add_*` create
# account, service, meter, data-source and bill rows; `add_target` makes a whole job target.


def _new_oid() -> int:
    """An oid for a table whose oid the application chooses (meter, building)."""
    return 1_000_000 + uuid.uuid4().int % 1_000_000_000


@dataclass
class PlatformTestDatabase:
    backend: str  # sqlite | postgresql | production
    url: str
    engine: Any  # sqlalchemy.engine.Engine

    def _insert(self, table: Any, **values: Any) -> int:
        with self.engine.begin() as conn:
            return int(
                conn.execute(
                    table.insert().values(**values).returning(*table.primary_key.columns)
                ).scalar_one()
            )

    def add_account(self, name: str = "Test account") -> int:
        from datetime import datetime

        from datafeeds_core.platform import schema

        return self._insert(
            schema.snapmeter_account,
            hex_id=uuid.uuid4().hex[:16],
            account_type="paid",
            created=datetime(2024, 1, 1),
            domain="gridium.com",
            name=name,
            status="active",
            token_login=False,
        )

    def add_service(
        self,
        *,
        utility: str = "utility:test",
        utility_account_id: str = "ACCT-1",
        service_id: str | None = "SAID-1",
        **values: Any,
    ) -> int:
        from datafeeds_core.platform import schema

        return self._insert(
            schema.utility_service,
            utility=utility,
            utility_account_id=utility_account_id,
            service_id=service_id,
            **values,
        )

    def add_meter(
        self,
        service: int | None,
        *,
        account: int | None = None,
        name: str = "Test meter",
        kind: str = "main",
        commodity: str = "kw",
        oid: int | None = None,
        building: int | None = None,
    ) -> int:
        from datafeeds_core.platform import schema

        oid = oid if oid is not None else _new_oid()
        self._insert(
            schema.meter,
            oid=oid,
            service=service,
            name=name,
            kind=kind,
            commodity=commodity,
            interval=15,
            direction="forward",
            building=building,
        )
        if account is not None:
            self._insert(schema.snapmeter_account_meter, account=account, meter=oid)
        return oid

    def add_building(self, account: int, name: str = "Test building") -> int:
        """A building, named `name` for `account` (snapmeter_building); returns its oid."""
        from datafeeds_core.platform import schema

        oid = self._insert(schema.building, oid=_new_oid(), timezone="America/Los_Angeles")
        with self.engine.begin() as conn:
            conn.execute(
                schema.snapmeter_building.insert().values(
                    building=oid, account=account, name=name, oid=_new_oid()
                )
            )
        return oid

    def add_data_source(
        self,
        meter: int | None,
        scraper_key: str = "test-urjanet",
        *,
        meta: dict[str, Any] | None = None,
        source_types: tuple[str, ...] = ("billing",),
    ) -> int:
        from datafeeds_core.platform import schema

        return self._insert(
            schema.snapmeter_meter_data_source,
            hex_id=uuid.uuid4().hex[:16],
            meter=meter,
            name=scraper_key,
            meta=meta or {},
            source_types=list(source_types),
        )

    def add_target(self, scraper_key: str = "test-urjanet", **service_values: Any) -> Any:
        """Account, service, meter and data source; returns the `JobTarget`."""
        from datafeeds_core.platform.datasources import find_target

        account = self.add_account()
        meter = self.add_meter(self.add_service(**service_values), account=account)
        oid = self.add_data_source(meter, scraper_key)
        with self.engine.connect() as conn:
            return find_target(conn, oid)

    def add_bill(self, service: int, initial: Any, closing: Any, **values: Any) -> int:
        from datafeeds_core.platform import schema

        row = {"cost": 100.0, "used": 10.0, "manual": False, "visible": True, "source": "webapps"}
        return self._insert(
            schema.bill, service=service, initial=initial, closing=closing, **{**row, **values}
        )

    def enrol_in_bill_audit(self, meter: int, status: str = "active") -> None:
        from datafeeds_core.platform import schema

        self._insert(schema.product_enrollment, meter=meter, product="opsbillaudit", status=status)

    def rows(self, table: str, **where: Any) -> list[dict[str, Any]]:
        """Rows of a platform or datafeeds table, in primary-key order."""
        from sqlalchemy import select

        from datafeeds_core.platform import schema

        found = schema.platform_metadata.tables.get(table)
        t = found if found is not None else schema.own_metadata.tables[table]
        query = select(t).where(*(t.c[k] == v for k, v in where.items()))
        with self.engine.connect() as conn:
            return [
                dict(r) for r in conn.execute(query.order_by(*t.primary_key.columns)).mappings()
            ]

    def clear(self) -> None:
        from sqlalchemy import delete

        from datafeeds_core.platform import schema

        tables = [*schema.own_metadata.sorted_tables, *schema.platform_metadata.sorted_tables]
        with self.engine.begin() as conn:
            for table in reversed(tables):
                conn.execute(delete(table))


class _PlatformDatabases:
    def __init__(self, factory: DatabaseFactory) -> None:
        self._factory = factory
        self._made: dict[str, PlatformTestDatabase] = {}

    def get(self, backend: str) -> PlatformTestDatabase:
        if backend not in self._made:
            from datafeeds_core.database import make_engine
            from datafeeds_core.platform.init import init_database

            url = self._factory.create(backend)
            engine = make_engine(url)
            init_database(engine)
            self._made[backend] = PlatformTestDatabase(backend, url, engine)
        return self._made[backend]

    def close(self) -> None:
        for db in self._made.values():
            db.engine.dispose()  # before the factory drops the databases


@pytest.fixture(scope="session")
def platform_databases(database_factory: DatabaseFactory) -> Iterator[_PlatformDatabases]:
    databases = _PlatformDatabases(database_factory)
    yield databases
    databases.close()


PLATFORM_BACKENDS = ("sqlite", "postgresql", "production")


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param("postgresql", marks=pytest.mark.postgres),
        pytest.param("production", marks=pytest.mark.postgres),
    ]
)
def platform_backend(request: pytest.FixtureRequest) -> str:
    """sqlite and postgresql: the schema `datafeeds db init` makes on an empty database;
    production: the production schema (JOBS §2 dump) with `datafeeds db init` run on top."""
    return str(request.param)


@pytest.fixture
def platform_db(
    platform_backend: str, platform_databases: _PlatformDatabases
) -> Iterator[PlatformTestDatabase]:
    db = platform_databases.get(platform_backend)
    yield db
    db.clear()


# ---------------------------------------------------------------- the command line
# `datafeeds_cli`: the real `datafeeds` command in a subprocess, isolated from the caller's
# configuration, so a test sees exactly what a user's shell would.

# The caller's settings that would point a subprocess at real databases or another home.
_CALLER_SETTINGS = ("DATAFEEDS_", "POSTGRES_URL", "URJANET_")


@dataclass
class DatafeedsCli:
    """Runs `python -m datafeeds_core ARGS`; `home` is its DATAFEEDS_HOME, `python` the
    interpreter (this one by default; another virtualenv's to test an installation there)."""

    home: Path
    timeout: float = 120
    python: str = field(default_factory=lambda: sys.executable)

    def __call__(
        self,
        *args: str,
        env: dict[str, str] | None = None,
        pythonpath: Path | str | None = None,
        input: str | None = None,
        cwd: Path | str | None = None,
    ) -> subprocess.CompletedProcess[str]:
        """`env` adds variables (e.g. DATAFEEDS_URJANET_URL); `pythonpath` replaces PYTHONPATH
        (e.g. a folder of throwaway plugin distributions)."""
        full = {k: v for k, v in os.environ.items() if not k.startswith(_CALLER_SETTINGS)}
        full["DATAFEEDS_HOME"] = str(self.home)
        if pythonpath is not None:
            full["PYTHONPATH"] = str(pythonpath)
        full.update(env or {})
        return subprocess.run(
            [self.python, "-m", "datafeeds_core", *args],
            capture_output=True,
            text=True,
            env=full,
            input=input,
            cwd=cwd,
            timeout=self.timeout,
        )


@pytest.fixture
def datafeeds_cli(tmp_path: Path) -> DatafeedsCli:
    return DatafeedsCli(home=tmp_path / "home")


# ---------------------------------------------------------------- selection suite
# `selection_suite(...)`: the tests every Urjanet plugin's selection owes, on `urjanet_db`.


def _numbered_statement(
    pk: int, number: str, provider: str, services: tuple[str, ...], column: str = "AccountNumber"
) -> Any:
    from datetime import date

    from datafeeds_core.urjanet.model import Account, Meter

    numbered: dict[str, Any] = {column: number}
    return Account(
        PK=pk,
        UtilityProvider=provider,
        **numbered,
        StatementDate=date(2020, 2, 3),
        IntervalStart=date(2020, 1, 1),
        IntervalEnd=date(2020, 2, 1),
        meters=tuple(Meter(PK=pk * 10 + i, ServiceType=s) for i, s in enumerate(services)),
    )


def selection_suite(
    key: str,
    *,
    hook: Callable[..., Any],
    provider: str,
    account_number: str,
    services: tuple[str, ...],
    other_services: tuple[str, ...] = ("electric",),
    as_given: Callable[[str], str] = lambda number: number,
    wildcards: str = "%_",
    column: str = "AccountNumber",
) -> type:
    """A test class for the selection `hook` (the plugin's `datafeeds_datasource`) serves for `key`.

    Its statements are those of `provider` whose AccountNumber is `account_number` (the user
    gives it as `as_given(account_number)`), with the meters of `services`. The tests check that
    the selection takes them, and none of the look-alikes: another provider, a longer account
    number, only meters of `other_services`, an account number with a LIKE metacharacter of
    `wildcards` in it (which must match only itself); and that other keys are not served.
    `column` is where the statements keep the number (AccountNumber or RawAccountNumber).
    """
    from functools import partial

    from datafeeds_core.plugin_api.contract import DataSourceContext

    statement = partial(_numbered_statement, column=column)
    taken = services[0]
    lookalikes = {
        "other-provider": statement(2, account_number, provider + "X", (taken,)),
        "longer-account-number": statement(2, account_number + "0", provider, (taken,)),
        "other-service-types": statement(2, account_number, provider, other_services),
    }
    wildcard_numbers = {f"wildcard-{c}": account_number[:-1] + c for c in wildcards}

    def selected(urjanet_db: UrjanetTestDatabase, account_id: str) -> list[Any]:
        context = DataSourceContext(key, utility_account_id=account_id)
        data = urjanet_db.load(hook(key, context))
        return [(a.PK, [m.ServiceType for m in a.meters]) for a in data.accounts]

    class TestSelection:
        def test_takes_the_accounts_statements_with_their_service_meters(
            self, urjanet_db: UrjanetTestDatabase
        ) -> None:
            from datafeeds_core.urjanet.model import UrjanetData

            urjanet_db.seed(
                UrjanetData(
                    (
                        statement(1, account_number, provider, services + other_services),
                        statement(2, account_number, provider, (taken,)),
                    )
                )
            )
            assert selected(urjanet_db, as_given(account_number)) == [
                (1, list(services)),
                (2, [taken]),
            ]

        @pytest.mark.parametrize("lookalike", sorted(lookalikes))
        def test_takes_no_look_alike(self, urjanet_db: UrjanetTestDatabase, lookalike: str) -> None:
            from datafeeds_core.urjanet.model import UrjanetData

            own = statement(1, account_number, provider, (taken,))
            urjanet_db.seed(UrjanetData((own, lookalikes[lookalike])))
            assert selected(urjanet_db, as_given(account_number)) == [(1, [taken])]

        @pytest.mark.parametrize("wildcard", sorted(wildcard_numbers))
        def test_a_wildcard_character_in_the_account_id_matches_only_itself(
            self, urjanet_db: UrjanetTestDatabase, wildcard: str
        ) -> None:
            from datafeeds_core.urjanet.model import UrjanetData

            number = wildcard_numbers[wildcard]
            urjanet_db.seed(
                UrjanetData(
                    (
                        statement(1, account_number, provider, (taken,)),
                        statement(2, number, provider, (taken,)),
                    )
                )
            )
            assert selected(urjanet_db, as_given(number)) == [(2, [taken])]

        def test_other_keys_are_not_served(self) -> None:
            other = "other-urjanet"
            assert hook(other, DataSourceContext(other, utility_account_id="1")) is None

    return TestSelection


# ---------------------------------------------------------------- water rules suites
# `generic_water_suite(T)` / `end_minus_one_day_water_suite(T)`: the tests a water plugin owes
# when its transformer is GENERIC_WATER, or GENERIC_WATER with `end_minus_one_day` periods.


def water_statement(
    pk: int,
    span: tuple[Any, Any],
    statement: Any = None,
    usages: tuple[Any, ...] = (),
    **amounts: Any,
) -> Any:
    """A water statement over `span` (IntervalStart, IntervalEnd), stated on `statement`
    (2020-06-01 by default; pass `None` for none), one water meter (tariff W1) with `usages`."""
    from datetime import date

    from datafeeds_core.urjanet.model import Account, Meter

    return Account(
        PK=pk,
        StatementDate=date(2020, 6, 1) if statement is None else statement,
        IntervalStart=span[0],
        IntervalEnd=span[1],
        meters=(Meter(PK=pk, ServiceType="water", Tariff="W1", usages=usages),),
        **amounts,
    )


def total_usage(pk: int, amount: str, unit: str = "ccf", component: str = "[total]") -> Any:
    """A usage of `amount` `unit` (the `[total]` component by default)."""
    from decimal import Decimal

    from datafeeds_core.urjanet.model import Usage

    return Usage(PK=pk, UsageAmount=Decimal(amount), EnergyUnit=unit, RateComponent=component)


def generic_water_suite(transformer: Callable[[Any], Any]) -> type:
    """A test class pinning the generic water rules (SPEC §4.2) on `transformer`."""
    from dataclasses import replace
    from datetime import date
    from decimal import Decimal

    from datafeeds_core.urjanet.model import UrjanetData

    jan = (date(2020, 1, 1), date(2020, 2, 1))
    feb = (date(2020, 2, 1), date(2020, 3, 1))
    mar = (date(2020, 3, 1), date(2020, 4, 1))
    apr = (date(2020, 4, 1), date(2020, 5, 1))
    stmt = water_statement

    class TestGenericWater:
        def test_touching_statements_become_periods_ending_a_day_before_the_next(self) -> None:
            result = transformer(UrjanetData((stmt(2, feb), stmt(1, jan))))
            assert [(p.start, p.end, p.tariff) for p in result.periods] == [
                (date(2020, 1, 1), date(2020, 1, 31), "W1"),
                (date(2020, 2, 1), date(2020, 3, 1), "W1"),
            ]

        def test_the_newest_statement_wins_an_overlap_and_the_other_is_reported(self) -> None:
            older = stmt(1, jan, statement=date(2020, 2, 5), NewCharges=Decimal("10"))
            correction = stmt(
                2, (date(2020, 1, 15), date(2020, 2, 1)), date(2020, 3, 5), NewCharges=Decimal("4")
            )
            result = transformer(UrjanetData((older, correction)))
            assert [(p.start, p.total_charge) for p in result.periods] == [
                (date(2020, 1, 15), Decimal("4"))
            ]
            assert [d.PK for d in result.dropped] == [1]

        def test_a_statement_without_a_statement_date_is_reported_not_used(self) -> None:
            undated = replace(stmt(1, jan), StatementDate=None)
            result = transformer(UrjanetData((undated,)))
            assert result.periods == ()
            assert [(d.PK, d.reason) for d in result.dropped] == [(1, "no statement date")]

        def test_total_is_new_charges_if_positive_else_bill_amount_when_nothing_is_owed_else_zero(
            self,
        ) -> None:
            statements = (
                stmt(1, jan, NewCharges=Decimal("25.50"), TotalBillAmount=Decimal("99")),
                stmt(
                    2,
                    feb,
                    NewCharges=Decimal("0"),
                    OutstandingBalance=Decimal("0"),
                    TotalBillAmount=Decimal("30"),
                ),
                stmt(
                    3,
                    mar,
                    NewCharges=Decimal("0"),
                    OutstandingBalance=Decimal("5"),
                    TotalBillAmount=Decimal("30"),
                ),
                stmt(4, apr, NewCharges=None, TotalBillAmount=Decimal("30")),
            )
            totals = [p.total_charge for p in transformer(UrjanetData(statements)).periods]
            assert totals == [Decimal("25.50"), Decimal("30"), Decimal("0"), Decimal("0")]

        def test_usage_is_the_deduplicated_total_usages_converted_by_their_unit_and_no_peak(
            self,
        ) -> None:
            usages = (
                total_usage(1, "1000", "gallons"),
                total_usage(2, "1000", "gallons"),  # same amount, unit and dates: counted once
                total_usage(3, "500", "gallons"),
                total_usage(4, "700", "gallons", "[tier1]"),
            )
            (period,) = transformer(UrjanetData((stmt(1, jan, usages=usages),))).periods
            assert period.total_usage == Decimal("1500") * Decimal("0.0013368")
            assert period.peak_demand is None

    return TestGenericWater


def end_minus_one_day_water_suite(transformer: Callable[[Any], Any]) -> type:
    """A test class pinning, on `transformer`, periods that end the day before the statement's
    IntervalEnd (SPEC §4.3) followed by the generic water rules (SPEC §4.2)."""
    from datetime import date
    from decimal import Decimal

    from datafeeds_core.urjanet.model import UrjanetData

    def stmt(pk: int, start: date, end: date, **rest: Any) -> Any:
        return water_statement(pk, (start, end), **rest)

    def spans(data: Any) -> list[tuple[date, date]]:
        return [(p.start, p.end) for p in transformer(data).periods]

    class TestEndMinusOneDayWater:
        def test_each_period_ends_the_day_before_the_statements_interval_end(self) -> None:
            data = UrjanetData(
                (
                    stmt(1, date(2020, 1, 1), date(2020, 2, 1)),
                    stmt(2, date(2020, 2, 1), date(2020, 3, 1)),
                )
            )
            assert spans(data) == [
                (date(2020, 1, 1), date(2020, 1, 31)),
                (date(2020, 2, 1), date(2020, 2, 29)),
            ]

        def test_the_overlap_test_uses_the_shortened_period(self) -> None:
            # Raw intervals share 2020-01-31; shortened by a day they only touch, so both are
            # kept and the earlier one then ends a day before the next begins.
            data = UrjanetData(
                (
                    stmt(1, date(2020, 1, 1), date(2020, 2, 1), statement=date(2020, 2, 5)),
                    stmt(2, date(2020, 1, 31), date(2020, 3, 1), statement=date(2020, 3, 5)),
                )
            )
            assert spans(data) == [
                (date(2020, 1, 1), date(2020, 1, 30)),
                (date(2020, 1, 31), date(2020, 2, 29)),
            ]

        def test_a_one_day_statement_is_reported_not_turned_into_an_empty_period(self) -> None:
            result = transformer(UrjanetData((stmt(1, date(2020, 1, 1), date(2020, 1, 2)),)))
            assert result.periods == ()
            assert [d.PK for d in result.dropped] == [1]

        def test_a_second_run_over_the_same_statements_gives_the_same_periods(self) -> None:
            data = UrjanetData((stmt(1, date(2020, 1, 1), date(2020, 2, 1)),))
            assert spans(data) == spans(data) == [(date(2020, 1, 1), date(2020, 1, 31))]
            assert data.accounts[0].IntervalEnd == date(2020, 2, 1)

        def test_total_and_usage_follow_the_generic_water_rules(self) -> None:
            usage = total_usage(1, "12", "HCF")
            data = UrjanetData(
                (
                    stmt(
                        1,
                        date(2020, 1, 1),
                        date(2020, 2, 1),
                        usages=(usage,),
                        NewCharges=Decimal("40.10"),
                    ),
                    stmt(
                        2,
                        date(2020, 2, 1),
                        date(2020, 3, 1),
                        NewCharges=Decimal("0"),
                        OutstandingBalance=Decimal("0"),
                        TotalBillAmount=Decimal("7"),
                    ),
                    stmt(3, date(2020, 3, 1), date(2020, 4, 1), NewCharges=Decimal("-3")),
                )
            )
            periods = transformer(data).periods
            assert [(p.total_charge, p.total_usage, p.peak_demand) for p in periods] == [
                (Decimal("40.10"), Decimal("12.0"), None),
                (Decimal("7"), Decimal("0"), None),
                (Decimal("0"), Decimal("0"), None),
            ]

    return TestEndMinusOneDayWater
