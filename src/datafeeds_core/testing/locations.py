"""Where the tests find the files they read but the repository does not hold.

Each location is one setting with one default, beside the checkout of datafeeds-core (the
folder holding `src/datafeeds_core`; CI clones it next to `shared/`):

- the reference fixtures: $DATAFEEDS_REFERENCE_FIXTURES, default `../shared/urjanet/fixtures`;
- the production platform schema dump: $DATAFEEDS_PLATFORM_SCHEMA, default
  `../shared/reference/platform-schema.sql` (read in place, never copied).

The pytest header reports both (path, and whether it exists).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

FIXTURES_VAR = "DATAFEEDS_REFERENCE_FIXTURES"
PLATFORM_SCHEMA_VAR = "DATAFEEDS_PLATFORM_SCHEMA"
# src/datafeeds_core/testing/locations.py -> the checkout (meaningful for a source checkout, as
# the repository's own tests and CI use; an installed copy sets the variables instead).
CHECKOUT = Path(__file__).resolve().parents[3]
FIXTURES_DEFAULT = "../shared/urjanet/fixtures"
PLATFORM_SCHEMA_DEFAULT = "../shared/reference/platform-schema.sql"


@dataclass(frozen=True)
class Location:
    """A file or folder the tests read: from its variable when set, else its default."""

    what: str
    var: str
    default: str  # relative to CHECKOUT
    value: str | None  # the variable's value, if set

    @property
    def path(self) -> Path:
        if self.value:
            return Path(self.value)
        return (CHECKOUT / self.default).resolve()

    def exists(self) -> bool:
        return self.path.exists()

    def describe(self) -> str:
        """One line for the pytest header: the path, where it came from, whether it exists."""
        origin = f"${self.var}" if self.value else f"default {self.default} beside {CHECKOUT}"
        state = "" if self.exists() else " - MISSING"
        return f"{self.what}: {self.path} ({origin}){state}"

    def missing(self) -> str:
        """What to do when it is missing."""
        origin = f"${self.var}" if self.value else f"the default, {self.default} beside {CHECKOUT}"
        return f"{self.what} not found at {self.path} (from {origin}); set {self.var} to its path"

    def require(self) -> Path:
        """The path; fails the calling test with `missing()` when it does not exist."""
        if not self.exists():
            import pytest  # only a test calls this; a benchmark reads `exists()` and `missing()`

            pytest.fail(self.missing(), pytrace=False)
        return self.path


def reference_fixtures() -> Location:
    """The reference fixture folder (manifest.json, per-utility folders, the CSV expectations)."""
    return Location(
        "reference fixtures", FIXTURES_VAR, FIXTURES_DEFAULT, os.environ.get(FIXTURES_VAR)
    )


def platform_schema() -> Location:
    """The production platform schema (a schema-only pg_dump) the `production` backend loads."""
    return Location(
        "platform schema",
        PLATFORM_SCHEMA_VAR,
        PLATFORM_SCHEMA_DEFAULT,
        os.environ.get(PLATFORM_SCHEMA_VAR),
    )


def reference_fixtures_dir() -> Path:
    """The reference fixture folder; fails the calling test with what to set when it is missing."""
    return reference_fixtures().require()
