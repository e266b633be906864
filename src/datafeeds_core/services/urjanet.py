"""`datafeeds urjanet`: Urjanet statements as fixture JSON (dump, load) and offline transforms."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from datafeeds_core.urjanet.dump import LoadReport


@dataclass(frozen=True)
class Loaded:
    database: str  # its URL, password masked
    report: LoadReport


def transform(scraper_key: str, input_path: Path, after: date | None) -> str:
    """The periods JSON of an input fixture transformed with the plugin's rules."""
    from datafeeds_core.job.transform import transform_fixture

    return transform_fixture(scraper_key, input_path, after)


def dump(
    scraper_key: str,
    *,
    account: str,
    said: str | None,
    meta: Mapping[str, Any],
    gen_account: str | None,
    gen_said: str | None,
    commodity: str | None,
    anonymise_seed: str | None,
) -> str:
    """The input fixture JSON of the statements a job of `scraper_key` would load."""
    from datafeeds_core.config import settings
    from datafeeds_core.urjanet.dump import DumpRequest, dump_fixture

    request = DumpRequest(
        scraper_key=scraper_key,
        account=account,
        said=said,
        meta=meta,
        gen_account=gen_account,
        gen_said=gen_said,
        commodity=commodity,
        anonymise_seed=anonymise_seed,
    )
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
