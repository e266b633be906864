"""`datafeeds sources`: meter data sources (which scraper runs for which meter)."""

from __future__ import annotations

import json

import typer

from datafeeds_core.cli.common import MAX_OID, errors_as_exit, parse_meta, parse_oid
from datafeeds_core.errors import UsageError

app = typer.Typer(help="Meter data sources on the platform database.", no_args_is_help=True)


@app.command()
def create(
    args: list[str] = typer.Argument(
        ...,
        metavar="[ACCOUNT_OID] METER_OID SCRAPER_KEY",
        help="The meter (and, to check it belongs there, its account) and an installed "
        "scraper key, e.g. watauga-urjanet.",
        show_default=False,
    ),
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
        if len(args) not in (2, 3):
            raise UsageError("give METER_OID SCRAPER_KEY, or ACCOUNT_OID METER_OID SCRAPER_KEY")
        *oids, scraper_key = args
        account_oid = parse_oid(oids[0], "account") if len(oids) == 2 else None
        meter_oid = parse_oid(oids[-1], "meter")
        values = parse_meta(meta)
        engine = open_existing(settings().platform_url, PLATFORM)
        try:
            oid = create_data_source(engine, account_oid, meter_oid, scraper_key, values)
        finally:
            engine.dispose()
    typer.echo(oid)


@app.command("list")
def list_sources(
    scraper: str | None = typer.Option(None, "--scraper", metavar="KEY", help="Only this scraper."),
    meter: int | None = typer.Option(None, "--meter", metavar="N", help="Only this meter's."),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON list instead of a table."),
) -> None:
    """Meter data sources by oid: scraper key, meter, account, the meter's ids and meta."""
    from datafeeds_core.cli.render_runs import console, sources_table
    from datafeeds_core.config import settings
    from datafeeds_core.platform.listing import sqlite_file

    with errors_as_exit():
        url = settings().platform_url
        embedded = sqlite_file(url) if meter is None or 1 <= meter <= MAX_OID else None
        found = None
        if embedded is not None:  # the everyday case, without importing SQLAlchemy
            from datafeeds_core.platform.listing import Unreadable
            from datafeeds_core.platform.listing import list_data_sources as read_file

            try:
                found = read_file(embedded, scraper=scraper, meter_oid=meter)
            except Unreadable:
                found = None
        if found is None:
            from datafeeds_core.database import make_engine
            from datafeeds_core.platform.provisioning import list_data_sources

            engine = make_engine(url)
            try:
                found = list_data_sources(engine, scraper=scraper, meter_oid=meter)
            finally:
                engine.dispose()
    if as_json:
        typer.echo(json.dumps([d.as_dict() for d in found], indent=2))
        return
    sources_table(found, console())
