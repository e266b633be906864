"""AWS for the Batch tests: one moto server on 127.0.0.1 per session (Batch without Docker, so
jobs finish at once), with a Fargate Spot compute environment, the three queues, a manifest
bucket and a log group; `aws` points boto3 at it through the standard environment variables."""

from __future__ import annotations

import json
import os
import urllib.request
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

# The tests that run the worker image need a built one: scripts/container-ci builds it, names it
# in DATAFEEDS_TEST_IMAGE and runs them (`nox -s container`, part of CI).
collect_ignore = [] if os.environ.get("DATAFEEDS_TEST_IMAGE") else ["test_image.py"]

REGION = "us-west-1"
QUEUES = ("datafeeds-high", "datafeeds-medium", "datafeeds-low")
BUCKET = "datafeeds-manifests-test"
LOG_GROUP = "/datafeeds/batch"
FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
}


@dataclass(frozen=True)
class Aws:
    endpoint: str
    manifests: str  # s3://bucket/prefix

    def client(self, service: str) -> Any:
        import boto3

        return boto3.session.Session(
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            region_name=REGION,
        ).client(service, endpoint_url=self.endpoint)

    def env(self) -> dict[str, str]:
        return {**FAKE_CREDENTIALS, "AWS_DEFAULT_REGION": REGION, "AWS_ENDPOINT_URL": self.endpoint}


def _infrastructure(aws: Aws) -> None:
    ec2 = aws.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.90.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.90.1.0/24")["Subnet"]["SubnetId"]
    group = ec2.create_security_group(GroupName="batch", Description="batch", VpcId=vpc)["GroupId"]
    role = aws.client("iam").create_role(
        RoleName="batch-service",
        AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}),
    )["Role"]["Arn"]
    batch = aws.client("batch")
    environment = batch.create_compute_environment(
        computeEnvironmentName="datafeeds-fargate-spot",
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
        batch.create_job_queue(
            jobQueueName=name,
            state="ENABLED",
            priority=100 - priority * 10,
            computeEnvironmentOrder=[{"order": 1, "computeEnvironment": environment}],
        )
    aws.client("s3").create_bucket(
        Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION}
    )
    aws.client("logs").create_log_group(logGroupName=LOG_GROUP)


@pytest.fixture(scope="session")
def moto_aws() -> Iterator[Aws]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    request = urllib.request.Request(
        f"{endpoint}/moto-api/config",
        data=json.dumps({"batch": {"use_docker": False}}).encode(),
        method="POST",
    )
    urllib.request.urlopen(request, timeout=10).close()
    aws = Aws(endpoint, f"s3://{BUCKET}/manifests")
    _infrastructure(aws)
    yield aws
    server.stop()


@pytest.fixture
def aws(moto_aws: Aws, monkeypatch: pytest.MonkeyPatch) -> Aws:
    """The moto server, reachable by any boto3 client this test (or its children) makes."""
    for name, value in moto_aws.env().items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
        monkeypatch.delenv(name, raising=False)
    return moto_aws


class ApiCalls(Counter[str]):
    """Counts a client's API calls by operation name (a botocore event hook)."""

    def watch(self, client: Any) -> Any:
        def count(event_name: str, **_: Any) -> None:
            self[event_name.split(".")[-1]] += 1

        client.meta.events.register("before-call.*.*", count)
        return client


@pytest.fixture
def api_calls() -> ApiCalls:
    return ApiCalls()
