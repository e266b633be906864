"""Compare transformer output with reference fixtures, by the rules of the shared checker.

json cases: same number of periods; sorted by start; exact start, end, tariff; numeric equality of
total_charge, total_usage, peak_demand (null equals only null). csv cases: every row for the key
finds a period with the same end; start equal; cost/used/peak equal to two places.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from datafeeds_core.urjanet.fixture_json import load_urjanet_data, read_periods
from datafeeds_core.urjanet.model import BillingPeriod, UrjanetData, filter_by_date_range

BASIC = ("start", "end", "tariff", "total_charge", "total_usage", "peak_demand")


@dataclass(frozen=True)
class Case:
    id: str
    scraper: str
    kind: str  # json | csv
    input: Path
    expected: Path
    after: date | None = None
    csv_key: str | None = None
    ignore: frozenset[str] = field(default_factory=frozenset)

    def data(self) -> UrjanetData:
        data = load_urjanet_data(self.input)
        return filter_by_date_range(data, after=self.after) if self.after else data


def manifest_cases(fixtures: Path, scraper: str | None = None) -> list[Case]:
    doc = json.loads((fixtures / "manifest.json").read_text(encoding="utf-8"))
    cases = []
    for c in doc["cases"]:
        if scraper and c["scraper"] != scraper:
            continue
        cases.append(
            Case(
                id=c["id"],
                scraper=c["scraper"],
                kind=c["kind"],
                input=fixtures / c["input"],
                expected=fixtures / (c.get("expected") or c["expected_csv"]),
                after=date.fromisoformat(c["after"]) if c.get("after") else None,
                csv_key=c.get("csv_key"),
                ignore=frozenset(c.get("ignore") or ()),
            )
        )
    return cases


def _value(period: BillingPeriod, name: str) -> Any:
    return getattr(period, name)


def compare_json(
    expected: Iterable[BillingPeriod], actual: Iterable[BillingPeriod], ignore: Iterable[str] = ()
) -> list[str]:
    """Problems found (empty = pass)."""
    skip = set(ignore)
    exp = sorted(expected, key=lambda p: (p.start, p.end))
    act = sorted(actual, key=lambda p: (p.start, p.end))
    if len(exp) != len(act):
        return [
            f"period count: expected {len(exp)}, got {len(act)}; "
            f"expected spans {[(str(p.start), str(p.end)) for p in exp]}, "
            f"got {[(str(p.start), str(p.end)) for p in act]}"
        ]
    problems = []
    for i, (e, a) in enumerate(zip(exp, act, strict=True)):
        for name in BASIC:
            if name in skip:
                continue
            ev, av = _value(e, name), _value(a, name)
            if ev != av:  # Decimal compares numerically: "100.00" == "100.0000"
                problems.append(
                    f"period {i + 1} ({e.start}..{e.end}) {name}: expected {ev}, got {av}"
                )
    return problems


def _csv_date(text: str) -> date:
    for fmt in ("%m/%d/%Y", "%m/%d/%y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            pass
    raise ValueError(f"unreadable date {text!r}")


def _close(expected: float, actual: Decimal | None) -> bool:
    return actual is not None and round(abs(expected - float(actual)), 2) == 0


def compare_csv(csv_path: Path, key: str, actual: Iterable[BillingPeriod]) -> list[str]:
    periods = list(actual)
    problems = []
    with csv_path.open(newline="", encoding="utf-8-sig") as handle:
        rows = [
            r for r in csv.DictReader(handle) if (r["service_id"] or r["utility_account_id"]) == key
        ]
    if not rows:
        return [f"no rows for key {key} in {csv_path}"]
    for row in rows:
        end, start = _csv_date(row["end"]), _csv_date(row["start"])
        match = next((p for p in periods if p.end == end), None)
        if match is None:
            problems.append(f"row {start}..{end}: no period ends {end}")
            continue
        if match.start != start:
            problems.append(f"row {start}..{end}: start {match.start}")
        for column, value in (("cost", match.total_charge), ("used", match.total_usage)):
            text = (row.get(column) or "").strip()
            if text and not _close(float(text), value):
                problems.append(f"row {start}..{end}: {column} expected {text}, got {value}")
        peak = (row.get("peak") or "").strip()
        if not peak and match.peak_demand is not None:
            problems.append(f"row {start}..{end}: peak expected null, got {match.peak_demand}")
        if peak and not _close(float(peak), match.peak_demand):
            problems.append(f"row {start}..{end}: peak expected {peak}, got {match.peak_demand}")
    return problems


def check_case(case: Case, periods: Iterable[BillingPeriod]) -> list[str]:
    if case.kind == "csv":
        assert case.csv_key is not None
        return compare_csv(case.expected, case.csv_key, periods)
    expected = read_periods(case.expected.read_text(encoding="utf-8"))
    return compare_json(expected, periods, case.ignore)
