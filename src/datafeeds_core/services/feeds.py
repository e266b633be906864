"""`datafeeds feeds`: the per-scraper feed configuration (enabled, queue, weekday)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from datafeeds_core.services.databases import platform_engine

if TYPE_CHECKING:
    from datafeeds_core.platform.feeds import FeedConfig


@dataclass(frozen=True)
class FeedsOverview:
    feeds: list[FeedConfig]
    data_sources: dict[str, int]  # scraper key → its number of data sources


def overview() -> FeedsOverview:
    """Every feed configuration, and how many data sources each scraper key has."""
    from datafeeds_core.platform.feeds import overview as read

    with platform_engine() as engine:
        return FeedsOverview(*read(engine))


def set_feed(key: str, *, enabled: bool | None, queue: str | None, weekday: Any) -> FeedConfig:
    """Change (or create) a scraper's feed configuration; `weekday` is `platform.feeds.UNCHANGED`
    to keep it."""
    from datafeeds_core.platform.feeds import set_feed as store

    with platform_engine() as engine:
        return store(engine, key, enabled=enabled, queue=queue, weekday=weekday)
