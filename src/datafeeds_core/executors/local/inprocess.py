"""One job in this process (`datafeeds run`, the demo): logged into its own file as well, and
its run held by this process's liveness lock while it runs."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

from datafeeds_core.config import Settings
from datafeeds_core.job.request import JobRequest, JobRuntime

if TYPE_CHECKING:
    from datafeeds_core.job.pipeline import JobOutcome


def runtime(settings: Settings) -> JobRuntime:
    """What this process owns for a job it runs itself: the "cli" executor's name, a log file
    under the run log folder (`runs show` reads it) and the run's liveness lock."""
    from datafeeds_core.executors.local.liveness import run_held

    home = settings.home
    return JobRuntime(
        executor="cli",
        log_dir=settings.run_log_dir,
        hold=lambda run_id: run_held(home, run_id),
    )


def run_here(
    request: JobRequest,
    settings: Settings,
    *,
    today: date | None = None,
    echo: Callable[[str], None] = print,
) -> JobOutcome:
    """Run `request` in this process; returns its outcome (its run record closed)."""
    from datafeeds_core.job.pipeline import run_job

    return run_job(request, settings, runtime(settings), today=today, echo=echo)
