"""Feed configuration (`datafeeds_feed_config`) and which data sources are due.

One row per scraper key: `enabled`, `queue` (datafeeds-high|medium|low), `weekday`. A scraper
with no row is not enabled. `weekday` limits a feed to one day of the week, numbered as Python's
`date.weekday()`: Monday = 0 … Sunday = 6; NULL means every day. `sequential` and
`utility_account_scope` are kept as webapps wrote them (datafeeds does not act on them yet).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import TYPE_CHECKING, Any, Final, Literal

from sqlalchemy import insert, select, update

from datafeeds_core.errors import ConfigurationError, UsageError
from datafeeds_core.platform.failures import platform_errors
from datafeeds_core.platform.schema import (
    QUEUES,
    datafeeds_feed_config,
    snapmeter_meter_data_source,
)

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine

Queue = Literal["datafeeds-high", "datafeeds-medium", "datafeeds-low"]
DEFAULT_QUEUE: Final = "datafeeds-medium"
# The column is boolean NOT NULL; rows we create say false (one job per data source, not per
# utility account).
DEFAULT_UTILITY_ACCOUNT_SCOPE: Final = False
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class _Unchanged(Enum):
    UNCHANGED = "unchanged"


UNCHANGED: Final = _Unchanged.UNCHANGED  # "leave this column as it is" (weekday None = every day)


@dataclass(frozen=True)
class FeedConfig:
    name: str
    enabled: bool
    queue: str
    weekday: int | None  # Monday = 0 … Sunday = 6; None = every day
    sequential: bool
    utility_account_scope: bool

    def due_on(self, day: date) -> bool:
        return self.enabled and (self.weekday is None or self.weekday == day.weekday())


@dataclass(frozen=True)
class DueSource:
    """A meter data source to run, with the queue its scraper's feed configuration names."""

    oid: int
    scraper_key: str
    queue: str


def queue_name(value: str) -> str:
    """`high` or `datafeeds-high` → `datafeeds-high`; anything else is a usage error."""
    name = value if value.startswith("datafeeds-") else f"datafeeds-{value}"
    if name not in QUEUES:
        short = ", ".join(q.removeprefix("datafeeds-") for q in QUEUES)
        raise UsageError(f"queue must be one of {short}; got {value!r}")
    return name


def _check_weekday(weekday: int | None) -> None:
    if weekday is not None and not 0 <= weekday <= 6:
        raise UsageError(f"weekday must be 0 (Monday) … 6 (Sunday) or none; got {weekday}")


def _config(row: Any) -> FeedConfig:
    return FeedConfig(
        name=row.name,
        enabled=bool(row.enabled),
        queue=row.queue or DEFAULT_QUEUE,
        weekday=row.weekday,
        sequential=bool(row.sequential),
        utility_account_scope=bool(row.utility_account_scope),
    )


def list_feeds(conn: Connection) -> list[FeedConfig]:
    """Every feed configuration, by name."""
    fc = datafeeds_feed_config
    with platform_errors():
        rows = conn.execute(select(fc).order_by(fc.c.name)).all()
    return [_config(r) for r in rows]


def get_feed(conn: Connection, name: str) -> FeedConfig | None:
    fc = datafeeds_feed_config
    with platform_errors():
        row = conn.execute(select(fc).where(fc.c.name == name)).first()
    return _config(row) if row is not None else None


def set_feed(
    engine: Engine,
    name: str,
    *,
    enabled: bool | None = None,
    queue: str | None = None,
    weekday: int | None | _Unchanged = UNCHANGED,
) -> FeedConfig:
    """Change (or create) the feed configuration of scraper `name`; returns it as stored.

    Arguments left out keep their value; a new row starts disabled, on the medium queue, every
    day. `weekday=None` means every day.
    """
    if not name:
        raise UsageError("a feed needs a scraper key")
    values: dict[str, object] = {}
    if enabled is not None:
        values["enabled"] = enabled
    if queue is not None:
        values["queue"] = queue_name(queue)
    if weekday is not UNCHANGED:
        _check_weekday(weekday)
        values["weekday"] = weekday
    fc = datafeeds_feed_config
    with platform_errors(), engine.begin() as conn:
        exists = conn.execute(select(fc.c.name).where(fc.c.name == name).with_for_update()).first()
        if exists is None:
            conn.execute(
                insert(fc).values(
                    name=name,
                    enabled=values.get("enabled", False),
                    sequential=False,
                    weekday=values.get("weekday"),
                    utility_account_scope=DEFAULT_UTILITY_ACCOUNT_SCOPE,
                    queue=values.get("queue", DEFAULT_QUEUE),
                )
            )
        elif values:
            conn.execute(update(fc).where(fc.c.name == name).values(**values))
        found = get_feed(conn, name)
    assert found is not None
    return found


def data_source_counts(conn: Connection) -> dict[str, int]:
    """How many meter data sources each scraper key has (one query)."""
    from sqlalchemy import func

    mds = snapmeter_meter_data_source
    with platform_errors():
        rows = conn.execute(select(mds.c.name, func.count()).group_by(mds.c.name)).all()
    return {str(name): int(n) for name, n in rows if name}


def overview(engine: Engine) -> tuple[list[FeedConfig], dict[str, int]]:
    """Every feed configuration, and how many data sources each scraper key has."""
    with platform_errors(), engine.connect() as conn:
        return list_feeds(conn), data_source_counts(conn)


def due_data_sources(
    conn: Connection,
    *,
    today: date,
    scraper: str | None = None,
    oids: Collection[int] | None = None,
) -> list[DueSource]:
    """Data sources whose scraper's feed is enabled and due `today` (its weekday, or every day),
    narrowed to one scraper and/or some oids; ordered by oid. One query."""
    mds, fc = snapmeter_meter_data_source, datafeeds_feed_config
    query = (
        select(mds.c.oid, mds.c.name, fc.c.queue)
        .join(fc, fc.c.name == mds.c.name)
        .where(fc.c.enabled.is_(True))
        .where((fc.c.weekday.is_(None)) | (fc.c.weekday == today.weekday()))
        .order_by(mds.c.oid)
    )
    if scraper is not None:
        query = query.where(mds.c.name == scraper)
    if oids is not None:
        query = query.where(mds.c.oid.in_(list(oids)))
    with platform_errors():
        rows = conn.execute(query).all()
    return [DueSource(int(r.oid), str(r.name), r.queue or DEFAULT_QUEUE) for r in rows]


def chosen_data_sources(
    conn: Connection, *, scraper: str | None = None, oids: Collection[int] | None = None
) -> list[DueSource]:
    """Data sources named explicitly (a scraper's, or by oid), whatever their feed configuration
    says; ordered by oid. An oid that names no data source (of `scraper`, when both are given) is
    a configuration error. One query."""
    if scraper is None and oids is None:
        raise UsageError("choose data sources by scraper or by oid")
    mds, fc = snapmeter_meter_data_source, datafeeds_feed_config
    query = (
        select(mds.c.oid, mds.c.name, fc.c.queue)
        .outerjoin(fc, fc.c.name == mds.c.name)
        .order_by(mds.c.oid)
    )
    if scraper is not None:
        query = query.where(mds.c.name == scraper)
    if oids is not None:
        query = query.where(mds.c.oid.in_(list(oids)))
    with platform_errors():
        rows = conn.execute(query).all()
    if oids is not None:
        missing = sorted(set(oids) - {int(r.oid) for r in rows})
        if missing:
            of = f" of scraper {scraper}" if scraper is not None else ""
            raise ConfigurationError(
                f"no meter data source{of} with oid " + ", ".join(str(o) for o in missing)
            )
    return [DueSource(int(r.oid), str(r.name or ""), r.queue or DEFAULT_QUEUE) for r in rows]
