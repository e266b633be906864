"""Values that cross the plugin boundary: metadata, the data source context, row selections.

A plugin declares *which* rows it wants as a `Selection`; the core's loader turns it into SQL
(escaped, bound parameters). Plugins never see a database driver.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from datafeeds_core.urjanet.model import UrjanetData

Commodity = Literal["water", "electric", "gas"]
BillType = Literal["full", "generation-only"]
Op = Literal["eq", "ne", "in", "contains", "startswith", "endswith", "is_null", "not_null"]
# Which Urjanet tables hold the statements: the SQL delivery, or the XML delivery (PG&E CCA).
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
    # had in its utility_service_snapshot history, oldest first; the runner fills them.
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
    # Meters the platform knows no id of, found by what they bill (see SameUsageMeters).
    same_usage_meters: SameUsageMeters | None = None


@dataclass(frozen=True)
class SameUsageMeters:
    """Select meters by PODid: the `known_ids`, plus the PODids of the selected accounts'
    meters whose charges bill, more than once in one meter interval, the same quantity from the
    same day as `provider`'s charges on the known meters at their service address (the first
    known meter's address and service type). This finds a CCA's meters, whose PODid is an ESP
    customer number the platform never stored, for a PG&E service (SPEC §3.4). The other meter
    conditions still apply."""

    known_ids: tuple[str, ...]
    provider: str


def account_number_is(number: str, column: str = "AccountNumber") -> Match:
    return Match(column, "eq", number)


def provider_is(code: str) -> Match:
    return Match("UtilityProvider", "eq", code)


def service_type_in(*types: str) -> Match:
    return Match("ServiceType", "in", tuple(types))


WATER_SERVICE_TYPES = ("water", "sewer", "irrigation", "sanitation")  # W4 in SPEC §3.2
