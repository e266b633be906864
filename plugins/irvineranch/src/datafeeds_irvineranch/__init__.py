"""Irvine Ranch Water District, CA water (irvineranch-water-urjanet)."""

from __future__ import annotations

from datafeeds_core.contract import (
    DataSourceContext,
    PluginMetadata,
    Selection,
    account_number_is,
    provider_is,
    service_type_in,
)
from datafeeds_core.hookspecs import hookimpl
from datafeeds_core.urjanet.normalise import as_is
from datafeeds_core.urjanet.transform import GENERIC_WATER, Transformer

KEY = "irvineranch-water-urjanet"
PROVIDER = "IrvineRanchWaterDistrict"
NAME = "Irvine Ranch Water District, CA"
METADATA = PluginMetadata(provider=PROVIDER, commodity="water", description=NAME)
TRANSFORMER = GENERIC_WATER


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
        meter=(service_type_in("water", "sewer"),),
    )


@hookimpl
def datafeeds_transformer(scraper_key: str) -> Transformer | None:
    return TRANSFORMER if scraper_key == KEY else None
