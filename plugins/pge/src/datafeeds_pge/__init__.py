"""Pacific Gas & Electric: bills (pge-urjanet-v2) and CCA generation bills
(pge-urjanet-generation)."""

from __future__ import annotations

from datafeeds_core.plugin_api.contract import DataSourceContext, PluginMetadata, Selection
from datafeeds_core.plugin_api.hookspecs import hookimpl
from datafeeds_core.urjanet.transform import Transformer
from datafeeds_pge.bills import pge_transform
from datafeeds_pge.generation import generation_transform
from datafeeds_pge.selection import PROVIDER, bill_selection, generation_selection

BILLS = "pge-urjanet-v2"
GENERATION = "pge-urjanet-generation"
METADATA = {
    # Net-metering true-up statements span up to several years (1651 days in the reference
    # fixtures); the bills made of them are the monthly ones.
    BILLS: PluginMetadata(
        provider=PROVIDER, commodity="electric", description="PG&E", max_period_days=2000
    ),
    GENERATION: PluginMetadata(
        provider=None,
        commodity="electric",
        bill_type="generation-only",
        description="PG&E CCA generation (xml delivery)",
    ),
}
TRANSFORMERS: dict[str, Transformer] = {
    BILLS: pge_transform,
    GENERATION: generation_transform,
}


@hookimpl
def datafeeds_metadata(scraper_key: str) -> PluginMetadata | None:
    return METADATA.get(scraper_key)


@hookimpl
def datafeeds_datasource(scraper_key: str, context: DataSourceContext) -> Selection | None:
    if scraper_key == BILLS:
        return bill_selection(context)
    if scraper_key == GENERATION:
        return generation_selection(context)
    return None


@hookimpl
def datafeeds_transformer(scraper_key: str) -> Transformer | None:
    return TRANSFORMERS.get(scraper_key)
