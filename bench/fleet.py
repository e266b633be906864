"""Item 4, fleet throughput: `datafeeds launch` over 1,000 data sources of the synthetic Urjanet
database (bench/urjanet_data.py) at concurrency 1, 2 and 4, against spawning a fresh
`datafeeds run` process per job at the same concurrency.

The platform database (PostgreSQL) is reset before each measurement, so every job writes its
60 bills. Job times are the run records' `duration_s`; for spawned jobs, each process's wall
time. Peak memory is the summed RSS of every process the measurement started (sampled).
Spawning a process per job is measured on a sample (`SPAWN_SAMPLE` sources): throughput is a
rate, and the full 1,000 at concurrency 1 would take the better part of an hour.
"""

from __future__ import annotations

import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from bench import urjanet_data
from bench.harness import Report, TreeMemory, clean_env, datafeeds_argv, percentile, run_child
from bench.one_job import reset
from bench.servers import fresh_database, named_mariadb_url

NAME = "fleet"
SOURCES, SPAWN_SAMPLE, CONCURRENCY = 1000, 100, (1, 2, 4)
SMOKE_SOURCES, SMOKE_SPAWN, SMOKE_CONCURRENCY = 4, 2, (1, 2)
TARGET_SPEEDUP = 5.0
START, END = "2019-01-01", "2025-01-01"  # holds the 60 statements ending at ANCHOR


def provision(platform_url: str, count: int) -> list[int]:
    """A meter and a watauga data source for Urjanet data sources 0..count-1; their oids."""
    from sqlalchemy import select

    from datafeeds_core.database import make_engine
    from datafeeds_core.platform import provisioning, schema
    from datafeeds_core.platform.init import init_database

    engine = make_engine(platform_url)
    try:
        init_database(engine)
        oids = []
        for source in range(count):
            meter = provisioning.add_meter(
                engine,
                utility="utility:watauga",
                utility_account_id=urjanet_data.account_number(source),
                service_id=f"WAT-{source}",
                account_name="Bench fleet",
                commodity="ccf",
            )
            link = schema.snapmeter_account_meter
            with engine.connect() as conn:
                account = conn.execute(
                    select(link.c.account).where(link.c.meter == meter)
                ).scalar_one()
            oids.append(
                provisioning.create_data_source(engine, int(account), meter, urjanet_data.KEY)
            )
        return oids
    finally:
        engine.dispose()


def _durations(platform_url: str) -> tuple[list[float], dict[str, int]]:
    from collections import Counter

    from sqlalchemy import select

    from datafeeds_core.database import make_engine
    from datafeeds_core.platform import schema

    run = schema.datafeeds_run
    engine = make_engine(platform_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(select(run.c.status, run.c.duration_s)).all()
    finally:
        engine.dispose()
    return [float(r.duration_s) for r in rows if r.duration_s is not None], dict(
        Counter(r.status for r in rows)
    )


def _launch(oids: list[int], concurrency: int, env: dict[str, str]) -> tuple[float, float]:
    argv = [
        *datafeeds_argv(),
        "launch",
        "--oid",
        ",".join(map(str, oids)),
        "--concurrency",
        str(concurrency),
        "--start",
        START,
        "--end",
        END,
    ]
    with TreeMemory() as memory:
        result = run_child(argv, env=env)
    return result.wall_s, max(memory.peak_mb, result.max_rss_mb)


def _spawn(oids: list[int], concurrency: int, env: dict[str, str]) -> tuple[float, float, list]:
    argv = [*datafeeds_argv(), "run", "--start", START, "--end", END, "--oid"]
    started = time.perf_counter()
    with TreeMemory() as memory, ThreadPoolExecutor(concurrency) as pool:
        runs = list(pool.map(lambda oid: run_child([*argv, str(oid)], env=env), oids))
    return time.perf_counter() - started, memory.peak_mb, [r.wall_s for r in runs]


def run(smoke: bool = False, regenerate: bool = False) -> Report:
    report = Report(NAME, smoke)
    shape = urjanet_data.SMOKE if smoke else urjanet_data.FULL
    count, sample = (SMOKE_SOURCES, SMOKE_SPAWN) if smoke else (SOURCES, SPAWN_SAMPLE)
    levels = SMOKE_CONCURRENCY if smoke else CONCURRENCY
    name = f"datafeeds_bench_fleet_{uuid.uuid4().hex[:8]}" if smoke else urjanet_data.FULL_NAME
    try:
        urjanet_data.ensure(name, shape, regenerate=regenerate or smoke)
        with (
            tempfile.TemporaryDirectory(prefix="datafeeds-bench-fleet-") as tmp,
            fresh_database("postgresql") as platform_url,
        ):
            started = time.perf_counter()
            oids = provision(platform_url, count)
            report.details["provision_s"] = round(time.perf_counter() - started, 1)
            documents = Path(tmp) / "documents"
            env = clean_env(
                DATAFEEDS_HOME=str(Path(tmp) / "home"),
                DATAFEEDS_PLATFORM_URL=platform_url,
                DATAFEEDS_URJANET_URL=named_mariadb_url(name),
                DATAFEEDS_DOCUMENTS_URL=f"file://{documents}",
            )
            _measure(report, oids, sample, levels, env, platform_url, documents)
    finally:
        if smoke:
            urjanet_data.drop(name)
    return report


def _measure(
    report: Report,
    oids: list[int],
    sample: int,
    levels: tuple[int, ...],
    env: dict[str, str],
    platform_url: str,
    documents: Path,
) -> None:
    details: dict[str, Any] = {"sources": len(oids), "spawn_sample": sample}
    for concurrency in levels:
        reset(platform_url, documents)
        wall, peak = _launch(oids, concurrency, env)
        durations, statuses = _durations(platform_url)
        launch_rate = len(oids) / wall
        reset(platform_url, documents)
        spawn_wall, spawn_peak, spawn_times = _spawn(oids[:sample], concurrency, env)
        spawn_rate = sample / spawn_wall
        c = f"c={concurrency}"
        report.add(
            f"launch {c}", launch_rate, "jobs/s", against=f"{len(oids)} jobs in {wall:.1f} s"
        )
        report.add(
            f"launch {c} job time p50 / p95",
            percentile(durations, 50),
            "s",
            against=f"p95 {percentile(durations, 95):.2f} s; {statuses}",
        )
        report.add(f"launch {c} peak memory", peak, "MB", against="all its processes, summed")
        report.add(
            f"spawn-per-job {c}",
            spawn_rate,
            "jobs/s",
            against=f"{sample} jobs; p50 {percentile(spawn_times, 50):.2f} s, "
            f"p95 {percentile(spawn_times, 95):.2f} s; peak {spawn_peak:.0f} MB",
        )
        speedup = launch_rate / spawn_rate
        report.add(
            f"launch / spawn-per-job {c}",
            speedup,
            "x",
            target=f">= {TARGET_SPEEDUP:.0f}x",
            ok=speedup >= TARGET_SPEEDUP,
            against="same concurrency, same database",
        )
        details[c] = {
            "launch_wall_s": round(wall, 2),
            "launch_statuses": statuses,
            "launch_job_s": [round(d, 3) for d in durations],
            "spawn_wall_s": round(spawn_wall, 2),
            "spawn_job_s": [round(d, 3) for d in spawn_times],
            "launch_peak_mb": round(peak, 1),
            "spawn_peak_mb": round(spawn_peak, 1),
        }
    report.details.update(details)
