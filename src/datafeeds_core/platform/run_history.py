"""Run history: listing, statistics, cancelling, log locations and retention of run records.

`run_records` writes one run's life (open, start, finish); this module reads across runs and
makes the operator's changes. Every query is constant in number (no query per run). Nothing
expires unless `DATAFEEDS_RUN_RETENTION_DAYS` is set and `prune_runs` is called.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import bindparam, case, delete, func, select, update

from datafeeds_core.errors import ConfigurationError, UsageError
from datafeeds_core.platform.failures import platform_errors
from datafeeds_core.platform.oids import checked_oid
from datafeeds_core.platform.run_model import RunRecord, check_executor, check_status, run_record
from datafeeds_core.platform.run_model import aware as _aware
from datafeeds_core.platform.run_records import FINAL, get_run
from datafeeds_core.platform.schema import datafeeds_run, snapmeter_meter_data_source

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from sqlalchemy.sql.elements import ColumnElement

SUCCESS = ("succeeded", "no-new-data")
FAILURE = ("failed", "timed-out", "lost")
CANCELLABLE = ("queued", "running")
_CHUNK = 500  # ids per IN (...) list


def _now() -> datetime:
    return datetime.now(UTC)


def list_runs(
    engine: Engine,
    *,
    scraper: str | None = None,
    data_source: int | None = None,
    status: str | None = None,
    since: datetime | None = None,
    limit: int | None = 50,
    executor: str | None = None,
    until: datetime | None = None,
    before: int | None = None,
) -> list[RunRecord]:
    """Runs, newest first, filtered by scraper, data source, status, executor and queue time
    (`since` inclusive, `until` exclusive). `before` pages by key: only runs with a smaller id
    (the last id of the previous page), so a page costs the same however deep it is."""
    t = datafeeds_run
    query = select(t).order_by(t.c.id.desc())
    if scraper is not None:
        query = query.where(t.c.scraper == scraper)
    if data_source is not None:
        query = query.where(t.c.data_source == checked_oid(data_source, "data source"))
    if status is not None:
        query = query.where(t.c.status == check_status(status))
    if executor is not None:
        query = query.where(t.c.executor == check_executor(executor))
    if since is not None:
        query = query.where(t.c.queued_at >= since)
    if until is not None:
        query = query.where(t.c.queued_at < until)
    if before is not None:
        query = query.where(t.c.id < before)
    if limit is not None:
        query = query.limit(limit)
    with platform_errors(), engine.connect() as conn:
        return [run_record(row) for row in conn.execute(query).mappings()]


def get_runs(engine: Engine, run_ids: Collection[int]) -> dict[int, RunRecord]:
    """The runs with these ids (unknown ids are left out)."""
    ids = sorted(set(run_ids))
    found: dict[int, RunRecord] = {}
    with platform_errors(), engine.connect() as conn:
        for i in range(0, len(ids), _CHUNK):
            rows = conn.execute(
                select(datafeeds_run).where(datafeeds_run.c.id.in_(ids[i : i + _CHUNK]))
            ).mappings()
            found.update((int(r["id"]), run_record(r)) for r in rows)
    return found


def statuses(engine: Engine, run_ids: Collection[int]) -> dict[int, str]:
    """The current status of each run (a launcher's cheap poll)."""
    ids = sorted(set(run_ids))
    found: dict[int, str] = {}
    t = datafeeds_run
    with platform_errors(), engine.connect() as conn:
        for i in range(0, len(ids), _CHUNK):
            rows = conn.execute(select(t.c.id, t.c.status).where(t.c.id.in_(ids[i : i + _CHUNK])))
            found.update((int(r.id), str(r.status)) for r in rows)
    return found


def set_log_locations(engine: Engine, locations: Mapping[int, str]) -> None:
    """Record where each run logs (one statement for all of them)."""
    if not locations:
        return
    t = datafeeds_run
    statement = (
        update(t).where(t.c.id == bindparam("run_id")).values(log_location=bindparam("location"))
    )
    with platform_errors(), engine.begin() as conn:
        conn.execute(
            statement, [{"run_id": k, "location": v} for k, v in sorted(locations.items())]
        )


def cancel_run(engine: Engine, run_id: int, reason: str = "cancelled by the operator") -> RunRecord:
    """A queued or running run becomes `cancelled` (a queued one is then never started; a local
    launcher stops a running one). A finished run cannot be cancelled (UsageError)."""
    t = datafeeds_run
    now = _now()
    checked_oid(run_id, "run")
    with platform_errors(), engine.begin() as conn:
        row = conn.execute(
            select(t.c.status, t.c.started_at).where(t.c.id == run_id).with_for_update()
        ).first()
        if row is None:
            raise ConfigurationError(f"no run with id {run_id}")
        if row.status not in CANCELLABLE:
            raise UsageError(
                f"run {run_id} is {row.status}; only a queued or running run can be cancelled"
            )
        started = _aware(row.started_at)
        conn.execute(
            update(t)
            .where(t.c.id == run_id)
            .values(
                status="cancelled",
                finished_at=now,
                duration_s=(now - started).total_seconds() if started else None,
                error_class="Cancelled",
                error_message=reason,
            )
        )
    return get_run(engine, run_id)


# ---------------------------------------------------------------- statistics


@dataclass(frozen=True)
class ScraperStats:
    """Finished, non-dry runs of one scraper queued since the window's start."""

    scraper: str
    runs: int
    by_status: Mapping[str, int]
    last_success: datetime | None

    @property
    def succeeded(self) -> int:
        return sum(self.by_status.get(s, 0) for s in SUCCESS)

    @property
    def failed(self) -> int:
        return sum(self.by_status.get(s, 0) for s in FAILURE)

    @property
    def success_rate(self) -> float | None:
        """Succeeded (or no new data) over succeeded plus failed; None with neither."""
        decided = self.succeeded + self.failed
        return self.succeeded / decided if decided else None


@dataclass(frozen=True)
class SourceFreshness:
    """When a data source last succeeded (any time) and how its latest run ended."""

    data_source: int
    scraper: str | None
    last_success: datetime | None
    last_run_id: int
    last_status: str
    now: datetime

    @property
    def staleness(self) -> timedelta | None:
        """Time since the last success; None when it never succeeded."""
        return self.now - self.last_success if self.last_success else None


@dataclass(frozen=True)
class RunStats:
    since: datetime
    scrapers: tuple[ScraperStats, ...]
    sources: tuple[SourceFreshness, ...]


def run_stats(
    engine: Engine,
    *,
    since: datetime,
    now: datetime | None = None,
    scraper: str | None = None,
    stale_after: timedelta | None = None,
) -> RunStats:
    """Success rate per scraper (runs queued since `since`), last success and staleness per data
    source (all time; only those stale longer than `stale_after`, or never successful, when
    given). Dry runs write nothing and are left out. Two queries."""
    return RunStats(
        since,
        scraper_stats(engine, since=since, scraper=scraper),
        source_freshness(engine, now=now, scraper=scraper, stale_after=stale_after),
    )


def scraper_stats(
    engine: Engine, *, since: datetime, scraper: str | None = None
) -> tuple[ScraperStats, ...]:
    """Finished, non-dry runs per scraper and status queued since `since`, with the last
    success among them. One query."""
    t = datafeeds_run
    where: list[ColumnElement[bool]] = [t.c.dry_run.is_(False)]
    if scraper is not None:
        where.append(t.c.scraper == scraper)
    with platform_errors(), engine.connect() as conn:
        per_status = conn.execute(
            select(t.c.scraper, t.c.status, func.count(), func.max(t.c.finished_at))
            .where(*where, t.c.queued_at >= since, t.c.status.in_(FINAL))
            .group_by(t.c.scraper, t.c.status)
        ).all()
    counts: dict[str, dict[str, int]] = {}
    last: dict[str, datetime | None] = {}
    for key, status, n, finished in per_status:
        name = key or "(unknown)"
        counts.setdefault(name, {})[status] = int(n)
        if status in SUCCESS:
            finished = _aware(finished)
            best = last.get(name)
            last[name] = finished if best is None or (finished and finished > best) else best
    return tuple(
        ScraperStats(name, sum(by.values()), by, last.get(name))
        for name, by in sorted(counts.items())
    )


def source_freshness(
    engine: Engine,
    *,
    now: datetime | None = None,
    scraper: str | None = None,
    stale_after: timedelta | None = None,
) -> tuple[SourceFreshness, ...]:
    """Per data source (all time, dry runs left out): the last success and the latest run;
    only those stale longer than `stale_after`, or never successful, when given; only data
    sources that exist. One query."""
    now = now or _now()
    t = datafeeds_run
    where: list[ColumnElement[bool]] = [t.c.dry_run.is_(False)]
    if scraper is not None:
        where.append(t.c.scraper == scraper)
    latest = (
        select(
            t.c.data_source,
            func.max(t.c.id).label("last_id"),
            func.max(case((t.c.status.in_(SUCCESS), t.c.finished_at))).label("last_success"),
        )
        .where(*where)
        .group_by(t.c.data_source)
        .subquery()
    )
    with platform_errors(), engine.connect() as conn:
        sources = conn.execute(
            select(latest.c.data_source, latest.c.last_success, t.c.id, t.c.status, t.c.scraper)
            .join(t, t.c.id == latest.c.last_id)
            # A run of a mistyped oid is not a data source.
            .join(
                snapmeter_meter_data_source,
                snapmeter_meter_data_source.c.oid == latest.c.data_source,
            )
            .order_by(latest.c.data_source)
        ).all()
    freshness = [
        SourceFreshness(
            int(r.data_source), r.scraper, _aware(r.last_success), int(r.id), r.status, now
        )
        for r in sources
    ]
    if stale_after is not None:
        freshness = [f for f in freshness if f.staleness is None or f.staleness > stale_after]
    return tuple(freshness)


# ---------------------------------------------------------------- retention


@dataclass(frozen=True)
class PruneReport:
    cutoff: datetime
    runs_deleted: int
    logs_deleted: int


def prune_runs(
    engine: Engine, *, retention_days: int, log_dir: Path | None = None, now: datetime | None = None
) -> PruneReport:
    """Delete finished runs that finished more than `retention_days` ago, and their log files
    when they live in `log_dir`. Queued and running runs are never pruned."""
    if retention_days <= 0:
        raise UsageError(f"the retention must be a positive number of days, got {retention_days}")
    cutoff = (now or _now()) - timedelta(days=retention_days)
    t = datafeeds_run
    old = (t.c.status.in_(FINAL), func.coalesce(t.c.finished_at, t.c.queued_at) < cutoff)
    with platform_errors(), engine.begin() as conn:
        rows = conn.execute(select(t.c.id, t.c.log_location).where(*old)).all()
        ids = [int(r.id) for r in rows]
        for i in range(0, len(ids), _CHUNK):
            conn.execute(delete(t).where(t.c.id.in_(ids[i : i + _CHUNK])))
    logs = 0
    root = log_dir.resolve() if log_dir is not None else None
    for r in rows:
        path = Path(r.log_location) if r.log_location else None
        if root is None or path is None or not path.resolve().is_relative_to(root):
            continue
        if path.is_file():
            path.unlink()
            logs += 1
    return PruneReport(cutoff, len(ids), logs)


def log_tail(location: str | None, lines: int) -> list[str] | None:
    """The last `lines` lines of a local log file; None when there is none to read."""
    if not location or "://" in location:
        return None
    path = Path(location)
    if not path.is_file():
        return None
    with path.open("rb") as f:
        f.seek(0, 2)
        size = f.tell()
        block = min(size, max(4096, lines * 400))
        while True:
            f.seek(size - block)
            data = f.read()
            if data.count(b"\n") > lines or block == size:
                break
            block = min(size, block * 2)
    text = data.decode("utf-8", errors="replace").splitlines()
    return text[-lines:] if lines > 0 else []
