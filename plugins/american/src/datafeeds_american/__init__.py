"""American Water (american-urjanet)."""

from __future__ import annotations

from dataclasses import replace

from datafeeds_core.contract import (
    DataSourceContext,
    PluginMetadata,
    Selection,
    account_number_is,
    provider_is,
    service_type_in,
)
from datafeeds_core.hookspecs import hookimpl
from datafeeds_core.urjanet import rules
from datafeeds_core.urjanet.normalise import without_dashes
from datafeeds_core.urjanet.transform import GENERIC_WATER, Transformer

KEY = "american-urjanet"
PROVIDER = "AmericanWater"
METADATA = PluginMetadata(provider=PROVIDER, commodity="water", description="American Water")
TRANSFORMER = replace(GENERIC_WATER, total_charge=rules.new_charges_or_balance_difference)


@hookimpl
def datafeeds_metadata(scraper_key: str) -> PluginMetadata | None:
    return METADATA if scraper_key == KEY else None


@hookimpl
def datafeeds_datasource(scraper_key: str, context: DataSourceContext) -> Selection | None:
    if scraper_key != KEY:
        return None
    return Selection(
        account=(
            account_number_is(without_dashes(context.utility_account_id)),
            provider_is(PROVIDER),
        ),
        meter=(service_type_in("water"),),
    )


@hookimpl
def datafeeds_transformer(scraper_key: str) -> Transformer | None:
    return TRANSFORMER if scraper_key == KEY else None
