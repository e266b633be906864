"""City of Fort Worth, TX water (fortworth-water-urjanet)."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from functools import partial

from datafeeds_core.plugin_api import (
    GENERIC_WATER,
    Account,
    ConfigurationError,
    DataSourceContext,
    Match,
    PluginMetadata,
    Selection,
    UrjanetData,
    as_is,
    filter_urja_data,
    provider_is,
    service_type_in,
    single_key_hooks,
)

PLUGIN_API_VERSION = "1.0"  # the plugin API this module is written for
KEY = "fortworth-water-urjanet"
PROVIDER = "CityOfFortWorthTX"
NAME = "City of Fort Worth, TX"
METADATA = PluginMetadata(provider=PROVIDER, commodity="water", description=NAME)

_PARTS = re.compile(r"(\d+)-(\d+)$")


def account_id_parts(value: str) -> tuple[int, int] | None:
    """The two dash-separated numbers an account id ends with, leading zeros ignored:
    "001047273-000629328" -> (1047273, 629328)."""
    found = _PARTS.search(value.strip())
    return (int(found[1]), int(found[2])) if found else None


def only_account(parts: tuple[int, int], data: UrjanetData) -> UrjanetData:
    """Statements whose RawAccountNumber has exactly these numbers (SQL only narrowed them)."""
    return filter_urja_data(
        data,
        accounts=lambda a: (
            a.RawAccountNumber is not None and account_id_parts(a.RawAccountNumber) == parts
        ),
    )


def statement_or_interval_end(account: Account) -> date | None:
    return account.StatementDate or account.IntervalEnd


def needs_statement_or_interval_end(account: Account) -> str | None:
    if statement_or_interval_end(account) is None:
        return "no statement date and no interval end"
    return None


# Statements without a StatementDate are kept: ordered and dated by their IntervalEnd instead.
TRANSFORMER = replace(
    GENERIC_WATER,
    eligible=needs_statement_or_interval_end,
    order_key=statement_or_interval_end,
    statement=statement_or_interval_end,
)


def select(context: DataSourceContext) -> Selection:
    """The Urjanet rows of the meter data source described by `context`."""
    account_id = as_is(context.utility_account_id)
    parts = account_id_parts(account_id)
    if parts is None:
        raise ConfigurationError(
            f"{KEY}: account id {account_id!r} is not two numbers joined by a dash "
            "(e.g. 001047273-000629328)"
        )
    first, second = parts
    return Selection(
        account=(
            Match("RawAccountNumber", "contains", f"{first}-"),
            Match("RawAccountNumber", "endswith", str(second)),
            provider_is(PROVIDER),
        ),
        meter=(service_type_in("water", "sewer", "irrigation"),),
        refine=partial(only_account, parts),
    )


datafeeds_metadata, datafeeds_datasource, datafeeds_transformer = single_key_hooks(
    KEY, METADATA, select, TRANSFORMER
)
