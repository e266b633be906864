"""City of Mountain View, CA water (mountainview-urjanet)."""

from __future__ import annotations

from datafeeds_core.plugin_api import (
    GENERIC_WATER,
    PluginMetadata,
    account_selection,
    single_key_hooks,
    without_dots,
)

PLUGIN_API_VERSION = "1.0"  # the plugin API this module is written for
KEY = "mountainview-urjanet"
PROVIDER = "CityOfMountainViewCA"
NAME = "City of Mountain View, CA"
METADATA = PluginMetadata(provider=PROVIDER, commodity="water", description=NAME)
TRANSFORMER = GENERIC_WATER


select = account_selection(PROVIDER, "water", "sewer", normalise=without_dots)


datafeeds_metadata, datafeeds_datasource, datafeeds_transformer = single_key_hooks(
    KEY, METADATA, select, TRANSFORMER
)
