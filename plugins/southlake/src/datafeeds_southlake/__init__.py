"""City of Southlake, TX water (southlake-urjanet)."""

from __future__ import annotations

from dataclasses import replace

from datafeeds_core.plugin_api import (
    GENERIC_WATER,
    PluginMetadata,
    account_selection,
    by_interval_end_then_pk,
    needs_interval,
    single_key_hooks,
)

PLUGIN_API_VERSION = "1.0"  # the plugin API this module is written for
KEY = "southlake-urjanet"
PROVIDER = "CityOfSouthlakeTX"
NAME = "City of Southlake, TX"
METADATA = PluginMetadata(provider=PROVIDER, commodity="water", description=NAME)
# Southlake statements carry no StatementDate: keep those with an interval, newest end first.
TRANSFORMER = replace(GENERIC_WATER, eligible=needs_interval, order_key=by_interval_end_then_pk)


select = account_selection(PROVIDER, "water")


datafeeds_metadata, datafeeds_datasource, datafeeds_transformer = single_key_hooks(
    KEY, METADATA, select, TRANSFORMER
)
