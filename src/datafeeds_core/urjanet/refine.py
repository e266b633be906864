"""Post-load steps over selected statements, for `Selection.refine` (rules SQL cannot express)."""

from __future__ import annotations

from datetime import date

from datafeeds_core.urjanet.model import Account, UrjanetData, interval_of


def _recency(account: Account) -> tuple[bool, date, int]:
    # A null StatementDate is older than any date; equal dates go to the higher PK (delivered
    # later), so the choice never depends on row order.
    return (
        account.StatementDate is not None,
        account.StatementDate or date.min,
        account.PK if account.PK is not None else -1,
    )


def latest_statement_per_interval(data: UrjanetData) -> UrjanetData:
    """Keep one statement per (IntervalStart, IntervalEnd): the one with the latest
    StatementDate (without the old code's faults: no crash on a null StatementDate, and equal
    intervals need not be adjacent). Statements missing an interval date are all kept (the
    transformer reports them); survivors keep their input order."""
    latest: dict[tuple[date, date], Account] = {}
    for account in data.accounts:
        key = interval_of(account)
        if key is None:
            continue
        if key not in latest or _recency(account) > _recency(latest[key]):
            latest[key] = account
    kept = {id(a) for a in latest.values()}
    return UrjanetData(tuple(a for a in data.accounts if interval_of(a) is None or id(a) in kept))
