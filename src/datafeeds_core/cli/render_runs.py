"""Terminal rendering for launches, run history, feeds, meters and data sources (the CLI stays
free of formatting).

A progress bar (rich) when stdout is a terminal, one plain line per finished job otherwise;
tables through rich, which prints them without colour when the output is not a terminal.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from datafeeds_core.cli.render import plural

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress, TaskID

    from datafeeds_core.executors.local.executor import JobResult, LocalJob
    from datafeeds_core.executors.local.fleet import LaunchReport
    from datafeeds_core.platform.feeds import FeedConfig
    from datafeeds_core.platform.listing import DataSourceRow, MeterRow
    from datafeeds_core.platform.run_history import RunStats
    from datafeeds_core.platform.run_model import RunRecord

PLAIN_WIDTH = 160  # tables written to a file or pipe are not wrapped at 80 columns


def console() -> Console:
    """The terminal's width (or COLUMNS); PLAIN_WIDTH for a file or pipe without COLUMNS."""
    from rich.console import Console

    sized = sys.stdout.isatty() or os.environ.get("COLUMNS", "").isdigit()
    return Console(highlight=False, width=None if sized else PLAIN_WIDTH, soft_wrap=False)


def print_table(
    out: Console,
    headers: Sequence[str],
    rows: Iterable[Sequence[str]],
    *,
    title: str | None = None,
    right: Collection[str] = (),
) -> None:
    """A table when it fits the width; else one block of `name: value` lines per row, so a
    narrow terminal never cuts a name or a value."""
    from rich.measure import Measurement
    from rich.table import Table

    rows = list(rows)
    table = Table(title=title, title_justify="left")
    for name in headers:
        table.add_column(name, justify="right" if name in right else "left", no_wrap=True)
    for row in rows:
        table.add_row(*row)
    # Measured without the console's width, which would clamp the measure to it.
    if Measurement.get(out, out.options.update_width(1_000_000), table).maximum <= out.width:
        out.print(table)
        return
    if title:
        out.print(title, markup=False)
    width = max(len(h) for h in headers) + 1
    for i, row in enumerate(rows):
        if i:
            out.print("")
        for name, value in zip(headers, row, strict=True):
            out.print(f"{name + ':':<{width}} {value}", markup=False, soft_wrap=False)


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
        self.out.print(job_line(result, self.done, self.total), markup=False)

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
            self.out.print(job_line(result, self.done, self.total), markup=False)
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

    from datafeeds_core.executors.local.fleet import dry_run_changes

    if report.selection.without_plugin:
        left_out = ", ".join(f"{k} ({n})" for k, n in report.selection.without_plugin.items())
        out.print(f"left out (no plugin installed): {left_out}", markup=False)
    if not report.results:
        out.print("nothing to launch: no data source matched")
        return
    ran = len(report.results) - len(report.skipped)
    rate = report.jobs_per_second
    out.print(
        f"{plural(ran, 'job')} in {report.elapsed_s:.2f}s"
        + (f" ({rate:.1f} jobs/s)" if rate else "")
        + f"; fork server ready in {report.warmup_s:.2f}s",
        markup=False,
    )
    print_table(
        out,
        ("status", "jobs"),
        [(status, str(n)) for status, n in sorted(report.by_status.items())],
        title="Summary",
        right=("jobs",),
    )

    if report.request.dry_run:
        counts = ("new", "updated", "replaced", "unchanged", "skipped")
        rows = []
        for r in sorted(report.results, key=lambda r: r.job.oid):
            c = dry_run_changes(r)
            rows.append(
                (
                    str(r.job.oid),
                    r.job.scraper_key or "?",
                    str(r.job.run_id),
                    *(str(c[k]) for k in counts),
                    r.status,
                )
            )
        print_table(
            out,
            ("data source", "scraper", "run", *counts, "status"),
            rows,
            title="Dry run: nothing was written",
            right=("data source", "run", *counts),
        )

    if report.failed:
        rows = []
        for r in report.failed:
            record = r.record
            error = ""
            if record is not None and record.error_class:
                error = f"{record.error_class}: {record.error_message or ''}".strip()
            rows.append(
                (
                    str(r.job.run_id),
                    str(r.job.oid),
                    r.job.scraper_key or "?",
                    r.status,
                    error,
                    str(r.job.log_path),
                )
            )
        print_table(
            out, ("run", "data source", "scraper", "status", "error", "log"), rows, title="Failed"
        )


# ---------------------------------------------------------------- run history


def runs_table(runs: Sequence[RunRecord], out: Console) -> None:
    if not runs:
        out.print("no runs")
        return
    counts = ("new", "updated", "replaced")
    print_table(
        out,
        ("run", "status", "scraper", "data source", "executor", "queued (UTC)", "duration")
        + counts
        + ("error",),
        [
            (
                str(r.id),
                r.status + (" (dry)" if r.dry_run and r.status != "dry-run" else ""),
                r.scraper or "?",
                str(r.data_source),
                r.executor,
                _when(r.queued_at),
                _seconds(r.duration_s),
                *(str(r.counts.get(k, 0)) for k in counts),
                r.error_class or "-",
            )
            for r in runs
        ],
        right=("run", "data source", *counts),
    )


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
    for line in set_aside_lines(run.details):
        out.print(line, markup=False, soft_wrap=True)
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


def set_aside_lines(details: Any) -> list[str]:
    """The statements a run set aside and the documents it could not store, one line each."""
    if not isinstance(details, Mapping):
        return []
    lines = []
    dropped = details.get("dropped_statements") or []
    if dropped:
        lines.append(f"set aside:      {plural(len(dropped), 'statement')}")
        for d in dropped:
            when = f"{d.get('interval_start') or '?'} to {d.get('interval_end') or '?'}"
            lines.append(
                f"  PK={d.get('pk')} (statement {d.get('statement_date') or '-'}, {when}): "
                f"{d.get('reason')}"
            )
    failures = details.get("document_failures") or []
    if failures:
        lines.append(f"no document:    {plural(len(failures), 'bill document')}")
        lines.extend(f"  {f.get('url')}: {f.get('reason')}" for f in failures)
    return lines


def stats_tables(stats: RunStats, out: Console) -> None:
    if stats.scrapers:
        print_table(
            out,
            ("scraper", "runs", "ok", "failed", "success rate", "last success (UTC)"),
            [
                (
                    s.scraper,
                    str(s.runs),
                    str(s.succeeded),
                    str(s.failed),
                    f"{s.success_rate:.0%}" if s.success_rate is not None else "-",
                    _when(s.last_success),
                )
                for s in stats.scrapers
            ],
            title=f"Runs per scraper since {_when(stats.since)} UTC",
            right=("runs", "ok", "failed", "success rate", "last success (UTC)"),
        )
    else:
        out.print("no finished runs in that window")
    if not stats.sources:
        out.print("no data source matched")
        return
    print_table(
        out,
        ("data source", "scraper", "last success (UTC)", "stale for", "last run", "last status"),
        [
            (
                str(f.data_source),
                f.scraper or "?",
                _when(f.last_success),
                _age(f.staleness),
                str(f.last_run_id),
                f.last_status,
            )
            for f in stats.sources
        ],
        title="Data sources: last success and staleness",
    )


# ---------------------------------------------------------------- feeds


def feeds_table(feeds: Iterable[FeedConfig], sources: Mapping[str, int], out: Console) -> None:
    """Each feed configuration, and scraper keys with data sources but no configuration."""
    from datafeeds_core.platform.feeds import WEEKDAYS

    rows = []
    seen = set()
    for f in feeds:
        seen.add(f.name)
        day = f"{f.weekday} ({WEEKDAYS[f.weekday]})" if f.weekday is not None else "every day"
        rows.append(
            (f.name, "yes" if f.enabled else "no", f.queue, day, str(sources.get(f.name, 0)))
        )
    for name in sorted(set(sources) - seen):
        rows.append((name, "no (no configuration)", "-", "-", str(sources[name])))
    if not rows:
        out.print("no feed configuration and no data source")
        return
    print_table(
        out,
        ("scraper", "enabled", "queue", "weekday", "data sources"),
        rows,
        right=("data sources",),
    )


# ---------------------------------------------------------------- meters and data sources


def _oids(values: Iterable[int]) -> str:
    return ", ".join(str(v) for v in values) or "-"


def meters_table(meters: Sequence[MeterRow], out: Console) -> None:
    if not meters:
        out.print("no meters")
        return
    print_table(
        out,
        ("meter", "name", "commodity", "account", "utility", "account id", "service id"),
        [
            (
                str(m.oid),
                m.name or "-",
                m.commodity or "-",
                _oids(m.accounts),
                m.utility or "-",
                m.utility_account_id or "-",
                m.service_id or "-",
            )
            for m in meters
        ],
        right=("meter",),
    )


def sources_table(sources: Sequence[DataSourceRow], out: Console) -> None:
    import json

    if not sources:
        out.print("no data sources")
        return
    print_table(
        out,
        ("data source", "scraper", "meter", "meter name", "account", "account id", "service id")
        + ("meta",),
        [
            (
                str(d.oid),
                d.scraper or "-",
                str(d.meter) if d.meter is not None else "-",
                d.meter_name or "-",
                _oids(d.accounts),
                d.utility_account_id or "-",
                d.service_id or "-",
                json.dumps(dict(d.meta), sort_keys=True) if d.meta else "-",
            )
            for d in sources
        ],
        right=("data source", "meter"),
    )
