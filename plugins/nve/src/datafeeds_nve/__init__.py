"""NV Energy electric bills (nve-urjanet)."""

from __future__ import annotations

from datafeeds_core.plugin_api.contract import DataSourceContext, PluginMetadata, Selection
from datafeeds_core.plugin_api.hookspecs import hookimpl
from datafeeds_core.urjanet.transform import Transformer
from datafeeds_nve.selection import PROVIDER, selection
from datafeeds_nve.transform import TRANSFORMER

KEY = "nve-urjanet"
METADATA = PluginMetadata(provider=PROVIDER, commodity="electric", description="NV Energy")


@hookimpl
def datafeeds_metadata(scraper_key: str) -> PluginMetadata | None:
    return METADATA if scraper_key == KEY else None


@hookimpl
def datafeeds_datasource(scraper_key: str, context: DataSourceContext) -> Selection | None:
    if scraper_key != KEY:
        return None
    return selection(context)


@hookimpl
def datafeeds_transformer(scraper_key: str) -> Transformer | None:
    return TRANSFORMER if scraper_key == KEY else None
