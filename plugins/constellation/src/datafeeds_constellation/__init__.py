"""Constellation (constellation-urjanet)."""

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
    provider_is,
    rules,
    service_type_in,
    single_key_hooks,
)

PLUGIN_API_VERSION = "1.0"  # the plugin API this module is written for
KEY = "constellation-urjanet"
PROVIDER = "Constellation"
# The account the system we replace used when the service named none.
DEFAULT_ACCOUNT = "1VEN3173"
METADATA = PluginMetadata(provider=PROVIDER, commodity="electric", description="Constellation")
TRANSFORMER = replace(GENERIC_ELECTRIC, total_charge=rules.total_bill_amount)


def meter_number_tail(service_id: str | None) -> str:
    """The last six characters of the service id, which Constellation meter numbers contain."""
    said = (service_id or "").strip()
    if not said:
        raise ConfigurationError("the utility service has no service id")
    return said[-6:]


def select(context: DataSourceContext) -> Selection:
    """The Urjanet rows of the meter data source described by `context`."""
    account = (context.utility_account_id or "").strip() or DEFAULT_ACCOUNT
    return Selection(
        account=(
            account_number_is(account),
            provider_is(PROVIDER),
            Match("StatementType", "eq", "statement_type_bill"),
        ),
        meter=(
            service_type_in("electric", "natural_gas"),
            # Escaped by the loader: a % or _ in the id matches only itself.
            Match("MeterNumber", "contains", meter_number_tail(context.service_id)),
        ),
    )


datafeeds_metadata, datafeeds_datasource, datafeeds_transformer = single_key_hooks(
    KEY, METADATA, select, TRANSFORMER
)
