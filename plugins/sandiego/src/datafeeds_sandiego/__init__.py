"""City of San Diego, CA water (sandiego-water-urjanet)."""

from __future__ import annotations

from dataclasses import replace

from datafeeds_core.plugin_api.contract import PluginMetadata
from datafeeds_core.plugin_api.kit import account_selection, single_key_hooks
from datafeeds_core.urjanet.model import Account
from datafeeds_core.urjanet.transform import GENERIC_WATER, Range, account_interval

KEY = "sandiego-water-urjanet"
PROVIDER = "CityOfSanDiegoCA"
NAME = "City of San Diego, CA"
METADATA = PluginMetadata(provider=PROVIDER, commodity="water", description=NAME)


def first_numbered_meter_interval(account: Account) -> Range | None:
    """The interval of the first meter with a MeterNumber, else the statement's (SPEC §4.3).

    A numbered meter missing a date falls back to the statement's interval instead of crashing.
    """
    meter = next((m for m in account.meters if m.MeterNumber), None)
    if meter is not None and meter.IntervalStart is not None and meter.IntervalEnd is not None:
        return (meter.IntervalStart, meter.IntervalEnd)
    return account_interval(account)


TRANSFORMER = replace(GENERIC_WATER, account_range=first_numbered_meter_interval)


select = account_selection(PROVIDER, "water", "sewer")


datafeeds_metadata, datafeeds_datasource, datafeeds_transformer = single_key_hooks(
    KEY, METADATA, select, TRANSFORMER
)
