"""Tri-County Electric Cooperative, TX (tricounty-urjanet)."""

from __future__ import annotations

from dataclasses import replace

from datafeeds_core.plugin_api import (
    GENERIC_ELECTRIC,
    ConfigurationError,
    DataSourceContext,
    Match,
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
KEY = "tricounty-urjanet"
PROVIDER = "TriCountyECoopTX"
METADATA = PluginMetadata(
    provider=PROVIDER, commodity="electric", description="Tri-County Electric Cooperative, TX"
)
# Meter charges only: floating charges count neither in the total nor as line items.
TRANSFORMER = replace(
    GENERIC_ELECTRIC,
    total_charge=rules.meter_charges_total,
    line_items=rules.meter_line_items,
)


def meter_number(service_id: str | None) -> str:
    said = (service_id or "").strip()
    if not said:
        raise ConfigurationError("the utility service has no service id")
    return said


def select(context: DataSourceContext) -> Selection:
    """The Urjanet rows of the meter data source described by `context`."""
    return Selection(
        account=(account_number_is(as_is(context.utility_account_id)), provider_is(PROVIDER)),
        # The old `MeterNumber LIKE said` had no wildcards: an exact match.
        meter=(
            service_type_in("electric"),
            Match("MeterNumber", "eq", meter_number(context.service_id)),
        ),
    )


datafeeds_metadata, datafeeds_datasource, datafeeds_transformer = single_key_hooks(
    KEY, METADATA, select, TRANSFORMER
)
