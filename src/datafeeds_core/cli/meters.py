"""`datafeeds meters`: add meters (with their utility service) to the platform database."""

from __future__ import annotations

import typer

from datafeeds_core.cli import render
from datafeeds_core.cli.common import errors_as_exit

app = typer.Typer(help="Meters on the platform database.", no_args_is_help=True)


@app.command()
def add(
    utility: str = typer.Option(..., "--utility", help="Platform utility, e.g. utility:watauga."),
    utility_account_id: str = typer.Option(
        ..., "--utility-account-id", help="The utility's account number."
    ),
    service_id: str = typer.Option(..., "--service-id", help="The service id (SAID)."),
    account_oid: int | None = typer.Option(
        None, "--account-oid", help="Add the meter to this existing account."
    ),
    account_name: str | None = typer.Option(
        None, "--account-name", help="Add the meter to the account of this name (created if new)."
    ),
    commodity: str = typer.Option("kw", "--commodity", help="kw, therms or ccf."),
    name: str | None = typer.Option(None, "--name", help="Meter name (default: the ids)."),
    meter_oid: int | None = typer.Option(
        None, "--meter-oid", help="Use this oid instead of generating one."
    ),
) -> None:
    """Add a meter on a new utility service to an account; print the meter oid on stdout.

    Give exactly one of --account-oid and --account-name.
    """
    from datafeeds_core.services import meters

    with errors_as_exit():
        oid = meters.add(
            meters.NewMeter(
                utility=utility,
                utility_account_id=utility_account_id,
                service_id=service_id,
                account_oid=account_oid,
                account_name=account_name,
                commodity=commodity,
                meter_name=name,
                meter_oid=meter_oid,
            )
        )
    typer.echo(oid)


@app.command("list")
def list_meters(
    account_oid: int | None = typer.Option(
        None, "--account-oid", metavar="N", help="Only the meters of this account."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON list instead of a table."),
) -> None:
    """Meters by oid: name, commodity, accounts, utility, account id and service id."""
    from datafeeds_core.cli.render_runs import console, meters_table
    from datafeeds_core.services import meters

    with errors_as_exit():
        found = meters.list_meters(account_oid=account_oid)
    if as_json:
        typer.echo(render.as_json(found))
        return
    meters_table(found, console())
