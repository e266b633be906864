"""City of San Diego, CA water (sandiego-water-urjanet)."""

from __future__ import annotations

from dataclasses import replace

from datafeeds_core.plugin_api import (
    GENERIC_WATER,
    Account,
    PluginMetadata,
    Range,
    account_interval,
    account_selection,
    interval_of,
    single_key_hooks,
)

PLUGIN_API_VERSION = "1.0"  # the plugin API this module is written for
KEY = "sandiego-water-urjanet"
PROVIDER = "CityOfSanDiegoCA"
NAME = "City of San Diego, CA"
METADATA = PluginMetadata(provider=PROVIDER, commodity="water", description=NAME)


def first_numbered_meter_interval(account: Account) -> Range | None:
    """The interval of the first meter with a MeterNumber, else the statement's.

    A numbered meter missing a date falls back to the statement's interval instead of crashing.
    """
    meter = next((m for m in account.meters if m.MeterNumber), None)
    numbered = interval_of(meter) if meter is not None else None
    return numbered if numbered is not None else account_interval(account)


TRANSFORMER = replace(GENERIC_WATER, account_range=first_numbered_meter_interval)


select = account_selection(PROVIDER, "water", "sewer")


datafeeds_metadata, datafeeds_datasource, datafeeds_transformer = single_key_hooks(
    KEY, METADATA, select, TRANSFORMER
)
