"""`datafeeds urjanet`: export Urjanet statements as fixture JSON and transform it offline."""

from __future__ import annotations

from pathlib import Path

import typer

from datafeeds_core.cli.common import errors_as_exit, parse_date

app = typer.Typer(
    help="Urjanet data tools: load, dump and transform fixture JSON.", no_args_is_help=True
)


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
    from datafeeds_core.services import urjanet

    with errors_as_exit():
        output = urjanet.transform(scraper_key, input_path, parse_date(after, "--after"))
    typer.echo(output)


@app.command()
def dump(
    scraper_key: str = typer.Argument(..., help="Scraper key, e.g. watauga-urjanet."),
    account: str = typer.Option(
        ...,
        "--account",
        help="The utility account id (as the platform stores it; the plugin normalises it).",
    ),
    said: str | None = typer.Option(None, "--said", help="The service id (SAID)."),
    meta: str | None = typer.Option(
        None, "--meta", metavar="JSON", help="The data source's meta (a JSON object)."
    ),
    gen_account: str | None = typer.Option(
        None, "--gen-account", help="The generation utility account id (generation-only keys)."
    ),
    gen_said: str | None = typer.Option(
        None, "--gen-said", help="The generation service id (generation-only keys)."
    ),
    commodity: str | None = typer.Option(
        None, "--commodity", help="The meter's commodity (kw, therms, ccf), for plugins that ask."
    ),
    anonymize: bool = typer.Option(
        False, "--anonymize", help="Replace account, meter and source-link ids (needs --seed)."
    ),
    seed: str | None = typer.Option(
        None, "--seed", help="Key of the anonymisation: the same seed gives the same ids."
    ),
    output: Path | None = typer.Option(
        None, "--output", "-o", metavar="FILE", help="Write here instead of stdout."
    ),
) -> None:
    """Export the statements a job of SCRAPER_KEY would load as an input fixture (fixture JSON).

    The Urjanet database is DATAFEEDS_URJANET_URL (or URJANET_MYSQL_*), else the embedded
    SQLite file. With --anonymize every AccountNumber, RawAccountNumber, PODid, MeterNumber and
    source-link id is replaced by a one-to-one mapping keyed by --seed that keeps length and
    format. Exit 1 when nothing is selected, 2 for usage errors, 3 for an unknown scraper key or
    missing database, 4 for a broken plugin, 75 when the database is unreachable.
    """
    from datafeeds_core.cli.common import parse_meta
    from datafeeds_core.errors import UsageError
    from datafeeds_core.services import urjanet
    from datafeeds_core.urjanet.dump import DumpRequest

    with errors_as_exit():
        if anonymize and seed is None:
            raise UsageError("--anonymize needs --seed (keep the seed out of the fixtures)")
        if seed is not None and not anonymize:
            raise UsageError("--seed only applies with --anonymize")
        request = DumpRequest(
            scraper_key=scraper_key,
            account=account,
            said=said,
            meta=parse_meta(meta),
            gen_account=gen_account,
            gen_said=gen_said,
            commodity=commodity,
            anonymise_seed=seed if anonymize else None,
        )
        text = urjanet.dump(request)
        if output is None:
            typer.echo(text)
        else:
            try:
                output.write_text(text + "\n", encoding="utf-8")
            except OSError as exc:
                raise UsageError(f"cannot write {output}: {exc}") from None


@app.command()
def load(
    input_path: Path = typer.Argument(
        ..., metavar="FILE.json", help="An input fixture or a `datafeeds urjanet dump` file."
    ),
) -> None:
    """Load the statements of a fixture or dump file into the Urjanet database.

    The database is DATAFEEDS_URJANET_URL (or URJANET_MYSQL_*), else the embedded SQLite file
    in $DATAFEEDS_HOME; its tables are created if missing. Loading the same file again changes
    nothing. Exit 1 for a malformed file, 3 when its rows clash with rows in the database, 75
    when the database is unreachable.
    """
    from datafeeds_core.cli.render import plural
    from datafeeds_core.services import urjanet

    with errors_as_exit():
        done = urjanet.load(input_path)
    report, where = done.report, done.database
    if report.loaded:
        typer.echo(f"loaded {plural(report.loaded, 'statement')} into {where}")
    else:
        there = plural(report.already_there, "statement")
        typer.echo(f"{there} already in {where}: nothing loaded")
