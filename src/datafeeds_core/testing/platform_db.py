"""`platform_db`: a platform database for a test, with builders of its rows.

One database per backend per session, initialised once; every test starts from empty tables
(rows are deleted at teardown). The backends: `sqlite` and `postgresql` hold the schema
`datafeeds db init` makes on an empty database; `production` holds the production schema (loaded
from its dump; see `locations.platform_schema`) with `datafeeds db init` run on top.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from sqlalchemy import Table
    from sqlalchemy.engine import Engine

    from datafeeds_core.platform.datasources import JobTarget
    from datafeeds_core.testing.servers import DatabaseFactory

PlatformBackend = Literal["sqlite", "postgresql", "production"]
PLATFORM_BACKENDS: tuple[PlatformBackend, ...] = ("sqlite", "postgresql", "production")


def _new_oid() -> int:
    """An oid for a table whose oid the application chooses (meter, building)."""
    return 1_000_000 + uuid.uuid4().int % 1_000_000_000


@dataclass
class PlatformTestDatabase:
    """A platform database: `add_*` make account, service, meter, building, data-source and bill
    rows (`add_target` a whole job target); `rows` reads a table back."""

    backend: PlatformBackend
    url: str
    engine: Engine

    def _insert(self, table: Table, **values: Any) -> int:
        with self.engine.begin() as conn:
            return int(
                conn.execute(
                    table.insert().values(**values).returning(*table.primary_key.columns)
                ).scalar_one()
            )

    def add_account(self, name: str = "Test account") -> int:
        """A snapmeter_account; returns its oid."""
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
        """A utility_service (other columns as `values`); returns its oid."""
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
        """A meter of `service` (linked to `account` when given); returns its oid."""
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
        """A snapmeter_meter_data_source of `meter` for `scraper_key`; returns its oid."""
        from datafeeds_core.platform import schema

        return self._insert(
            schema.snapmeter_meter_data_source,
            hex_id=uuid.uuid4().hex[:16],
            meter=meter,
            name=scraper_key,
            meta=meta or {},
            source_types=list(source_types),
        )

    def add_target(self, scraper_key: str = "test-urjanet", **service_values: Any) -> JobTarget:
        """Account, service, meter and data source; returns the `JobTarget`."""
        from datafeeds_core.platform.datasources import find_target

        account = self.add_account()
        meter = self.add_meter(self.add_service(**service_values), account=account)
        oid = self.add_data_source(meter, scraper_key)
        with self.engine.connect() as conn:
            return find_target(conn, oid)

    def add_bill(
        self, service: int, initial: date | datetime, closing: date | datetime, **values: Any
    ) -> int:
        """A bill of `service` from `initial` to `closing` (other columns as `values`)."""
        from datafeeds_core.platform import schema

        row = {"cost": 100.0, "used": 10.0, "manual": False, "visible": True, "source": "webapps"}
        return self._insert(
            schema.bill, service=service, initial=initial, closing=closing, **{**row, **values}
        )

    def enrol_in_bill_audit(self, meter: int, status: str = "active") -> None:
        """Enrol `meter` in the bill-audit product."""
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
        """Delete every row (the schema stays)."""
        from sqlalchemy import delete

        from datafeeds_core.platform import schema

        tables = [*schema.own_metadata.sorted_tables, *schema.platform_metadata.sorted_tables]
        with self.engine.begin() as conn:
            for table in reversed(tables):
                conn.execute(delete(table))


class PlatformDatabases:
    """The session's platform databases, made and initialised on first use per backend."""

    def __init__(self, factory: DatabaseFactory) -> None:
        self._factory = factory
        self._made: dict[PlatformBackend, PlatformTestDatabase] = {}

    def get(self, backend: PlatformBackend) -> PlatformTestDatabase:
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
