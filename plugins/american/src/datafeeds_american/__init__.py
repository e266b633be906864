"""American Water (american-urjanet)."""

from __future__ import annotations

from dataclasses import replace

from datafeeds_core.plugin_api.contract import PluginMetadata
from datafeeds_core.plugin_api.kit import account_selection, single_key_hooks
from datafeeds_core.urjanet import rules
from datafeeds_core.urjanet.normalise import without_dashes
from datafeeds_core.urjanet.transform import GENERIC_WATER

KEY = "american-urjanet"
PROVIDER = "AmericanWater"
METADATA = PluginMetadata(provider=PROVIDER, commodity="water", description="American Water")
TRANSFORMER = replace(GENERIC_WATER, total_charge=rules.new_charges_or_balance_difference)


select = account_selection(PROVIDER, "water", normalise=without_dashes)


datafeeds_metadata, datafeeds_datasource, datafeeds_transformer = single_key_hooks(
    KEY, METADATA, select, TRANSFORMER
)
