"""Hawaiian Electric (heco-urjanet)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from datafeeds_core.plugin_api import (
    GENERIC_ELECTRIC,
    Account,
    ConfigurationError,
    DataSourceContext,
    Match,
    PluginMetadata,
    Selection,
    Usage,
    account_number_is,
    by_interval_end_then_pk,
    needs_interval,
    provider_is,
    rules,
    service_type_in,
    single_key_hooks,
    without_dashes,
)

PLUGIN_API_VERSION = "1.0"  # the plugin API this module is written for
KEY = "heco-urjanet"
PROVIDER = "HawaiianElectricCompanyHI"
METADATA = PluginMetadata(provider=PROVIDER, commodity="electric", description="Hawaiian Electric")


def _is_consumption(usage: Usage) -> bool:
    return usage.MeasurementType == "general_consumption"


def consumption_usage(account: Account) -> Decimal:
    """De-duplicated general-consumption usages of any rate component, unit-converted."""
    return rules.converted_usage(account, keep=_is_consumption)


# StatementDate may be null on HECO statements: the interval, not the date, orders them.
TRANSFORMER = replace(
    GENERIC_ELECTRIC,
    eligible=needs_interval,
    order_key=by_interval_end_then_pk,
    total_charge=rules.new_charges_or_balance_difference,
    total_usage=consumption_usage,
)


def meter_numbers(service_id: str | None) -> tuple[str, ...]:
    """The comma-separated meter numbers of the service id."""
    numbers = tuple(n.strip() for n in (service_id or "").split(",") if n.strip())
    if not numbers:
        raise ConfigurationError("the utility service has no service id (meter number)")
    return numbers


def select(context: DataSourceContext) -> Selection:
    """The Urjanet rows of the meter data source described by `context`."""
    return Selection(
        account=(
            account_number_is(without_dashes(context.utility_account_id)),
            provider_is(PROVIDER),
        ),
        meter=(
            service_type_in("electric"),
            Match("MeterNumber", "in", meter_numbers(context.service_id)),
        ),
    )


datafeeds_metadata, datafeeds_datasource, datafeeds_transformer = single_key_hooks(
    KEY, METADATA, select, TRANSFORMER
)
