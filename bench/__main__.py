"""`python -m bench [NAME ...] [--smoke] [--json-out FILE] [--regenerate]`: run benchmarks.

Without --json-out each benchmark writes bench/results/NAME.json (smoke runs write nothing
there, so tiny figures never replace real ones); with it, one JSON object keyed by benchmark.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import time
from pathlib import Path

from bench.harness import RESULTS, Report, table

# Run order: cheap first; extraction generates the database fleet reuses.
BENCHMARKS = {
    "startup": "bench.startup",
    "transform": "bench.transform_throughput",
    "one_job": "bench.one_job",
    "extraction": "bench.extraction",
    "fleet": "bench.fleet",
    "batch": "bench.batch_submit",
    "web": "bench.web",
    "batch_cost": "bench.batch_cost",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("names", nargs="*", metavar="NAME", help=", ".join(BENCHMARKS))
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, one repetition")
    parser.add_argument("--json-out", type=Path, help="write all results to this file")
    parser.add_argument(
        "--regenerate", action="store_true", help="rebuild the kept synthetic Urjanet database"
    )
    args = parser.parse_args(argv)
    unknown = [n for n in args.names if n not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark {', '.join(unknown)} (known: {', '.join(BENCHMARKS)})")
    names = args.names or list(BENCHMARKS)

    reports: list[Report] = []
    for name in names:
        started = time.perf_counter()
        print(f"[bench] {name} ...", file=sys.stderr, flush=True)
        module = importlib.import_module(BENCHMARKS[name])
        report: Report = module.run(smoke=args.smoke, regenerate=args.regenerate)
        report.details["bench_seconds"] = round(time.perf_counter() - started, 1)
        reports.append(report)
        if args.json_out is None and not args.smoke:
            RESULTS.mkdir(parents=True, exist_ok=True)
            (RESULTS / f"{name}.json").write_text(json.dumps(report.as_dict(), indent=2) + "\n")
        print(f"[bench] {name} done in {report.details['bench_seconds']} s", file=sys.stderr)

    print(table(reports))
    if args.json_out is not None:
        args.json_out.parent.mkdir(parents=True, exist_ok=True)
        combined = {r.benchmark: r.as_dict() for r in reports}
        args.json_out.write_text(json.dumps(combined, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
