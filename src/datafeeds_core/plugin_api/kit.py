"""How a plugin module is written: its three hooks built from one `Utility` per scraper key
(`hooks`, or `single_key_hooks` for one key), and the selection most utilities use (one account
of one provider)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

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
Hooks = tuple[MetadataHook, DataSourceHook, TransformerHook]


@dataclass(frozen=True)
class Utility:
    """What a plugin answers for one scraper key: its metadata, which rows a data source
    selects, and the transformer of those rows."""

    key: str
    metadata: PluginMetadata
    select: Callable[[DataSourceContext], Selection]
    transformer: Transformer


def hooks(*utilities: Utility) -> Hooks:
    """Return (datafeeds_metadata, datafeeds_datasource, datafeeds_transformer) answering for
    the utilities' keys, and None for any other. Bind them to module attributes of those names:
    pluggy registers a hook under the attribute name it finds in dir(module), so the functions'
    own __name__ does not matter."""
    by_key = {u.key: u for u in utilities}
    if len(by_key) != len(utilities):
        raise ValueError("hooks: a key is given twice")

    @hookimpl
    def datafeeds_metadata(scraper_key: str) -> PluginMetadata | None:
        found = by_key.get(scraper_key)
        return found.metadata if found else None

    @hookimpl
    def datafeeds_datasource(scraper_key: str, context: DataSourceContext) -> Selection | None:
        found = by_key.get(scraper_key)
        return found.select(context) if found else None

    @hookimpl
    def datafeeds_transformer(scraper_key: str) -> Transformer | None:
        found = by_key.get(scraper_key)
        return found.transformer if found else None

    return datafeeds_metadata, datafeeds_datasource, datafeeds_transformer


def single_key_hooks(
    key: str,
    metadata: PluginMetadata,
    select: Callable[[DataSourceContext], Selection],
    transformer: Transformer,
) -> Hooks:
    """`hooks` of a plugin that serves one key (most do)."""
    return hooks(Utility(key, metadata, select, transformer))


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
