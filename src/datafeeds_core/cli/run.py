"""`datafeeds run`: one job for one meter data source."""

from __future__ import annotations

import typer

from datafeeds_core.cli.common import errors_as_exit, oid_number, parse_date


def run(
    oid: int = typer.Option(
        ..., "--oid", metavar="N", parser=oid_number, help="The meter data source oid."
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
    dry_run: bool = typer.Option(
        False,
        "--dry-run",
        help="Write nothing; print which bills would be new, updated or replaced.",
    ),
    allow_mass_replace: bool = typer.Option(
        False,
        "--allow-mass-replace",
        help="Accept a plan in which one new bill replaces more than 2 existing bills "
        "(refused otherwise: see docs/reliability.md).",
    ),
    force: bool = typer.Option(
        False, "--force", help="Run even when the scraper's feed is disabled (feeds set --disable)."
    ),
) -> None:
    """Run one meter data source's job and print the Final Billing Summary.

    Loads the data source's Urjanet statements, builds billing periods with its plugin, stores
    the bill documents, writes the bills overlapping [start, end) and records the run.

    The log also goes to $DATAFEEDS_HOME/logs/<run id>.log (or DATAFEEDS_LOG_DIR), which
    `datafeeds runs show` prints.

    Exit codes: 0 succeeded or no new data; 1 job failed; 2 usage error; 3 configuration error
    (unknown oid, unknown scraper, disabled feed without --force, missing meta); 4 plugin
    broken; 75 database or network unreachable (retried by Batch).
    """
    from datafeeds_core.cli.render import render_outcome
    from datafeeds_core.job.request import JobRequest
    from datafeeds_core.services.run import run_one

    with errors_as_exit():
        request = JobRequest(
            oid=oid,
            start=parse_date(start, "--start"),
            end=parse_date(end, "--end"),
            dry_run=dry_run,
            allow_mass_replace=allow_mass_replace,
            refuse_disabled_feed=not force,
        )
        outcome = run_one(request, echo=typer.echo)
    render_outcome(outcome, echo=typer.echo)
    raise typer.Exit(outcome.exit_code)
