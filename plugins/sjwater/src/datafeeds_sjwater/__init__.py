"""San Jose Water Company, CA water (sj-water-urjanet)."""

from __future__ import annotations

from datafeeds_core.plugin_api import (
    GENERIC_WATER,
    PluginMetadata,
    account_selection,
    single_key_hooks,
    without_dashes,
)

PLUGIN_API_VERSION = "1.0"  # the plugin API this module is written for
KEY = "sj-water-urjanet"
PROVIDER = "SanJoseWaterCompany"
NAME = "San Jose Water Company, CA"
METADATA = PluginMetadata(provider=PROVIDER, commodity="water", description=NAME)
TRANSFORMER = GENERIC_WATER


select = account_selection(PROVIDER, "water", normalise=without_dashes)


datafeeds_metadata, datafeeds_datasource, datafeeds_transformer = single_key_hooks(
    KEY, METADATA, select, TRANSFORMER
)
