"""Run records (`datafeeds_run`): one row per job, written in their own short transactions.

A run is opened before anything else happens (so a crash still leaves a trace), started when a
worker picks it up, and finished with its status, counts, timings and (redacted) error.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, Literal, get_args

from sqlalchemy import insert, select, update

from datafeeds_core.errors import ConfigurationError, JobFailed
from datafeeds_core.logs import printable, redact, redact_json
from datafeeds_core.platform.failures import platform_errors
from datafeeds_core.platform.oids import checked_oid
from datafeeds_core.platform.run_model import EXECUTORS, RUN_STATUSES, RunRecord, run_record
from datafeeds_core.platform.run_model import aware as _aware
from datafeeds_core.platform.schema import datafeeds_run

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

RunStatus = Literal[
    "queued",
    "running",
    "succeeded",
    "no-new-data",
    "failed",
    "timed-out",
    "cancelled",
    "lost",
    "dry-run",
]
Executor = Literal["local", "batch", "cli"]
COUNT_KEYS = (
    "new",
    "updated",
    "unchanged",
    "replaced",
    "skipped",
    "dropped_statements",
    "documents_fetched",
    "documents_reused",
    "documents_failed",
    "periods",
    # Other services that got the bills (same SAID and utility: bill-rules.md, Fan-out); each
    # service's own counts are in the run's details ("services").
    "fan_out_services",
)
# A retry (Batch attempt 2, …) may start a run whose previous attempt failed or vanished.
STARTABLE = ("queued", "running", "failed", "timed-out", "lost")
FINAL = ("succeeded", "no-new-data", "failed", "timed-out", "cancelled", "lost", "dry-run")
MAX_ERROR_MESSAGE = 4000

assert set(get_args(RunStatus)) == set(RUN_STATUSES)
assert set(get_args(Executor)) == set(EXECUTORS)


def _now() -> datetime:
    return datetime.now(UTC)


def _check(value: str, allowed: tuple[str, ...], what: str) -> None:
    if value not in allowed:
        raise ValueError(f"{what} must be one of {', '.join(allowed)}; got {value!r}")


def open_run(
    engine: Engine,
    *,
    data_source_oid: int,
    scraper_key: str | None,
    task_id: str,
    date_start: date | None,
    date_end: date | None,
    executor: str = "cli",  # one of Executor
    status: str = "running",  # queued | running
    dry_run: bool = False,
    meter_oid: int | None = None,
    batch_job_id: str | None = None,
    log_location: str | None = None,
) -> int:
    """A new run record, committed at once; returns its id.

    `status` is "running" for a job that starts now (attempt 1) or "queued" for one a launcher
    or Batch will start later (attempt 0 until `start_run`). `scraper_key` may be None when the
    data source is not loaded yet (`set_target` fills it in).
    """
    _check(executor, EXECUTORS, "executor")
    _check(status, ("queued", "running"), "a new run's status")
    now = _now()
    with platform_errors(), engine.begin() as conn:
        return int(
            conn.execute(
                insert(datafeeds_run)
                .values(
                    task_id=task_id,
                    data_source=data_source_oid,
                    scraper=scraper_key,
                    meter=meter_oid,
                    status=status,
                    dry_run=dry_run,
                    attempt=1 if status == "running" else 0,
                    executor=executor,
                    batch_job_id=batch_job_id,
                    date_start=date_start,
                    date_end=date_end,
                    queued_at=now,
                    started_at=now if status == "running" else None,
                    log_location=log_location,
                )
                .returning(datafeeds_run.c.id)
            ).scalar_one()
        )


def start_run(engine: Engine, run_id: int) -> int:
    """Mark the run running (a new attempt); returns the attempt number."""
    with platform_errors(), engine.begin() as conn:
        row = conn.execute(
            select(datafeeds_run.c.status, datafeeds_run.c.attempt)
            .where(datafeeds_run.c.id == run_id)
            .with_for_update()
        ).first()
        if row is None:
            raise ConfigurationError(f"no run with id {run_id}")
        if row.status not in STARTABLE:
            raise JobFailed(f"run {run_id} is {row.status}; it cannot be started again")
        attempt = int(row.attempt) + 1
        conn.execute(
            update(datafeeds_run)
            .where(datafeeds_run.c.id == run_id)
            .values(
                status="running",
                attempt=attempt,
                started_at=_now(),
                finished_at=None,
                duration_s=None,
            )
        )
    return attempt


def set_target(engine: Engine, run_id: int, *, scraper_key: str, meter_oid: int | None) -> None:
    """Record what the data source turned out to be (scraper key and meter)."""
    with platform_errors(), engine.begin() as conn:
        updated = conn.execute(
            update(datafeeds_run)
            .where(datafeeds_run.c.id == run_id)
            .values(scraper=scraper_key, meter=meter_oid)
        ).rowcount
    if not updated:
        raise ConfigurationError(f"no run with id {run_id}")


def finish_run(
    engine: Engine,
    run_id: int,
    *,
    status: str,  # a final RunStatus
    counts: Mapping[str, int],
    error_class: str | None = None,
    error_message: str | None = None,
    dry_run_diff: Any = None,
    details: Any = None,
) -> None:
    """Close the run: final status, counts, finished_at and duration, redacted error.

    A dry run that ends well is recorded with status "dry-run", whatever `status` says.
    """
    _check(status, FINAL, "a finished run's status")
    unknown = set(counts) - set(COUNT_KEYS)
    if unknown:
        raise ValueError(f"unknown count keys: {', '.join(sorted(unknown))}")
    stored_counts = {key: int(counts.get(key, 0)) for key in COUNT_KEYS}
    message = printable(redact(error_message))[:MAX_ERROR_MESSAGE] if error_message else None
    now = _now()
    with platform_errors(), engine.begin() as conn:
        row = conn.execute(
            select(datafeeds_run.c.started_at, datafeeds_run.c.dry_run).where(
                datafeeds_run.c.id == run_id
            )
        ).first()
        if row is None:
            raise ConfigurationError(f"no run with id {run_id}")
        started = _aware(row.started_at)
        if row.dry_run and status in ("succeeded", "no-new-data"):
            status = "dry-run"
        conn.execute(
            update(datafeeds_run)
            .where(datafeeds_run.c.id == run_id)
            .values(
                status=status,
                counts=stored_counts,
                error_class=error_class,
                error_message=message,
                dry_run_diff=dry_run_diff,
                details=redact_json(details),
                finished_at=now,
                duration_s=(now - started).total_seconds() if started else None,
            )
        )


def get_run(engine: Engine, run_id: int) -> RunRecord:
    """The run record; ConfigurationError for an unknown id."""
    checked_oid(run_id, "run")
    with platform_errors(), engine.connect() as conn:
        row = (
            conn.execute(select(datafeeds_run).where(datafeeds_run.c.id == run_id))
            .mappings()
            .first()
        )
    if row is None:
        raise ConfigurationError(f"no run with id {run_id}")
    return run_record(row)
