"""`datafeeds runs`: the run history (list, show, stats) and what acts on runs (cancel, rerun,
sync, prune)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from datafeeds_core.services.databases import embedded_platform_file, platform_engine

if TYPE_CHECKING:
    from datafeeds_core.executors.local.executor import Observer
    from datafeeds_core.executors.local.fleet import LaunchReport
    from datafeeds_core.executors.local.liveness import SyncReport
    from datafeeds_core.platform.run_history import PruneReport, RunStats
    from datafeeds_core.platform.run_model import RunRecord


@dataclass(frozen=True)
class RunDetails:
    run: RunRecord
    log_tail: list[str] | None  # None: the log is not a local file


@dataclass(frozen=True)
class Rerun:
    report: LaunchReport
    exit_code: int  # the job's


def list_runs(
    *,
    scraper: str | None,
    oid: int | None,
    status: str | None,
    since: datetime | None,
    limit: int,
) -> list[RunRecord]:
    """Runs, newest first; read straight from the embedded SQLite file when it is one."""
    embedded = embedded_platform_file(oid)
    if embedded is not None:  # the everyday case, without importing SQLAlchemy
        from datafeeds_core.platform.listing import Unreadable
        from datafeeds_core.platform.listing import list_runs as read_file

        try:
            return read_file(
                embedded, scraper=scraper, data_source=oid, status=status, since=since, limit=limit
            )
        except Unreadable:
            pass
    from datafeeds_core.platform.run_history import list_runs as read_runs

    with platform_engine() as engine:
        return read_runs(
            engine, scraper=scraper, data_source=oid, status=status, since=since, limit=limit
        )


def show(run_id: int, *, lines: int) -> RunDetails:
    """One run with the last `lines` lines of its log."""
    from datafeeds_core.platform.run_history import log_tail
    from datafeeds_core.platform.run_records import get_run

    with platform_engine() as engine:
        run = get_run(engine, run_id)
    return RunDetails(run, log_tail(run.log_location, lines))


def stats(*, since: datetime, scraper: str | None, stale_days: float | None) -> RunStats:
    from datafeeds_core.platform.run_history import run_stats

    stale_after = timedelta(days=stale_days) if stale_days is not None else None
    with platform_engine() as engine:
        return run_stats(engine, since=since, scraper=scraper, stale_after=stale_after)


def cancel(run_id: int) -> RunRecord:
    from datafeeds_core.platform.run_history import cancel_run

    with platform_engine() as engine:
        return cancel_run(engine, run_id)


def rerun(run_id: int, *, timeout_s: float, observer: Observer | None) -> Rerun:
    """The run's data source, dates and dry-run flag again, as a new run in a child process;
    its exit code is the job's (1 when the job has none of its own)."""
    from datafeeds_core.config import settings
    from datafeeds_core.executors.local.fleet import rerun as rerun_job

    report = rerun_job(settings(), run_id, timeout_s=timeout_s, observer=observer)
    [result] = report.results
    code = result.exit_code if result.exit_code is not None and result.exit_code > 0 else 1
    return Rerun(report, 0 if result.ok else code)


def sync(*, dry_run: bool) -> SyncReport:
    """Mark lost the local runs whose process is gone (only list them with `dry_run`)."""
    from datafeeds_core.config import settings
    from datafeeds_core.executors.local.liveness import sync as sync_runs

    with platform_engine() as engine:
        return sync_runs(engine, settings().home, write=not dry_run)


def prune() -> PruneReport | None:
    """Delete finished runs older than the retention; None when no retention is set."""
    from datafeeds_core.config import settings
    from datafeeds_core.platform.run_history import prune_runs

    cfg = settings()
    if cfg.run_retention_days is None:
        return None
    with platform_engine() as engine:
        return prune_runs(engine, retention_days=cfg.run_retention_days, log_dir=cfg.run_log_dir)
