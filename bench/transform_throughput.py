"""Item 6, transform throughput: every reference fixture of the shared manifest read,
transformed and serialised in one process.

The work per case is what `datafeeds urjanet transform` does (transforming.transform_fixture)
minus the process: read the input JSON (and apply --after), run the plugin's transformer, sort
and serialise the periods. Statements are the accounts of the inputs. A key whose plugin fails
to load, or a case whose transform raises, is reported as skipped.
"""

from __future__ import annotations

import time
from collections import defaultdict
from typing import Any

from bench.harness import Report, median

NAME = "transform"
TARGET_PER_S = 2500.0
OLD_SYSTEM_PER_S = 440.0  # the system we replace, same 84 cases, this machine class (issue 6)


def _one(case: Any, transformer: Any) -> int:
    """Read, transform and serialise one case; returns its statement count."""
    from datafeeds_core.urjanet.fixture_json import load_urjanet_data, periods_json
    from datafeeds_core.urjanet.model import filter_by_date_range

    data = load_urjanet_data(case.input)
    if case.after is not None:
        data = filter_by_date_range(data, after=case.after)
    result = transformer(data)
    periods_json(tuple(sorted(result.periods, key=lambda p: (p.start, p.end))))
    return len(data.accounts)


def run(smoke: bool = False, regenerate: bool = False) -> Report:
    from datafeeds_core.errors import DatafeedsError
    from datafeeds_core.plugin_api.conformance import manifest_cases
    from datafeeds_core.plugin_api.registry import load
    from datafeeds_core.testing.locations import reference_fixtures

    report = Report(NAME, smoke)
    fixtures = reference_fixtures()
    if not fixtures.exists():
        report.skipped.append(fixtures.missing())
        return report
    cases = manifest_cases(fixtures.path)
    if smoke:
        cases = cases[:5]

    # Load each plugin and run each case once, outside the timing: imports and first-call
    # caches are start-up cost, measured by `startup` and `one_job`.
    transformers: dict[str, Any] = {}
    runnable = []
    for case in cases:
        if case.scraper not in transformers:
            try:
                transformers[case.scraper] = load(case.scraper).transformer()
            except DatafeedsError as exc:
                transformers[case.scraper] = None
                report.skipped.append(f"{case.scraper}: {exc}")
        if transformers[case.scraper] is None:
            continue
        try:
            _one(case, transformers[case.scraper])
        except Exception as exc:
            report.skipped.append(f"{case.id}: {type(exc).__name__}: {exc}")
            continue
        runnable.append(case)

    repeat = 1 if smoke else 7
    totals: list[float] = []
    cpu: list[float] = []
    per_key: dict[str, list[float]] = defaultdict(list)  # seconds per repetition
    statements_of: dict[str, int] = defaultdict(int)
    for rep in range(repeat):
        spent: dict[str, float] = defaultdict(float)
        started, cpu_started = time.perf_counter(), time.process_time()
        for case in runnable:
            t0 = time.perf_counter()
            n = _one(case, transformers[case.scraper])
            spent[case.scraper] += time.perf_counter() - t0
            if rep == 0:
                statements_of[case.scraper] += n
        totals.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
        for key, seconds in spent.items():
            per_key[key].append(seconds)

    statements = sum(statements_of.values())
    seconds = median(totals)
    rate = statements / seconds if seconds else float("nan")
    report.add("cases", len(runnable), "cases", against=f"{len(cases)} in the manifest")
    report.add("statements", statements, "statements", against="accounts in the inputs")
    report.add("all cases, median", seconds * 1000, "ms", against=f"{repeat} repetitions")
    report.add(
        "throughput",
        rate,
        "stmt/s",
        target=f">= {TARGET_PER_S:,.0f}",
        ok=rate >= TARGET_PER_S,
        against=f"old system ~{OLD_SYSTEM_PER_S:.0f} stmt/s ({rate / OLD_SYSTEM_PER_S:.1f}x)",
    )
    cpu_rate = statements / median(cpu) if median(cpu) else float("nan")
    report.add(
        "throughput, CPU time",
        cpu_rate,
        "stmt/s",
        target=f">= {TARGET_PER_S:,.0f}",
        ok=cpu_rate >= TARGET_PER_S,
        against="process time: less sensitive to a shared machine",
    )
    cost = {
        key: median(per_key[key]) / statements_of[key] * 1e6
        for key in per_key
        if statements_of[key]
    }
    slowest = sorted(cost, key=cost.__getitem__, reverse=True)[:3]
    for key in slowest:
        report.add(
            f"slowest: {key}",
            cost[key],
            "µs/stmt",
            against=f"{statements_of[key]} statements; mean {seconds / statements * 1e6:.0f} µs",
        )
    report.details = {
        "repetitions": repeat,
        "fixtures": str(fixtures),
        "seconds": [round(t, 4) for t in totals],
        "cpu_seconds": [round(t, 4) for t in cpu],
        "us_per_statement": {k: round(v, 1) for k, v in sorted(cost.items())},
        "statements_per_key": dict(sorted(statements_of.items())),
    }
    return report
