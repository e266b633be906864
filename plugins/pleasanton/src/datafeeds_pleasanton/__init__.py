"""City of Pleasanton, CA water (pleasanton-urjanet)."""

from __future__ import annotations

from datafeeds_core.plugin_api.contract import PluginMetadata
from datafeeds_core.plugin_api.kit import account_selection, single_key_hooks
from datafeeds_core.urjanet.transform import GENERIC_WATER

KEY = "pleasanton-urjanet"
PROVIDER = "CityOfPleasantonCA"
NAME = "City of Pleasanton, CA"
METADATA = PluginMetadata(provider=PROVIDER, commodity="water", description=NAME)
TRANSFORMER = GENERIC_WATER


select = account_selection(PROVIDER, "water", "irrigation")


datafeeds_metadata, datafeeds_datasource, datafeeds_transformer = single_key_hooks(
    KEY, METADATA, select, TRANSFORMER
)
