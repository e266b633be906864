"""`urjanet_db`: a Urjanet database (the schema `datafeeds_core.urjanet.schema` creates) for a test.

One database per backend (SQLite, MariaDB) per session, its schema created once; every test
starts from empty tables (rows are deleted at teardown).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import pytest

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from datafeeds_core.plugin_api.contract import Selection
    from datafeeds_core.testing.servers import DatabaseFactory
    from datafeeds_core.urjanet.model import UrjanetData
    from datafeeds_core.urjanet.schema import Delivery

UrjanetBackend = Literal["sqlite", "mariadb"]
URJANET_BACKENDS: tuple[UrjanetBackend, ...] = ("sqlite", "mariadb")


@dataclass
class UrjanetTestDatabase:
    """A Urjanet database: seed statements into it, load them back through the core loader."""

    backend: UrjanetBackend
    url: str
    engine: Engine

    def seed(self, data: UrjanetData, *, tables: Delivery = "sql") -> UrjanetData:
        """Insert UrjanetData; returns it as stored (PKs assigned where they were None)."""
        from datafeeds_core.urjanet.seed import seed

        return seed(self.engine, data, tables=tables)

    def seed_fixture_json(self, path: Path | str, *, tables: Delivery = "sql") -> UrjanetData:
        """Insert an input fixture (the reference fixtures' JSON); returns the data as stored."""
        from datafeeds_core.urjanet.fixture_json import load_urjanet_data

        return self.seed(load_urjanet_data(Path(path)), tables=tables)

    def load(self, selection: Selection | None, *, tables: Delivery | None = None) -> UrjanetData:
        """The statements `selection` names, as the job's loader reads them. None (what a
        datasource hook returns for a key it does not serve) fails the test."""
        from datafeeds_core.urjanet.loader import load

        if selection is None:
            pytest.fail("no selection: the plugin's datasource hook does not serve this key")

        return load(self.engine, selection, tables=tables)

    def clear(self) -> None:
        """Delete every row (the schema stays)."""
        from sqlalchemy import delete

        from datafeeds_core.urjanet.schema import metadata

        with self.engine.begin() as conn:
            for table in reversed(metadata.sorted_tables):
                conn.execute(delete(table))


class UrjanetDatabases:
    """The session's Urjanet databases, made on first use per backend."""

    def __init__(self, factory: DatabaseFactory) -> None:
        self._factory = factory
        self._made: dict[UrjanetBackend, UrjanetTestDatabase] = {}

    def get(self, backend: UrjanetBackend) -> UrjanetTestDatabase:
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
