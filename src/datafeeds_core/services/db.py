"""`datafeeds db`: the platform database's schema."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from datafeeds_core.services.databases import platform_engine

if TYPE_CHECKING:
    from datafeeds_core.platform.init import InitReport


@dataclass(frozen=True)
class Initialised:
    database: str  # its URL, password masked
    report: InitReport


def init() -> Initialised:
    """Create the platform schema (or only datafeeds' own tables on an existing database)."""
    from datafeeds_core.config import settings
    from datafeeds_core.logs import mask_url
    from datafeeds_core.platform.init import init_database

    url = settings().platform_url
    with platform_engine(must_exist=False) as engine:  # an empty database is what it fills
        report = init_database(engine)
    return Initialised(mask_url(url), report)
