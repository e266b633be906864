"""`datafeeds runs`: the run history (list, show, stats), and cancel, rerun, sync, prune."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from datafeeds_core.cli.common import MAX_OID, ascii_number, errors_as_exit
from datafeeds_core.cli.render import plural
from datafeeds_core.errors import UsageError

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

app = typer.Typer(
    help="Run history: every job's status, timings, counts, error and log.", no_args_is_help=True
)

_DURATION = re.compile(r"^(\d+)([dhm])$")
_UNITS = {"d": "days", "h": "hours", "m": "minutes"}


def parse_since(value: str | None, now: datetime | None = None) -> datetime | None:
    """`7d`, `12h`, `30m` (ago), a date (midnight UTC) or an ISO timestamp (UTC if no zone)."""
    if value is None:
        return None
    now = now or datetime.now(UTC)
    found = _DURATION.match(value.strip())
    if found:
        return now - timedelta(**{_UNITS[found[2]]: int(found[1])})
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            return datetime(day.year, day.month, day.day, tzinfo=UTC)
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise UsageError(
            f"--since: {value!r} is not a date, a timestamp or an age like 7d, 12h, 30m"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _engine() -> Engine:
    from datafeeds_core.config import settings
    from datafeeds_core.database import PLATFORM, open_existing

    return open_existing(settings().platform_url, PLATFORM)


def _embedded_file(oid: int | None = None) -> Path | None:
    """The platform database's SQLite file when the listings can read it directly (see
    `platform/listing.py`); None to go through SQLAlchemy (which also checks the oid)."""
    from datafeeds_core.config import settings
    from datafeeds_core.platform.listing import sqlite_file

    if oid is not None and not 1 <= oid <= MAX_OID:
        return None
    return sqlite_file(settings().platform_url)


@app.command("list")
def list_runs(
    scraper: str | None = typer.Option(None, "--scraper", metavar="KEY", help="Only this scraper."),
    oid: int | None = typer.Option(
        None, "--oid", metavar="N", parser=ascii_number, help="Only this data source."
    ),
    status: str | None = typer.Option(
        None,
        "--status",
        help="Only this status (queued, running, succeeded, no-new-data, "
        "failed, timed-out, cancelled, lost, dry-run).",
    ),
    since: str | None = typer.Option(
        None, "--since", help="Queued since: YYYY-MM-DD, an ISO timestamp, or 7d / 12h / 30m."
    ),
    limit: int = typer.Option(50, "--limit", min=1, help="At most this many, newest first."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """Runs, newest first."""
    from datafeeds_core.cli.render_runs import console, runs_table
    from datafeeds_core.platform.run_model import as_json as run_json

    with errors_as_exit():
        after = parse_since(since)
        embedded = _embedded_file(oid)
        runs = None
        if embedded is not None:  # the everyday case, without importing SQLAlchemy
            from datafeeds_core.platform.listing import Unreadable
            from datafeeds_core.platform.listing import list_runs as read_file

            try:
                runs = read_file(
                    embedded,
                    scraper=scraper,
                    data_source=oid,
                    status=status,
                    since=after,
                    limit=limit,
                )
            except Unreadable:
                runs = None
        if runs is None:
            from datafeeds_core.platform.run_history import list_runs as read_runs

            engine = _engine()
            try:
                runs = read_runs(
                    engine,
                    scraper=scraper,
                    data_source=oid,
                    status=status,
                    since=after,
                    limit=limit,
                )
            finally:
                engine.dispose()
    if as_json:
        typer.echo(json.dumps([run_json(r) for r in runs], indent=2))
        return
    runs_table(runs, console())


@app.command("show")
def show(
    run_id: int = typer.Argument(..., metavar="ID", help="The run id."),
    lines: int = typer.Option(20, "--lines", "-n", min=0, help="Lines of the log's tail."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON (with the log tail)."),
) -> None:
    """One run in detail, with the tail of its log."""
    from datafeeds_core.cli.render_runs import console, run_details
    from datafeeds_core.platform.run_history import log_tail
    from datafeeds_core.platform.run_model import as_json as run_json
    from datafeeds_core.platform.run_records import get_run

    with errors_as_exit():
        engine = _engine()
        try:
            run = get_run(engine, run_id)
        finally:
            engine.dispose()
    tail = log_tail(run.log_location, lines)
    if as_json:
        typer.echo(json.dumps({**run_json(run), "log_tail": tail}, indent=2))
        return
    run_details(run, tail, console())


@app.command("stats")
def stats(
    since: str = typer.Option(
        "30d", "--since", help="Success rates over runs queued since then (default 30d)."
    ),
    scraper: str | None = typer.Option(None, "--scraper", metavar="KEY", help="Only this scraper."),
    stale_days: float | None = typer.Option(
        None, "--stale-days", min=0, help="Only data sources without a success for this long."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of tables."),
) -> None:
    """Success rate per scraper; last success and staleness per data source (dry runs left out)."""
    from datafeeds_core.cli.render_runs import console, stats_json, stats_tables
    from datafeeds_core.platform.run_history import run_stats

    with errors_as_exit():
        after = parse_since(since)
        assert after is not None
        engine = _engine()
        try:
            found = run_stats(
                engine,
                since=after,
                scraper=scraper,
                stale_after=timedelta(days=stale_days) if stale_days is not None else None,
            )
        finally:
            engine.dispose()
    if as_json:
        typer.echo(json.dumps(stats_json(found), indent=2))
        return
    stats_tables(found, console())


@app.command("cancel")
def cancel(run_id: int = typer.Argument(..., metavar="ID", help="The run id.")) -> None:
    """Cancel a queued run (it will not start) or a running local one (its launcher stops it).
    A finished run cannot be cancelled (exit 2)."""
    from datafeeds_core.platform.run_history import cancel_run

    with errors_as_exit():
        engine = _engine()
        try:
            run = cancel_run(engine, run_id)
        finally:
            engine.dispose()
    typer.echo(f"run {run.id}: {run.status}")


@app.command("rerun")
def rerun(
    run_id: int = typer.Argument(..., metavar="ID", help="The run to repeat."),
    timeout: float = typer.Option(
        3600.0, "--timeout", min=0.001, metavar="SECONDS", help="Stop the job after this long."
    ),
) -> None:
    """Run the same data source, dates and dry-run flag again, as a new run, in an isolated
    child process; exits with the job's exit code."""
    from datafeeds_core.cli.render_runs import console, launch_summary, progress_for
    from datafeeds_core.config import settings
    from datafeeds_core.executors.local.fleet import rerun as rerun_job

    out = console()
    with errors_as_exit():
        report = rerun_job(settings(), run_id, timeout_s=timeout, observer=progress_for(out))
    launch_summary(report, out)
    [result] = report.results
    code = result.exit_code if result.exit_code is not None and result.exit_code > 0 else 1
    raise typer.Exit(0 if result.ok else code)


@app.command("sync")
def sync(
    dry_run: bool = typer.Option(False, "--dry-run", help="Only list what would change."),
) -> None:
    """Mark lost the local runs whose process is gone: running runs of a job that ended
    without closing its run (killed, out of memory, machine stopped), and queued runs of a
    launcher that died before starting them. Only runs started on this machine, from this
    DATAFEEDS_HOME, can be judged; Batch runs are settled by `datafeeds batch status --sync`."""
    from datafeeds_core.config import settings
    from datafeeds_core.executors.local.liveness import sync as sync_runs

    with errors_as_exit():
        engine = _engine()
        try:
            report = sync_runs(engine, settings().home, write=not dry_run)
        finally:
            engine.dispose()
    for c in report.changes:
        typer.echo(f"run {c.run_id}: {c.from_status} -> {c.to_status}: {c.error_message}")
    if dry_run:
        typer.echo(f"{plural(len(report.changes), 'run')} would be marked lost; nothing written")
    else:
        typer.echo(f"marked {plural(report.written, 'run')} lost")


@app.command("prune")
def prune() -> None:
    """Delete finished runs (and their local log files) older than DATAFEEDS_RUN_RETENTION_DAYS.
    Without that setting nothing expires and this does nothing."""
    from datafeeds_core.config import settings
    from datafeeds_core.platform.run_history import prune_runs

    cfg = settings()
    if cfg.run_retention_days is None:
        typer.echo("DATAFEEDS_RUN_RETENTION_DAYS is not set: every run is kept; nothing pruned")
        return
    with errors_as_exit():
        engine = _engine()
        try:
            report = prune_runs(
                engine, retention_days=cfg.run_retention_days, log_dir=cfg.run_log_dir
            )
        finally:
            engine.dispose()
    typer.echo(
        f"pruned {plural(report.runs_deleted, 'run')} finished before "
        f"{report.cutoff:%Y-%m-%d %H:%M} UTC and {plural(report.logs_deleted, 'log file')}"
    )
