"""City of Southlake, TX water (southlake-urjanet)."""

from __future__ import annotations

from dataclasses import replace

from datafeeds_core.plugin_api.contract import PluginMetadata
from datafeeds_core.plugin_api.kit import account_selection, single_key_hooks
from datafeeds_core.urjanet.transform import (
    GENERIC_WATER,
    by_interval_end_then_pk,
    needs_interval,
)

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
