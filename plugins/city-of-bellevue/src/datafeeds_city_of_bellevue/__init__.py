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
from datafeeds_core.hookspecs import hookimpl
from datafeeds_core.urjanet.normalise import as_is
from datafeeds_core.urjanet.transform import GENERIC_WATER, Transformer, end_minus_one_day

KEY = "city-of-bellevue-urjanet"
PROVIDER = "CityOfBellevueWA"
NAME = "City of Bellevue, WA"
METADATA = PluginMetadata(provider=PROVIDER, commodity="water", description=NAME)
# The statement's period ends the day before its IntervalEnd (SPEC §4.3); computed on a copy,
# the input is never changed (§8.9).
TRANSFORMER = replace(GENERIC_WATER, account_range=end_minus_one_day)


@hookimpl
def datafeeds_metadata(scraper_key: str) -> PluginMetadata | None:
    return METADATA if scraper_key == KEY else None


@hookimpl
def datafeeds_datasource(scraper_key: str, context: DataSourceContext) -> Selection | None:
    if scraper_key != KEY:
        return None
    return Selection(
        account=(
            account_number_is(as_is(context.utility_account_id)),
            provider_is(PROVIDER),
        ),
        meter=(service_type_in(*WATER_SERVICE_TYPES),),
    )


@hookimpl
def datafeeds_transformer(scraper_key: str) -> Transformer | None:
    return TRANSFORMER if scraper_key == KEY else None
