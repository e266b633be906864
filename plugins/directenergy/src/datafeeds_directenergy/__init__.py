"""Direct Energy (directenergy-urjanet)."""

from __future__ import annotations

from datafeeds_core.plugin_api import (
    GENERIC_ELECTRIC,
    DataSourceContext,
    Match,
    PluginMetadata,
    Selection,
    as_is,
    latest_statement_per_interval,
    service_type_in,
    single_key_hooks,
)

PLUGIN_API_VERSION = "1.0"  # the plugin API this module is written for
KEY = "directenergy-urjanet"
METADATA = PluginMetadata(provider=None, commodity="electric", description="Direct Energy")
TRANSFORMER = GENERIC_ELECTRIC
# `gas` is what the system we replace asked for; Urjanet writes `natural_gas`.
SERVICE_TYPES = ("electric", "natural_gas", "gas")


def select(context: DataSourceContext) -> Selection:
    """The Urjanet rows of the meter data source described by `context`."""
    # No provider filter: statements are found through a meter whose point of delivery is the
    # utility account id (as the system we replace did), one statement per billing interval.
    return Selection(
        account=(),
        meter=(
            Match("PODid", "eq", as_is(context.utility_account_id)),
            service_type_in(*SERVICE_TYPES),
        ),
        accounts_need_meter=True,
        refine=latest_statement_per_interval,
    )


datafeeds_metadata, datafeeds_datasource, datafeeds_transformer = single_key_hooks(
    KEY, METADATA, select, TRANSFORMER
)
