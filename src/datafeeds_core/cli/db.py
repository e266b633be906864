"""`datafeeds db`: the platform database's schema."""

from __future__ import annotations

import typer

from datafeeds_core.cli.common import errors_as_exit

app = typer.Typer(help="The platform database: create its schema.", no_args_is_help=True)


@app.command()
def init() -> None:
    """Create the platform schema on an empty database; on an existing one only datafeeds' own
    tables (run records, feed configuration). Safe to run again: it then changes nothing.

    The database is DATAFEEDS_PLATFORM_URL (or POSTGRES_URL), else the embedded SQLite file in
    $DATAFEEDS_HOME.
    """
    from datafeeds_core.services import db

    with errors_as_exit():
        done = db.init()
    typer.echo(f"platform database: {done.database}")
    for line in done.report.lines():
        typer.echo(line)
