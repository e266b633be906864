"""The platform database for one command: its engine opened from the settings and disposed
after, or its embedded SQLite file read directly for the listings (no SQLAlchemy import)."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

    from sqlalchemy.engine import Engine

MAX_OID = 2**63 - 1  # oids are PostgreSQL bigints


def platform_engine(*, must_exist: bool = True) -> AbstractContextManager[Engine]:
    """`with platform_engine() as engine:` on the configured platform database (see
    `database.engine_for` for the errors it maps)."""
    from datafeeds_core.config import settings
    from datafeeds_core.database import PLATFORM, engine_for

    return engine_for(settings().platform_url, PLATFORM, must_exist=must_exist)


def embedded_platform_file(oid: int | None = None) -> Path | None:
    """The platform database's SQLite file when a listing can read it directly (see
    `platform/listing.py`); None to go through SQLAlchemy, which also refuses an `oid` out of
    range with its own message."""
    from datafeeds_core.config import settings
    from datafeeds_core.platform.listing import sqlite_file

    if oid is not None and not 1 <= oid <= MAX_OID:
        return None
    return sqlite_file(settings().platform_url)
