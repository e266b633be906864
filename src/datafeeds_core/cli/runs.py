"""`datafeeds runs`: the run history (list, show, stats), and cancel, rerun, sync, prune."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import typer

from datafeeds_core.cli import render
from datafeeds_core.cli.common import ascii_number, errors_as_exit
from datafeeds_core.cli.render import plural
from datafeeds_core.errors import UsageError

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
    from datafeeds_core.services import runs as service

    with errors_as_exit():
        found = service.list_runs(
            scraper=scraper, oid=oid, status=status, since=parse_since(since), limit=limit
        )
    if as_json:
        typer.echo(render.as_json(found))
        return
    runs_table(found, console())


@app.command("show")
def show(
    run_id: int = typer.Argument(..., metavar="ID", help="The run id."),
    lines: int = typer.Option(20, "--lines", "-n", min=0, help="Lines of the log's tail."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON (with the log tail)."),
) -> None:
    """One run in detail, with the tail of its log."""
    from datafeeds_core.cli.render_runs import console, run_details
    from datafeeds_core.services import runs as service

    with errors_as_exit():
        details = service.show(run_id, lines=lines)
    if as_json:
        typer.echo(render.as_json(details))
        return
    run_details(details.run, details.log_tail, console())


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
    from datafeeds_core.cli.render_runs import console, stats_tables
    from datafeeds_core.services import runs as service

    with errors_as_exit():
        after = parse_since(since)
        assert after is not None
        found = service.stats(since=after, scraper=scraper, stale_days=stale_days)
    if as_json:
        typer.echo(render.as_json(found))
        return
    stats_tables(found, console())


@app.command("cancel")
def cancel(run_id: int = typer.Argument(..., metavar="ID", help="The run id.")) -> None:
    """Cancel a queued run (it will not start) or a running local one (its launcher stops it).
    A finished run cannot be cancelled (exit 2)."""
    from datafeeds_core.services import runs as service

    with errors_as_exit():
        run = service.cancel(run_id)
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
    from datafeeds_core.services import runs as service

    out = console()
    with errors_as_exit():
        done = service.rerun(run_id, timeout_s=timeout, observer=progress_for(out))
    launch_summary(done.report, out)
    raise typer.Exit(done.exit_code)


@app.command("sync")
def sync(
    dry_run: bool = typer.Option(False, "--dry-run", help="Only list what would change."),
) -> None:
    """Mark lost the local runs whose process is gone: running runs of a job that ended
    without closing its run (killed, out of memory, machine stopped), and queued runs of a
    launcher that died before starting them. Only runs started on this machine, from this
    DATAFEEDS_HOME, can be judged; Batch runs are settled by `datafeeds batch status --sync`."""
    from datafeeds_core.services import runs as service

    with errors_as_exit():
        report = service.sync(dry_run=dry_run)
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
    from datafeeds_core.services import runs as service

    with errors_as_exit():
        report = service.prune()
    if report is None:
        typer.echo("DATAFEEDS_RUN_RETENTION_DAYS is not set: every run is kept; nothing pruned")
        return
    typer.echo(
        f"pruned {plural(report.runs_deleted, 'run')} finished before "
        f"{report.cutoff:%Y-%m-%d %H:%M} UTC and {plural(report.logs_deleted, 'log file')}"
    )
