"""NV Energy statements to billing periods.

A statement's range is its first meter's (the account's when it has no meter); the period is that
range starting a day later, and the latest statement wins on overlap. Overlap is tested on the raw
range, so an older statement whose raw range ends one day into a newer one's would share that day
with it (the reference emitted both); its end is pulled back a day (shift_endpoints), which changes
no reference period (none touches its neighbour).
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from datafeeds_core.plugin_api import (
    GENERIC_ELECTRIC,
    Account,
    Charge,
    Range,
    Usage,
    account_interval,
    interval_of,
    rules,
    shift_endpoints,
    store_start_plus_one_day,
)

# Floating charges that belong to the bill's cost; other floating charges (deposits, service
# establishment fees, balances) do not.
BILLED_FLOATING_CHARGES = frozenset(
    {
        "ch.usage_charge",
        "ch.all_applicable_distribution_riders",
        "ch.universal_energy_charge",
        "ch.renewable_energy_surcharge",
        "ch.temp_green_power_financing",
        "ch.energy_efficiency_charge",
    }
)
# UsageActualName codes of time-of-use consumption (winter/summer on, mid, off, total).
TOU_CODES = frozenset(
    {
        "WOTE", "WTOA", "WTOR", "WTOD",
        "SOTE", "SUMA", "SUMR", "SUMD",
        "SFTE", "SUFA", "SUFR", "SUFD",
        "SMTE",
    }
)  # fmt: skip


def first_meter_range(account: Account) -> Range | None:
    """The first meter's interval; the statement's when it has no meter."""
    if not account.meters:
        return account_interval(account)
    return interval_of(account.meters[0])


def billed_charges(account: Account) -> tuple[Charge, ...]:
    """Meter charges, then the floating charges that are part of the bill."""
    floating = tuple(c for c in account.floating_charges if c.ChargeId in BILLED_FLOATING_CHARGES)
    return account.meter_charges() + floating


def billed_total(account: Account) -> Decimal:
    return rules.sum_amounts(c.ChargeAmount for c in billed_charges(account))


def _consumption(usage: Usage) -> bool:
    if usage.MeasurementType != "general_consumption":
        return False
    return rules.is_total(usage) or usage.UsageActualName in TOU_CODES


def consumption(account: Account) -> Decimal:
    """`[total]` and time-of-use consumption, without the usages that repeat the TOU sum
    (a `[total]` equal to its parts would count the energy twice)."""
    usages = [u for u in rules.dedupe_usages(account.meter_usages()) if _consumption(u)]
    tou_sum = rules.sum_amounts(u.UsageAmount for u in usages if not rules.is_total(u))
    return rules.sum_amounts(u.UsageAmount for u in usages if u.UsageAmount != tou_sum)


def demand_peak(account: Account) -> Decimal:
    """The max kW demand usage, except facility demand; 0 when there is none."""
    peak = rules.max_or_none(
        u.UsageAmount
        for u in rules.dedupe_usages(account.meter_usages())
        if u.MeasurementType == "demand"
        and u.EnergyUnit == "kW"
        and "fac" not in (u.UsageActualName or "")
    )
    return rules.ZERO if peak is None else peak


TRANSFORMER = replace(
    GENERIC_ELECTRIC,
    account_range=first_meter_range,
    stored_range=store_start_plus_one_day,
    normalise=shift_endpoints,
    total_charge=billed_total,
    total_usage=consumption,
    peak_demand=demand_peak,
    line_items=billed_charges,
)
