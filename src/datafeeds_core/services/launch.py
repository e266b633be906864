"""`datafeeds launch`: many jobs on this machine, each in an isolated child process."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datafeeds_core.executors.local.executor import Observer
    from datafeeds_core.executors.local.fleet import LaunchReport


def launch(
    *,
    all_due: bool,
    scraper: str | None,
    oids: tuple[int, ...],
    start: date | None,
    end: date | None,
    dry_run: bool,
    concurrency: int,
    timeout_s: float,
    observer: Observer | None,
) -> LaunchReport:
    """Select the data sources, queue a run record for each and run them all."""
    from datafeeds_core.config import settings
    from datafeeds_core.executors.local.fleet import LaunchRequest
    from datafeeds_core.executors.local.fleet import launch as launch_jobs

    request = LaunchRequest(
        all=all_due,
        scraper=scraper,
        oids=oids,
        start=start,
        end=end,
        dry_run=dry_run,
        concurrency=concurrency,
        timeout_s=timeout_s,
    )
    return launch_jobs(settings(), request, observer=observer)
