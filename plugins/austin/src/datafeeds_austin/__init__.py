"""City of Austin, TX electric and water (austin-urjanet)."""

from __future__ import annotations

import re
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
    digits_before_first_dash,
    provider_is,
    rules,
    service_type_in,
    single_key_hooks,
)

PLUGIN_API_VERSION = "1.0"  # the plugin API this module is written for
KEY = "austin-urjanet"
PROVIDER = "CityofAustinTX"
# One key serves electric and water meters; the meter's commodity picks the service types.
METADATA = PluginMetadata(
    provider=PROVIDER,
    commodity="electric",
    description="City of Austin, TX (electric; water and irrigation meters by commodity ccf)",
)
SERVICE_TYPES = {"kw": ("electric",), "ccf": ("water", "irrigation")}


def service_types(commodity: str | None) -> tuple[str, ...]:
    """The Urjanet service types of the meter's commodity (kw or ccf)."""
    types = SERVICE_TYPES.get((commodity or "").strip().lower())
    if types is None:
        raise ConfigurationError(f"{KEY} serves meters of commodity kw or ccf, not {commodity!r}")
    return types


def meter_numbers(service_id: str | None) -> tuple[str, ...]:
    """Each comma-separated service id, plus each one without a trailing capital letter."""
    saids = [s.strip() for s in (service_id or "").split(",") if s.strip()]
    if not saids:
        raise ConfigurationError("the utility service has no service id")
    variants = [s[:-1] for s in saids if re.search(r"[A-Z]$", s) and len(s) > 1]
    return tuple(dict.fromkeys(saids + variants))


def account_number(utility_account_id: str | None) -> str:
    """The digits of the account id before its first dash."""
    number = digits_before_first_dash(utility_account_id)
    if not number:
        raise ConfigurationError(f"no account number in utility account id {utility_account_id!r}")
    return number


def _is_solar_generation(usage: Usage) -> bool:
    # A null name is not generation (the system we replace crashed on it).
    return "Total Generation" in (usage.UsageActualName or "")


def consumption_usage(account: Account) -> Decimal:
    """The generic usage rule, without solar generation readings."""
    return rules.converted_usage(
        account, keep=lambda u: rules.is_total(u) and not _is_solar_generation(u)
    )


TRANSFORMER = replace(
    GENERIC_ELECTRIC,
    total_charge=rules.meter_charges_without_late_fees,
    total_usage=consumption_usage,
)


def select(context: DataSourceContext) -> Selection:
    """The Urjanet rows of the meter data source described by `context`."""
    return Selection(
        account=(
            account_number_is(account_number(context.utility_account_id)),
            provider_is(PROVIDER),
        ),
        meter=(
            service_type_in(*service_types(context.commodity)),
            Match("MeterNumber", "in", meter_numbers(context.service_id)),
        ),
    )


datafeeds_metadata, datafeeds_datasource, datafeeds_transformer = single_key_hooks(
    KEY, METADATA, select, TRANSFORMER
)
