"""What every command shares: error reporting and logging set-up."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any, TypeVar

import typer

from datafeeds_core.errors import DatafeedsError, ExitCode, UsageError

T = TypeVar("T")
MAX_OID = 2**63 - 1  # oids are PostgreSQL bigints


def configure_logging() -> None:
    from datafeeds_core.logs import setup

    setup(os.environ.get("DATAFEEDS_LOG_FORMAT", "text"))


def report(exc: BaseException) -> int:
    """Print one line for the error and return its exit code."""
    from datafeeds_core.logs import redact

    if isinstance(exc, DatafeedsError):
        typer.echo(f"error: {redact(str(exc))}", err=True)
        return int(exc.exit_code)
    typer.echo(f"error: unexpected {type(exc).__name__}: {redact(str(exc))}", err=True)
    return int(ExitCode.FAILED)


@contextmanager
def errors_as_exit() -> Iterator[None]:
    try:
        yield
    except DatafeedsError as exc:
        raise typer.Exit(report(exc)) from None


def call(fn: Callable[[], T]) -> T:
    with errors_as_exit():
        return fn()
    raise AssertionError("unreachable")  # pragma: no cover


def parse_date(value: str | None, name: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"{name}: {value!r} is not a date (YYYY-MM-DD)") from None


def echo_err(text: str) -> None:
    print(text, file=sys.stderr)


def parse_meta(raw: str | None) -> dict[str, Any]:
    """--meta: a JSON object (empty when not given)."""
    if raw is None:
        return {}
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise UsageError(f"--meta is not valid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise UsageError('--meta must be a JSON object, e.g. \'{"key": "value"}\'')
    return value
