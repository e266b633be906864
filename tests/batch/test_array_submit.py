"""`datafeeds batch submit --all` over a fleet larger than one Batch array: 25,000 due data
sources become three array jobs (10,000 + 10,000 + 5,000), three SubmitJob calls, three S3
manifests that together name every data source once, and one queued run record per data source
whose Batch job id is its array child's, "<arrayJobId>:<index>"."""

from __future__ import annotations

import json
import time
import uuid
from collections import Counter
from datetime import date
from typing import Any

import pytest
from sqlalchemy import insert
from typer.testing import CliRunner

from datafeeds_core.cli import batch as batch_cli
from datafeeds_core.executors.batch import aws as batch
from datafeeds_core.executors.batch import manifest
from datafeeds_core.executors.batch.definition import JobDefinitionSpec
from datafeeds_core.platform import schema
from datafeeds_core.platform.feeds import set_feed
from datafeeds_core.testing import PlatformTestDatabase

from .conftest import BUCKET, LOG_GROUP, ApiCalls, Aws

FLEET = 25_000
KEY = "watauga-urjanet"
START, END = date(2024, 1, 1), date(2026, 1, 1)
SECRET = "arn:aws:secretsmanager:us-west-1:123456789012:secret:datafeeds/url-AbCdEf"


@pytest.fixture
def job_definition(aws: Aws) -> str:
    spec = JobDefinitionSpec(
        name="datafeeds-array-test",
        image="123456789012.dkr.ecr.us-west-1.amazonaws.com/datafeeds:test",
        execution_role_arn="arn:aws:iam::123456789012:role/execution",
        job_role_arn="arn:aws:iam::123456789012:role/worker",
        log_group=LOG_GROUP,
        secrets={"DATAFEEDS_PLATFORM_URL": SECRET, "DATAFEEDS_URJANET_URL": SECRET},
    )
    batch.register(spec, batch=aws.client("batch"))
    return spec.name


def add_data_sources(db: PlatformTestDatabase, key: str, count: int) -> list[int]:
    """`count` data sources of `key` in one statement; their oids in insertion order."""
    t = schema.snapmeter_meter_data_source
    rows: list[dict[str, Any]] = [
        {"hex_id": uuid.uuid4().hex[:16], "meter": None, "name": key, "meta": {}}
        for _ in range(count)
    ]
    with db.engine.begin() as conn:
        result = conn.execute(insert(t).returning(t.c.oid, sort_by_parameter_order=True), rows)
        return [int(oid) for oid in result.scalars()]


@pytest.mark.slow
def test_submit_all_of_25000_data_sources_is_three_array_jobs_whose_manifests_cover_each_once(
    aws: Aws,
    platform_db: PlatformTestDatabase,
    job_definition: str,
    api_calls: ApiCalls,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    began = time.perf_counter()
    set_feed(platform_db.engine, KEY, enabled=True, queue="low", weekday=None)
    oids = add_data_sources(platform_db, KEY, FLEET)
    prefix = f"array-{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("DATAFEEDS_PLATFORM_URL", platform_db.url)
    monkeypatch.setenv("DATAFEEDS_BATCH_MANIFESTS", f"s3://{BUCKET}/{prefix}")
    monkeypatch.setenv("DATAFEEDS_BATCH_JOB_DEFINITION", job_definition)
    monkeypatch.delenv("DATAFEEDS_BATCH_QUEUE", raising=False)
    # Every client the command makes reports its calls (a botocore event hook).
    monkeypatch.setattr(batch, "client", lambda service: api_calls.watch(aws.client(service)))
    seeded = time.perf_counter()

    result = CliRunner().invoke(
        batch_cli.app,
        # One data source per child (the default K is tested below).
        ["submit", "--all", "--start", START.isoformat(), "--end", END.isoformat(), "--json"]
        + ["--chunk-size", "1"],
    )

    submitted = time.perf_counter()
    assert result.exit_code == 0, result.output
    done = json.loads(result.stdout)
    assert api_calls == {"SubmitJob": 3, "PutObject": 3}
    assert [(s["queue"], s["size"], s["job_name"]) for s in done] == [
        ("datafeeds-low", 10_000, "fleet-1"),
        ("datafeeds-low", 10_000, "fleet-2"),
        ("datafeeds-low", 5_000, "fleet-3"),
    ]

    # Batch holds three array jobs, each pointing its children at its own manifest.
    jobs = {
        j["jobId"]: j
        for j in aws.client("batch").describe_jobs(jobs=[s["job_id"] for s in done])["jobs"]
    }
    for s in done:
        job = jobs[s["job_id"]]
        assert job["arrayProperties"]["size"] == s["size"]
        assert job["parameters"] == {"manifest": s["manifest"]}
        assert job["jobQueue"].endswith("/datafeeds-low")
    listed = aws.client("s3").list_objects_v2(Bucket=BUCKET, Prefix=f"{prefix}/")["Contents"]
    stored = sorted(f"s3://{BUCKET}/{o['Key']}" for o in listed)
    assert stored == sorted(s["manifest"] for s in done)

    # Together the manifests name every data source exactly once, in oid order.
    manifests = [manifest.read(s["manifest"], s3=aws.client("s3")) for s in done]
    named = [e.oid for entries in manifests for e in entries]
    assert len(named) == FLEET
    assert named == sorted(oids)
    assert not [oid for oid, n in Counter(named).items() if n > 1]

    # Each entry's run record is queued for its data source, with its array child's job id.
    runs = {r["id"]: r for r in platform_db.rows("datafeeds_run")}
    assert len(runs) == FLEET
    for s, entries in zip(done, manifests, strict=True):
        assert [e.run_id for e in entries] == s["run_ids"]
        for index, entry in enumerate(entries):
            run = runs[entry.run_id]
            expected: dict[str, Any] = {
                "data_source": entry.oid,
                "scraper": KEY,
                "status": "queued",
                "executor": "batch",
                "attempt": 0,
                "batch_job_id": f"{s['job_id']}:{index}",
                "task_id": f"{s['job_id']}:{index}",
                "date_start": START,
                "date_end": END,
            }
            assert {k: run[k] for k in expected} == expected
            assert (entry.start, entry.end, entry.dry_run) == (START, END, False)
    checked = time.perf_counter()
    print(
        f"\n{FLEET} data sources on {platform_db.backend}: seed {seeded - began:.2f}s, "
        f"submit --all {submitted - seeded:.2f}s, checks {checked - submitted:.2f}s; "
        f"calls {dict(api_calls)}"
    )


@pytest.mark.slow
def test_submit_all_by_default_gives_each_array_child_a_slice_of_the_default_chunk_size(
    aws: Aws,
    platform_db: PlatformTestDatabase,
    job_definition: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fleet = 5_100  # three children: two full slices and a short one
    k = batch.DEFAULT_CHUNK_SIZE
    set_feed(platform_db.engine, KEY, enabled=True, queue="low", weekday=None)
    oids = add_data_sources(platform_db, KEY, fleet)
    monkeypatch.setenv("DATAFEEDS_PLATFORM_URL", platform_db.url)
    monkeypatch.setenv("DATAFEEDS_BATCH_MANIFESTS", f"s3://{BUCKET}/chunks-{uuid.uuid4().hex[:8]}")
    monkeypatch.setenv("DATAFEEDS_BATCH_JOB_DEFINITION", job_definition)
    monkeypatch.delenv("DATAFEEDS_BATCH_QUEUE", raising=False)
    monkeypatch.delenv("DATAFEEDS_BATCH_CHUNK_SIZE", raising=False)

    result = CliRunner().invoke(batch_cli.app, ["submit", "--all", "--json"])

    assert result.exit_code == 0, result.output
    [s] = json.loads(result.stdout)
    children = -(-fleet // k)
    assert (s["size"], s["children"]) == (fleet, children)
    [job] = aws.client("batch").describe_jobs(jobs=[s["job_id"]])["jobs"]
    assert job["arrayProperties"]["size"] == children
    slices = manifest.read_slices(s["manifest"], s3=aws.client("s3"))
    assert [len(part) for part in slices] == [k] * (children - 1) + [fleet - k * (children - 1)]
    assert [e.oid for part in slices for e in part] == oids
    runs = {r["id"]: r for r in platform_db.rows("datafeeds_run")}
    for index, part in enumerate(slices):
        assert {runs[e.run_id]["batch_job_id"] for e in part} == {f"{s['job_id']}:{index}"}


def test_the_cli_default_chunk_size_is_the_executors() -> None:
    import inspect

    default = inspect.signature(batch_cli.submit).parameters["chunk_size"].default.default
    assert default == batch.DEFAULT_CHUNK_SIZE
