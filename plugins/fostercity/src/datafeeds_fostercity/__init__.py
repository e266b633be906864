"""City of Foster City, CA water (fostercity-water-urjanet)."""

from __future__ import annotations

from dataclasses import replace
from functools import partial

from datafeeds_core.plugin_api import (
    GENERIC_WATER,
    PluginMetadata,
    account_selection,
    rules,
    single_key_hooks,
    without_dashes,
)

PLUGIN_API_VERSION = "1.0"  # the plugin API this module is written for
KEY = "fostercity-water-urjanet"
PROVIDER = "CityOfFosterCityCA"
NAME = "City of Foster City, CA"
METADATA = PluginMetadata(provider=PROVIDER, commodity="water", description=NAME)
# Where no generic water total applies the total stays unknown (null), not 0.
# Zero-length statements are dropped, and reported, by the core transformer.
TRANSFORMER = replace(GENERIC_WATER, total_charge=partial(rules.water_total, otherwise=None))


select = account_selection(PROVIDER, "water", "sewer", "irrigation", normalise=without_dashes)


datafeeds_metadata, datafeeds_datasource, datafeeds_transformer = single_key_hooks(
    KEY, METADATA, select, TRANSFORMER
)
