"""Values that cross the plugin boundary: metadata, the data source context, row selections.

A plugin declares *which* rows it wants as a `Selection`; the core's loader turns it into SQL
(escaped, bound parameters). Plugins never see a database driver.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from datafeeds_core.urjanet.model import UrjanetData

Commodity = Literal["water", "electric", "gas"]
BillType = Literal["full", "generation-only"]
Op = Literal["eq", "ne", "in", "contains", "startswith", "endswith", "is_null", "not_null"]
# Which Urjanet tables hold the statements: the SQL delivery, or the XML delivery.
Delivery = Literal["sql", "xml"]
# The longest billing period a utility plausibly issues (a yearly true-up plus a month); a plugin
# whose utility bills monthly may say less. Longer periods are set aside (validation.py).
DEFAULT_MAX_PERIOD_DAYS = 400


@dataclass(frozen=True)
class PluginMetadata:
    provider: str | None
    commodity: Commodity
    bill_type: BillType = "full"
    required_meta: tuple[str, ...] = ()
    description: str = ""
    max_period_days: int = DEFAULT_MAX_PERIOD_DAYS
    # The data source context also lists the ids the utility service had in its snapshot
    # history (`DataSourceContext.history_*_ids`): one more platform query per job, so only
    # for keys that ask.
    needs_service_history: bool = False

    def missing_meta(self, meta: Mapping[str, Any] | None) -> list[str]:
        """The `required_meta` keys that `meta` lacks or leaves empty."""
        given = meta or {}
        return [k for k in self.required_meta if given.get(k) in (None, "")]


@dataclass(frozen=True)
class DataSourceContext:
    """What a plugin knows about the meter data source it serves."""

    scraper_key: str
    utility: str | None = None
    utility_account_id: str | None = None
    service_id: str | None = None
    gen_utility_account_id: str | None = None
    gen_service_id: str | None = None
    meta: Mapping[str, Any] = field(default_factory=dict)
    # The meter's commodity as the platform stores it (kw, therms, ccf); the runner fills it.
    commodity: str | None = None
    # Account ids (utility and gen) and service ids (SAIDs and gen SAIDs) the utility service
    # had in its utility_service_snapshot history, oldest first; the runner fills them for
    # keys whose metadata says `needs_service_history`.
    history_account_ids: tuple[str, ...] = ()
    history_service_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Match:
    """`column op value` on one table's column; `strip_spaces` compares with spaces removed."""

    column: str
    op: Op
    value: Any = None
    strip_spaces: bool = False


@dataclass(frozen=True)
class AnyOf:
    """At least one of the conditions holds."""

    conditions: tuple[Condition, ...]


Condition = Match | AnyOf


@dataclass(frozen=True)
class Selection:
    """Accounts matching every account condition, and their meters matching every meter
    condition. `refine` is a pure post-load step for rules SQL cannot express."""

    account: tuple[Condition, ...]
    meter: tuple[Condition, ...] = ()
    refine: Callable[[UrjanetData], UrjanetData] | None = None
    # Only accounts with at least one meter matching the meter conditions: for sources whose
    # meter (e.g. PODid) identifies the account better than any account column does.
    accounts_need_meter: bool = False
    delivery: Delivery = "sql"
    # A step before loading, for sources whose rows can only be named after reading some
    # Urjanet rows (ids the platform never stored): given a lookup, it returns the selection
    # to load in this one's place. Runs once; the selection it returns is not resolved again.
    resolve: Callable[[UrjanetLookup], Selection] | None = None


class UrjanetLookup(Protocol):
    """Read-only access to Urjanet rows for `Selection.resolve`: declarative, like a Selection
    (values bound, no SQL), and in the tables of the selection's `delivery`."""

    def meters(self, selection: Selection, columns: Sequence[str]) -> list[tuple[Any, ...]]:
        """`columns` of the meter rows matching `selection.meter` whose statement matches
        `selection.account` (any statement when it has no account condition), in PK order."""
        ...

    def meter_charges(
        self, selection: Selection, meter_columns: Sequence[str], charge_columns: Sequence[str]
    ) -> list[tuple[Any, ...]]:
        """One row per charge of the meters `meters` would list: the meter's `meter_columns`
        then the charge's `charge_columns`, in charge PK order. Dates are `date`s."""
        ...


def account_number_is(number: str, column: str = "AccountNumber") -> Match:
    return Match(column, "eq", number)


def provider_is(code: str) -> Match:
    return Match("UtilityProvider", "eq", code)


def service_type_in(*types: str) -> Match:
    return Match("ServiceType", "in", tuple(types))


# What the water utilities' meters are called in Urjanet's ServiceType column.
WATER_SERVICE_TYPES = ("water", "sewer", "irrigation", "sanitation")
