"""What to run (`JobRequest`, the one request every executor carries) and what the executor
running it owns and passes in (`JobRuntime`)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from datafeeds_core.errors import UsageError

DEFAULT_HISTORY_DAYS = 730


@dataclass(frozen=True)
class JobRequest:
    """One meter data source's job: which source, which dates, and the operator's choices."""

    oid: int
    start: date | None = None  # None: today − DEFAULT_HISTORY_DAYS
    end: date | None = None  # exclusive; None: today
    dry_run: bool = False
    run_id: int | None = None  # the run queued for it (launch, Batch); None: the job opens one
    allow_mass_replace: bool = False  # the operator accepts a plan over the replacement bound
    # `datafeeds run`: refuse a data source whose feed is disabled (`feeds set --disable`)
    # unless forced; launch and Batch choose by feed themselves.
    refuse_disabled_feed: bool = False

    def dates(self, today: date) -> tuple[date, date]:
        return resolve_dates(self.start, self.end, today)


# Held while the run runs, given its id: a liveness lock, say. Entered after the run is open.
RunHold = Callable[[int], AbstractContextManager[object]]


@dataclass(frozen=True)
class JobRuntime:
    """What the executor running a request owns: its name, task id, time limit, log folder and
    whatever it holds for the run while the job runs. None of it changes what the job does."""

    executor: str = "cli"  # recorded on a run the job opens itself
    task_id: str | None = None  # None: a new uuid
    timeout_s: float | None = None  # the executor's time limit for the job, if any
    # Also log into <log_dir>/<run id>.log and record that path on the run (an executor that
    # gave the job a log file already leaves it None).
    log_dir: Path | None = None
    hold: RunHold | None = None


def resolve_dates(start: date | None, end: date | None, today: date) -> tuple[date, date]:
    """[start, end): defaults today − 730 days and today; an empty or reversed range is refused."""
    end = end or today
    start = start or today - timedelta(days=DEFAULT_HISTORY_DAYS)
    if start >= end:
        raise UsageError(f"--start {start} must be before --end {end} (end is exclusive)")
    return start, end
