"""Direct Energy (directenergy-urjanet)."""

from __future__ import annotations

from datafeeds_core.plugin_api.contract import (
    DataSourceContext,
    Match,
    PluginMetadata,
    Selection,
    service_type_in,
)
from datafeeds_core.plugin_api.hookspecs import hookimpl
from datafeeds_core.urjanet.normalise import as_is
from datafeeds_core.urjanet.refine import latest_statement_per_interval
from datafeeds_core.urjanet.transform import GENERIC_ELECTRIC, Transformer

KEY = "directenergy-urjanet"
METADATA = PluginMetadata(provider=None, commodity="electric", description="Direct Energy")
TRANSFORMER = GENERIC_ELECTRIC
# `gas` is what the system we replace asked for; Urjanet writes `natural_gas` (SPEC §8.6).
SERVICE_TYPES = ("electric", "natural_gas", "gas")


@hookimpl
def datafeeds_metadata(scraper_key: str) -> PluginMetadata | None:
    return METADATA if scraper_key == KEY else None


@hookimpl
def datafeeds_datasource(scraper_key: str, context: DataSourceContext) -> Selection | None:
    if scraper_key != KEY:
        return None
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


@hookimpl
def datafeeds_transformer(scraper_key: str) -> Transformer | None:
    return TRANSFORMER if scraper_key == KEY else None
