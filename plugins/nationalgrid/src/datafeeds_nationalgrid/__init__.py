"""National Grid (nationalgrid-urjanet)."""

from __future__ import annotations

from dataclasses import replace

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
from datafeeds_core.urjanet.normalise import as_is
from datafeeds_core.urjanet.refine import latest_statement_per_interval
from datafeeds_core.urjanet.transform import GENERIC_ELECTRIC, Transformer, start_plus_one_day

KEY = "nationalgrid-urjanet"
PROVIDER = "NationalGrid"
METADATA = PluginMetadata(provider=PROVIDER, commodity="electric", description="National Grid")
# Statements start the day after IntervalStart (computed on a copy, SPEC §8.9); the peak is
# the largest kW reading. The total stays NewCharges (the old total method was dead code).
TRANSFORMER = replace(
    GENERIC_ELECTRIC, account_range=start_plus_one_day, peak_demand=rules.usage_peak
)


@hookimpl
def datafeeds_metadata(scraper_key: str) -> PluginMetadata | None:
    return METADATA if scraper_key == KEY else None


@hookimpl
def datafeeds_datasource(scraper_key: str, context: DataSourceContext) -> Selection | None:
    if scraper_key != KEY:
        return None
    return Selection(
        account=(
            account_number_is(as_is(context.utility_account_id), column="RawAccountNumber"),
            provider_is(PROVIDER),
        ),
        meter=(service_type_in("electric", "natural_gas"),),
        refine=latest_statement_per_interval,
    )


@hookimpl
def datafeeds_transformer(scraper_key: str) -> Transformer | None:
    return TRANSFORMER if scraper_key == KEY else None
