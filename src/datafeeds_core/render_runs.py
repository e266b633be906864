"""Terminal rendering for launches, run history and feeds (the CLI stays free of formatting).

A progress bar (rich) when stdout is a terminal, one plain line per finished job otherwise;
tables through rich, which prints them without colour when the output is not a terminal.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress, TaskID

    from datafeeds_core.executors.local import JobResult, LocalJob
    from datafeeds_core.fleet import LaunchReport
    from datafeeds_core.platform.feeds import FeedConfig
    from datafeeds_core.platform.run_history import RunStats
    from datafeeds_core.platform.run_records import RunRecord

PLAIN_WIDTH = 160  # tables written to a file or pipe are not wrapped at 80 columns


def console() -> Console:
    from rich.console import Console

    terminal = sys.stdout.isatty()
    return Console(highlight=False, width=None if terminal else PLAIN_WIDTH, soft_wrap=False)


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if value else "-"


def _seconds(value: float | None) -> str:
    return f"{value:.2f}s" if value is not None else "-"


def _age(value: timedelta | None) -> str:
    if value is None:
        return "never succeeded"
    hours = value.total_seconds() / 3600
    return f"{hours / 24:.1f} days" if hours >= 48 else f"{hours:.1f} hours"


def _counts(counts: Mapping[str, int], keys: Sequence[str] = ("new", "updated", "replaced")) -> str:
    return ", ".join(f"{k} {counts.get(k, 0)}" for k in keys)


def job_line(result: JobResult, done: int, total: int) -> str:
    """One finished job as a line: position, run, data source, status, time, counts or error."""
    job, record = result.job, result.record
    width = len(str(total))
    head = (
        f"[{done:>{width}}/{total}] run {job.run_id} oid {job.oid} {job.scraper_key or '?'}: "
        f"{result.status}"
    )
    if not result.started:
        return f"{head} (not started)"
    tail = f" in {result.duration_s:.2f}s"
    if record is not None and record.error_class:
        message = (record.error_message or "").splitlines()[0] if record.error_message else ""
        return f"{head}{tail}: {record.error_class}: {message} (log {job.log_path})"
    if record is not None:
        return f"{head}{tail} ({_counts(record.counts)})"
    return head + tail


class PlainProgress:
    """One line per finished job (stdout is a file or a pipe)."""

    def __init__(self, out: Console) -> None:
        self.out = out
        self.total = 0
        self.done = 0

    def begin(self, total: int) -> None:
        self.total = total

    def started(self, job: LocalJob) -> None:
        pass

    def finished(self, result: JobResult) -> None:
        self.done += 1
        self.out.print(job_line(result, self.done, self.total), markup=False, soft_wrap=True)

    def end(self) -> None:
        pass


class BarProgress:
    """A rich progress bar; failures are printed above it as they happen."""

    def __init__(self, out: Console) -> None:
        self.out = out
        self.total = 0
        self.done = 0
        self.running = 0
        self.failed = 0
        self.progress: Progress | None = None
        self.task: TaskID | None = None

    def begin(self, total: int) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            SpinnerColumn,
            TextColumn,
            TimeElapsedColumn,
        )

        self.total = total
        self.progress = Progress(
            SpinnerColumn(),
            TextColumn("jobs"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[running]} running, {task.fields[failed]} failed"),
            TimeElapsedColumn(),
            console=self.out,
        )
        self.task = self.progress.add_task("jobs", total=total, running=0, failed=0)
        self.progress.start()

    def started(self, job: LocalJob) -> None:
        self.running += 1
        self._update()

    def finished(self, result: JobResult) -> None:
        self.done += 1
        if result.started:
            self.running -= 1
        if not result.ok and result.status != "cancelled":
            self.failed += 1
            self.out.print(job_line(result, self.done, self.total), markup=False, soft_wrap=True)
        self._update(advance=1)

    def _update(self, advance: int = 0) -> None:
        if self.progress is not None and self.task is not None:
            self.progress.update(
                self.task, advance=advance, running=self.running, failed=self.failed
            )

    def end(self) -> None:
        if self.progress is not None:
            self.progress.stop()


def progress_for(out: Console) -> PlainProgress | BarProgress:
    return BarProgress(out) if out.is_terminal else PlainProgress(out)


# ---------------------------------------------------------------- launch summary


def launch_summary(report: LaunchReport, out: Console) -> None:
    """Counts per status, the would-be changes of a dry run, the failures with their logs."""
    from rich.table import Table

    from datafeeds_core.fleet import dry_run_changes

    if report.selection.without_plugin:
        left_out = ", ".join(f"{k} ({n})" for k, n in report.selection.without_plugin.items())
        out.print(f"left out (no plugin installed): {left_out}", markup=False, soft_wrap=True)
    if not report.results:
        out.print("nothing to launch: no data source matched")
        return
    ran = len(report.results) - len(report.skipped)
    rate = report.jobs_per_second
    out.print(
        f"{ran} jobs in {report.elapsed_s:.2f}s"
        + (f" ({rate:.1f} jobs/s)" if rate else "")
        + f"; fork server ready in {report.warmup_s:.2f}s",
        markup=False,
    )
    table = Table(title="Summary", title_justify="left")
    table.add_column("status")
    table.add_column("jobs", justify="right")
    for status, n in sorted(report.by_status.items()):
        table.add_row(status, str(n))
    out.print(table)

    if report.request.dry_run:
        diff = Table(title="Dry run: nothing was written", title_justify="left")
        for name in ("data source", "scraper", "run", "new", "updated", "replaced", "unchanged"):
            diff.add_column(name, justify="left" if name == "scraper" else "right")
        diff.add_column("skipped", justify="right")
        diff.add_column("status")
        for r in sorted(report.results, key=lambda r: r.job.oid):
            c = dry_run_changes(r)
            diff.add_row(
                str(r.job.oid),
                r.job.scraper_key or "?",
                str(r.job.run_id),
                *(str(c[k]) for k in ("new", "updated", "replaced", "unchanged", "skipped")),
                r.status,
            )
        out.print(diff)

    if report.failed:
        failed = Table(title="Failed", title_justify="left")
        for name in ("run", "data source", "scraper", "status", "error", "log"):
            failed.add_column(name, overflow="fold")
        for r in report.failed:
            record = r.record
            error = ""
            if record is not None and record.error_class:
                error = f"{record.error_class}: {record.error_message or ''}".strip()
            failed.add_row(
                str(r.job.run_id),
                str(r.job.oid),
                r.job.scraper_key or "?",
                r.status,
                error,
                str(r.job.log_path),
            )
        out.print(failed)


# ---------------------------------------------------------------- run history


def runs_table(runs: Sequence[RunRecord], out: Console) -> None:
    from rich.table import Table

    if not runs:
        out.print("no runs")
        return
    table = Table()
    for name in (
        "run",
        "status",
        "scraper",
        "data source",
        "executor",
        "queued (UTC)",
        "duration",
        "new",
        "updated",
        "replaced",
        "error",
    ):
        table.add_column(
            name,
            justify="right"
            if name in ("run", "new", "updated", "replaced", "data source")
            else "left",
        )
    for r in runs:
        table.add_row(
            str(r.id),
            r.status + (" (dry)" if r.dry_run and r.status != "dry-run" else ""),
            r.scraper or "?",
            str(r.data_source),
            r.executor,
            _when(r.queued_at),
            _seconds(r.duration_s),
            *(str(r.counts.get(k, 0)) for k in ("new", "updated", "replaced")),
            r.error_class or "",
        )
    out.print(table)


def _service_counts(entry: Mapping[str, Any]) -> str:
    """`1234 (fan-out): new 2, updated 0, replaced 0` for one service of a run."""
    who = " (fan-out)" if entry.get("fan_out") else ""
    return f"{entry.get('service')}{who}: {_counts(entry)}"


def run_details(run: RunRecord, tail: list[str] | None, out: Console) -> None:
    """Every field of the run, then the tail of its log."""
    fields: list[tuple[str, Any]] = [
        ("run", run.id),
        ("status", run.status),
        ("dry run", "yes" if run.dry_run else "no"),
        ("data source", run.data_source),
        ("scraper", run.scraper or "?"),
        ("meter", run.meter if run.meter is not None else "-"),
        ("dates", f"{run.date_start} .. {run.date_end} (end exclusive)"),
        ("attempt", run.attempt),
        ("executor", run.executor),
        ("task id", run.task_id),
        ("batch job id", run.batch_job_id or "-"),
        ("queued (UTC)", _when(run.queued_at)),
        ("started (UTC)", _when(run.started_at)),
        ("finished (UTC)", _when(run.finished_at)),
        ("duration", _seconds(run.duration_s)),
        ("counts", ", ".join(f"{k} {v}" for k, v in run.counts.items()) or "-"),
        ("error", f"{run.error_class}: {run.error_message}" if run.error_class else "-"),
        ("log", run.log_location or "-"),
    ]
    services = run.details.get("services") if isinstance(run.details, dict) else None
    if isinstance(services, list) and len(services) > 1:  # the bills fanned out
        fields.append(("services", "; ".join(_service_counts(s) for s in services)))
    for name, value in fields:
        out.print(f"{name + ':':<16}{value}", markup=False, soft_wrap=True)
    if run.dry_run and isinstance(run.dry_run_diff, list):
        out.print("would:", markup=False)
        for d in run.dry_run_diff:
            reason = f"  {d.get('reason')}" if d.get("reason") else ""
            out.print(
                f"  {d.get('operation', '?'):<9} {d.get('start')}..{d.get('end')}{reason}",
                markup=False,
                soft_wrap=True,
            )
    if tail is None:
        if run.log_location:
            out.print("(the log is not a local file: no tail)", markup=False)
        return
    out.print(f"--- last {len(tail)} lines of {run.log_location} ---", markup=False)
    for line in tail:
        out.print(line, markup=False, soft_wrap=True, highlight=False)


def stats_tables(stats: RunStats, out: Console) -> None:
    from rich.table import Table

    per_scraper = Table(
        title=f"Runs per scraper since {_when(stats.since)} UTC", title_justify="left"
    )
    for name in ("scraper", "runs", "ok", "failed", "success rate", "last success (UTC)"):
        per_scraper.add_column(name, justify="left" if name == "scraper" else "right")
    for s in stats.scrapers:
        rate = f"{s.success_rate:.0%}" if s.success_rate is not None else "-"
        per_scraper.add_row(
            s.scraper, str(s.runs), str(s.succeeded), str(s.failed), rate, _when(s.last_success)
        )
    out.print(per_scraper if stats.scrapers else "no finished runs in that window")

    per_source = Table(title="Data sources: last success and staleness", title_justify="left")
    for name in (
        "data source",
        "scraper",
        "last success (UTC)",
        "stale for",
        "last run",
        "last status",
    ):
        per_source.add_column(name)
    for f in stats.sources:
        per_source.add_row(
            str(f.data_source),
            f.scraper or "?",
            _when(f.last_success),
            _age(f.staleness),
            str(f.last_run_id),
            f.last_status,
        )
    out.print(per_source if stats.sources else "no data source matched")


def stats_json(stats: RunStats) -> dict[str, Any]:
    return {
        "since": stats.since.isoformat(),
        "scrapers": [
            {
                "scraper": s.scraper,
                "runs": s.runs,
                "by_status": dict(s.by_status),
                "succeeded": s.succeeded,
                "failed": s.failed,
                "success_rate": s.success_rate,
                "last_success": s.last_success.isoformat() if s.last_success else None,
            }
            for s in stats.scrapers
        ],
        "data_sources": [
            {
                "data_source": f.data_source,
                "scraper": f.scraper,
                "last_success": f.last_success.isoformat() if f.last_success else None,
                "staleness_s": f.staleness.total_seconds() if f.staleness else None,
                "last_run": f.last_run_id,
                "last_status": f.last_status,
            }
            for f in stats.sources
        ],
    }


# ---------------------------------------------------------------- feeds


def feeds_table(feeds: Iterable[FeedConfig], sources: Mapping[str, int], out: Console) -> None:
    """Each feed configuration, and scraper keys with data sources but no configuration."""
    from rich.table import Table

    from datafeeds_core.platform.feeds import WEEKDAYS

    table = Table()
    for name in ("scraper", "enabled", "queue", "weekday", "data sources"):
        table.add_column(name, justify="right" if name == "data sources" else "left")
    seen = set()
    for f in feeds:
        seen.add(f.name)
        day = f"{f.weekday} ({WEEKDAYS[f.weekday]})" if f.weekday is not None else "every day"
        table.add_row(
            f.name, "yes" if f.enabled else "no", f.queue, day, str(sources.get(f.name, 0))
        )
    for name in sorted(set(sources) - seen):
        table.add_row(name, "no (no configuration)", "-", "-", str(sources[name]))
    out.print(table if table.row_count else "no feed configuration and no data source")
