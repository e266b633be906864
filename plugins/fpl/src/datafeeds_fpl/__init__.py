"""Florida Power & Light (fpl-urjanet)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from datafeeds_core.plugin_api import (
    GENERIC_ELECTRIC,
    Account,
    PluginMetadata,
    account_selection,
    rules,
    single_key_hooks,
)

PLUGIN_API_VERSION = "1.0"  # the plugin API this module is written for
KEY = "fpl-urjanet"
PROVIDER = "FPL"
METADATA = PluginMetadata(
    provider=PROVIDER, commodity="electric", description="Florida Power & Light"
)


def account_charges_peak(account: Account) -> Decimal | None:
    """The max kW ChargeUnitsUsed over all the statement's charges, each counted once.

    The system we replace loaded every account charge as a meter charge, so its peak saw the
    floating charges too; this keeps that with charges loaded where they belong.
    """
    return rules.max_or_none(
        c.ChargeUnitsUsed for c in rules.unique_line_items(account) if c.UsageUnit == "kW"
    )


# Generic electric rules; line items list each charge once.
TRANSFORMER = replace(
    GENERIC_ELECTRIC, line_items=rules.unique_line_items, peak_demand=account_charges_peak
)


# Every meter of the statement; charges load where they belong (meter or floating), so no
# charge is listed twice and no single-meter assertion is needed.
select = account_selection(PROVIDER)


datafeeds_metadata, datafeeds_datasource, datafeeds_transformer = single_key_hooks(
    KEY, METADATA, select, TRANSFORMER
)
