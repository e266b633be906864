"""`datafeeds demo`: see the whole flow on the embedded default with one command."""

from __future__ import annotations

import os

import typer

from datafeeds_core.cli.common import errors_as_exit


def demo(
    scraper: str = typer.Option(
        "watauga-urjanet",
        "--scraper",
        help="The scraper key whose plugin metadata shapes the demo.",
    ),
) -> None:
    """See the whole flow on the embedded default: synthetic data, one job, the summary.

    Generates a synthetic Urjanet account for the scraper, seeds the platform rows (account 999,
    meter 4505071289158471, a data source), runs the job and prints the Final Billing Summary.

    Uses SQLite files and a documents folder under $DATAFEEDS_HOME (never a configured
    database). Running it again changes nothing and says so.
    """
    from datafeeds_core.cli.render import render_outcome
    from datafeeds_core.services.demo import demo as run_demo

    with errors_as_exit():
        result = run_demo(scraper, echo=typer.echo)
    outcome = result.outcome
    if result.statements_seeded:
        typer.echo(f"Seeded {result.statements_seeded} synthetic Urjanet statements for {scraper}.")
    render_outcome(outcome)
    if outcome.error:
        raise typer.Exit(outcome.exit_code)
    if outcome.status == "no-new-data":
        typer.echo("Nothing changed: every bill was already up to date.")
    home = os.environ.get("DATAFEEDS_HOME")
    prefix = f"DATAFEEDS_HOME={home} " if home else ""
    typer.echo("Run this job again with:")
    typer.echo(f"  {prefix}{result.rerun_command}")
