"""`datafeeds doctor`: check the configuration, databases, plugins, document store and AWS."""

from __future__ import annotations

import typer

from datafeeds_core.cli import render


def doctor(
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of lines."),
) -> None:
    """Check that this installation can run jobs: one line per check, with a hint to fix it.

    Checks the configuration, the platform database (reachable, schema, revision), the Urjanet
    database (reachable, tables, version), the plugins (each imports), the document store
    (writable) and, when Batch is configured, the AWS settings. Changes nothing.

    Exit codes: 0 every check passed (or was skipped); 3 a check failed.
    """
    from datafeeds_core.services.doctor import diagnose

    diagnosis = diagnose()
    if as_json:
        typer.echo(render.as_json(diagnosis))
    else:
        width = max(len(c.name) for c in diagnosis.checks)
        for c in diagnosis.checks:
            hint = f" (hint: {c.hint})" if c.hint else ""
            typer.echo(f"{c.status:<7} {c.name:<{width}}  {c.detail}{hint}")
    raise typer.Exit(diagnosis.exit_code)
