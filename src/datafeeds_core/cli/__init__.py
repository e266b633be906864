"""The `datafeeds` command: one module per command group (`run.py`, `runs.py`, `batch.py`, …),
each command parsing its options, calling one function of `services/` and rendering the result;
`render.py` (text and every `--json` output) and `render_runs.py` (tables, progress) render,
`common.py` holds the option parsers and the one-line error reporting with exit codes.

Start-up stays fast: this package imports typer and nothing heavy; commands import their service
(and the service its libraries) when they run.
"""

from __future__ import annotations

import sys

import typer

from datafeeds_core.cli import common
from datafeeds_core.errors import ExitCode

app = typer.Typer(
    name="datafeeds",
    help="Turn Urjanet utility-bill data into billing periods, one job per meter data source.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        from datafeeds_core import __version__
        from datafeeds_core.services.plugins import installed

        typer.echo(f"datafeeds-core {__version__}")
        plugins = installed()
        if not plugins:
            typer.echo("no plugins installed")
        for info in plugins:
            typer.echo(f"  {info.key:<36} {info.distribution} {info.version}")
        raise typer.Exit()


@app.callback()
def root(
    version: bool = typer.Option(
        False,
        "--version",
        callback=_version,
        is_eager=True,
        help="Show the version and every installed plugin with its version.",
    ),
) -> None:
    """Turn Urjanet utility-bill data into billing periods, one job per meter data source.

    With no configuration everything runs on the embedded default (SQLite files and a local
    folder under $DATAFEEDS_HOME); try `datafeeds demo`.
    """


def _register() -> None:
    from datafeeds_core.cli import (
        batch,
        db,
        demo,
        doctor,
        documents,
        feeds,
        launch,
        meters,
        plugins,
        run,
        runs,
        scaffold,
        sources,
        urjanet,
        web,
        worker,
    )

    app.command("run")(run.run)
    app.command("demo")(demo.demo)
    app.command("launch")(launch.launch)
    app.command("doctor")(doctor.doctor)
    app.add_typer(runs.app, name="runs")
    app.add_typer(feeds.app, name="feeds")
    app.add_typer(meters.app, name="meters")
    app.add_typer(sources.app, name="sources")
    app.add_typer(documents.app, name="documents")
    app.add_typer(db.app, name="db")
    app.add_typer(plugins.app, name="plugins")
    app.add_typer(urjanet.app, name="urjanet")
    app.add_typer(batch.app, name="batch")
    app.command("worker")(worker.worker)
    app.command("new-plugin")(scaffold.new_plugin)
    app.command("web")(web.web)


_register()


def main() -> None:
    """Console-script entry: one-line errors with the documented exit codes, never a traceback."""
    try:
        common.configure_logging()
        # Not standalone: usage errors come here to be printed in one line (click prints a
        # framed, multi-line message).
        code = app(standalone_mode=False)
    except typer.Abort:
        typer.echo("error: aborted", err=True)
        code = int(ExitCode.FAILED)
    except SystemExit:
        raise
    except Exception as exc:  # the last line of defence: still one line, still an exit code
        code = common.report_usage(exc) if common.is_usage_error(exc) else common.report(exc)
    sys.exit(code if isinstance(code, int) else 0)
