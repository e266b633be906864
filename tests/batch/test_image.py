"""The worker image (container/Dockerfile), run as AWS Batch runs it: read-only root filesystem,
one writable volume at the work folder, the image's non-root user, its entrypoint and command,
against this machine's PostgreSQL and MariaDB and a moto server (all on 127.0.0.1, so the
container shares the host's network). Collected only when DATAFEEDS_TEST_IMAGE names a built
image: scripts/container-ci builds it and runs these (`nox -s container`, part of CI)."""

from __future__ import annotations

import json
import os
import subprocess
import urllib.request
import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from datafeeds_core.executors.batch import aws as batch
from datafeeds_core.executors.batch import manifest
from datafeeds_core.executors.batch.definition import WORK_PATH, JobDefinitionSpec
from datafeeds_core.platform import batch_runs
from datafeeds_core.platform.feeds import set_feed
from datafeeds_core.testing import PlatformTestDatabase, UrjanetTestDatabase

from .conftest import BUCKET, LOG_GROUP, Aws

IMAGE = os.environ.get("DATAFEEDS_TEST_IMAGE", "")
KEY = "watauga-urjanet"
TODAY = date.today()
START, END = TODAY - timedelta(days=730), TODAY
SECRET = "arn:aws:secretsmanager:us-west-1:123456789012:secret:datafeeds/url-AbCdEf"
DEMO_BILLS = 24  # what demo_statements gives one data source over two years
MOTO_LOGS = "/aws/batch/job"  # where moto's Batch puts every job's output


@pytest.fixture
def platform_backend() -> str:
    return "postgresql"


@pytest.fixture
def urjanet_backend() -> str:
    return "mariadb"


def docker_run(
    *args: str, env: dict[str, str] | None = None, entrypoint: str | None = None
) -> subprocess.CompletedProcess[str]:
    """The image as a Batch job definition runs it. Values travel in this process's
    environment (`-e NAME`), not on the command line."""
    env = env or {}
    command = ["docker", "run", "--rm", "--network", "host", "--read-only"]
    command += ["--mount", f"type=volume,destination={WORK_PATH}"]
    for name in sorted(env):
        command += ["-e", name]
    if entrypoint:
        command += ["--entrypoint", entrypoint]
    return subprocess.run(
        [*command, IMAGE, *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=300,
    )


def json_lines(stderr: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stderr.splitlines() if line.strip()]


def add_watauga_source(platform_db: PlatformTestDatabase) -> int:
    from datafeeds_core.demo.data import DEMO_ACCOUNT_NUMBER, DEMO_SERVICE_ID

    target = platform_db.add_target(
        KEY,
        # A utility of its own: services sharing SAID and utility would get each other's bills.
        utility=f"utility:watauga-{uuid.uuid4().hex[:8]}",
        utility_account_id=DEMO_ACCOUNT_NUMBER,
        service_id=DEMO_SERVICE_ID,
    )
    return int(target.data_source_oid)


@pytest.fixture
def data_source(platform_db: PlatformTestDatabase, urjanet_db: UrjanetTestDatabase) -> int:
    """A Watauga data source with two years of statements in the Urjanet database."""
    from datafeeds_core.demo.data import demo_statements
    from datafeeds_core.plugin_api.registry import load

    urjanet_db.seed(demo_statements(load(KEY).metadata(), TODAY))
    return add_watauga_source(platform_db)


def databases(platform_db: PlatformTestDatabase, urjanet_db: UrjanetTestDatabase) -> dict[str, str]:
    return {"DATAFEEDS_PLATFORM_URL": platform_db.url, "DATAFEEDS_URJANET_URL": urjanet_db.url}


def test_the_image_runs_as_its_own_user_on_a_read_only_root_without_pip_or_setuptools() -> None:
    probe = f"""
import importlib.util, os, shutil
print(os.getuid())
for path in ("/opt/datafeeds/probe", "{WORK_PATH}/probe"):
    try:
        open(path, "w").close()
        print("writable", path)
    except OSError:
        print("read-only", path)
print([m for m in ("pip", "setuptools") if importlib.util.find_spec(m)], shutil.which("pip"))
"""
    done = docker_run("-c", probe, entrypoint="python")

    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:4] == [
        "10001",
        "read-only /opt/datafeeds/probe",
        f"writable {WORK_PATH}/probe",
        "[] None",
    ]


def test_the_image_worker_writes_one_data_sources_bills_into_its_queued_run(
    platform_db: PlatformTestDatabase, urjanet_db: UrjanetTestDatabase, data_source: int
) -> None:
    [run_id] = batch_runs.open_queued_runs(
        platform_db.engine, [batch_runs.QueuedRun(data_source, KEY, START, END)]
    )
    job_id = "0c0ffee0-0000-4000-8000-000000000001"
    batch_runs.attach_batch_jobs(platform_db.engine, {run_id: job_id})

    # The command a one-source submission gives the job.
    done = docker_run(
        *batch.worker_arguments(data_source, run_id, START, END, dry_run=False),
        env={**databases(platform_db, urjanet_db), "AWS_BATCH_JOB_ID": job_id},
    )

    assert done.returncode == 0, done.stderr
    [run] = platform_db.rows("datafeeds_run")
    assert (run["status"], run["attempt"], run["executor"]) == ("succeeded", 1, "batch")
    assert run["counts"]["new"] == DEMO_BILLS
    assert len(platform_db.rows("bill")) == DEMO_BILLS
    assert {line["run_id"] for line in json_lines(done.stderr)} == {run_id}


def test_the_image_worker_exits_75_when_the_urjanet_database_is_out_of_reach(
    platform_db: PlatformTestDatabase, urjanet_db: UrjanetTestDatabase, data_source: int
) -> None:
    unreachable = "mysql+mysqldb://root@127.0.0.1:9/urjanet"  # discard port: nothing listens

    done = docker_run(
        "worker",
        "--oid",
        str(data_source),
        env={"DATAFEEDS_PLATFORM_URL": platform_db.url, "DATAFEEDS_URJANET_URL": unreachable},
    )

    assert done.returncode == 75, done.stderr
    [run] = platform_db.rows("datafeeds_run")
    assert (run["status"], run["error_class"]) == ("failed", "TransientError")
    assert platform_db.rows("bill") == []


def test_the_image_worker_exits_3_for_a_data_source_that_does_not_exist(
    platform_db: PlatformTestDatabase, urjanet_db: UrjanetTestDatabase, data_source: int
) -> None:
    done = docker_run(
        "worker", "--oid", str(data_source + 10_000), env=databases(platform_db, urjanet_db)
    )

    assert done.returncode == 3, done.stderr
    assert platform_db.rows("bill") == []


@pytest.fixture
def job_definition(aws: Aws) -> str:
    spec = JobDefinitionSpec(
        name="datafeeds-image-test",
        image=IMAGE,
        execution_role_arn="arn:aws:iam::123456789012:role/execution",
        job_role_arn="arn:aws:iam::123456789012:role/worker",
        log_group=LOG_GROUP,
        secrets={"DATAFEEDS_PLATFORM_URL": SECRET, "DATAFEEDS_URJANET_URL": SECRET},
    )
    batch.register(spec, batch=aws.client("batch"))
    return spec.name


def test_the_image_scheduler_submits_the_due_fleet_and_each_array_child_runs_its_slice(
    aws: Aws,
    platform_db: PlatformTestDatabase,
    urjanet_db: UrjanetTestDatabase,
    data_source: int,
    job_definition: str,
) -> None:
    oids = [data_source, add_watauga_source(platform_db), add_watauga_source(platform_db)]
    set_feed(platform_db.engine, KEY, enabled=True, queue="low", weekday=None)
    scheduler_env = {
        **aws.env(),
        "DATAFEEDS_PLATFORM_URL": platform_db.url,
        "DATAFEEDS_BATCH_MANIFESTS": f"s3://{BUCKET}/image-test",
        "DATAFEEDS_BATCH_JOB_DEFINITION": job_definition,
        "DATAFEEDS_BATCH_CHUNK_SIZE": "2",  # child 0 runs two data sources, child 1 one
    }

    # The scheduler job: the same image, the command `batch submit --all`.
    submitted = docker_run("batch", "submit", "--all", "--json", env=scheduler_env)

    assert submitted.returncode == 0, submitted.stderr
    [submission] = json.loads(submitted.stdout)
    assert (submission["queue"], submission["size"], submission["children"]) == (
        "datafeeds-low",
        3,
        2,
    )
    job_id = submission["job_id"]
    [job] = aws.client("batch").describe_jobs(jobs=[job_id])["jobs"]
    assert job["arrayProperties"]["size"] == 2
    url = job["parameters"]["manifest"]
    slices = manifest.read_slices(url, s3=aws.client("s3"))
    assert [[e.oid for e in part] for part in slices] == [oids[:2], oids[2:]]
    runs = platform_db.rows("datafeeds_run")
    assert [(r["status"], r["batch_job_id"]) for r in runs] == [
        ("queued", f"{job_id}:0"),
        ("queued", f"{job_id}:0"),
        ("queued", f"{job_id}:1"),
    ]

    # Each array child as Batch starts it: the definition's command, its index in the env.
    for index in range(2):
        child = docker_run(
            "worker",
            "--manifest",
            url,
            env={
                **aws.env(),
                **databases(platform_db, urjanet_db),
                "AWS_BATCH_JOB_ID": f"{job_id}:{index}",
                "AWS_BATCH_JOB_ARRAY_INDEX": str(index),
            },
        )
        assert child.returncode == 0, child.stderr
        lines = json_lines(child.stderr)
        ran = {line["run_id"] for line in lines if "run_id" in line}
        assert ran == {e.run_id for e in slices[index]}

    runs = platform_db.rows("datafeeds_run")
    assert [(r["status"], r["attempt"], r["executor"]) for r in runs] == [
        ("succeeded", 1, "batch")
    ] * 3
    assert len(platform_db.rows("bill")) == 3 * DEMO_BILLS


# ---------------------------------------------------------------- a real array job, moto + Docker


def moto_batch_uses_docker(aws: Aws, use: bool) -> None:
    request = urllib.request.Request(
        f"{aws.endpoint}/moto-api/config",
        data=json.dumps({"batch": {"use_docker": use}}).encode(),
        method="POST",
    )
    urllib.request.urlopen(request, timeout=10).close()


@pytest.fixture
def moto_with_docker(aws: Aws, monkeypatch: pytest.MonkeyPatch) -> Iterator[Aws]:
    """The session's moto server, its Batch running each job's container for this test, with
    the host's network (so the children reach the databases and moto itself on 127.0.0.1)."""
    monkeypatch.setenv("MOTO_DOCKER_NETWORK_MODE", "host")  # read when a job starts
    moto_batch_uses_docker(aws, True)
    yield aws
    moto_batch_uses_docker(aws, False)


def moto_job_definition(aws: Aws, name: str, work: Path, env: dict[str, str]) -> None:
    """The definition `batch register` makes, with what moto's Batch needs to run it: moto
    passes no `secrets` to a container (only `environment`), and mounts only host-path volumes
    (moto/batch/models.py: `v["host"]` of each volume; a Fargate volume has none, which failed
    every job with `Error 'host'`)."""
    from datafeeds_core.executors.batch.definition import job_definition

    payload = job_definition(
        JobDefinitionSpec(
            name=name,
            image=IMAGE,
            execution_role_arn="arn:aws:iam::123456789012:role/execution",
            job_role_arn="arn:aws:iam::123456789012:role/worker",
            log_group=LOG_GROUP,
            secrets={"DATAFEEDS_PLATFORM_URL": SECRET, "DATAFEEDS_URJANET_URL": SECRET},
        )
    )
    container = payload["containerProperties"]
    container["environment"] += [{"name": k, "value": v} for k, v in sorted(env.items())]
    container["volumes"] = [{"name": "work", "host": {"sourcePath": str(work)}}]
    aws.client("batch").register_job_definition(**payload)


def finished(aws: Aws, job_ids: list[str], deadline_s: float = 240) -> list[dict[str, Any]]:
    """The jobs once moto has run them all (moto runs each in a thread of its own)."""
    import time

    batch_client = aws.client("batch")
    give_up = time.monotonic() + deadline_s
    while True:
        jobs = batch_client.describe_jobs(jobs=job_ids)["jobs"]
        if all(j["status"] in ("SUCCEEDED", "FAILED") for j in jobs):
            return list(jobs)
        assert time.monotonic() < give_up, [(j["jobId"], j["status"]) for j in jobs]
        time.sleep(0.5)  # moto itself advances a job's state every 0.5 s


def test_an_array_job_through_motos_batch_runs_its_children_in_the_image(
    moto_with_docker: Aws,
    platform_db: PlatformTestDatabase,
    urjanet_db: UrjanetTestDatabase,
    data_source: int,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from typer.testing import CliRunner

    from datafeeds_core.cli import batch as batch_cli

    aws = moto_with_docker
    oids = [data_source, add_watauga_source(platform_db), add_watauga_source(platform_db)]
    set_feed(platform_db.engine, KEY, enabled=True, queue="low", weekday=None)
    work = tmp_path / "work"
    work.mkdir()
    work.chmod(0o777)  # the image's user writes there
    name = "datafeeds-moto-docker"
    moto_job_definition(aws, name, work, {**aws.env(), **databases(platform_db, urjanet_db)})
    monkeypatch.setenv("DATAFEEDS_PLATFORM_URL", platform_db.url)
    monkeypatch.setenv("DATAFEEDS_BATCH_MANIFESTS", aws.manifests)
    monkeypatch.setenv("DATAFEEDS_BATCH_JOB_DEFINITION", name)
    monkeypatch.delenv("DATAFEEDS_BATCH_QUEUE", raising=False)
    cli = CliRunner()

    submitted = cli.invoke(batch_cli.app, ["submit", "--all", "--chunk-size", "2", "--json"])

    assert submitted.exit_code == 0, submitted.output
    [submission] = json.loads(submitted.stdout)
    children = [f"{submission['job_id']}:{i}" for i in range(2)]
    jobs = finished(aws, children)
    assert [(j["jobId"], j["status"]) for j in jobs] == [(c, "SUCCEEDED") for c in children]
    runs = platform_db.rows("datafeeds_run")
    assert [(r["data_source"], r["status"], r["attempt"]) for r in runs] == [
        (oid, "succeeded", 1) for oid in oids
    ]
    assert [r["batch_job_id"] for r in runs] == [children[0], children[0], children[1]]
    assert len(platform_db.rows("bill")) == 3 * DEMO_BILLS

    synced = cli.invoke(batch_cli.app, ["status", "--sync", "--json"])

    assert synced.exit_code == 0, synced.output
    assert json.loads(synced.stdout)["written"] == 0  # the workers closed their own runs

    # moto keeps a job's output in its own log group, not the definition's awslogs group.
    logged = cli.invoke(batch_cli.app, ["logs", str(runs[2]["id"]), "--log-group", MOTO_LOGS])

    assert logged.exit_code == 0, logged.output
    lines = logged.output.splitlines()
    assert lines[0].startswith(f"== {children[1]} attempt 1: {MOTO_LOGS} ")
    assert runs[2]["id"] in {json.loads(line).get("run_id") for line in lines[1:]}
