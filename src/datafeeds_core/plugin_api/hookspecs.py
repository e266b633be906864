"""The plugin contract: what the core asks of a utility. Each hook receives the scraper key and
returns None for keys it does not serve."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from datafeeds_core.plugin_api.contract import DataSourceContext, PluginMetadata, Selection
    from datafeeds_core.urjanet.transform import Transformer

PROJECT = "datafeeds"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec(firstresult=True)
def datafeeds_metadata(scraper_key: str) -> PluginMetadata | None:
    """Describe the key: Urjanet provider, commodity, bill type, meta keys it requires."""


@hookspec(firstresult=True)
def datafeeds_datasource(scraper_key: str, context: DataSourceContext) -> Selection | None:
    """Say which Urjanet rows belong to the meter data source described by `context`."""


@hookspec(firstresult=True)
def datafeeds_transformer(scraper_key: str) -> Transformer | None:
    """Return the pure function that turns the selected statements into billing periods."""
