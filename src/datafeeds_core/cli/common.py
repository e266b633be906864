"""What every command shares: option parsers, one-line errors with exit codes, logging set-up."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import typer
from typer.core import TyperCommand

from datafeeds_core.errors import DatafeedsError, ExitCode, UsageError
from datafeeds_core.services.databases import MAX_OID

_ASCII_DIGITS = re.compile(r"[0-9]+")


def ascii_number(value: str | int) -> int:
    """An option's whole number written in ASCII digits only: int() alone would read `1_0` as 10
    and `١` (Arabic-Indic one) as 1. Else click's "Invalid value for …" (exit 2)."""
    if isinstance(value, int):
        return value
    if not _ASCII_DIGITS.fullmatch(value):
        raise typer.BadParameter(f"{value!r} is not a number (digits 0-9 only)")
    return int(value)


def oid_number(value: str | int) -> int:
    """`--oid`: ASCII digits, 1 to MAX_OID."""
    number = ascii_number(value)
    if not 1 <= number <= MAX_OID:
        raise typer.BadParameter(f"{value!r} is not a data source oid (1 to {MAX_OID})")
    return number


class PlainHelp(TyperCommand):
    """click's help layout instead of rich's panels, for commands whose long option and
    variable names rich would cut on an 80-column terminal (click wraps, never cuts)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rich_markup_mode = None


def configure_logging() -> None:
    from datafeeds_core.logs import setup

    setup(os.environ.get("DATAFEEDS_LOG_FORMAT", "text"))


def one_line(text: str) -> str:
    from datafeeds_core.logs import one_line as first_line

    return first_line(text)


def report(exc: BaseException) -> int:
    """Print one line for the error and return its exit code."""
    if isinstance(exc, DatafeedsError):
        typer.echo(f"error: {one_line(str(exc))}", err=True)
        return int(exc.exit_code)
    typer.echo(f"error: unexpected {type(exc).__name__}: {one_line(str(exc))}", err=True)
    return int(ExitCode.FAILED)


def is_usage_error(exc: BaseException) -> bool:
    """A click usage error (typer ships its own copy of click, so by class name)."""
    return any(cls.__name__ == "UsageError" for cls in type(exc).__mro__)


def report_usage(exc: Any) -> int:
    """A command-line mistake (unknown option, bad value, missing argument) in one line; a
    command group given no command prints its help, as click does."""
    if type(exc).__name__ == "NoArgsIsHelpError":
        exc.show()
        return int(ExitCode.USAGE)
    ctx = getattr(exc, "ctx", None)
    where = f" (see '{ctx.command_path} -h')" if ctx is not None else ""
    typer.echo(f"error: {one_line(exc.format_message())}{where}", err=True)
    return int(ExitCode.USAGE)


@contextmanager
def errors_as_exit() -> Iterator[None]:
    try:
        yield
    except DatafeedsError as exc:
        raise typer.Exit(report(exc)) from None


def parse_date(value: str | None, name: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"{name}: {value!r} is not a date (YYYY-MM-DD)") from None


def parse_oid(value: str, what: str) -> int:
    """An oid given as a positional word; its range is checked where it is used."""
    try:
        return int(value)
    except ValueError:
        raise UsageError(f"{what} oid: {value!r} is not a number") from None


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
