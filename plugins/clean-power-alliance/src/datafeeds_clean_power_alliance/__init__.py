"""Clean Power Alliance generation charges on SCE statements (sce-clean-power-alliance-urjanet)."""

from __future__ import annotations

from dataclasses import replace

from datafeeds_core.plugin_api import (
    GENERIC_ELECTRIC,
    ConfigurationError,
    DataSourceContext,
    PluginMetadata,
    Selection,
    account_number_is,
    provider_is,
    service_type_in,
    single_key_hooks,
    store_end_minus_one_day,
    without_dashes,
)

PLUGIN_API_VERSION = "1.0"  # the plugin API this module is written for
KEY = "sce-clean-power-alliance-urjanet"
PROVIDER = "SCE"
METADATA = PluginMetadata(
    provider=PROVIDER,
    commodity="electric",
    bill_type="generation-only",
    description="Clean Power Alliance (generation on SCE statements)",
)
# Overlaps are tested on the raw statement dates; the stored period ends a day earlier.
TRANSFORMER = replace(GENERIC_ELECTRIC, stored_range=store_end_minus_one_day)


def generation_account(context: DataSourceContext) -> str:
    """The SCE account number of the generation service: its gen SAID without dashes
    (the gen utility account id when the service has no gen SAID)."""
    ids = (context.gen_service_id, context.gen_utility_account_id)
    number = next((i for i in ids if i and i.strip()), None)
    if number is None:
        raise ConfigurationError(
            "the utility service has no gen_service_id or gen_utility_account_id"
        )
    return without_dashes(number)


def select(context: DataSourceContext) -> Selection:
    """The Urjanet rows of the meter data source described by `context`."""
    return Selection(
        account=(account_number_is(generation_account(context)), provider_is(PROVIDER)),
        meter=(service_type_in("electric"),),
    )


datafeeds_metadata, datafeeds_datasource, datafeeds_transformer = single_key_hooks(
    KEY, METADATA, select, TRANSFORMER
)
