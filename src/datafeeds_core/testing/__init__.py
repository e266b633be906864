"""The test kit: a pytest plugin for datafeeds and its plugin authors (registered through the
`pytest11` entry point `datafeeds = "datafeeds_core.testing"`; installing datafeeds-core makes
its fixtures available to every test, with no import).

What lives where:

- `plugin` — the fixtures, markers (`postgres`, `mariadb`, `slow`) and the header line:
  `urjanet_db` (a Urjanet database, run on SQLite and MariaDB), `platform_db` (a platform
  database, run on SQLite, PostgreSQL and `production`), `datafeeds_cli` (the command in a
  subprocess), `database_factory` (new empty databases of any backend, session scoped).
- `servers` — finding PostgreSQL and MariaDB servers (a URL setting, else testcontainers when
  Docker answers, else the local port) and `DatabaseFactory`, which creates and drops databases.
- `urjanet_db` — `UrjanetTestDatabase`: `seed(data)`, `seed_fixture_json(path)`,
  `load(selection)` through the core loader, `url`.
- `platform_db` — `PlatformTestDatabase`: `add_account`, `add_service`, `add_meter`,
  `add_building`, `add_data_source`, `add_target` (a whole job target), `add_bill`,
  `enrol_in_bill_audit`, `rows(table, **where)`, `url`.
- `cli` — `DatafeedsCli`, behind `datafeeds_cli`.
- `suites` — `conformance_suite`, `selection_suite`, `generic_water_suite`,
  `end_minus_one_day_water_suite`: tests a plugin assigns in its own test modules.
- `builders` — `statement`, `meter`, `charge`, `usage`, `urjanet_data` (and `spans`,
  `only_period`) for hand-made Urjanet statements in rule and selection tests.
- `locations` — the reference fixtures ($DATAFEEDS_REFERENCE_FIXTURES) and the production
  platform schema ($DATAFEEDS_PLATFORM_SCHEMA), each with one default beside the checkout;
  the pytest header reports both.

Database servers skip their tests when none is found, except under CI (then they fail).
"""

from __future__ import annotations

from datafeeds_core.testing.cli import DatafeedsCli
from datafeeds_core.testing.locations import (
    FIXTURES_VAR,
    PLATFORM_SCHEMA_VAR,
    platform_schema,
    reference_fixtures,
    reference_fixtures_dir,
)
from datafeeds_core.testing.platform_db import (
    PLATFORM_BACKENDS,
    PlatformBackend,
    PlatformDatabases,
    PlatformTestDatabase,
)
from datafeeds_core.testing.servers import (
    MARIADB_IMAGE_VAR,
    MARIADB_READY_VAR,
    MYSQL_VAR,
    POSTGRES_IMAGE_VAR,
    POSTGRES_VAR,
    Backend,
    DatabaseFactory,
    Server,
    ServerBackend,
    find_server,
    unavailable,
)
from datafeeds_core.testing.suites import (
    conformance_suite,
    end_minus_one_day_water_suite,
    generic_water_suite,
    selection_suite,
)
from datafeeds_core.testing.urjanet_db import (
    URJANET_BACKENDS,
    UrjanetBackend,
    UrjanetDatabases,
    UrjanetTestDatabase,
)

# The fixtures and hooks live in `plugin`; pytest registers it with this entry-point module.
pytest_plugins = ["datafeeds_core.testing.plugin"]

__all__ = [
    "FIXTURES_VAR",
    "MARIADB_IMAGE_VAR",
    "MARIADB_READY_VAR",
    "MYSQL_VAR",
    "PLATFORM_BACKENDS",
    "PLATFORM_SCHEMA_VAR",
    "POSTGRES_IMAGE_VAR",
    "POSTGRES_VAR",
    "URJANET_BACKENDS",
    "Backend",
    "DatabaseFactory",
    "DatafeedsCli",
    "PlatformBackend",
    "PlatformDatabases",
    "PlatformTestDatabase",
    "Server",
    "ServerBackend",
    "UrjanetBackend",
    "UrjanetDatabases",
    "UrjanetTestDatabase",
    "conformance_suite",
    "end_minus_one_day_water_suite",
    "find_server",
    "generic_water_suite",
    "platform_schema",
    "reference_fixtures",
    "reference_fixtures_dir",
    "selection_suite",
    "unavailable",
]
