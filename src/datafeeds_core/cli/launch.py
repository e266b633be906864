"""`datafeeds launch`: many jobs, each in an isolated child process, with a progress bar."""

from __future__ import annotations

import os

import typer

from datafeeds_core.cli.common import ascii_number, errors_as_exit, parse_date
from datafeeds_core.errors import UsageError


def _oids(values: list[str]) -> tuple[int, ...]:
    """`--oid 1 --oid 2` and `--oid 1,2` alike."""
    out = []
    for value in values:
        for part in value.split(","):
            part = part.strip()
            if not part:
                continue
            try:
                number = ascii_number(part)
            except typer.BadParameter:
                number = 0
            if number < 1:
                raise UsageError(f"--oid: {part!r} is not a data source oid")
            out.append(number)
    return tuple(out)


def launch(
    all_: bool = typer.Option(
        False,
        "--all",
        help="Every data source whose scraper's feed configuration is enabled and due today "
        "(its weekday) and has an installed plugin. --scraper and --oid then narrow it.",
    ),
    scraper: str | None = typer.Option(
        None, "--scraper", metavar="KEY", help="The data sources of this scraper key."
    ),
    oid: list[str] = typer.Option(
        [], "--oid", metavar="N", help="A data source oid (repeat it, or give N,N,...)."
    ),
    start: str | None = typer.Option(
        None,
        "--start",
        metavar="YYYY-MM-DD",
        help="First day (inclusive); default today − 730 days.",
    ),
    end: str | None = typer.Option(
        None, "--end", metavar="YYYY-MM-DD", help="Last day (exclusive); default today."
    ),
    concurrency: int = typer.Option(
        os.cpu_count() or 2, "--concurrency", min=1, help="Jobs running at the same time."
    ),
    timeout: float = typer.Option(
        3600.0,
        "--timeout",
        min=0.001,
        metavar="SECONDS",
        help="Stop a job running longer than this and record it as timed out.",
    ),
    dry_run: bool = typer.Option(
        False,
        "--dry-run",
        help="Write nothing; report per data source which bills would be new, updated or replaced.",
    ),
) -> None:
    """Run many jobs locally, each isolated in its own child process.

    Children fork from a warm server (imports paid once). Every chosen data source gets a
    queued run record first; a job that crashes, is killed or outlives --timeout is recorded
    as such and affects no other job. Shows a progress bar on a terminal (one line per job
    otherwise) and a closing summary.

    Without --all, --scraper and --oid choose data sources whatever their feed configuration
    says. Each job logs to $DATAFEEDS_HOME/logs/<run id>.log (or DATAFEEDS_LOG_DIR).

    Exit codes: 0 every job ended 0 (cancelled jobs aside); 1 some job did not; 2 usage error;
    3 configuration error; 75 platform database unreachable.
    """
    from datafeeds_core.cli.render_runs import console, launch_summary, progress_for
    from datafeeds_core.executors.local.fleet import LaunchRequest
    from datafeeds_core.services.launch import launch as launch_jobs

    out = console()
    with errors_as_exit():
        request = LaunchRequest(
            all=all_,
            scraper=scraper,
            oids=_oids(oid),
            start=parse_date(start, "--start"),
            end=parse_date(end, "--end"),
            dry_run=dry_run,
            concurrency=concurrency,
            timeout_s=timeout,
        )
        report = launch_jobs(request, observer=progress_for(out))
    launch_summary(report, out)
    raise typer.Exit(report.exit_code)
