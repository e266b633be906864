"""San Francisco Public Utilities Commission water (sfpuc-water-urjanet)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from datafeeds_core.plugin_api import (
    GENERIC_ELECTRIC,
    Account,
    DataSourceContext,
    PluginMetadata,
    Selection,
    account_number_is,
    as_is,
    provider_is,
    rules,
    service_type_in,
    single_key_hooks,
)

PLUGIN_API_VERSION = "1.0"  # the plugin API this module is written for
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


def select(context: DataSourceContext) -> Selection:
    """The Urjanet rows of the meter data source described by `context`."""
    return Selection(
        account=(account_number_is(as_is(context.utility_account_id)), provider_is(PROVIDER)),
        meter=(service_type_in("water", "sewer"),),
    )


datafeeds_metadata, datafeeds_datasource, datafeeds_transformer = single_key_hooks(
    KEY, METADATA, select, TRANSFORMER
)
