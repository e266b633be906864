"""Los Angeles Department of Water and Power: electric (ladwp-urjanet-v2) and water
(ladwp-water-urjanet) bills."""

from __future__ import annotations

from datafeeds_core.plugin_api.contract import (
    DataSourceContext,
    Match,
    PluginMetadata,
    Selection,
    account_number_is,
    provider_is,
    service_type_in,
)
from datafeeds_core.plugin_api.hookspecs import hookimpl
from datafeeds_core.urjanet.normalise import as_is, service_id
from datafeeds_core.urjanet.transform import Transformer
from datafeeds_ladwp import electric, water

ELECTRIC = "ladwp-urjanet-v2"
WATER = "ladwp-water-urjanet"
PROVIDER = "LADeptOfWAndP"
METADATA = {
    ELECTRIC: PluginMetadata(
        provider=PROVIDER, commodity="electric", description="LADWP electric"
    ),
    WATER: PluginMetadata(provider=PROVIDER, commodity="water", description="LADWP water"),
}
TRANSFORMERS: dict[str, Transformer] = {
    ELECTRIC: electric.TRANSFORMER,
    WATER: water.water_transform,
}


@hookimpl
def datafeeds_metadata(scraper_key: str) -> PluginMetadata | None:
    return METADATA.get(scraper_key)


def electric_selection(context: DataSourceContext) -> Selection:
    """Electric and gas meters whose number, spaces removed, contains the service id."""
    return Selection(
        account=(account_number_is(as_is(context.utility_account_id)), provider_is(PROVIDER)),
        meter=(
            service_type_in("electric", "natural_gas"),
            Match("MeterNumber", "contains", service_id(context.service_id), strip_spaces=True),
        ),
    )


def water_selection(context: DataSourceContext) -> Selection:
    """Water meters whose PODid is the service id."""
    return Selection(
        account=(account_number_is(as_is(context.utility_account_id)), provider_is(PROVIDER)),
        meter=(service_type_in("water"), Match("PODid", "eq", service_id(context.service_id))),
    )


@hookimpl
def datafeeds_datasource(scraper_key: str, context: DataSourceContext) -> Selection | None:
    if scraper_key == ELECTRIC:
        return electric_selection(context)
    if scraper_key == WATER:
        return water_selection(context)
    return None


@hookimpl
def datafeeds_transformer(scraper_key: str) -> Transformer | None:
    return TRANSFORMERS.get(scraper_key)
