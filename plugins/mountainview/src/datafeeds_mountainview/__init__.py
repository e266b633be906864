"""City of Mountain View, CA water (mountainview-urjanet)."""

from __future__ import annotations

from datafeeds_core.contract import (
    DataSourceContext,
    PluginMetadata,
    Selection,
    account_number_is,
    provider_is,
    service_type_in,
)
from datafeeds_core.plugin_kit import single_key_hooks
from datafeeds_core.urjanet.normalise import without_dots
from datafeeds_core.urjanet.transform import GENERIC_WATER

KEY = "mountainview-urjanet"
PROVIDER = "CityOfMountainViewCA"
NAME = "City of Mountain View, CA"
METADATA = PluginMetadata(provider=PROVIDER, commodity="water", description=NAME)
TRANSFORMER = GENERIC_WATER


def select(context: DataSourceContext) -> Selection:
    """The Urjanet rows of the meter data source described by `context`."""
    return Selection(
        account=(
            account_number_is(without_dots(context.utility_account_id)),
            provider_is(PROVIDER),
        ),
        meter=(service_type_in("water", "sewer"),),
    )


datafeeds_metadata, datafeeds_datasource, datafeeds_transformer = single_key_hooks(
    KEY, METADATA, select, TRANSFORMER
)
