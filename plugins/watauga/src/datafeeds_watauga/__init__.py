"""City of Watauga, TX water (watauga-urjanet)."""

from __future__ import annotations

from dataclasses import replace

from datafeeds_core.plugin_api.contract import PluginMetadata
from datafeeds_core.plugin_api.kit import account_selection, single_key_hooks
from datafeeds_core.urjanet import rules
from datafeeds_core.urjanet.normalise import without_dashes
from datafeeds_core.urjanet.transform import GENERIC_WATER

KEY = "watauga-urjanet"
PROVIDER = "CityOfWataugaTX"
METADATA = PluginMetadata(provider=PROVIDER, commodity="water", description="City of Watauga, TX")
TRANSFORMER = replace(GENERIC_WATER, total_charge=rules.floating_charges_total)


select = account_selection(PROVIDER, "water", normalise=without_dashes)


datafeeds_metadata, datafeeds_datasource, datafeeds_transformer = single_key_hooks(
    KEY, METADATA, select, TRANSFORMER
)
