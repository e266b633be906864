"""City of Mountain View, CA water (mountainview-urjanet)."""

from __future__ import annotations

from datafeeds_core.plugin_api.contract import PluginMetadata
from datafeeds_core.plugin_api.kit import account_selection, single_key_hooks
from datafeeds_core.urjanet.normalise import without_dots
from datafeeds_core.urjanet.transform import GENERIC_WATER

KEY = "mountainview-urjanet"
PROVIDER = "CityOfMountainViewCA"
NAME = "City of Mountain View, CA"
METADATA = PluginMetadata(provider=PROVIDER, commodity="water", description=NAME)
TRANSFORMER = GENERIC_WATER


select = account_selection(PROVIDER, "water", "sewer", normalise=without_dots)


datafeeds_metadata, datafeeds_datasource, datafeeds_transformer = single_key_hooks(
    KEY, METADATA, select, TRANSFORMER
)
