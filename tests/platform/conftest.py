"""Helpers for platform-database tests: billing periods and a stand-in plugin registry."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from datafeeds_core.plugin_api.contract import PluginMetadata
from datafeeds_core.testing import PlatformBackend
from datafeeds_core.urjanet.model import BillingPeriod, Charge

MakePeriod = Callable[..., BillingPeriod]


def _period(
    start: str,
    end: str,
    cost: str | None = "100.00",
    used: str | None = "10",
    peak: str | None = None,
    tariff: str | None = "A-1",
    items: tuple[Charge, ...] = (),
    **values: Any,
) -> BillingPeriod:
    return BillingPeriod(
        start=date.fromisoformat(start),
        end=date.fromisoformat(end),
        total_charge=None if cost is None else Decimal(cost),
        total_usage=None if used is None else Decimal(used),
        peak_demand=None if peak is None else Decimal(peak),
        tariff=tariff,
        line_items=items,
        **values,
    )


@pytest.fixture
def make_period() -> MakePeriod:
    """`make_period("2024-01-01", "2024-01-31", cost="12.5", used="3", peak=None, ...)`."""
    return _period


@dataclass
class FakePlugin:
    key: str
    meta: PluginMetadata

    def metadata(self) -> PluginMetadata:
        return self.meta


@pytest.fixture
def fake_plugins(monkeypatch: pytest.MonkeyPatch) -> dict[str, PluginMetadata]:
    """Scraper keys the registry knows for this test (others raise UnknownScraper as usual)."""
    from datafeeds_core.plugin_api import registry as plugins

    known: dict[str, PluginMetadata] = {}
    real_load = plugins.load

    def load(key: str) -> Any:
        if key in known:
            return FakePlugin(key, known[key])
        return real_load(key)

    monkeypatch.setattr(plugins, "load", load)
    return known


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_backend(request: pytest.FixtureRequest) -> PlatformBackend:
    """A backend whose new databases start empty (a `production` one never does: its `db init`
    is tested in test_production_schema.py)."""
    backend: PlatformBackend = request.param
    return backend
