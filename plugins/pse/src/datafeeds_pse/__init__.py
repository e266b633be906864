"""Puget Sound Energy (pse-urjanet)."""

from __future__ import annotations

from datafeeds_core.plugin_api import (
    GENERIC_ELECTRIC,
    AnyOf,
    ConfigurationError,
    DataSourceContext,
    Match,
    PluginMetadata,
    Selection,
    account_number_is,
    as_is,
    provider_is,
    service_type_in,
    single_key_hooks,
)

PLUGIN_API_VERSION = "1.0"  # the plugin API this module is written for
KEY = "pse-urjanet"
PROVIDER = "PugetSoundEnergy"
METADATA = PluginMetadata(provider=PROVIDER, commodity="electric", description="Puget Sound Energy")
# Generic electric rules: what the reference fixtures follow, not the override the system we
# replace applied in production.
TRANSFORMER = GENERIC_ELECTRIC


def meter_number(context: DataSourceContext) -> str:
    """meta.meterNumber, else the service id."""
    said = str(context.meta.get("meterNumber") or context.service_id or "").strip()
    if not said:
        raise ConfigurationError(
            "the data source has no meta.meterNumber and the service no service id"
        )
    return said


def meter_number_patterns(said: str) -> tuple[str, ...]:
    """The meter number, and without its leading capital letter if it has one."""
    if len(said) > 1 and "A" <= said[0] <= "Z":
        return (said, said[1:])
    return (said,)


def select(context: DataSourceContext) -> Selection:
    """The Urjanet rows of the meter data source described by `context`."""
    patterns = meter_number_patterns(meter_number(context))
    return Selection(
        account=(
            account_number_is(as_is(context.utility_account_id), column="RawAccountNumber"),
            provider_is(PROVIDER),
        ),
        meter=(
            service_type_in("electric", "natural_gas"),
            # Escaped by the loader: a % or _ in the number matches only itself.
            AnyOf(tuple(Match("MeterNumber", "contains", p) for p in patterns)),
        ),
    )


datafeeds_metadata, datafeeds_datasource, datafeeds_transformer = single_key_hooks(
    KEY, METADATA, select, TRANSFORMER
)
