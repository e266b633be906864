"""`datafeeds feeds`: the per-scraper feed configuration (enabled, queue, weekday)."""

from __future__ import annotations

from typing import Any

import typer

from datafeeds_core.cli import render
from datafeeds_core.cli.common import errors_as_exit
from datafeeds_core.errors import UsageError

app = typer.Typer(
    help="Feed configuration per scraper: which are enabled, on which queue and weekday.",
    no_args_is_help=True,
)


def _weekday(value: str | None) -> Any:
    """An int 0..6, None (every day), or feeds.UNCHANGED when the option is left out."""
    from datafeeds_core.platform.feeds import UNCHANGED

    if value is None:
        return UNCHANGED
    if value.lower() in ("none", "any", "every"):
        return None
    if not value.isdigit() or not 0 <= int(value) <= 6:
        raise UsageError(f"--weekday must be 0 (Monday) … 6 (Sunday) or none; got {value!r}")
    return int(value)


@app.command("list")
def list_feeds(
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """Every feed configuration, with its number of data sources; scraper keys that have data
    sources but no configuration are listed as not enabled. Weekdays: Monday = 0 … Sunday = 6."""
    from datafeeds_core.cli.render_runs import console, feeds_table
    from datafeeds_core.services import feeds

    with errors_as_exit():
        found = feeds.overview()
    if as_json:
        typer.echo(render.as_json(found))
        return
    feeds_table(found.feeds, found.data_sources, console())


@app.command("set")
def set_feed(
    key: str = typer.Argument(..., metavar="KEY", help="The scraper key."),
    enable: bool | None = typer.Option(
        None, "--enable/--disable", help="Run this scraper's data sources with `launch --all`."
    ),
    queue: str | None = typer.Option(
        None, "--queue", metavar="high|medium|low", help="The Batch queue of its jobs."
    ),
    weekday: str | None = typer.Option(
        None,
        "--weekday",
        metavar="0-6|none",
        help="Only on this weekday (Monday = 0 … Sunday = 6); none = every day.",
    ),
) -> None:
    """Change a scraper's feed configuration (created disabled, medium queue, every day, if it
    has none). Options left out keep their value."""
    from datafeeds_core.platform.feeds import WEEKDAYS
    from datafeeds_core.services import feeds

    with errors_as_exit():
        feed = feeds.set_feed(key, enabled=enable, queue=queue, weekday=_weekday(weekday))
    when = f"on {WEEKDAYS[feed.weekday]}s" if feed.weekday is not None else "every day"
    state = "enabled" if feed.enabled else "disabled"
    typer.echo(f"{feed.name}: {state}, queue {feed.queue}, {when}")
