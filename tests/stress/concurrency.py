"""Concurrency stress, beyond CI's time budget (tests/reliability/test_concurrency.py is the CI
version): on PostgreSQL (platform) and MariaDB (Urjanet),

1. `datafeeds launch` of JOBS data sources over 5 shared utility services at concurrency 8;
2. ROUNDS races of RACERS `datafeeds run` processes started together on one data source.

The invariants are the CI tests': every run recorded and finished, each bill exactly once per
service and period, per service the runs' `new` counts sum to its bills and every run's
new + updated + unchanged + replaced + skipped equals its periods.

    .venv/bin/python tests/stress/concurrency.py [--jobs 200] [--rounds 10] [--racers 4]
        [--json-out FILE]

Prints a JSON summary; exits 1 on any violated invariant.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

SERVICES, CONCURRENCY = 5, 8
WRITE_KEYS = ("new", "updated", "unchanged", "replaced", "skipped")
KEY = "watauga-urjanet"


def cli(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "datafeeds_core", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def check_service(platform: Any, service: int, runs: list[dict[str, Any]]) -> list[str]:
    problems = []
    bills = platform.rows("bill", service=service)
    keys = Counter((b["initial"], b["closing"]) for b in bills)
    twice = [k for k, n in keys.items() if n > 1]
    if twice:
        problems.append(f"service {service}: {len(twice)} periods billed more than once")
    if sum(r["counts"]["new"] for r in runs) != len(bills):
        problems.append(f"service {service}: new counts do not add up to {len(bills)} bills")
    for r in runs:
        if r["status"] not in ("succeeded", "no-new-data") or r["finished_at"] is None:
            problems.append(f"run {r['id']}: {r['status']} ({r['error_message']})")
        elif sum(int(r["counts"][k]) for k in WRITE_KEYS) != r["counts"]["periods"]:
            problems.append(f"run {r['id']}: decisions do not add up to its periods")
    return problems


def main(argv: list[str] | None = None) -> int:
    from datafeeds_core.database import make_engine
    from datafeeds_core.demo.data import DEMO_ACCOUNT_NUMBER, DEMO_SERVICE_ID, demo_statements
    from datafeeds_core.platform.init import init_database
    from datafeeds_core.plugin_api.registry import load
    from datafeeds_core.testing import PlatformTestDatabase, UrjanetTestDatabase, find_server
    from datafeeds_core.urjanet.schema import create_schema

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--racers", type=int, default=4)
    parser.add_argument("--json-out", type=Path)
    args = parser.parse_args(argv)

    servers = {b: find_server(b) for b in ("postgresql", "mariadb")}
    missing = [b for b, s in servers.items() if s is None]
    if missing:
        print(f"no {' or '.join(missing)} server found", file=sys.stderr)
        return 2
    pg, maria = servers["postgresql"], servers["mariadb"]
    assert pg is not None and maria is not None
    problems: list[str] = []
    summary: dict[str, Any] = {"date": date.today().isoformat()}
    try:
        p_url, u_url = pg.create_database(), maria.create_database()
        platform = PlatformTestDatabase("postgresql", p_url, make_engine(p_url))
        urjanet = UrjanetTestDatabase("mariadb", u_url, make_engine(u_url))
        init_database(platform.engine)
        create_schema(urjanet.engine)
        urjanet.seed(demo_statements(load(KEY).metadata(), date.today()))
        home = Path(tempfile.mkdtemp(prefix="datafeeds-stress-"))
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DATAFEEDS_", "AWS_"))}
        env.update(
            DATAFEEDS_HOME=str(home),
            DATAFEEDS_PLATFORM_URL=p_url,
            DATAFEEDS_URJANET_URL=u_url,
            DATAFEEDS_DOCUMENTS_URL=f"file://{home / 'documents'}",
        )

        # 1. the fleet over shared services
        account = platform.add_account()
        groups: dict[int, list[int]] = {}
        for _ in range(SERVICES):
            service = platform.add_service(
                utility_account_id=DEMO_ACCOUNT_NUMBER, service_id=DEMO_SERVICE_ID
            )
            groups[service] = [
                platform.add_data_source(platform.add_meter(service, account=account), KEY)
                for _ in range(args.jobs // SERVICES)
            ]
        oids = [o for wave in zip(*groups.values(), strict=True) for o in wave]
        began = time.monotonic()
        launch = cli(env, "launch", "--oid", ",".join(map(str, oids)), "--concurrency", "8")
        out, err = launch.communicate()
        elapsed = time.monotonic() - began
        runs = platform.rows("datafeeds_run")
        if launch.returncode != 0:
            problems.append(f"launch exited {launch.returncode}: {err[-500:]}")
        if sorted(r["data_source"] for r in runs) != sorted(oids):
            problems.append(f"{len(runs)} runs recorded for {len(oids)} data sources")
        for service, group in groups.items():
            problems += check_service(
                platform, service, [r for r in runs if r["data_source"] in set(group)]
            )
        summary["fleet"] = {
            "jobs": len(oids),
            "services": SERVICES,
            "concurrency": CONCURRENCY,
            "seconds": round(elapsed, 1),
            "statuses": dict(Counter(r["status"] for r in runs)),
            "bills": sum(len(platform.rows("bill", service=s)) for s in groups),
        }

        # 2. the same data source, RACERS processes at once, ROUNDS times
        statuses: Counter[str] = Counter()
        for _ in range(args.rounds):
            target = platform.add_target(
                KEY, utility_account_id=DEMO_ACCOUNT_NUMBER, service_id=DEMO_SERVICE_ID
            )
            oid = str(target.data_source_oid)
            racers = [cli(env, "run", "--oid", oid) for _ in range(args.racers)]
            for racer in racers:
                racer.communicate()
                if racer.returncode != 0:
                    problems.append(f"a racer on {oid} exited {racer.returncode}")
            mine = platform.rows("datafeeds_run", data_source=target.data_source_oid)
            statuses.update(r["status"] for r in mine)
            if len(mine) != args.racers:
                problems.append(f"{len(mine)} runs recorded for {args.racers} racers on {oid}")
            problems += check_service(platform, target.service_oid, mine)
        summary["races"] = {
            "rounds": args.rounds,
            "racers": args.racers,
            "statuses": dict(statuses),
        }
    finally:
        pg.drop_all()
        maria.drop_all()
    summary["problems"] = problems
    text = json.dumps(summary, indent=2)
    print(text)
    if args.json_out:
        args.json_out.write_text(text + "\n")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
