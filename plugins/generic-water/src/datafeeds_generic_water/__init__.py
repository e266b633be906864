"""Water bills of any Urjanet utility named in the data source meta (generic-urjanet-water)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from functools import partial
from typing import Any

from datafeeds_core.plugin_api import (
    GENERIC_WATER,
    ConfigurationError,
    DataSourceContext,
    PluginMetadata,
    Selection,
    UrjanetData,
    account_number_is,
    as_is,
    provider_is,
    service_type_in,
    single_key_hooks,
)

PLUGIN_API_VERSION = "1.0"  # the plugin API this module is written for
KEY = "generic-urjanet-water"
PROVIDER_META = "utility_provider"
FACTOR_META = "conversion_factor"
METADATA = PluginMetadata(
    provider=None,
    commodity="water",
    required_meta=(PROVIDER_META,),
    description="Any Urjanet water utility: provider and conversion factor from the meta",
)
TRANSFORMER = GENERIC_WATER


def provider_from(meta: Mapping[str, Any]) -> str:
    provider = meta.get(PROVIDER_META)
    if not isinstance(provider, str) or not provider.strip():
        raise ConfigurationError(f"{KEY} needs the data source meta {PROVIDER_META!r}")
    return provider.strip()


def factor_from(meta: Mapping[str, Any]) -> Decimal:
    """meta conversion_factor (default 1), through str so a float adds no binary noise."""
    raw = meta.get(FACTOR_META)
    if raw is None or raw == "":
        return Decimal(1)
    try:
        factor = Decimal(str(raw).strip())
    except InvalidOperation:
        factor = Decimal("NaN")
    if isinstance(raw, bool) or not factor.is_finite():
        raise ConfigurationError(f"{KEY}: meta {FACTOR_META} {raw!r} is not a number")
    return factor


def scaled_usages(factor: Decimal, data: UrjanetData) -> UrjanetData:
    """A copy with every UsageAmount multiplied by `factor`; null amounts stay null."""

    def scaled(amount: Decimal | None) -> Decimal | None:
        return None if amount is None else amount * factor

    return UrjanetData(
        tuple(
            replace(
                account,
                meters=tuple(
                    replace(
                        meter,
                        usages=tuple(
                            replace(u, UsageAmount=scaled(u.UsageAmount)) for u in meter.usages
                        ),
                    )
                    for meter in account.meters
                ),
            )
            for account in data.accounts
        )
    )


def select(context: DataSourceContext) -> Selection:
    """The Urjanet rows of the meter data source described by `context`."""
    return Selection(
        account=(
            account_number_is(as_is(context.utility_account_id), column="RawAccountNumber"),
            provider_is(provider_from(context.meta)),
        ),
        meter=(service_type_in("water", "sewer", "irrigation"),),
        refine=partial(scaled_usages, factor_from(context.meta)),
    )


datafeeds_metadata, datafeeds_datasource, datafeeds_transformer = single_key_hooks(
    KEY, METADATA, select, TRANSFORMER
)
