"""East Bay Municipal Utility District, CA water (ebmud-urjanet)."""

from __future__ import annotations

from dataclasses import replace

from datafeeds_core.plugin_api import (
    GENERIC_WATER,
    WATER_SERVICE_TYPES,
    PluginMetadata,
    account_selection,
    end_minus_one_day,
    single_key_hooks,
)

PLUGIN_API_VERSION = "1.0"  # the plugin API this module is written for
KEY = "ebmud-urjanet"
PROVIDER = "EBMUD"
NAME = "East Bay Municipal Utility District, CA"
METADATA = PluginMetadata(provider=PROVIDER, commodity="water", description=NAME)
# The statement's period ends the day before its IntervalEnd; computed on a copy,
# the input is never changed.
TRANSFORMER = replace(GENERIC_WATER, account_range=end_minus_one_day)


select = account_selection(PROVIDER, *WATER_SERVICE_TYPES)


datafeeds_metadata, datafeeds_datasource, datafeeds_transformer = single_key_hooks(
    KEY, METADATA, select, TRANSFORMER
)
