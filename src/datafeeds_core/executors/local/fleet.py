"""Launching many jobs locally: choose the data sources, queue their runs, run them, report.

`--all` means every data source whose scraper's feed configuration is enabled and due today (its
weekday), among the scrapers with an installed plugin (the others are counted and left out);
`--scraper` and `--oid` narrow that set, or, without `--all`, choose data sources whatever their
feed configuration says. Every chosen data source gets a queued run before any job starts.
"""

from __future__ import annotations

import time
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from datafeeds_core.config import Settings
from datafeeds_core.errors import UsageError
from datafeeds_core.executors.local.executor import JobResult, LocalExecutor, LocalJob, Observer
from datafeeds_core.executors.local.liveness import LaunchHold, launcher_held
from datafeeds_core.job.request import JobRequest, resolve_dates

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from datafeeds_core.platform.feeds import DueSource

DEFAULT_TIMEOUT_S = 3600.0


@dataclass(frozen=True)
class LaunchRequest:
    all: bool = False
    scraper: str | None = None
    oids: tuple[int, ...] = ()
    start: date | None = None
    end: date | None = None
    dry_run: bool = False
    concurrency: int = 2
    timeout_s: float | None = DEFAULT_TIMEOUT_S

    def check(self) -> None:
        if not (self.all or self.scraper or self.oids):
            raise UsageError("choose what to launch: --all, --scraper KEY or --oid N")
        from datafeeds_core.platform.oids import checked_oid

        for oid in self.oids:
            checked_oid(oid, "data source")
        if self.concurrency < 1:
            raise UsageError(f"--concurrency must be at least 1, got {self.concurrency}")
        if self.timeout_s is not None and self.timeout_s <= 0:
            raise UsageError(f"--timeout must be positive, got {self.timeout_s:g}")


@dataclass(frozen=True)
class ChosenSources:
    """The data sources a launch runs."""

    sources: tuple[DueSource, ...]
    # --all only: data sources left out because no plugin serves their scraper key.
    without_plugin: dict[str, int] = field(default_factory=dict)


@dataclass
class LaunchReport:
    request: LaunchRequest
    selection: ChosenSources
    results: list[JobResult]
    warmup_s: float = 0.0
    elapsed_s: float = 0.0

    @property
    def exit_code(self) -> int:
        """0 when every job that ran ended 0 (a cancelled job is not a failure), else 1."""
        return 1 if self.failed else 0

    @property
    def failed(self) -> list[JobResult]:
        return [r for r in self.results if not r.ok and r.status != "cancelled"]

    @property
    def by_status(self) -> Counter[str]:
        return Counter(r.status for r in self.results)

    @property
    def skipped(self) -> list[JobResult]:
        """Runs never started (cancelled while queued)."""
        return [r for r in self.results if not r.started]

    @property
    def jobs_per_second(self) -> float | None:
        ran = len(self.results) - len(self.skipped)
        return ran / self.elapsed_s if self.elapsed_s > 0 and ran else None


def dry_run_changes(result: JobResult) -> dict[str, int]:
    """How many bills the dry run would add, update, replace, leave or skip (its recorded diff)."""
    from datafeeds_core.platform.bill_plan import OPERATIONS

    out: dict[str, int] = dict.fromkeys(OPERATIONS, 0)
    record = result.record
    if record is None:
        return out
    diff = record.dry_run_diff
    if isinstance(diff, list):
        for decision in diff:
            operation = decision.get("operation") if isinstance(decision, dict) else None
            if operation in out:
                out[operation] += 1
    else:  # no diff recorded (the job failed early): the counts, if any
        for key in out:
            out[key] = int(record.counts.get(key, 0))
    return out


def select_sources(engine: Engine, request: LaunchRequest, *, today: date) -> ChosenSources:
    """The data sources `request` names (see the module docstring). Constant queries."""
    from datafeeds_core.platform.failures import platform_errors
    from datafeeds_core.platform.feeds import chosen_data_sources, due_data_sources
    from datafeeds_core.plugin_api.registry import installed_keys, require_installed

    if request.scraper is not None:
        require_installed(request.scraper)
    oids = tuple(dict.fromkeys(request.oids)) or None
    with platform_errors(), engine.connect() as conn:
        if not request.all:
            return ChosenSources(
                tuple(chosen_data_sources(conn, scraper=request.scraper, oids=oids))
            )
        due = due_data_sources(conn, today=today, scraper=request.scraper, oids=oids)
    installed = set(installed_keys())
    missing = Counter(s.scraper_key for s in due if s.scraper_key not in installed)
    return ChosenSources(
        tuple(s for s in due if s.scraper_key in installed), dict(sorted(missing.items()))
    )


def queue_runs(
    engine: Engine,
    sources: Sequence[DueSource],
    settings: Settings,
    *,
    start: date,
    end: date,
    dry_run: bool,
    hold: LaunchHold | None = None,
) -> list[LocalJob]:
    """A queued run per data source (before any job starts), each with its log file's path.

    Each run is added to the launcher's liveness lock (`hold`) as soon as it exists, so
    `datafeeds runs sync` can mark it lost should this launcher die before starting it.
    """
    from datafeeds_core.platform.run_history import set_log_locations
    from datafeeds_core.platform.run_records import open_run

    log_dir = settings.run_log_dir
    log_dir.mkdir(parents=True, exist_ok=True)
    jobs = []
    for source in sources:
        task_id = str(uuid.uuid4())
        run_id = open_run(
            engine,
            data_source_oid=source.oid,
            scraper_key=source.scraper_key or None,
            task_id=task_id,
            date_start=start,
            date_end=end,
            executor="local",
            status="queued",
            dry_run=dry_run,
        )
        if hold is not None:
            hold.add([run_id])
        request = JobRequest(source.oid, start, end, dry_run=dry_run, run_id=run_id)
        jobs.append(
            LocalJob(
                request,
                task_id=task_id,
                log_path=log_dir / f"{run_id}.log",
                scraper_key=source.scraper_key or None,
            )
        )
    set_log_locations(engine, {j.run_id: str(j.log_path) for j in jobs})
    return jobs


def run_locally(
    settings: Settings,
    request: LaunchRequest,
    selection: ChosenSources,
    jobs: Sequence[LocalJob],
    observer: Observer | None,
    today: date | None,
) -> LaunchReport:
    executor = LocalExecutor(
        settings,
        concurrency=request.concurrency,
        timeout_s=request.timeout_s,
        plugin_keys=[j.scraper_key for j in jobs if j.scraper_key],
        today=today,
    )
    # The fork server first: no thread (a progress display) may exist while it starts.
    warmup = executor.start()
    began = time.monotonic()
    results = executor.run(jobs, observer)
    return LaunchReport(request, selection, results, warmup, time.monotonic() - began)


def launch(
    settings: Settings,
    request: LaunchRequest,
    *,
    observer: Observer | None = None,
    today: date | None = None,
) -> LaunchReport:
    """Choose the data sources, queue a run for each, run them in child processes."""
    from datafeeds_core.database import PLATFORM, open_existing

    request.check()
    day = today or date.today()
    start, end = resolve_dates(request.start, request.end, day)
    engine = open_existing(settings.platform_url, PLATFORM)
    with launcher_held(settings.home) as hold:
        try:
            selection = select_sources(engine, request, today=day)
            jobs = queue_runs(
                engine,
                selection.sources,
                settings,
                start=start,
                end=end,
                dry_run=request.dry_run,
                hold=hold,
            )
        finally:
            engine.dispose()
        if not jobs:
            return LaunchReport(request, selection, [])
        return run_locally(settings, request, selection, jobs, observer, today)


def rerun(
    settings: Settings,
    run_id: int,
    *,
    timeout_s: float | None = DEFAULT_TIMEOUT_S,
    observer: Observer | None = None,
    today: date | None = None,
) -> LaunchReport:
    """A new run for the data source, dates and dry-run flag of run `run_id`, run locally."""
    from datafeeds_core.database import PLATFORM, open_existing
    from datafeeds_core.platform.feeds import DEFAULT_QUEUE, DueSource
    from datafeeds_core.platform.run_records import get_run

    engine = open_existing(settings.platform_url, PLATFORM)
    with launcher_held(settings.home) as hold:
        try:
            old = get_run(engine, run_id)
            day = today or date.today()
            start, end = resolve_dates(old.date_start, old.date_end, day)
            source = DueSource(old.data_source, old.scraper or "", DEFAULT_QUEUE)
            jobs = queue_runs(
                engine, [source], settings, start=start, end=end, dry_run=old.dry_run, hold=hold
            )
        finally:
            engine.dispose()
        request = LaunchRequest(
            oids=(old.data_source,),
            start=start,
            end=end,
            dry_run=old.dry_run,
            concurrency=1,
            timeout_s=timeout_s,
        )
        return run_locally(settings, request, ChosenSources((source,)), jobs, observer, today)
