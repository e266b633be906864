"""`datafeeds plugins`: list (metadata only), check (imports each), freeze."""

from __future__ import annotations

import typer

from datafeeds_core.cli import render

FREEZE_HEADER = (
    "# The plugin set the image installs: `datafeeds plugins freeze > container/plugins.txt`"
)

app = typer.Typer(help="Installed utility plugins.", no_args_is_help=True)


@app.command("list")
def list_(as_json: bool = typer.Option(False, "--json", help="Print a JSON list.")) -> None:
    """List installed plugins from their metadata, without importing any."""
    from datafeeds_core.services import plugins

    infos = plugins.installed()
    if as_json:
        typer.echo(render.as_json(infos))
        return
    if not infos:
        typer.echo("no plugins installed")
        return
    # One write, not one per plugin: each echo flushes.
    rows = [("KEY", "DISTRIBUTION", "VERSION", "MODULE")]
    rows += [(i.key, i.distribution, i.version, i.module) for i in infos]
    typer.echo("\n".join(f"{k:<36} {d:<32} {v:<10} {m}" for k, d, v, m in rows))


@app.command("check")
def check(as_json: bool = typer.Option(False, "--json", help="Print a JSON list.")) -> None:
    """Import every plugin, each on its own, and report ok, broken or duplicate."""
    from datafeeds_core.services import plugins

    results = plugins.check()
    if as_json:
        typer.echo(render.as_json(results))
    else:
        for r in results:
            line = f"{r.info.key:<36} {r.status:<9} {r.info.distribution} {r.info.version}"
            typer.echo(line + (f"  {r.error}" if r.error else ""))
    if any(r.status != "ok" for r in results):
        raise typer.Exit(4)


@app.command("freeze")
def freeze() -> None:
    """Print `distribution==version` for every installed plugin (what the image pins), after a
    comment line naming the command, so `plugins freeze > container/plugins.txt` keeps it."""
    from datafeeds_core.services import plugins

    typer.echo("\n".join([FREEZE_HEADER, *plugins.pins()]))
