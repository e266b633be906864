"""`datafeeds documents`: bill documents (PDFs) of bills already written."""

from __future__ import annotations

import typer

from datafeeds_core.cli import render
from datafeeds_core.cli.common import errors_as_exit, oid_number

app = typer.Typer(
    help="Bill documents: backfill PDFs for bills already written.", no_args_is_help=True
)


@app.command()
def fetch(
    oid: int = typer.Option(
        ..., "--oid", metavar="N", parser=oid_number, help="The meter data source oid."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Fetch, check and store the documents of a data source's bills and attach them.

    The statements are loaded and transformed again to find each bill's source links; documents
    already stored are reused, not downloaded. A document that cannot be had is reported and
    leaves its bill as it was.
    """
    from datafeeds_core.services import documents

    with errors_as_exit():
        report = documents.fetch(oid)
    if as_json:
        typer.echo(render.as_json(report))
        return
    c = report.counts
    typer.echo(
        f"data source {report.data_source_oid}: {report.bills} bills, {report.matched} with "
        f"source links, {report.attached} attached; documents fetched {c.get('fetched', 0)}, "
        f"reused {c.get('reused', 0)}, failed {c.get('failed', 0)}"
    )
    for url, reason in report.failures.items():
        typer.echo(f"  no document for {url}: {reason}")
