"""`datafeeds sources`: meter data sources (which scraper runs for which meter)."""

from __future__ import annotations

import typer

from datafeeds_core.cli import render
from datafeeds_core.cli.common import errors_as_exit, parse_meta, parse_oid
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
    from datafeeds_core.services import sources

    with errors_as_exit():
        if len(args) not in (2, 3):
            raise UsageError("give METER_OID SCRAPER_KEY, or ACCOUNT_OID METER_OID SCRAPER_KEY")
        *oids, scraper_key = args
        account_oid = parse_oid(oids[0], "account") if len(oids) == 2 else None
        meter_oid = parse_oid(oids[-1], "meter")
        oid = sources.create(account_oid, meter_oid, scraper_key, parse_meta(meta))
    typer.echo(oid)


@app.command("list")
def list_sources(
    scraper: str | None = typer.Option(None, "--scraper", metavar="KEY", help="Only this scraper."),
    meter: int | None = typer.Option(None, "--meter", metavar="N", help="Only this meter's."),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON list instead of a table."),
) -> None:
    """Meter data sources by oid: scraper key, meter, account, the meter's ids and meta."""
    from datafeeds_core.cli.render_runs import console, sources_table
    from datafeeds_core.services import sources

    with errors_as_exit():
        found = sources.list_sources(scraper=scraper, meter=meter)
    if as_json:
        typer.echo(render.as_json(found))
        return
    sources_table(found, console())
