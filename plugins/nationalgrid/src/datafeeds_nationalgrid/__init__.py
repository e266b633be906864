"""National Grid (nationalgrid-urjanet)."""

from __future__ import annotations

from dataclasses import replace

from datafeeds_core.plugin_api import (
    GENERIC_ELECTRIC,
    DataSourceContext,
    PluginMetadata,
    Selection,
    account_number_is,
    as_is,
    latest_statement_per_interval,
    provider_is,
    rules,
    service_type_in,
    single_key_hooks,
    start_plus_one_day,
)

PLUGIN_API_VERSION = "1.0"  # the plugin API this module is written for
KEY = "nationalgrid-urjanet"
PROVIDER = "NationalGrid"
METADATA = PluginMetadata(provider=PROVIDER, commodity="electric", description="National Grid")
# Statements start the day after IntervalStart (computed on a copy); the peak is
# the largest kW reading. The total stays NewCharges (the old total method was dead code).
TRANSFORMER = replace(
    GENERIC_ELECTRIC, account_range=start_plus_one_day, peak_demand=rules.usage_peak
)


def select(context: DataSourceContext) -> Selection:
    """The Urjanet rows of the meter data source described by `context`."""
    return Selection(
        account=(
            account_number_is(as_is(context.utility_account_id), column="RawAccountNumber"),
            provider_is(PROVIDER),
        ),
        meter=(service_type_in("electric", "natural_gas"),),
        refine=latest_statement_per_interval,
    )


datafeeds_metadata, datafeeds_datasource, datafeeds_transformer = single_key_hooks(
    KEY, METADATA, select, TRANSFORMER
)
