"""Plain-text rendering of job outcomes for the terminal (the CLI stays free of formatting)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import typer


def plural(n: int, noun: str) -> str:
    """ "1 job", "2 jobs"."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


COUNT_ORDER = (
    "periods",
    "new",
    "updated",
    "unchanged",
    "replaced",
    "skipped",
    "dropped_statements",
)


def counts_line(counts: dict[str, int]) -> str:
    keys = [k for k in COUNT_ORDER if k in counts] + sorted(set(counts) - set(COUNT_ORDER))
    return ", ".join(f"{k.replace('_', ' ')} {counts[k]}" for k in keys)


def render_outcome(outcome: Any, echo: Callable[[str], None] = typer.echo) -> None:
    """Diff (dry run), the counts line, and a one-line error on stderr when it failed."""
    if outcome.diff:
        echo("Dry run, nothing written. The bills would be:")
    for d in outcome.diff:
        echo(f"  {d['operation']:<10} {d['start']}..{d['end']}  {d.get('reason') or ''}".rstrip())
    counts = f" ({counts_line(outcome.counts)})" if "periods" in outcome.counts else ""
    echo(f"run {outcome.run_id}: {outcome.status}{counts}")
    if outcome.error:
        from datafeeds_core.logs import one_line

        typer.echo(f"error: {one_line(outcome.error)}", err=True)
