"""`datafeeds urjanet`: Urjanet statements as fixture JSON (dump, load) and offline transforms."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datafeeds_core.urjanet.dump import DumpRequest, LoadReport


@dataclass(frozen=True)
class Loaded:
    database: str  # its URL, password masked
    report: LoadReport


def transform(scraper_key: str, input_path: Path, after: date | None) -> str:
    """The periods JSON of an input fixture transformed with the plugin's rules."""
    from datafeeds_core.job.transform import transform_fixture

    return transform_fixture(scraper_key, input_path, after)


def dump(request: DumpRequest) -> str:
    """The input fixture JSON of the statements a job would load for `request`."""
    from datafeeds_core.config import settings
    from datafeeds_core.urjanet.dump import dump_fixture

    return dump_fixture(settings().urjanet_url, request)


def load(input_path: Path) -> Loaded:
    """Load a fixture's statements into the Urjanet database (its tables created if missing)."""
    from datafeeds_core.config import settings
    from datafeeds_core.logs import mask_url
    from datafeeds_core.urjanet.dump import load_fixture

    cfg = settings()
    cfg.ensure_home()
    report = load_fixture(cfg.urjanet_url, input_path)
    return Loaded(mask_url(cfg.urjanet_url), report)
