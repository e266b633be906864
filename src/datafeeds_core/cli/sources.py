"""`datafeeds sources`: meter data sources (which scraper runs for which meter)."""

from __future__ import annotations

import typer

from datafeeds_core.cli.common import errors_as_exit, parse_meta

app = typer.Typer(help="Meter data sources on the platform database.", no_args_is_help=True)


@app.command()
def create(
    account_oid: int = typer.Argument(..., help="The account the meter belongs to."),
    meter_oid: int = typer.Argument(..., help="The meter the scraper writes bills for."),
    scraper_key: str = typer.Argument(..., help="An installed scraper key, e.g. watauga-urjanet."),
    meta: str | None = typer.Option(
        None, "--meta", metavar="JSON", help="Data source settings the scraper needs (an object)."
    ),
) -> None:
    """Create a meter data source running SCRAPER_KEY for a meter; print its oid on stdout.

    Exit 2 for malformed --meta, 3 for an unknown account, meter or scraper key or missing meta.
    """
    from datafeeds_core.config import settings
    from datafeeds_core.database import PLATFORM, open_existing
    from datafeeds_core.platform.provisioning import create_data_source

    with errors_as_exit():
        values = parse_meta(meta)
        engine = open_existing(settings().platform_url, PLATFORM)
        try:
            oid = create_data_source(engine, account_oid, meter_oid, scraper_key, values)
        finally:
            engine.dispose()
    typer.echo(oid)
