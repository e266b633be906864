"""`datafeeds new-plugin`: generate a utility plugin package."""

from __future__ import annotations

from pathlib import Path

import typer

from datafeeds_core.cli.common import errors_as_exit
from datafeeds_core.errors import UsageError


def new_plugin(
    folder: str = typer.Argument(..., help="Package folder, e.g. city-of-bellevue."),
    provider: str = typer.Option(..., "--provider", help="Urjanet provider code, e.g. EBMUD."),
    water: bool = typer.Option(False, "--water", help="Water meters and the generic water rules."),
    electric: bool = typer.Option(
        False, "--electric", help="Electric meters and the generic electric rules (the default)."
    ),
    key: str | None = typer.Option(
        None, "--key", help="Scraper key to register (default FOLDER-urjanet)."
    ),
    dest: Path = typer.Option(Path("plugins"), "--dest", help="Where to create FOLDER/."),
) -> None:
    """Create DEST/FOLDER/: a working plugin package with README and conformance tests.

    Its reference test fails, naming the fixtures folder, until an input/expected pair is added.
    """
    from datafeeds_core.services import plugins

    with errors_as_exit():
        if water and electric:
            raise UsageError("choose one of --water and --electric")
        made = plugins.new_plugin(
            folder,
            provider=provider,
            commodity="water" if water else "electric",
            dest=dest,
            key=key,
        )
    for path in made.files:
        typer.echo(f"created {path}")
    typer.echo(
        f"\n{made.distribution}: key {made.key}, module {made.module}. Next:\n"
        f"  pip install -e {made.folder}\n"
        f"  datafeeds plugins list\n"
        f"  pytest {made.folder}   # fails until tests/fixtures/ holds a reference pair"
    )
