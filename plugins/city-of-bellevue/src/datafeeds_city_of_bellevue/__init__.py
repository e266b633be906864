"""City of Bellevue, WA water (city-of-bellevue-urjanet)."""

from __future__ import annotations

from dataclasses import replace

from datafeeds_core.contract import (
    WATER_SERVICE_TYPES,
    DataSourceContext,
    PluginMetadata,
    Selection,
    account_number_is,
    provider_is,
    service_type_in,
)
from datafeeds_core.plugin_kit import single_key_hooks
from datafeeds_core.urjanet.normalise import as_is
from datafeeds_core.urjanet.transform import GENERIC_WATER, end_minus_one_day

KEY = "city-of-bellevue-urjanet"
PROVIDER = "CityOfBellevueWA"
NAME = "City of Bellevue, WA"
METADATA = PluginMetadata(provider=PROVIDER, commodity="water", description=NAME)
# The statement's period ends the day before its IntervalEnd (SPEC §4.3); computed on a copy,
# the input is never changed (§8.9).
TRANSFORMER = replace(GENERIC_WATER, account_range=end_minus_one_day)


def select(context: DataSourceContext) -> Selection:
    """The Urjanet rows of the meter data source described by `context`."""
    return Selection(
        account=(
            account_number_is(as_is(context.utility_account_id)),
            provider_is(PROVIDER),
        ),
        meter=(service_type_in(*WATER_SERVICE_TYPES),),
    )


datafeeds_metadata, datafeeds_datasource, datafeeds_transformer = single_key_hooks(
    KEY, METADATA, select, TRANSFORMER
)
