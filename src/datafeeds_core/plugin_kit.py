"""Helpers for plugin modules: the three hooks of a plugin that serves a single scraper key."""

from __future__ import annotations

from collections.abc import Callable

from datafeeds_core.contract import DataSourceContext, PluginMetadata, Selection
from datafeeds_core.hookspecs import hookimpl
from datafeeds_core.urjanet.transform import Transformer

MetadataHook = Callable[[str], PluginMetadata | None]
DataSourceHook = Callable[[str, DataSourceContext], Selection | None]
TransformerHook = Callable[[str], Transformer | None]


def single_key_hooks(
    key: str,
    metadata: PluginMetadata,
    select: Callable[[DataSourceContext], Selection],
    transformer: Transformer,
) -> tuple[MetadataHook, DataSourceHook, TransformerHook]:
    """Return (datafeeds_metadata, datafeeds_datasource, datafeeds_transformer) answering for
    `key` only. Bind them to module attributes of those names: pluggy registers a hook under the
    attribute name it finds in dir(module), so the functions' own __name__ does not matter."""

    @hookimpl
    def datafeeds_metadata(scraper_key: str) -> PluginMetadata | None:
        return metadata if scraper_key == key else None

    @hookimpl
    def datafeeds_datasource(scraper_key: str, context: DataSourceContext) -> Selection | None:
        return select(context) if scraper_key == key else None

    @hookimpl
    def datafeeds_transformer(scraper_key: str) -> Transformer | None:
        return transformer if scraper_key == key else None

    return datafeeds_metadata, datafeeds_datasource, datafeeds_transformer
