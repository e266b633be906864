"""`datafeeds run`: one job for one meter data source, in this process."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datafeeds_core.job.pipeline import JobOutcome
    from datafeeds_core.job.request import JobRequest


def run_one(request: JobRequest, *, echo: Callable[[str], None]) -> JobOutcome:
    """Run the job `request` names with the configured settings."""
    from datafeeds_core.config import settings
    from datafeeds_core.executors.local.inprocess import run_here

    return run_here(request, settings(), echo=echo)
