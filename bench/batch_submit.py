"""Item 5, Batch submission: 10,000 data sources submitted against a moto server (Batch without
Docker, S3 for the manifests): API calls and wall time.

Two measurements per repetition, the run records deleted before each: the whole
`datafeeds batch submit --all` process (wall time), and the same submission in this process
with every boto3 client it makes counting its calls (a botocore event hook).
"""

from __future__ import annotations

import json
import time
import urllib.request
import uuid
from collections import Counter
from datetime import date
from typing import Any

from bench.harness import Report, clean_env, datafeeds_argv, median, run_child
from bench.servers import fresh_database

NAME = "batch"
SOURCES, SMOKE_SOURCES = 10_000, 50
KEY = "watauga-urjanet"
REGION = "us-west-1"
BUCKET = "datafeeds-bench-manifests"
QUEUES = ("datafeeds-high", "datafeeds-medium", "datafeeds-low")
TARGET_CALLS, TARGET_S = 2, 5.0
START, END = "2023-01-01", "2025-01-01"
SECRET = "arn:aws:secretsmanager:us-west-1:123456789012:secret:datafeeds/url-AbCdEf"
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench"}


def _client(endpoint: str, service: str) -> Any:
    import boto3

    return boto3.session.Session(
        aws_access_key_id="bench", aws_secret_access_key="bench", region_name=REGION
    ).client(service, endpoint_url=endpoint)


def _infrastructure(endpoint: str) -> str:
    """Compute environment, the three queues, the manifest bucket, a job definition."""
    from datafeeds_core.executors.batch import aws as batch
    from datafeeds_core.executors.batch.definition import JobDefinitionSpec

    config = urllib.request.Request(
        f"{endpoint}/moto-api/config",
        data=json.dumps({"batch": {"use_docker": False}}).encode(),
        method="POST",
    )
    urllib.request.urlopen(config, timeout=10).close()
    ec2 = _client(endpoint, "ec2")
    vpc = ec2.create_vpc(CidrBlock="10.91.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.91.1.0/24")["Subnet"]["SubnetId"]
    group = ec2.create_security_group(GroupName="b", Description="b", VpcId=vpc)["GroupId"]
    role = _client(endpoint, "iam").create_role(
        RoleName="batch-service",
        AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}),
    )["Role"]["Arn"]
    aws_batch = _client(endpoint, "batch")
    environment = aws_batch.create_compute_environment(
        computeEnvironmentName="datafeeds-bench",
        type="MANAGED",
        state="ENABLED",
        serviceRole=role,
        computeResources={
            "type": "FARGATE_SPOT",
            "maxvCpus": 16,
            "subnets": [subnet],
            "securityGroupIds": [group],
        },
    )["computeEnvironmentArn"]
    for priority, name in enumerate(QUEUES):
        aws_batch.create_job_queue(
            jobQueueName=name,
            state="ENABLED",
            priority=100 - priority * 10,
            computeEnvironmentOrder=[{"order": 1, "computeEnvironment": environment}],
        )
    _client(endpoint, "s3").create_bucket(
        Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION}
    )
    spec = JobDefinitionSpec(
        name="datafeeds-bench",
        image="123456789012.dkr.ecr.us-west-1.amazonaws.com/datafeeds:bench",
        execution_role_arn="arn:aws:iam::123456789012:role/execution",
        job_role_arn="arn:aws:iam::123456789012:role/worker",
        log_group="/datafeeds/bench",
        secrets={"DATAFEEDS_PLATFORM_URL": SECRET, "DATAFEEDS_URJANET_URL": SECRET},
    )
    batch.register(spec, batch=aws_batch)
    return spec.name


def _data_sources(platform_url: str, count: int) -> None:
    from sqlalchemy import insert

    from datafeeds_core.database import make_engine
    from datafeeds_core.platform import schema
    from datafeeds_core.platform.feeds import set_feed
    from datafeeds_core.platform.init import init_database

    engine = make_engine(platform_url)
    try:
        init_database(engine)
        set_feed(engine, KEY, enabled=True, queue="low", weekday=None)
        rows = [
            {"hex_id": uuid.uuid4().hex[:16], "meter": None, "name": KEY, "meta": {}}
            for _ in range(count)
        ]
        with engine.begin() as conn:
            conn.execute(insert(schema.snapmeter_meter_data_source), rows)
    finally:
        engine.dispose()


def _clear_runs(platform_url: str) -> None:
    from sqlalchemy import delete

    from datafeeds_core.database import make_engine
    from datafeeds_core.platform import schema

    engine = make_engine(platform_url)
    try:
        with engine.begin() as conn:
            conn.execute(delete(schema.datafeeds_run))
    finally:
        engine.dispose()


def _in_process(platform_url: str, endpoint: str, env: dict[str, str]) -> tuple[float, Counter]:
    """`batch submit --all` through typer in this process, counting every client's calls."""
    from unittest import mock

    from typer.testing import CliRunner

    from datafeeds_core.cli import batch as batch_cli
    from datafeeds_core.executors.batch import aws as batch

    calls: Counter[str] = Counter()

    def counted(service: str) -> Any:
        made = _client(endpoint, service)
        made.meta.events.register(
            "before-call.*.*", lambda event_name, **_: calls.update([event_name.split(".")[-1]])
        )
        return made

    with mock.patch.dict("os.environ", env), mock.patch.object(batch, "client", counted):
        started = time.perf_counter()
        result = CliRunner().invoke(
            batch_cli.app, ["submit", "--all", "--start", START, "--end", END]
        )
        wall = time.perf_counter() - started
    if result.exit_code != 0:
        raise RuntimeError(f"batch submit failed: {result.output}")
    return wall, calls


def run(smoke: bool = False, regenerate: bool = False) -> Report:
    import logging

    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # the server's request log
    report = Report(NAME, smoke)
    count = SMOKE_SOURCES if smoke else SOURCES
    repeat = 1 if smoke else 5
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        definition = _infrastructure(endpoint)
        with fresh_database("postgresql") as platform_url:
            _data_sources(platform_url, count)
            env = clean_env(
                **CREDENTIALS,
                AWS_DEFAULT_REGION=REGION,
                AWS_ENDPOINT_URL=endpoint,
                DATAFEEDS_PLATFORM_URL=platform_url,
                DATAFEEDS_BATCH_MANIFESTS=f"s3://{BUCKET}/manifests",
                DATAFEEDS_BATCH_JOB_DEFINITION=definition,
            )
            argv = [*datafeeds_argv(), "batch", "submit", "--all", "--start", START, "--end", END]
            walls, inner, calls = [], [], Counter()
            for _ in range(repeat):
                _clear_runs(platform_url)
                walls.append(run_child(argv, env=env).wall_s)
                _clear_runs(platform_url)
                seconds, calls = _in_process(platform_url, endpoint, env)
                inner.append(seconds)
    finally:
        server.stop()
    submits = calls.get("SubmitJob", 0)
    wall = median(walls)
    report.add(
        "SubmitJob calls",
        submits,
        "calls",
        target=f"<= {TARGET_CALLS}",
        ok=submits <= TARGET_CALLS,
        against=f"{count:,} data sources; all calls: {dict(calls)}",
    )
    report.add(
        "batch submit --all, whole process",
        wall,
        "s",
        target=f"< {TARGET_S:.0f} s",
        ok=wall < TARGET_S,
        against=f"median of {repeat}; run records queued, manifest in S3",
    )
    report.add("the same, in process", median(inner), "s", against="no interpreter start-up")
    report.details = {
        "sources": count,
        "repetitions": repeat,
        "wall_s": [round(w, 3) for w in walls],
        "in_process_s": [round(w, 3) for w in inner],
        "api_calls": dict(calls),
        "today": date.today().isoformat(),
    }
    return report
