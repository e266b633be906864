"""The plugin API: the one module a utility plugin imports from.

    from datafeeds_core.plugin_api import PluginMetadata, Selection, single_key_hooks, rules

It offers the hook marker (`hookimpl`), the values that cross the plugin boundary (`contract`),
the helpers that build a plugin's hooks (`kit`), the Urjanet model and the building blocks of
selections and transformers, the errors a plugin raises, and `API_VERSION`. The submodules hold
what the core uses to discover, load and check plugins (`registry`, `conformance`, `scaffold`).

Importing this package (as `datafeeds plugins list` does, through `registry`) costs nothing:
every name but `API_VERSION` is imported on first use (PEP 562), so listing plugins never
imports pluggy or the transform code.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# The plugin API's version, MAJOR.MINOR. A plugin says which one it was written for in its
# module's `PLUGIN_API_VERSION`; the core refuses, at load, one written for another major
# version, or for a newer minor version than this (docs/writing-a-utility-plugin.md).
API_VERSION = "1.0"

if TYPE_CHECKING:
    from datafeeds_core.errors import ConfigurationError as ConfigurationError
    from datafeeds_core.errors import MalformedInput as MalformedInput
    from datafeeds_core.plugin_api.contract import WATER_SERVICE_TYPES as WATER_SERVICE_TYPES
    from datafeeds_core.plugin_api.contract import AnyOf as AnyOf
    from datafeeds_core.plugin_api.contract import BillType as BillType
    from datafeeds_core.plugin_api.contract import Commodity as Commodity
    from datafeeds_core.plugin_api.contract import Condition as Condition
    from datafeeds_core.plugin_api.contract import DataSourceContext as DataSourceContext
    from datafeeds_core.plugin_api.contract import Match as Match
    from datafeeds_core.plugin_api.contract import PluginMetadata as PluginMetadata
    from datafeeds_core.plugin_api.contract import Selection as Selection
    from datafeeds_core.plugin_api.contract import UrjanetLookup as UrjanetLookup
    from datafeeds_core.plugin_api.contract import account_number_is as account_number_is
    from datafeeds_core.plugin_api.contract import provider_is as provider_is
    from datafeeds_core.plugin_api.contract import service_type_in as service_type_in
    from datafeeds_core.plugin_api.hookspecs import hookimpl as hookimpl
    from datafeeds_core.plugin_api.kit import Utility as Utility
    from datafeeds_core.plugin_api.kit import account_selection as account_selection
    from datafeeds_core.plugin_api.kit import hooks as hooks
    from datafeeds_core.plugin_api.kit import single_key_hooks as single_key_hooks
    from datafeeds_core.urjanet import rules as rules
    from datafeeds_core.urjanet.intervals import DAY as DAY
    from datafeeds_core.urjanet.intervals import Interval as Interval
    from datafeeds_core.urjanet.intervals import IntervalIndex as IntervalIndex
    from datafeeds_core.urjanet.intervals import IntervalSet as IntervalSet
    from datafeeds_core.urjanet.intervals import merge_overlaps as merge_overlaps
    from datafeeds_core.urjanet.intervals import shift_endpoints as shift_endpoints
    from datafeeds_core.urjanet.intervals import shift_endpoints_end as shift_endpoints_end
    from datafeeds_core.urjanet.intervals import shift_endpoints_start as shift_endpoints_start
    from datafeeds_core.urjanet.model import Account as Account
    from datafeeds_core.urjanet.model import BillingPeriod as BillingPeriod
    from datafeeds_core.urjanet.model import Charge as Charge
    from datafeeds_core.urjanet.model import DroppedStatement as DroppedStatement
    from datafeeds_core.urjanet.model import Meter as Meter
    from datafeeds_core.urjanet.model import TransformResult as TransformResult
    from datafeeds_core.urjanet.model import UrjanetData as UrjanetData
    from datafeeds_core.urjanet.model import Usage as Usage
    from datafeeds_core.urjanet.model import filter_urja_data as filter_urja_data
    from datafeeds_core.urjanet.model import interval_of as interval_of
    from datafeeds_core.urjanet.normalise import as_is as as_is
    from datafeeds_core.urjanet.normalise import before_first_dash as before_first_dash
    from datafeeds_core.urjanet.normalise import (
        digits_before_first_dash as digits_before_first_dash,
    )
    from datafeeds_core.urjanet.normalise import service_id as service_id
    from datafeeds_core.urjanet.normalise import without_dashes as without_dashes
    from datafeeds_core.urjanet.normalise import without_dots as without_dots
    from datafeeds_core.urjanet.normalise import without_spaces as without_spaces
    from datafeeds_core.urjanet.refine import (
        latest_statement_per_interval as latest_statement_per_interval,
    )
    from datafeeds_core.urjanet.transform import GENERIC_ELECTRIC as GENERIC_ELECTRIC
    from datafeeds_core.urjanet.transform import GENERIC_WATER as GENERIC_WATER
    from datafeeds_core.urjanet.transform import HistoryTransformer as HistoryTransformer
    from datafeeds_core.urjanet.transform import Range as Range
    from datafeeds_core.urjanet.transform import Transformer as Transformer
    from datafeeds_core.urjanet.transform import account_interval as account_interval
    from datafeeds_core.urjanet.transform import by_interval_end_then_pk as by_interval_end_then_pk
    from datafeeds_core.urjanet.transform import by_statement_date as by_statement_date
    from datafeeds_core.urjanet.transform import (
        by_statement_date_nulls_oldest as by_statement_date_nulls_oldest,
    )
    from datafeeds_core.urjanet.transform import end_minus_one_day as end_minus_one_day
    from datafeeds_core.urjanet.transform import needs_interval as needs_interval
    from datafeeds_core.urjanet.transform import needs_statement_date as needs_statement_date
    from datafeeds_core.urjanet.transform import newest_first as newest_first
    from datafeeds_core.urjanet.transform import same_range as same_range
    from datafeeds_core.urjanet.transform import start_plus_one_day as start_plus_one_day
    from datafeeds_core.urjanet.transform import statement_date as statement_date
    from datafeeds_core.urjanet.transform import store_end_minus_one_day as store_end_minus_one_day
    from datafeeds_core.urjanet.transform import (
        store_start_plus_one_day as store_start_plus_one_day,
    )
    from datafeeds_core.urjanet.transform import unused_statements as unused_statements

# Where each exported name lives; a module name (no attribute) exports the module itself.
_EXPORTS: dict[str, tuple[str, ...]] = {
    "datafeeds_core.errors": ("ConfigurationError", "MalformedInput"),
    "datafeeds_core.plugin_api.contract": (
        "WATER_SERVICE_TYPES",
        "AnyOf",
        "BillType",
        "Commodity",
        "Condition",
        "DataSourceContext",
        "Match",
        "PluginMetadata",
        "Selection",
        "UrjanetLookup",
        "account_number_is",
        "provider_is",
        "service_type_in",
    ),
    "datafeeds_core.plugin_api.hookspecs": ("hookimpl",),
    "datafeeds_core.plugin_api.kit": ("Utility", "account_selection", "hooks", "single_key_hooks"),
    "datafeeds_core.urjanet.intervals": (
        "DAY",
        "Interval",
        "IntervalIndex",
        "IntervalSet",
        "merge_overlaps",
        "shift_endpoints",
        "shift_endpoints_end",
        "shift_endpoints_start",
    ),
    "datafeeds_core.urjanet.model": (
        "Account",
        "BillingPeriod",
        "Charge",
        "DroppedStatement",
        "Meter",
        "TransformResult",
        "UrjanetData",
        "Usage",
        "filter_urja_data",
        "interval_of",
    ),
    "datafeeds_core.urjanet.normalise": (
        "as_is",
        "before_first_dash",
        "digits_before_first_dash",
        "service_id",
        "without_dashes",
        "without_dots",
        "without_spaces",
    ),
    "datafeeds_core.urjanet.refine": ("latest_statement_per_interval",),
    "datafeeds_core.urjanet.transform": (
        "GENERIC_ELECTRIC",
        "GENERIC_WATER",
        "HistoryTransformer",
        "Range",
        "Transformer",
        "account_interval",
        "by_interval_end_then_pk",
        "by_statement_date",
        "by_statement_date_nulls_oldest",
        "end_minus_one_day",
        "needs_interval",
        "needs_statement_date",
        "newest_first",
        "same_range",
        "start_plus_one_day",
        "statement_date",
        "store_end_minus_one_day",
        "store_start_plus_one_day",
        "unused_statements",
    ),
}
_MODULES = {"rules": "datafeeds_core.urjanet.rules"}
_HOME = {name: module for module, names in _EXPORTS.items() for name in names}

__all__ = sorted(["API_VERSION", *_HOME, *_MODULES])


def __getattr__(name: str) -> Any:
    """Import an exported name on first use, and keep it (PEP 562)."""
    if name in _MODULES:
        value = importlib.import_module(_MODULES[name])
    elif name in _HOME:
        value = getattr(importlib.import_module(_HOME[name]), name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
