"""`datafeeds worker`, as Batch starts it: a subprocess with AWS_BATCH_JOB_ARRAY_INDEX and a
manifest, against an SQLite platform and an SQLite Urjanet database with a small data set."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from datafeeds_core.executors.batch import manifest
from datafeeds_core.job.request import JobRequest
from datafeeds_core.platform import batch_runs
from datafeeds_core.testing import PlatformTestDatabase, UrjanetTestDatabase

from .conftest import BUCKET, Aws

KEY = "watauga-urjanet"
TODAY = date.today()
START, END = TODAY - timedelta(days=730), TODAY
JOB_ID = "1f2e3d4c-0000-4000-8000-00000000abcd"


@pytest.fixture
def platform_backend() -> str:
    return "sqlite"


@pytest.fixture
def urjanet_backend() -> str:
    return "sqlite"


@pytest.fixture
def data_source(platform_db: PlatformTestDatabase, urjanet_db: UrjanetTestDatabase) -> int:
    """A Watauga data source with two years of statements in the Urjanet database."""
    from datafeeds_core.demo.data import demo_statements
    from datafeeds_core.plugin_api.registry import load

    urjanet_db.seed(demo_statements(load(KEY).metadata(), TODAY))
    return watauga_source(platform_db)


def watauga_source(db: PlatformTestDatabase, utility: str = "utility:watauga") -> int:
    """A Watauga data source on the demo statements, its service under `utility`."""
    from datafeeds_core.demo.data import DEMO_ACCOUNT_NUMBER, DEMO_SERVICE_ID

    target = db.add_target(
        KEY, utility=utility, utility_account_id=DEMO_ACCOUNT_NUMBER, service_id=DEMO_SERVICE_ID
    )
    return int(target.data_source_oid)


def second_watauga_source(db: PlatformTestDatabase) -> int:
    """Another Watauga data source on the same statements, with bills of its own (a utility of
    its own: a service with the same SAID and utility would get the first one's bills)."""
    return watauga_source(db, utility="utility:watauga-second")


def queue_runs(db: PlatformTestDatabase, oids: list[int]) -> list[JobRequest]:
    runs = batch_runs.open_queued_runs(
        db.engine, [batch_runs.QueuedRun(oid, KEY, START, END) for oid in oids]
    )
    batch_runs.attach_batch_jobs(db.engine, {r: f"{JOB_ID}:{i}" for i, r in enumerate(runs)})
    return [JobRequest(oid, START, END, run_id=r) for oid, r in zip(oids, runs, strict=True)]


def run_worker(tmp_path: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    full = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DATAFEEDS_", "POSTGRES_URL", "URJANET_", "AWS_"))
    }
    full.update(
        DATAFEEDS_HOME=str(tmp_path / "home"),
        DATAFEEDS_DOCUMENTS_URL=f"file://{tmp_path / 'documents'}",
        **env,
    )
    return subprocess.run(
        [sys.executable, "-m", "datafeeds_core", "worker", *args],  # the image's `datafeeds worker`
        capture_output=True,
        text=True,
        env=full,
        timeout=180,
    )


def json_lines(stderr: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stderr.splitlines() if line.strip()]


@pytest.mark.slow
def test_worker_runs_the_manifest_entry_at_its_array_index_and_closes_the_run(
    aws: Aws,
    tmp_path: Path,
    platform_db: PlatformTestDatabase,
    urjanet_db: UrjanetTestDatabase,
    data_source: int,
) -> None:
    # Index 1 is ours; the others name data sources that do not exist (they would fail).
    entries = queue_runs(platform_db, [data_source + 1000, data_source, data_source + 2000])
    url = manifest.write(f"s3://{BUCKET}/worker-test/{JOB_ID}.json", entries, s3=aws.client("s3"))

    done = run_worker(
        tmp_path,
        {
            **aws.env(),
            "DATAFEEDS_PLATFORM_URL": platform_db.url,
            "DATAFEEDS_URJANET_URL": urjanet_db.url,
            "AWS_BATCH_JOB_ID": f"{JOB_ID}:1",
            "AWS_BATCH_JOB_ARRAY_INDEX": "1",
        },
        "--manifest",
        url,
    )

    assert done.returncode == 0, done.stderr
    runs = {r["id"]: r for r in platform_db.rows("datafeeds_run")}
    ours = runs[entries[1].run_id]
    assert (ours["status"], ours["attempt"], ours["scraper"]) == ("succeeded", 1, KEY)
    assert ours["counts"]["new"] == 24
    assert [runs[e.run_id]["status"] for e in (entries[0], entries[2])] == ["queued", "queued"]
    assert len(platform_db.rows("bill")) == 24
    lines = json_lines(done.stderr)  # every line is JSON, and each carries the run id
    assert lines and {line["run_id"] for line in lines} == {entries[1].run_id}
    assert {line["oid"] for line in lines} == {data_source}
    # ... and the scraper, from the moment the data source is read to the worker's last line.
    found = next(i for i, line in enumerate(lines) if line["message"].startswith("Scraper: "))
    assert {line.get("scraper") for line in lines[found:]} == {KEY}
    assert any("Final Billing Summary" in line["message"] for line in lines)
    assert done.stdout == ""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_worker_exits_75_and_records_the_outage_when_urjanet_is_unreachable(
    tmp_path: Path, platform_db: PlatformTestDatabase, data_source: int
) -> None:
    [entry] = queue_runs(platform_db, [data_source])
    url = manifest.write(f"file://{tmp_path / 'manifest.json'}", [entry])

    done = run_worker(
        tmp_path,
        {
            "DATAFEEDS_PLATFORM_URL": platform_db.url,
            "DATAFEEDS_URJANET_URL": f"mysql+mysqldb://root@127.0.0.1:{free_port()}/urjanet",
        },
        "--manifest",
        url,
    )

    assert done.returncode == 75, done.stderr
    [run] = platform_db.rows("datafeeds_run")
    assert (run["status"], run["error_class"]) == ("failed", "TransientError")
    assert "Urjanet database unreachable" in run["error_message"]
    lines = json_lines(done.stderr)
    assert {line["run_id"] for line in lines} == {entry.run_id}
    assert any(line["level"] == "ERROR" and "unreachable" in line["message"] for line in lines)


def test_worker_started_by_hand_with_an_oid_opens_its_own_run(
    tmp_path: Path,
    platform_db: PlatformTestDatabase,
    urjanet_db: UrjanetTestDatabase,
    data_source: int,
) -> None:
    done = run_worker(
        tmp_path,
        {"DATAFEEDS_PLATFORM_URL": platform_db.url, "DATAFEEDS_URJANET_URL": urjanet_db.url},
        "--oid",
        str(data_source),
        "--dry-run",
    )

    assert done.returncode == 0, done.stderr
    [run] = platform_db.rows("datafeeds_run")
    assert (run["status"], run["executor"], run["attempt"]) == ("dry-run", "batch", 1)
    assert platform_db.rows("bill") == []


@pytest.mark.parametrize(
    ("args", "env", "code", "message"),
    [
        ((), {}, 2, "the worker needs --oid N or --manifest URL"),
        (("--manifest", "none"), {}, 2, "the worker needs --oid N or --manifest URL"),
        (("--manifest", "file:///nowhere/manifest.json"), {}, 3, "no manifest at"),
    ],
)
def test_worker_without_a_job_exits_with_a_usage_or_configuration_code(
    tmp_path: Path, args: tuple[str, ...], env: dict[str, str], code: int, message: str
) -> None:
    done = run_worker(tmp_path, env, *args)

    assert done.returncode == code
    [line] = json_lines(done.stderr)
    assert message in line["message"]


# ---------------------------------------------------------------- a slice per array child


@pytest.mark.slow
def test_a_slice_child_runs_each_data_source_in_its_own_run_and_a_retry_reruns_only_the_retryable(
    tmp_path: Path,
    platform_db: PlatformTestDatabase,
    urjanet_db: UrjanetTestDatabase,
    data_source: int,
) -> None:
    missing = data_source + 1000  # no such data source: fails for good (exit 3)
    good, bad = queue_runs(platform_db, [data_source, missing])
    url = manifest.write(f"file://{tmp_path / 'manifest.json'}", [good, bad], chunk_size=2)
    env = {
        "DATAFEEDS_PLATFORM_URL": platform_db.url,
        "AWS_BATCH_JOB_ID": f"{JOB_ID}:0",
        "AWS_BATCH_JOB_ARRAY_INDEX": "0",
    }
    unreachable = f"mysql+mysqldb://root@127.0.0.1:{free_port()}/urjanet"

    # Attempt 1: Urjanet is out of reach. The good source fails retryably, so Batch must retry.
    first = run_worker(tmp_path, {**env, "DATAFEEDS_URJANET_URL": unreachable}, "--manifest", url)

    assert first.returncode == 75, first.stderr
    runs = {r["id"]: r for r in platform_db.rows("datafeeds_run")}
    assert (runs[good.run_id]["status"], runs[good.run_id]["error_class"]) == (
        "failed",
        "TransientError",
    )
    assert runs[bad.run_id]["status"] == "failed"
    assert runs[bad.run_id]["error_class"] not in ("TransientError", "Terminated")
    assert {r["executor"] for r in runs.values()} == {"batch"}
    assert {line["run_id"] for line in json_lines(first.stderr) if "run_id" in line} == {
        good.run_id,
        bad.run_id,
    }

    # Attempt 2 (Batch's retry of the child): only the retryable run runs again.
    second = run_worker(
        tmp_path, {**env, "DATAFEEDS_URJANET_URL": urjanet_db.url}, "--manifest", url
    )

    assert second.returncode == 1, second.stderr  # a failure for good remains: no more retries
    again = {r["id"]: r for r in platform_db.rows("datafeeds_run")}
    assert (again[good.run_id]["status"], again[good.run_id]["attempt"]) == ("succeeded", 2)
    assert again[good.run_id]["counts"]["new"] == 24
    assert again[bad.run_id] == runs[bad.run_id]  # untouched
    assert len(platform_db.rows("bill")) == 24
    assert {line["run_id"] for line in json_lines(second.stderr) if "run_id" in line} == {
        good.run_id
    }

    # Attempt 3 (had Batch retried once more): nothing is left to run, the answer is the same.
    third = run_worker(
        tmp_path, {**env, "DATAFEEDS_URJANET_URL": urjanet_db.url}, "--manifest", url
    )

    assert third.returncode == 1, third.stderr
    assert {r["id"]: r for r in platform_db.rows("datafeeds_run")} == again


@pytest.mark.slow
def test_a_slice_child_exits_0_when_every_run_of_its_slice_succeeds(
    tmp_path: Path,
    platform_db: PlatformTestDatabase,
    urjanet_db: UrjanetTestDatabase,
    data_source: int,
) -> None:
    second = second_watauga_source(platform_db)
    entries = queue_runs(platform_db, [data_source, second])
    url = manifest.write(f"file://{tmp_path / 'manifest.json'}", entries, chunk_size=2)

    done = run_worker(
        tmp_path,
        {"DATAFEEDS_PLATFORM_URL": platform_db.url, "DATAFEEDS_URJANET_URL": urjanet_db.url},
        "--manifest",
        url,
    )  # one slice: a plain job running the whole manifest (no array index)

    assert done.returncode == 0, done.stderr
    runs = platform_db.rows("datafeeds_run")
    assert [(r["status"], r["attempt"], r["executor"]) for r in runs] == [
        ("succeeded", 1, "batch")
    ] * 2
    assert len(platform_db.rows("bill")) == 48
    assert all(isinstance(line, dict) for line in json_lines(done.stderr))


@pytest.mark.slow
def test_a_slice_too_long_for_its_attempt_leaves_the_unstarted_runs_queued_for_the_retry(
    tmp_path: Path,
    platform_db: PlatformTestDatabase,
    urjanet_db: UrjanetTestDatabase,
    data_source: int,
) -> None:
    second = second_watauga_source(platform_db)
    first_run, second_run = queue_runs(platform_db, [data_source, second])
    url = manifest.write(
        f"file://{tmp_path / 'manifest.json'}", [first_run, second_run], chunk_size=2
    )
    env = {"DATAFEEDS_PLATFORM_URL": platform_db.url, "DATAFEEDS_URJANET_URL": urjanet_db.url}

    # An attempt whose timeout is spent at once: the first job runs, the second never starts.
    short = run_worker(tmp_path, {**env, "DATAFEEDS_JOB_TIMEOUT": "0.01"}, "--manifest", url)

    assert short.returncode == 75, short.stderr  # Batch retries: a run is left
    runs = {r["id"]: r["status"] for r in platform_db.rows("datafeeds_run")}
    assert runs == {first_run.run_id: "succeeded", second_run.run_id: "queued"}
    assert "1 runs left queued for Batch's retry" in short.stderr

    retry = run_worker(tmp_path, env, "--manifest", url)

    assert retry.returncode == 0, retry.stderr
    assert {r["status"] for r in platform_db.rows("datafeeds_run")} == {"succeeded"}
    assert {line["run_id"] for line in json_lines(retry.stderr) if "run_id" in line} == {
        second_run.run_id
    }


def test_a_chunked_manifest_holds_a_list_per_index_and_a_plain_one_an_object_per_index() -> None:
    entries = [JobRequest(oid, START, END, run_id=100 + oid) for oid in range(5)]

    plain = json.loads(manifest.encode(entries))
    chunked = json.loads(manifest.encode(entries, chunk_size=2))

    assert [d["oid"] for d in plain] == list(range(5))
    assert [[d["oid"] for d in part] for part in chunked] == [[0, 1], [2, 3], [4]]
    assert manifest.decode(manifest.encode(entries, chunk_size=2)) == entries
    assert manifest.decode_slices(manifest.encode(entries)) == [(e,) for e in entries]


def test_an_array_child_without_the_index_variable_takes_its_index_from_its_job_id() -> None:
    from datafeeds_core.executors.batch.worker import array_index

    assert array_index({"AWS_BATCH_JOB_ID": f"{JOB_ID}:7"}) == 7
    assert array_index({"AWS_BATCH_JOB_ID": JOB_ID}) is None
    assert array_index({"AWS_BATCH_JOB_ID": f"{JOB_ID}:7", "AWS_BATCH_JOB_ARRAY_INDEX": "2"}) == 2
