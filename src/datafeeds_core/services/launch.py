"""`datafeeds launch`: many jobs on this machine, each in an isolated child process."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datafeeds_core.executors.local.executor import Observer
    from datafeeds_core.executors.local.fleet import LaunchReport, LaunchRequest


def launch(request: LaunchRequest, *, observer: Observer | None) -> LaunchReport:
    """Select the data sources, queue a run record for each and run them all."""
    from datafeeds_core.config import settings
    from datafeeds_core.executors.local.fleet import launch as launch_jobs

    return launch_jobs(settings(), request, observer=observer)
