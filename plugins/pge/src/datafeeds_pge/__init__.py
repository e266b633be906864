"""Pacific Gas & Electric: bills (pge-urjanet-v2) and CCA generation bills
(pge-urjanet-generation)."""

from __future__ import annotations

from datafeeds_core.plugin_api import PluginMetadata, Utility, hooks
from datafeeds_pge.bills import pge_transform
from datafeeds_pge.generation import generation_transform
from datafeeds_pge.selection import PROVIDER, bill_selection, generation_selection

PLUGIN_API_VERSION = "1.0"  # the plugin API this module is written for
BILLS = "pge-urjanet-v2"
GENERATION = "pge-urjanet-generation"

datafeeds_metadata, datafeeds_datasource, datafeeds_transformer = hooks(
    Utility(
        BILLS,
        # Net-metering true-up statements span up to several years (1651 days in the reference
        # fixtures); the bills made of them are the monthly ones.
        PluginMetadata(
            provider=PROVIDER, commodity="electric", description="PG&E", max_period_days=2000
        ),
        bill_selection,
        pge_transform,
    ),
    Utility(
        GENERATION,
        PluginMetadata(
            provider=None,
            commodity="electric",
            bill_type="generation-only",
            description="PG&E CCA generation (xml delivery)",
            # The CCA statements may still carry the account or service ids the service had
            # before (its snapshot history).
            needs_service_history=True,
        ),
        generation_selection,
        generation_transform,
    ),
)
