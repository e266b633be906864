"""What a run record is, without the database layer: the statuses and executors, the
`RunRecord` value, a row as a RunRecord, and its JSON form.

A leaf (standard library only), so the everyday listings can build run records without
importing SQLAlchemy (`platform/quick_read.py`); `run_records` and `run_history` re-export it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from datafeeds_core.errors import UsageError

RUN_STATUSES = (
    "queued",
    "running",
    "succeeded",
    "no-new-data",
    "failed",
    "timed-out",
    "cancelled",
    "lost",
    "dry-run",
)
EXECUTORS = ("local", "batch", "cli")


@dataclass(frozen=True)
class RunRecord:
    id: int
    task_id: str
    data_source: int
    scraper: str | None
    meter: int | None
    status: str
    dry_run: bool
    attempt: int
    executor: str
    batch_job_id: str | None
    date_start: date | None
    date_end: date | None
    queued_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    duration_s: float | None
    counts: Mapping[str, int] = field(hash=False)
    error_class: str | None
    error_message: str | None
    log_location: str | None
    dry_run_diff: Any = field(hash=False)
    details: Any = field(default=None, hash=False)


RUN_COLUMNS = tuple(RunRecord.__dataclass_fields__)


def aware(value: datetime | None) -> datetime | None:
    """SQLite hands timestamps back without a zone; they were written in UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def run_record(row: Mapping[Any, Any]) -> RunRecord:
    """A `datafeeds_run` row (as a mapping) as a RunRecord: aware timestamps, plain counts."""
    values = dict(row)
    for key in ("queued_at", "started_at", "finished_at"):
        values[key] = aware(values[key])
    values["counts"] = dict(values["counts"] or {})
    values["dry_run"] = bool(values["dry_run"])
    return RunRecord(**values)


def check_status(status: str) -> str:
    if status not in RUN_STATUSES:
        raise UsageError(f"status must be one of {', '.join(RUN_STATUSES)}; got {status!r}")
    return status


def check_executor(executor: str) -> str:
    if executor not in EXECUTORS:
        raise UsageError(f"executor must be one of {', '.join(EXECUTORS)}; got {executor!r}")
    return executor
