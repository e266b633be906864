"""Run records of Batch jobs: opened in bulk when a fleet is submitted, reconciled with Batch.

`run_records` opens and closes one run at a time (a worker's view); a submission of 10,000 data
sources opens its runs in one transaction, and `datafeeds batch status --sync` moves runs the
worker could not close (lost, killed, timed out) to what Batch says happened to them.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import and_, bindparam, func, insert, or_, select, update

from datafeeds_core.logs import redact
from datafeeds_core.platform.failures import platform_errors
from datafeeds_core.platform.run_records import FINAL, MAX_ERROR_MESSAGE
from datafeeds_core.platform.schema import datafeeds_run

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

# What the worker records when Batch stops its container (Spot reclaim, timeout, cancel): the
# run is "failed" with this error class until `status --sync` learns what Batch made of it.
TERMINATED_ERROR_CLASS = "Terminated"
# A failure Batch retries (exit 75): a dependency out of reach, or the container stopped.
RETRYABLE_ERROR_CLASSES = ("TransientError", TERMINATED_ERROR_CLASS)
OPEN = ("queued", "running")
# Batch keeps finished jobs about a week: past that a terminated run's job cannot say more.
TERMINATED_LOOKBACK = timedelta(days=14)


@dataclass(frozen=True)
class QueuedRun:
    data_source_oid: int
    scraper_key: str | None
    date_start: date
    date_end: date
    dry_run: bool = False


@dataclass(frozen=True)
class BatchRun:
    """A Batch run whose status may still change."""

    id: int
    data_source: int
    scraper: str | None
    status: str
    batch_job_id: str | None
    error_class: str | None
    queued_at: datetime | None
    started_at: datetime | None


@dataclass(frozen=True)
class StatusChange:
    run_id: int
    from_status: str
    to_status: str
    error_class: str | None = None
    error_message: str | None = None
    log_location: str | None = None
    started_at: datetime | None = None  # for the duration of a run Batch finished


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def open_queued_runs(engine: Engine, runs: Sequence[QueuedRun]) -> list[int]:
    """Queued Batch runs (attempt 0), in one transaction; ids in the order of `runs`."""
    if not runs:
        return []
    now = _now()
    rows = [
        {
            "task_id": f"pending-{uuid.uuid4().hex}",  # the Batch job id replaces it on submit
            "data_source": r.data_source_oid,
            "scraper": r.scraper_key,
            "status": "queued",
            "dry_run": r.dry_run,
            "attempt": 0,
            "executor": "batch",
            "date_start": r.date_start,
            "date_end": r.date_end,
            "queued_at": now,
        }
        for r in runs
    ]
    with platform_errors(), engine.begin() as conn:
        result = conn.execute(
            insert(datafeeds_run).returning(datafeeds_run.c.id, sort_by_parameter_order=True),
            rows,
        )
        return [int(i) for i in result.scalars()]


def attach_batch_jobs(engine: Engine, job_ids: Mapping[int, str]) -> None:
    """Record each run's Batch job id (also its task id, as AWS_BATCH_JOB_ID will say)."""
    if not job_ids:
        return
    t = datafeeds_run
    statement = (
        update(t)
        .where(t.c.id == bindparam("run_id"))
        .values(batch_job_id=bindparam("job_id"), task_id=bindparam("job_id"))
    )
    params = [{"run_id": run_id, "job_id": job_id} for run_id, job_id in job_ids.items()]
    with platform_errors(), engine.begin() as conn:
        conn.execute(statement.execution_options(synchronize_session=False), params)


def fail_unsubmitted(engine: Engine, run_ids: Iterable[int], reason: str) -> None:
    """Runs whose submission was refused: failed, with the reason."""
    ids = list(run_ids)
    if not ids:
        return
    now = _now()
    with platform_errors(), engine.begin() as conn:
        conn.execute(
            update(datafeeds_run)
            .where(datafeeds_run.c.id.in_(ids))
            .values(
                status="failed",
                error_class="SubmissionFailed",
                error_message=redact(reason)[:MAX_ERROR_MESSAGE],
                finished_at=now,
            )
        )


def requeue_unfinished(engine: Engine, run_ids: Sequence[int]) -> list[int]:
    """The runs of an array child's slice that this attempt runs, in the order given: the queued
    ones, and those an earlier attempt left running (its container died) or failed retryably,
    which go back to queued. Finished runs, successful or not, stay as they are."""
    t = datafeeds_run
    ids = list(run_ids)
    unfinished = or_(
        t.c.status == "running",
        and_(t.c.status == "failed", t.c.error_class.in_(RETRYABLE_ERROR_CLASSES)),
    )
    with platform_errors(), engine.begin() as conn:
        conn.execute(
            update(t)
            .where(t.c.id.in_(ids), unfinished)
            .values(status="queued", finished_at=None, error_class=None, error_message=None)
        )
        queued = set(
            conn.execute(select(t.c.id).where(t.c.id.in_(ids), t.c.status == "queued")).scalars()
        )
    return [i for i in ids if i in queued]


def terminate_unfinished(engine: Engine, run_ids: Sequence[int], reason: str) -> int:
    """Runs of a stopped array child that had not finished: failed as terminated (what a
    one-source worker records), so a retry of the child runs them again."""
    t = datafeeds_run
    with platform_errors(), engine.begin() as conn:
        return int(
            conn.execute(
                update(t)
                .where(t.c.id.in_(list(run_ids)), t.c.status.in_(OPEN))
                .values(
                    status="failed",
                    error_class=TERMINATED_ERROR_CLASS,
                    error_message=redact(reason)[:MAX_ERROR_MESSAGE],
                    finished_at=_now(),
                )
            ).rowcount
        )


def shared_jobs(engine: Engine, job_ids: Iterable[str]) -> set[str]:
    """Those of `job_ids` that more than one run names: array children running a slice."""
    t = datafeeds_run
    ids = sorted(set(job_ids))
    found: set[str] = set()
    with platform_errors(), engine.connect() as conn:
        for i in range(0, len(ids), 500):
            found.update(
                conn.execute(
                    select(t.c.batch_job_id)
                    .where(t.c.batch_job_id.in_(ids[i : i + 500]))
                    .group_by(t.c.batch_job_id)
                    .having(func.count() > 1)
                ).scalars()
            )
    return found


def unsettled_runs(engine: Engine, run_ids: Iterable[int] | None = None) -> list[BatchRun]:
    """Batch runs still open (queued, running), plus runs the worker closed as terminated."""
    t = datafeeds_run
    query = (
        select(
            t.c.id,
            t.c.data_source,
            t.c.scraper,
            t.c.status,
            t.c.batch_job_id,
            t.c.error_class,
            t.c.queued_at,
            t.c.started_at,
        )
        .where(t.c.executor == "batch")
        .where(
            or_(
                t.c.status.in_(OPEN),
                and_(
                    t.c.status == "failed",
                    t.c.error_class == TERMINATED_ERROR_CLASS,
                    t.c.finished_at >= _now() - TERMINATED_LOOKBACK,
                ),
            )
        )
        .order_by(t.c.id)
    )
    if run_ids is not None:
        query = query.where(t.c.id.in_(list(run_ids)))
    with platform_errors(), engine.connect() as conn:
        rows = conn.execute(query).all()
    return [
        BatchRun(
            id=int(r.id),
            data_source=int(r.data_source),
            scraper=r.scraper,
            status=r.status,
            batch_job_id=r.batch_job_id,
            error_class=r.error_class,
            queued_at=_aware(r.queued_at),
            started_at=_aware(r.started_at),
        )
        for r in rows
    ]


def apply_changes(engine: Engine, changes: Sequence[StatusChange]) -> int:
    """Write the changes in one transaction; returns how many runs changed.

    Each update only applies while the run still has the status it was read with, so a worker
    that closes its run in the meantime keeps its own (more precise) outcome.
    """
    t = datafeeds_run
    now = _now()
    changed = 0
    with platform_errors(), engine.begin() as conn:
        for c in changes:
            values: dict[str, object] = {"status": c.to_status}
            if c.log_location:
                values["log_location"] = c.log_location
            if c.to_status in FINAL:
                values.update(
                    finished_at=now,
                    duration_s=(now - c.started_at).total_seconds() if c.started_at else None,
                    error_class=c.error_class,
                    error_message=redact(c.error_message)[:MAX_ERROR_MESSAGE]
                    if c.error_message
                    else None,
                )
            else:  # Batch retries a terminated attempt: open again
                values.update(finished_at=None, error_class=None, error_message=None)
            changed += conn.execute(
                update(t)
                .where(t.c.id == c.run_id)
                .where(t.c.status == c.from_status)
                .values(**values)
            ).rowcount
    return changed
