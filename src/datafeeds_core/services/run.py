"""`datafeeds run`: one job for one meter data source, in this process."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datafeeds_core.job.pipeline import JobOutcome


def run_one(
    oid: int,
    *,
    start: date | None,
    end: date | None,
    dry_run: bool,
    allow_mass_replace: bool,
    force: bool,
    echo: Callable[[str], None],
) -> JobOutcome:
    """Run the data source's job with its log in a file; `force` runs a disabled feed."""
    from datafeeds_core.config import settings
    from datafeeds_core.job.pipeline import JobRequest, run_job

    request = JobRequest(
        oid=oid,
        start=start,
        end=end,
        dry_run=dry_run,
        allow_mass_replace=allow_mass_replace,
        refuse_disabled_feed=not force,
        log_file=True,
    )
    return run_job(request, settings(), echo=echo)
