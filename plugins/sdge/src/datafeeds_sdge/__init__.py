"""San Diego Gas & Electric electric bills (sdge-urjanet)."""

from __future__ import annotations

from datafeeds_core.plugin_api.contract import (
    DataSourceContext,
    Match,
    PluginMetadata,
    Selection,
    account_number_is,
    provider_is,
    service_type_in,
)
from datafeeds_core.plugin_api.hookspecs import hookimpl
from datafeeds_core.urjanet.normalise import service_id, without_spaces
from datafeeds_core.urjanet.transform import Transformer
from datafeeds_sdge.transform import TRANSFORMER

KEY = "sdge-urjanet"
PROVIDER = "SDGAndE"
METADATA = PluginMetadata(
    provider=PROVIDER, commodity="electric", description="San Diego Gas & Electric"
)


@hookimpl
def datafeeds_metadata(scraper_key: str) -> PluginMetadata | None:
    return METADATA if scraper_key == KEY else None


@hookimpl
def datafeeds_datasource(scraper_key: str, context: DataSourceContext) -> Selection | None:
    if scraper_key != KEY:
        return None
    return Selection(
        account=(
            # Exact: the reference's LIKE '%number%' could pull in other accounts (SPEC §8.2).
            account_number_is(without_spaces(context.utility_account_id)),
            provider_is(PROVIDER),
        ),
        meter=(
            service_type_in("electric", "natural_gas"),
            Match("MeterNumber", "contains", service_id(context.service_id).replace(" ", "")),
        ),
    )


@hookimpl
def datafeeds_transformer(scraper_key: str) -> Transformer | None:
    return TRANSFORMER if scraper_key == KEY else None
