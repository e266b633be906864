"""Pacific Gas & Electric: bills (pge-urjanet-v2) and CCA generation bills
(pge-urjanet-generation)."""

from __future__ import annotations

from datafeeds_core.contract import DataSourceContext, PluginMetadata, Selection
from datafeeds_core.hookspecs import hookimpl
from datafeeds_core.urjanet.transform import Transformer
from datafeeds_pge.bills import pge_transform
from datafeeds_pge.generation import generation_transform
from datafeeds_pge.selection import PROVIDER, bill_selection, generation_selection

BILLS = "pge-urjanet-v2"
GENERATION = "pge-urjanet-generation"
METADATA = {
    BILLS: PluginMetadata(provider=PROVIDER, commodity="electric", description="PG&E"),
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
