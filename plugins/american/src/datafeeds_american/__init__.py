"""American Water (american-urjanet)."""

from __future__ import annotations

from dataclasses import replace

from datafeeds_core.plugin_api import (
    GENERIC_WATER,
    PluginMetadata,
    account_selection,
    rules,
    single_key_hooks,
    without_dashes,
)

PLUGIN_API_VERSION = "1.0"  # the plugin API this module is written for
KEY = "american-urjanet"
PROVIDER = "AmericanWater"
METADATA = PluginMetadata(provider=PROVIDER, commodity="water", description="American Water")
TRANSFORMER = replace(GENERIC_WATER, total_charge=rules.new_charges_or_balance_difference)


select = account_selection(PROVIDER, "water", normalise=without_dashes)


datafeeds_metadata, datafeeds_datasource, datafeeds_transformer = single_key_hooks(
    KEY, METADATA, select, TRANSFORMER
)
