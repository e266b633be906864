"""City of Colleyville, TX water (colleyville-water-urjanet)."""

from __future__ import annotations

from datafeeds_core.plugin_api import (
    GENERIC_WATER,
    PluginMetadata,
    account_selection,
    before_first_dash,
    single_key_hooks,
)

PLUGIN_API_VERSION = "1.0"  # the plugin API this module is written for
KEY = "colleyville-water-urjanet"
PROVIDER = "CityOfColleyvilleTX"
NAME = "City of Colleyville, TX"
METADATA = PluginMetadata(provider=PROVIDER, commodity="water", description=NAME)
TRANSFORMER = GENERIC_WATER


select = account_selection(PROVIDER, "water", "sewer", "irrigation", normalise=before_first_dash)


datafeeds_metadata, datafeeds_datasource, datafeeds_transformer = single_key_hooks(
    KEY, METADATA, select, TRANSFORMER
)
