"""Batch cost: what an array child costs beyond its jobs, and the fleet of 10,000 data sources
modelled at K = 1, 10, 50, 200 (and the default) data sources per child.

Measured in the worker image (DATAFEEDS_BENCH_IMAGE, default `datafeeds:ci`, as
`scripts/container-ci` builds it) run as Batch runs it (read-only root, one volume, the host's
network for PostgreSQL and MariaDB on 127.0.0.1), each figure the median of the repetitions:

- `docker run` of a container that does nothing (`true`): the local container runtime's own
  start and stop, which Fargate's start figure replaces in the model;
- a child with one data source (the in-process worker) and children with slices of 2 and of N
  (the local executor's forked jobs): the slope between the slices is the time per job, the
  intercept less the empty container the child's own start-up (Python, imports, the warm fork
  server, its database connections).

Without Docker or the image (and in smoke mode) the same children run as plain processes
(`datafeeds worker`), and the report says so. Jobs are Watauga data sources with two years of
demo statements; every repetition queues fresh runs, so after the first the jobs find their
bills unchanged (a steady-state day).

The model, per child of K jobs: seconds = Fargate start + own start-up + K × per job; starts =
⌈10,000 / K⌉; vCPU-seconds = starts × seconds × vCPU; wall = ⌈starts / N⌉ × seconds with N
children in parallel (MaxvCpus / vCPU). Parameters: DATAFEEDS_BENCH_FARGATE_START_S (default 40,
an image pull and task start on Fargate: AWS quotes "tens of seconds"), DATAFEEDS_BENCH_VCPU
(0.5, the job definition's default) and DATAFEEDS_BENCH_MAX_VCPUS (64, the stack's default).
"""

from __future__ import annotations

import math
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from bench.harness import Report, clean_env, datafeeds_argv, median, run_child
from bench.servers import fresh_database

NAME = "batch_cost"
KEY = "watauga-urjanet"
FLEET = 10_000
CHUNK_SIZES = (1, 10, 50, 200)
SLICE, SMOKE_SLICE = 40, 3
REPEAT, SMOKE_REPEAT = 3, 1
TARGET_OVERHEAD = 0.10  # start-up at most this share of the fleet's vCPU-seconds
WORK = "/var/datafeeds"


@dataclass(frozen=True)
class Parameters:
    fargate_start_s: float
    vcpu: float
    max_vcpus: int

    @property
    def parallel(self) -> int:
        return max(1, int(self.max_vcpus / self.vcpu))

    @classmethod
    def from_env(cls) -> Parameters:
        return cls(
            float(os.environ.get("DATAFEEDS_BENCH_FARGATE_START_S", "40")),
            float(os.environ.get("DATAFEEDS_BENCH_VCPU", "0.5")),
            int(os.environ.get("DATAFEEDS_BENCH_MAX_VCPUS", "64")),
        )


@dataclass(frozen=True)
class Row:
    k: int
    starts: int
    child_s: float
    vcpu_s: float
    overhead: float  # share of the vCPU-seconds spent starting children
    wall_s: float


def model(k: int, per_job_s: float, own_start_s: float, single_s: float, p: Parameters) -> Row:
    """The fleet of FLEET data sources at K per child (K = 1: the measured one-source child)."""
    starts = math.ceil(FLEET / k)
    start = p.fargate_start_s + (single_s - per_job_s if k == 1 else own_start_s)
    child = start + k * per_job_s
    waves = math.ceil(starts / p.parallel)
    return Row(k, starts, child, starts * child * p.vcpu, start / child, waves * child)


def chunk_for(per_job_s: float, own_start_s: float, p: Parameters) -> int:
    """The smallest K whose start-up is at most TARGET_OVERHEAD of a child's seconds."""
    start = p.fargate_start_s + own_start_s
    return max(1, math.ceil(start * (1 - TARGET_OVERHEAD) / TARGET_OVERHEAD / per_job_s))


# ---------------------------------------------------------------- the fleet to run


class Fleet:
    """Platform (PostgreSQL) and Urjanet (MariaDB) databases with `count` Watauga sources."""

    def __init__(self, platform_url: str, urjanet_url: str, count: int) -> None:
        from datafeeds_core.database import make_engine
        from datafeeds_core.demo.data import DEMO_ACCOUNT_NUMBER, DEMO_SERVICE_ID, demo_statements
        from datafeeds_core.platform.init import init_database
        from datafeeds_core.plugin_api.registry import load
        from datafeeds_core.testing import PlatformTestDatabase
        from datafeeds_core.urjanet.schema import create_schema
        from datafeeds_core.urjanet.seed import seed

        self.platform_url, self.urjanet_url = platform_url, urjanet_url
        self.engine = make_engine(platform_url)
        init_database(self.engine)
        urjanet = make_engine(urjanet_url)
        try:
            create_schema(urjanet)
            seed(urjanet, demo_statements(load(KEY).metadata(), date.today()))
        finally:
            urjanet.dispose()
        db = PlatformTestDatabase("postgresql", platform_url, self.engine)
        self.oids = [
            int(
                db.add_target(
                    KEY,
                    # One utility per service: the same SAID and utility would fan bills out.
                    utility=f"utility:watauga-{n}",
                    utility_account_id=DEMO_ACCOUNT_NUMBER,
                    service_id=DEMO_SERVICE_ID,
                ).data_source_oid
            )
            for n in range(count)
        ]

    def manifest(self, folder: Path, count: int) -> Path:
        """Fresh queued runs for the first `count` sources, as one slice; the manifest's path."""
        import uuid

        from datafeeds_core.executors.batch import manifest
        from datafeeds_core.job.request import JobRequest
        from datafeeds_core.platform import batch_runs

        end = date.today()
        start = end - timedelta(days=730)
        oids = self.oids[:count]
        runs = batch_runs.open_queued_runs(
            self.engine, [batch_runs.QueuedRun(o, KEY, start, end) for o in oids]
        )
        entries = [JobRequest(o, start, end, run_id=r) for o, r in zip(oids, runs, strict=True)]
        path = folder / f"{uuid.uuid4().hex[:8]}.json"
        manifest.write(path.as_uri(), entries, chunk_size=count)
        return path

    def close(self) -> None:
        self.engine.dispose()


# ---------------------------------------------------------------- running a child


@dataclass(frozen=True)
class Runner:
    image: str | None  # None: plain processes
    folder: Path  # manifests (mounted read-only at the same path in a container)

    def env(self, fleet: Fleet) -> dict[str, str]:
        return {
            "DATAFEEDS_PLATFORM_URL": fleet.platform_url,
            "DATAFEEDS_URJANET_URL": fleet.urjanet_url,
            "AWS_BATCH_JOB_ID": "bench-child",
        }

    def child(self, fleet: Fleet, manifest: Path) -> float:
        env = self.env(fleet)
        if self.image is None:
            home = self.folder / "home"
            argv = [*datafeeds_argv(), "worker", "--manifest", manifest.as_uri()]
            done = run_child(argv, env=clean_env(DATAFEEDS_HOME=str(home), **env))
            return done.wall_s
        argv = self.docker(env) + [self.image, "worker", "--manifest", manifest.as_uri()]
        return run_child(argv, env={**os.environ, **env}).wall_s

    def empty(self) -> float:
        """A container that does nothing: the local runtime's start and stop."""
        if self.image is None:
            return run_child(["true"]).wall_s
        return run_child([*self.docker({}), "--entrypoint", "true", self.image]).wall_s

    def docker(self, env: dict[str, str]) -> list[str]:
        argv = ["docker", "run", "--rm", "--network", "host", "--read-only"]
        argv += ["--mount", f"type=volume,destination={WORK}"]
        argv += ["-v", f"{self.folder}:{self.folder}:ro"]
        for name in sorted(env):
            argv += ["-e", name]
        return argv


def image_to_use(smoke: bool) -> str | None:
    image = os.environ.get("DATAFEEDS_BENCH_IMAGE", "datafeeds:ci")
    if smoke or shutil.which("docker") is None:
        return None
    found = subprocess.run(
        ["docker", "image", "inspect", image], capture_output=True, timeout=30, check=False
    )
    return image if found.returncode == 0 else None


def run(smoke: bool = False, regenerate: bool = False) -> Report:
    del regenerate
    report = Report(NAME, smoke)
    p = Parameters.from_env()
    size, repeat = (SMOKE_SLICE, SMOKE_REPEAT) if smoke else (SLICE, REPEAT)
    image = image_to_use(smoke)
    if image is None:
        report.skipped.append("no Docker image (or smoke): children ran as plain processes")
    with (
        fresh_database("postgresql") as platform_url,
        fresh_database("mariadb") as urjanet_url,
        tempfile.TemporaryDirectory(prefix="datafeeds-bench-") as tmp,
    ):
        folder = Path(tmp)
        folder.chmod(0o755)  # the image's user reads the manifests
        fleet = Fleet(platform_url, urjanet_url, size)
        runner = Runner(image, folder)
        try:
            samples: dict[str, list[float]] = {"empty": [], "one": [], "two": [], "slice": []}
            warmup = 0 if smoke else 1  # the first round warms caches; not kept
            for round_ in range(warmup + repeat):
                measured = {
                    "empty": runner.empty(),
                    "one": runner.child(fleet, fleet.manifest(folder, 1)),
                    "two": runner.child(fleet, fleet.manifest(folder, 2)),
                    "slice": runner.child(fleet, fleet.manifest(folder, size)),
                }
                if round_ >= warmup:
                    for name, value in measured.items():
                        samples[name].append(value)
        finally:
            fleet.close()
    empty, one, two, whole = (median(samples[n]) for n in ("empty", "one", "two", "slice"))
    per_job = max((whole - two) / (size - 2), 1e-3)
    own_start = max(two - 2 * per_job - empty, 0.0)
    single = max(one - empty, per_job)
    where = f"image {image}" if image else "plain processes"
    report.add("empty container run", empty, "s", against=where)
    report.add("one-source child", single, "s", against="its whole run, less the empty one")
    report.add("per job in a slice", per_job, "s", against=f"slope, slices of 2 and {size}")
    report.add("child's own start-up", own_start, "s", against="intercept, less the empty run")
    from datafeeds_core.executors.batch.defaults import DEFAULT_CHUNK_SIZE

    rows = [
        model(k, per_job, own_start, single, p) for k in sorted({*CHUNK_SIZES, DEFAULT_CHUNK_SIZE})
    ]
    for row in rows:
        is_default = row.k == DEFAULT_CHUNK_SIZE
        report.add(
            f"K={row.k}: start-up share of vCPU-s",
            row.overhead * 100,
            "%",
            target=f"<= {TARGET_OVERHEAD:.0%}" if is_default else "",
            ok=row.overhead <= TARGET_OVERHEAD if is_default else None,
            against=f"{row.starts:,} starts, {row.vcpu_s:,.0f} vCPU-s, wall {row.wall_s:,.0f} s",
        )
    needed = chunk_for(per_job, own_start, p)
    report.add(
        "smallest K for the target", needed, "", against=f"Fargate start {p.fargate_start_s:g} s"
    )
    report.details = {
        "where": where,
        "slice": size,
        "repeat": repeat,
        "parameters": {
            "fargate_start_s": p.fargate_start_s,
            "vcpu": p.vcpu,
            "max_vcpus": p.max_vcpus,
            "parallel_children": p.parallel,
        },
        "samples_s": samples,
        "model": [row.__dict__ for row in rows],
        "default_chunk_size": DEFAULT_CHUNK_SIZE,
    }
    print(cost_table(rows, p), file=sys.stderr, flush=True)
    return report


def cost_table(rows: Sequence[Row], p: Parameters) -> str:
    """The model as a Markdown table (what docs/performance.md quotes)."""
    lines = [
        f"{FLEET:,} data sources, Fargate start {p.fargate_start_s:g} s, {p.vcpu:g} vCPU per "
        f"child, {p.parallel} children in parallel",
        "",
        "| K | starts | seconds per child | vCPU-seconds | start-up share | wall time |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        lines.append(
            f"| {r.k} | {r.starts:,} | {r.child_s:,.1f} | {r.vcpu_s:,.0f} | "
            f"{r.overhead:.0%} | {r.wall_s / 60:,.1f} min |"
        )
    return "\n".join(lines)
