"""Queries the run dashboard (`datafeeds web`) adds to `run_history`: scraper keys, last
successes, outcomes per day, and the totals `/metrics` exports; and a read-only engine.

Each is one query whose cost follows the window it reads or the number of scrapers, not the
length of the history (indexes of migration 0002), except the all-time totals of `/metrics`
(a Prometheus scrape, not a page).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Date, cast, func, select

from datafeeds_core.platform.failures import platform_errors
from datafeeds_core.platform.run_history import SUCCESS
from datafeeds_core.platform.run_model import aware as _aware
from datafeeds_core.platform.run_records import FINAL
from datafeeds_core.platform.schema import datafeeds_run

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

# Upper bounds (seconds) of the job-duration histogram: a job takes seconds to many minutes.
DURATION_BUCKETS = (1.0, 5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0)


def read_only_engine(url: str) -> Engine:
    """An engine whose sessions cannot write: PostgreSQL transactions are read only, SQLite
    connections are `query_only`. The dashboard needs nothing more (a read-only role is still
    the real guarantee: docs/dashboard.md)."""
    from sqlalchemy import event

    from datafeeds_core.database import make_engine

    engine = make_engine(url)
    backend = engine.dialect.name

    @event.listens_for(engine, "connect")
    def _read_only(dbapi_conn: Any, _record: Any) -> None:
        cursor = dbapi_conn.cursor()
        if backend == "postgresql":
            cursor.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
            dbapi_conn.commit()  # psycopg opened a transaction for the SET
        elif backend == "sqlite":
            cursor.execute("PRAGMA query_only=ON")
        cursor.close()

    return engine


def scraper_last_successes(engine: Engine) -> dict[str, datetime | None]:
    """Every scraper key in the history, with when it last finished a run that succeeded (or
    found no new data), None if never. One query whose cost follows the number of scrapers,
    not of runs: a loose index scan over the keys (a recursive CTE stepping from one key to
    the next), then one descent of (scraper, status, finished_at) per key and status."""
    t = datafeeds_run
    later = t.alias("later")
    keys = select(func.min(t.c.scraper).label("key")).cte("scraper_keys", recursive=True)
    following = (
        select(func.min(later.c.scraper)).where(later.c.scraper > keys.c.key).scalar_subquery()
    )
    keys = keys.union_all(select(following).where(keys.c.key.is_not(None)))
    done = t.alias("done")
    last = [
        select(func.max(done.c.finished_at))
        .where(done.c.scraper == keys.c.key, done.c.status == status)
        .scalar_subquery()
        for status in SUCCESS
    ]
    found: dict[str, datetime | None] = {}
    with platform_errors(), engine.connect() as conn:
        for key, *finished in conn.execute(
            select(keys.c.key, *last).where(keys.c.key.is_not(None))
        ):
            times = [w for w in (_aware(f) for f in finished) if w is not None]
            found[key] = max(times) if times else None
    return found


@dataclass(frozen=True)
class DayOutcome:
    day: date
    scraper: str
    status: str
    runs: int


def daily_outcomes(
    engine: Engine, *, since: datetime, until: datetime | None = None
) -> list[DayOutcome]:
    """Finished, non-dry runs queued in [since, until), counted per UTC day, scraper and
    status (an index-only range scan of ix_datafeeds_run_queued_at_scraper_status)."""
    t = datafeeds_run
    if engine.dialect.name == "postgresql":
        day: Any = cast(func.timezone("UTC", t.c.queued_at), Date)
    else:  # SQLite stores UTC text: its first ten characters are the day
        day = func.date(t.c.queued_at)
    query = (
        select(day.label("day"), t.c.scraper, t.c.status, func.count().label("runs"))
        .where(t.c.queued_at >= since, t.c.dry_run.is_(False), t.c.status.in_(FINAL))
        .group_by(day, t.c.scraper, t.c.status)
    )
    if until is not None:
        query = query.where(t.c.queued_at < until)
    with platform_errors(), engine.connect() as conn:
        rows = conn.execute(query).all()
    return sorted(
        (
            DayOutcome(
                r.day if isinstance(r.day, date) else date.fromisoformat(str(r.day)),
                r.scraper or "(unknown)",
                r.status,
                int(r.runs),
            )
            for r in rows
        ),
        key=lambda d: (d.day, d.scraper, d.status),
    )


# ---------------------------------------------------------------- /metrics


@dataclass(frozen=True)
class DurationHistogram:
    """Cumulative counts of finished runs per duration bucket (Prometheus `le` semantics)."""

    scraper: str
    buckets: Mapping[float, int]  # upper bound -> runs that took at most that long
    count: int
    total_s: float


@dataclass(frozen=True)
class RunTotals:
    by_status: Mapping[tuple[str, str], int]  # (scraper, status) -> runs
    durations: Sequence[DurationHistogram]


def run_totals(engine: Engine, buckets: Sequence[float] = DURATION_BUCKETS) -> RunTotals:
    """All-time runs per scraper and status, and the duration histogram of finished runs per
    scraper (dry runs included: they are jobs too). Two queries."""
    from sqlalchemy import case

    t = datafeeds_run
    finished = t.c.duration_s.is_not(None)
    with platform_errors(), engine.connect() as conn:
        by_status = conn.execute(
            select(t.c.scraper, t.c.status, func.count()).group_by(t.c.scraper, t.c.status)
        ).all()
        per_bucket = conn.execute(
            select(
                t.c.scraper,
                func.count(),
                func.sum(t.c.duration_s),
                *(func.sum(case((t.c.duration_s <= b, 1), else_=0)) for b in buckets),
            )
            .where(finished)
            .group_by(t.c.scraper)
            .order_by(t.c.scraper)
        ).all()
    histograms = [
        DurationHistogram(
            row[0] or "(unknown)",
            {b: int(n or 0) for b, n in zip(buckets, row[3:], strict=True)},
            int(row[1]),
            float(row[2] or 0.0),
        )
        for row in per_bucket
    ]
    return RunTotals(
        {(scraper or "(unknown)", status): int(n) for scraper, status, n in by_status},
        histograms,
    )
