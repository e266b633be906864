"""`datafeeds urjanet`: work on Urjanet data offline (fixture JSON)."""

from __future__ import annotations

from pathlib import Path

import typer

from datafeeds_core.cli.common import errors_as_exit, parse_date

app = typer.Typer(help="Urjanet data tools: transform fixture JSON.", no_args_is_help=True)


@app.command()
def transform(
    scraper_key: str = typer.Argument(..., help="Scraper key, e.g. watauga-urjanet."),
    input_path: Path = typer.Argument(..., metavar="INPUT.json", help="Input fixture JSON."),
    after: str | None = typer.Option(
        None,
        "--after",
        metavar="YYYY-MM-DD",
        help="Before transforming, drop charges and usages whose IntervalStart is before this.",
    ),
) -> None:
    """Transform an input fixture with a plugin's rules; print {"periods": [...]} on stdout.

    Dropped statements and logs go to stderr. Exit 0 on success, 1 for malformed input or a
    transform error, 2 for usage errors, 3 for an unknown scraper key, 4 for a broken plugin.
    """
    from datafeeds_core.transforming import transform_fixture

    with errors_as_exit():
        output = transform_fixture(scraper_key, input_path, parse_date(after, "--after"))
    typer.echo(output)
