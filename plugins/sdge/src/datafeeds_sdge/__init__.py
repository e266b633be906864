"""San Diego Gas & Electric electric bills (sdge-urjanet)."""

from __future__ import annotations

from datafeeds_core.plugin_api import (
    DataSourceContext,
    Match,
    PluginMetadata,
    Selection,
    account_number_is,
    provider_is,
    service_id,
    service_type_in,
    single_key_hooks,
    without_spaces,
)
from datafeeds_sdge.transform import TRANSFORMER

PLUGIN_API_VERSION = "1.0"  # the plugin API this module is written for
KEY = "sdge-urjanet"
PROVIDER = "SDGAndE"
METADATA = PluginMetadata(
    provider=PROVIDER, commodity="electric", description="San Diego Gas & Electric"
)


def select(context: DataSourceContext) -> Selection:
    """The Urjanet rows of the meter data source described by `context`."""
    return Selection(
        account=(
            # Exact: the reference's LIKE '%number%' could pull in other accounts.
            account_number_is(without_spaces(context.utility_account_id)),
            provider_is(PROVIDER),
        ),
        meter=(
            service_type_in("electric", "natural_gas"),
            Match("MeterNumber", "contains", service_id(context.service_id).replace(" ", "")),
        ),
    )


datafeeds_metadata, datafeeds_datasource, datafeeds_transformer = single_key_hooks(
    KEY, METADATA, select, TRANSFORMER
)
