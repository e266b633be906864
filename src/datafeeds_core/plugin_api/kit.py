"""Helpers for plugin modules: the three hooks of a plugin that serves a single scraper key, and
the selection most utilities use (one account of one provider)."""

from __future__ import annotations

from collections.abc import Callable

from datafeeds_core.plugin_api.contract import (
    DataSourceContext,
    PluginMetadata,
    Selection,
    account_number_is,
    provider_is,
    service_type_in,
)
from datafeeds_core.plugin_api.hookspecs import hookimpl
from datafeeds_core.urjanet.normalise import as_is
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


def account_selection(
    provider: str,
    *service_types: str,
    normalise: Callable[[str | None], str] = as_is,
    column: str = "AccountNumber",
) -> Callable[[DataSourceContext], Selection]:
    """The `select` of a plugin whose data source is one account of `provider`: statements whose
    `column` equals the utility account id (through `normalise`), and their meters of
    `service_types` (every meter when none is given)."""

    def select(context: DataSourceContext) -> Selection:
        return Selection(
            account=(
                account_number_is(normalise(context.utility_account_id), column=column),
                provider_is(provider),
            ),
            meter=(service_type_in(*service_types),) if service_types else (),
        )

    return select
