"""`datafeeds web`: the read-only run dashboard in the browser."""

from __future__ import annotations

import typer

from datafeeds_core.cli.common import errors_as_exit


def web(
    host: str = typer.Option(
        "127.0.0.1",
        "--host",
        help="Address to listen on. Anything but loopback needs DATAFEEDS_WEB_TOKEN or "
        "DATAFEEDS_WEB_USER and DATAFEEDS_WEB_PASSWORD.",
    ),
    port: int = typer.Option(8000, "--port", min=0, max=65535, help="Port (0: any free port)."),
) -> None:
    """Serve the run dashboard (runs, one run, scrapers, attention; /api and /metrics), read
    only, over the configured platform database."""
    from datafeeds_core.services import web

    with errors_as_exit():
        web.serve(host, port)
