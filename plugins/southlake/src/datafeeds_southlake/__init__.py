"""City of Southlake, TX water (southlake-urjanet)."""

from __future__ import annotations

from dataclasses import replace

from datafeeds_core.contract import (
    DataSourceContext,
    PluginMetadata,
    Selection,
    account_number_is,
    provider_is,
    service_type_in,
)
from datafeeds_core.hookspecs import hookimpl
from datafeeds_core.urjanet.normalise import as_is
from datafeeds_core.urjanet.transform import (
    GENERIC_WATER,
    Transformer,
    by_interval_end_then_pk,
    needs_interval,
)

KEY = "southlake-urjanet"
PROVIDER = "CityOfSouthlakeTX"
NAME = "City of Southlake, TX"
METADATA = PluginMetadata(provider=PROVIDER, commodity="water", description=NAME)
# Southlake statements carry no StatementDate: keep those with an interval, newest end first.
TRANSFORMER = replace(GENERIC_WATER, eligible=needs_interval, order_key=by_interval_end_then_pk)


@hookimpl
def datafeeds_metadata(scraper_key: str) -> PluginMetadata | None:
    return METADATA if scraper_key == KEY else None


@hookimpl
def datafeeds_datasource(scraper_key: str, context: DataSourceContext) -> Selection | None:
    if scraper_key != KEY:
        return None
    return Selection(
        account=(
            account_number_is(as_is(context.utility_account_id)),
            provider_is(PROVIDER),
        ),
        meter=(service_type_in("water"),),
    )


@hookimpl
def datafeeds_transformer(scraper_key: str) -> Transformer | None:
    return TRANSFORMER if scraper_key == KEY else None
