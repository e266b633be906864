"""Los Angeles Department of Water and Power: electric (ladwp-urjanet-v2) and water
(ladwp-water-urjanet) bills."""

from __future__ import annotations

from datafeeds_core.plugin_api import (
    DataSourceContext,
    Match,
    PluginMetadata,
    Selection,
    Utility,
    account_number_is,
    as_is,
    hooks,
    provider_is,
    service_id,
    service_type_in,
)
from datafeeds_ladwp import electric, water

PLUGIN_API_VERSION = "1.0"  # the plugin API this module is written for
ELECTRIC = "ladwp-urjanet-v2"
WATER = "ladwp-water-urjanet"
PROVIDER = "LADeptOfWAndP"


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


datafeeds_metadata, datafeeds_datasource, datafeeds_transformer = hooks(
    Utility(
        ELECTRIC,
        PluginMetadata(provider=PROVIDER, commodity="electric", description="LADWP electric"),
        electric_selection,
        electric.TRANSFORMER,
    ),
    Utility(
        WATER,
        PluginMetadata(provider=PROVIDER, commodity="water", description="LADWP water"),
        water_selection,
        water.water_transform,
    ),
)
