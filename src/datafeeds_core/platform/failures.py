"""How platform-database failures reach the user: outages retry, a missing schema says so."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from datafeeds_core.database import unreachable_is_transient
from datafeeds_core.errors import ConfigurationError

UNDEFINED_TABLE = "42P01"  # PostgreSQL SQLSTATE


@contextmanager
def schema_required() -> Iterator[None]:
    """A missing platform table is a configuration error (exit 3) that names the fix."""
    from sqlalchemy.exc import DBAPIError

    try:
        yield
    except DBAPIError as exc:
        text = str(exc.orig)
        if "no such table" in text or getattr(exc.orig, "sqlstate", None) == UNDEFINED_TABLE:
            first = text.strip().splitlines()[0]
            raise ConfigurationError(
                f"the platform database lacks a table ({first}): run `datafeeds db init`"
            ) from exc
        raise


@contextmanager
def platform_errors() -> Iterator[None]:
    """Outages → TransientError (exit 75); a missing table → ConfigurationError (exit 3)."""
    with unreachable_is_transient("platform database"), schema_required():
        yield
