"""Tri-County Electric Cooperative, TX (tricounty-urjanet)."""

from __future__ import annotations

from dataclasses import replace

from datafeeds_core.contract import (
    DataSourceContext,
    Match,
    PluginMetadata,
    Selection,
    account_number_is,
    provider_is,
    service_type_in,
)
from datafeeds_core.errors import ConfigurationError
from datafeeds_core.hookspecs import hookimpl
from datafeeds_core.urjanet import rules
from datafeeds_core.urjanet.normalise import as_is
from datafeeds_core.urjanet.transform import GENERIC_ELECTRIC, Transformer

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


@hookimpl
def datafeeds_metadata(scraper_key: str) -> PluginMetadata | None:
    return METADATA if scraper_key == KEY else None


@hookimpl
def datafeeds_datasource(scraper_key: str, context: DataSourceContext) -> Selection | None:
    if scraper_key != KEY:
        return None
    return Selection(
        account=(account_number_is(as_is(context.utility_account_id)), provider_is(PROVIDER)),
        # The old `MeterNumber LIKE said` had no wildcards: an exact match (SPEC §8.2).
        meter=(
            service_type_in("electric"),
            Match("MeterNumber", "eq", meter_number(context.service_id)),
        ),
    )


@hookimpl
def datafeeds_transformer(scraper_key: str) -> Transformer | None:
    return TRANSFORMER if scraper_key == KEY else None
