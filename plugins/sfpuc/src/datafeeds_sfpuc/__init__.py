"""San Francisco Public Utilities Commission water (sfpuc-water-urjanet)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from datafeeds_core.plugin_api.contract import (
    DataSourceContext,
    PluginMetadata,
    Selection,
    account_number_is,
    provider_is,
    service_type_in,
)
from datafeeds_core.plugin_api.hookspecs import hookimpl
from datafeeds_core.urjanet import rules
from datafeeds_core.urjanet.model import Account
from datafeeds_core.urjanet.normalise import as_is
from datafeeds_core.urjanet.transform import GENERIC_ELECTRIC, Transformer

KEY = "sfpuc-water-urjanet"
PROVIDER = "SanFranciscoPublicUtilities"
METADATA = PluginMetadata(
    provider=PROVIDER, commodity="water", description="San Francisco Public Utilities Commission"
)


def water_meter_usage(account: Account) -> Decimal:
    """The `[total]` usages of the water meters (not sewer), summed as they are: no
    de-duplication and no unit conversion."""
    return rules.sum_amounts(
        u.UsageAmount
        for m in account.meters
        if m.ServiceType == "water"
        for u in m.usages
        if rules.is_total(u)
    )


# Electric rules (NewCharges, kW charge peak) with usage from the water meters only.
TRANSFORMER = replace(GENERIC_ELECTRIC, total_usage=water_meter_usage)


@hookimpl
def datafeeds_metadata(scraper_key: str) -> PluginMetadata | None:
    return METADATA if scraper_key == KEY else None


@hookimpl
def datafeeds_datasource(scraper_key: str, context: DataSourceContext) -> Selection | None:
    if scraper_key != KEY:
        return None
    return Selection(
        account=(account_number_is(as_is(context.utility_account_id)), provider_is(PROVIDER)),
        meter=(service_type_in("water", "sewer"),),
    )


@hookimpl
def datafeeds_transformer(scraper_key: str) -> Transformer | None:
    return TRANSFORMER if scraper_key == KEY else None
