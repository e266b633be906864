"""The bound on how many existing bills one run may replace (a check over the planner's output).

Urjanet rows are third-party data: one statement with an absurd period would otherwise replace
every bill it overlaps (24 bills became one, and the run said "succeeded"). A plan in which one
incoming bill replaces (or, for partial bills, supersedes) more than `MAX_REPLACED_PER_BILL`
existing bills is refused before anything is written, unless the operator accepts it
(`--allow-mass-replace`). docs/reliability.md states the bound.
"""

from __future__ import annotations

from collections.abc import Iterable

from datafeeds_core.errors import JobFailed
from datafeeds_core.platform.bill_plan import BillDecision

MAX_REPLACED_PER_BILL = 2
ACCEPT_FLAG = "--allow-mass-replace"


class MassReplaceRefused(JobFailed):
    """The plan replaces more existing bills than the bound allows; nothing was written."""


def mass_replacements(decisions: Iterable[BillDecision]) -> tuple[BillDecision, ...]:
    """The decisions over the bound: one incoming bill replacing more than the bound."""
    return tuple(d for d in decisions if len(d.replaced_oids) > MAX_REPLACED_PER_BILL)


def _bills(oids: tuple[int, ...]) -> str:
    shown = ", ".join(map(str, oids[:5])) + (", …" if len(oids) > 5 else "")
    return f"{len(oids)} bills (oids {shown})"


def refusal(decisions: Iterable[BillDecision]) -> str | None:
    """One line saying which periods replace how many bills and why that is refused; None when
    the plan is within the bound."""
    over = mass_replacements(decisions)
    if not over:
        return None
    periods = "; ".join(f"{d.start}..{d.end} would replace {_bills(d.replaced_oids)}" for d in over)
    return (
        f"refused to replace existing bills: {periods}; one new period may replace at most "
        f"{MAX_REPLACED_PER_BILL} existing bills (an implausible statement?); nothing was "
        f"written; check the Urjanet data, or rerun with {ACCEPT_FLAG} to accept"
    )


def check(decisions: Iterable[BillDecision], *, allowed: bool = False) -> None:
    """MassReplaceRefused (exit 1) for a plan over the bound, unless `allowed`."""
    if allowed:
        return
    reason = refusal(decisions)
    if reason is not None:
        raise MassReplaceRefused(reason)
