"""`datafeeds batch submit`: run records queued first, one call per 10,000 data sources, the
manifest in S3."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from typer.testing import CliRunner

from datafeeds_core.cli import batch as batch_cli
from datafeeds_core.errors import ConfigurationError, UsageError
from datafeeds_core.executors.batch import aws as batch
from datafeeds_core.executors.batch import manifest
from datafeeds_core.executors.batch.definition import JobDefinitionSpec
from datafeeds_core.testing import PlatformTestDatabase

from .conftest import LOG_GROUP, ApiCalls, Aws

START, END = date(2024, 1, 1), date(2026, 1, 1)
SECRET = "arn:aws:secretsmanager:us-west-1:123456789012:secret:datafeeds/url-AbCdEf"


@dataclass(frozen=True)
class Source:
    oid: int
    scraper_key: str
    queue: str


@pytest.fixture
def job_definition(aws: Aws) -> str:
    spec = JobDefinitionSpec(
        name="datafeeds-submit-test",
        image="123456789012.dkr.ecr.us-west-1.amazonaws.com/datafeeds:test",
        execution_role_arn="arn:aws:iam::123456789012:role/execution",
        job_role_arn="arn:aws:iam::123456789012:role/worker",
        log_group=LOG_GROUP,
        secrets={"DATAFEEDS_PLATFORM_URL": SECRET, "DATAFEEDS_URJANET_URL": SECRET},
    )
    batch.register(spec, batch=aws.client("batch"))
    return spec.name


def options(aws: Aws, job_definition: str, **values: Any) -> batch.SubmitOptions:
    defaults: dict[str, Any] = {"manifests_url": aws.manifests}
    return batch.SubmitOptions(
        start=START, end=END, job_definition=job_definition, **{**defaults, **values}
    )


@pytest.mark.slow
def test_ten_thousand_data_sources_are_one_submit_call_with_the_oids_in_an_s3_manifest(
    aws: Aws, platform_db: PlatformTestDatabase, job_definition: str, api_calls: ApiCalls
) -> None:
    sources = [Source(500_000 + i, "watauga-urjanet", "datafeeds-low") for i in range(10_000)]
    batch_client, s3 = api_calls.watch(aws.client("batch")), api_calls.watch(aws.client("s3"))

    began = time.perf_counter()
    [submission] = batch.submit(
        platform_db.engine,
        sources,
        options(aws, job_definition, label="fleet"),
        batch=batch_client,
        s3=s3,
    )
    elapsed = time.perf_counter() - began
    print(f"\n10,000 data sources on {platform_db.backend}: {dict(api_calls)} in {elapsed:.2f}s")

    assert api_calls == {"SubmitJob": 1, "PutObject": 1}
    [job] = aws.client("batch").describe_jobs(jobs=[submission.job_id])["jobs"]
    assert job["arrayProperties"]["size"] == 10_000
    assert job["jobQueue"].endswith("/datafeeds-low")
    assert job["parameters"] == {"manifest": submission.manifest_url}
    entries = manifest.read(submission.manifest_url or "", s3=aws.client("s3"))
    assert [e.oid for e in entries] == [s.oid for s in sources]
    runs = {r["id"]: r for r in platform_db.rows("datafeeds_run")}
    assert [e.run_id for e in entries] == list(submission.run_ids) == sorted(runs)
    for index, entry in enumerate(entries):
        run = runs[entry.run_id]
        assert (run["data_source"], run["status"], run["executor"]) == (
            entry.oid,
            "queued",
            "batch",
        )
        assert run["batch_job_id"] == run["task_id"] == f"{submission.job_id}:{index}"
        assert (run["date_start"], run["date_end"], run["attempt"]) == (START, END, 0)


def test_sources_split_by_queue_and_into_arrays_of_at_most_the_batch_limit(
    aws: Aws,
    platform_db: PlatformTestDatabase,
    job_definition: str,
    api_calls: ApiCalls,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(batch, "MAX_ARRAY_SIZE", 3)
    sources = [Source(i, "k", "datafeeds-high") for i in range(1, 8)]
    sources += [Source(i, "k", "datafeeds-medium") for i in range(8, 10)]

    done = batch.submit(
        platform_db.engine,
        sources,
        options(aws, job_definition),
        batch=api_calls.watch(aws.client("batch")),
    )

    assert [(s.queue, s.size, s.manifest_url is not None) for s in done] == [
        ("datafeeds-high", 3, True),
        ("datafeeds-high", 3, True),
        ("datafeeds-high", 1, False),  # an array needs at least two children
        ("datafeeds-medium", 2, True),
    ]
    assert api_calls["SubmitJob"] == 4
    assert len({s.job_name for s in done}) == 4


def test_a_lone_data_source_is_a_plain_job_whose_command_names_its_run(
    aws: Aws, platform_db: PlatformTestDatabase, job_definition: str
) -> None:
    [submission] = batch.submit(
        platform_db.engine,
        [Source(77, "watauga-urjanet", "datafeeds-high")],
        options(aws, job_definition, label="watauga-urjanet-77", dry_run=True),
    )

    [run] = platform_db.rows("datafeeds_run")
    [job] = aws.client("batch").describe_jobs(jobs=[submission.job_id])["jobs"]
    assert "arrayProperties" not in job or "size" not in job["arrayProperties"]
    assert job["jobName"] == "watauga-urjanet-77"
    assert job["container"]["command"] == [
        "worker",
        "--oid",
        "77",
        "--run-id",
        str(run["id"]),
        "--start",
        "2024-01-01",
        "--end",
        "2026-01-01",
        "--dry-run",
    ]
    assert (run["batch_job_id"], run["status"], run["dry_run"]) == (
        submission.job_id,
        "queued",
        True,
    )


def test_a_refused_submission_fails_the_runs_it_queued(
    aws: Aws, platform_db: PlatformTestDatabase, job_definition: str
) -> None:
    sources = [Source(1, "k", "datafeeds-nowhere"), Source(2, "k", "datafeeds-nowhere")]

    with pytest.raises(ConfigurationError, match="does not exist"):
        batch.submit(platform_db.engine, sources, options(aws, job_definition))

    runs = platform_db.rows("datafeeds_run")
    assert [(r["status"], r["error_class"]) for r in runs] == [("failed", "SubmissionFailed")] * 2
    assert all(r["batch_job_id"] is None and r["finished_at"] for r in runs)


def test_an_array_without_a_manifest_location_is_refused_before_anything_is_queued(
    aws: Aws, platform_db: PlatformTestDatabase, job_definition: str
) -> None:
    sources = [Source(1, "k", "datafeeds-high"), Source(2, "k", "datafeeds-high")]

    with pytest.raises(UsageError, match="DATAFEEDS_BATCH_MANIFESTS"):
        batch.submit(platform_db.engine, sources, options(aws, job_definition, manifests_url=None))

    assert platform_db.rows("datafeeds_run") == []


def test_submit_all_sends_the_due_fleet_to_each_feeds_queue(
    aws: Aws,
    platform_db: PlatformTestDatabase,
    job_definition: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from datafeeds_core.platform.feeds import set_feed
    from datafeeds_core.plugin_api.registry import installed_keys

    high_key, low_key, off_key = installed_keys()[:3]
    set_feed(platform_db.engine, high_key, enabled=True, queue="high")
    set_feed(platform_db.engine, low_key, enabled=True, queue="low")
    set_feed(platform_db.engine, off_key, enabled=False, queue="high")
    set_feed(platform_db.engine, "no-such-plugin", enabled=True, queue="high")
    high = [platform_db.add_data_source(None, high_key) for _ in range(3)]
    low = [platform_db.add_data_source(None, low_key)]
    platform_db.add_data_source(None, off_key)
    platform_db.add_data_source(None, "no-such-plugin")
    monkeypatch.setenv("DATAFEEDS_PLATFORM_URL", platform_db.url)
    monkeypatch.setenv("DATAFEEDS_BATCH_MANIFESTS", aws.manifests)
    monkeypatch.setenv("DATAFEEDS_BATCH_JOB_DEFINITION", job_definition)
    monkeypatch.delenv("DATAFEEDS_BATCH_QUEUE", raising=False)

    result = CliRunner().invoke(batch_cli.app, ["submit", "--all", "--json"])

    assert result.exit_code == 0, result.output
    done = {s["queue"]: s for s in json.loads(result.stdout)}
    assert sorted(done) == ["datafeeds-high", "datafeeds-low"]
    assert done["datafeeds-high"]["size"] == 3 and done["datafeeds-high"]["manifest"]
    assert done["datafeeds-low"]["manifest"] is None  # one source: a plain job
    assert "left out 1 data source(s) of no-such-plugin: no plugin installed" in result.stderr
    runs = platform_db.rows("datafeeds_run")
    assert sorted(r["data_source"] for r in runs) == sorted(high + low)
    assert {r["scraper"] for r in runs} == {high_key, low_key}


def test_submit_needs_a_choice_of_data_sources(aws: Aws) -> None:
    result = CliRunner().invoke(batch_cli.app, ["submit"])

    assert result.exit_code == 2
    assert "--all, --scraper KEY or --oid N" in result.output
