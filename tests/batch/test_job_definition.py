"""`datafeeds batch register`: what the job definition Batch stores says."""

from __future__ import annotations

import fnmatch
import uuid
from typing import Any

import pytest
from typer.testing import CliRunner

from datafeeds_core.cli import batch as batch_cli
from datafeeds_core.executors.batch.definition import (
    CREDENTIAL_VARS,
    WORK_PATH,
    retry_strategy,
)

from .conftest import LOG_GROUP, Aws

ACCOUNT = "123456789012"
SECRETS_MANAGER = f"arn:aws:secretsmanager:us-west-1:{ACCOUNT}:secret:datafeeds"
SECRETS = {
    "DATAFEEDS_PLATFORM_URL": f"{SECRETS_MANAGER}/platform-url-AbCdEf",
    "DATAFEEDS_URJANET_URL": f"{SECRETS_MANAGER}/urjanet-url-AbCdEf",
    "DATAFEEDS_URJANET_HTTP_PASSWORD": f"arn:aws:ssm:us-west-1:{ACCOUNT}:parameter/datafeeds/http",
}
IMAGE = f"{ACCOUNT}.dkr.ecr.us-west-1.amazonaws.com/datafeeds:0.1.0-abc1234"


def register(aws: Aws, name: str, *extra: str) -> Any:
    args = [
        "register",
        "--image",
        IMAGE,
        "--name",
        name,
        "--execution-role-arn",
        f"arn:aws:iam::{ACCOUNT}:role/datafeeds-execution",
        "--job-role-arn",
        f"arn:aws:iam::{ACCOUNT}:role/datafeeds-worker",
        "--log-group",
        LOG_GROUP,
        "--env",
        "DATAFEEDS_DOCUMENTS_URL=s3://bills/pdfs",
        *(arg for var, arn in SECRETS.items() for arg in ("--secret", f"{var}={arn}")),
        *extra,
    ]
    return CliRunner().invoke(batch_cli.app, args)


def stored(aws: Aws, name: str) -> dict[str, Any]:
    [definition] = aws.client("batch").describe_job_definitions(
        jobDefinitionName=name, status="ACTIVE"
    )["jobDefinitions"]
    return definition  # type: ignore[no-any-return]


@pytest.mark.slow
def test_register_stores_the_worker_command_and_every_credential_as_a_secret(aws: Aws) -> None:
    name = f"datafeeds-{uuid.uuid4().hex[:8]}"

    result = register(aws, name, "--timeout", "1800", "--attempts", "4")

    assert result.exit_code == 0, result.output
    assert f"registered {name}:1 arn:aws:batch:" in result.stdout
    definition = stored(aws, name)
    container = definition["containerProperties"]
    assert container["image"] == IMAGE
    assert container["command"] == ["worker", "--manifest", "Ref::manifest"]
    assert definition["platformCapabilities"] == ["FARGATE"]
    assert {s["name"]: s["valueFrom"] for s in container["secrets"]} == SECRETS
    environment = {e["name"]: e["value"] for e in container["environment"]}
    assert not set(environment) & set(CREDENTIAL_VARS)
    assert environment["DATAFEEDS_LOG_FORMAT"] == "json"
    assert environment["DATAFEEDS_BATCH_JOB_DEFINITION"] == name
    assert environment["DATAFEEDS_DOCUMENTS_URL"] == "s3://bills/pdfs"
    assert definition["timeout"] == {"attemptDurationSeconds": 1800}
    assert definition["retryStrategy"]["attempts"] == 4
    conditions = [  # moto stores the action in lower case
        {**c, "action": c["action"].upper()} for c in definition["retryStrategy"]["evaluateOnExit"]
    ]
    assert conditions == retry_strategy(4)["evaluateOnExit"]
    retried = [
        {k: v for k, v in c.items() if k != "action"} for c in conditions if c["action"] == "RETRY"
    ]
    assert retried == [
        {"onExitCode": "75"},
        {"onStatusReason": "Host EC2*"},
        {"onStatusReason": "Your Spot Task was interrupted*"},
    ]
    assert conditions[-1]["action"] == "EXIT"
    assert container["logConfiguration"]["options"]["awslogs-group"] == LOG_GROUP


def test_register_keeps_the_root_filesystem_read_only_with_a_writable_work_volume(aws: Aws) -> None:
    name = f"datafeeds-{uuid.uuid4().hex[:8]}"

    assert register(aws, name).exit_code == 0

    container = stored(aws, name)["containerProperties"]
    environment = {e["name"]: e["value"] for e in container["environment"]}
    assert container["readonlyRootFilesystem"] is True
    [mount] = container["mountPoints"]
    assert mount["containerPath"] == WORK_PATH and mount["readOnly"] is False
    assert [v["name"] for v in container["volumes"]] == [mount["sourceVolume"]]
    assert environment["DATAFEEDS_HOME"] == WORK_PATH == environment["TMPDIR"]


def test_a_second_register_adds_a_revision(aws: Aws) -> None:
    name = f"datafeeds-{uuid.uuid4().hex[:8]}"

    register(aws, name)
    result = register(aws, name)

    assert f"registered {name}:2 " in result.stdout


def test_register_with_a_scheduler_role_adds_the_fleet_submitting_job(aws: Aws) -> None:
    name = f"datafeeds-{uuid.uuid4().hex[:8]}"

    result = register(
        aws,
        name,
        "--scheduler-job-role-arn",
        f"arn:aws:iam::{ACCOUNT}:role/datafeeds-scheduler",
        "--manifests",
        "s3://manifests/datafeeds",
    )

    assert result.exit_code == 0, result.output
    container = stored(aws, f"{name}-scheduler")["containerProperties"]
    assert container["command"] == ["batch", "submit", "--all"]
    assert container["jobRoleArn"].endswith(":role/datafeeds-scheduler")
    # It reads the platform database only: no Urjanet credential.
    assert [s["name"] for s in container["secrets"]] == ["DATAFEEDS_PLATFORM_URL"]
    environment = {e["name"]: e["value"] for e in container["environment"]}
    assert environment["DATAFEEDS_BATCH_JOB_DEFINITION"] == name
    assert environment["DATAFEEDS_BATCH_MANIFESTS"] == "s3://manifests/datafeeds"


@pytest.mark.parametrize(
    ("extra", "complaint"),
    [
        (["--env", "DATAFEEDS_URJANET_URL=mysql://u:pw@db/urjanet"], "pass it with --secret"),
        (["--env", "URJANET_HTTP_PASSWORD=hunter22"], "pass it with --secret"),
        (
            ["--secret", "DATAFEEDS_URJANET_HTTP_USER=plain-value"],
            "is not a Secrets Manager or SSM",
        ),
        (["--timeout", "30"], "at least 60 seconds"),
    ],
)
def test_register_refuses_plain_credentials_and_impossible_settings(
    aws: Aws, extra: list[str], complaint: str
) -> None:
    name = f"datafeeds-{uuid.uuid4().hex[:8]}"

    result = register(aws, name, *extra)

    assert result.exit_code == 2
    assert complaint in result.output
    assert (
        aws.client("batch").describe_job_definitions(jobDefinitionName=name)["jobDefinitions"] == []
    )


def test_register_needs_the_database_urls_as_secrets(aws: Aws) -> None:
    result = CliRunner().invoke(
        batch_cli.app,
        [
            "register",
            "--image",
            IMAGE,
            "--execution-role-arn",
            "arn:aws:iam::1:role/x",
            "--job-role-arn",
            "arn:aws:iam::1:role/y",
        ],
    )

    assert result.exit_code == 2
    assert "--secret DATAFEEDS_PLATFORM_URL/DATAFEEDS_URJANET_URL=ARN" in result.output


# Batch's matching (AWS docs, "Automated job retries"): conditions in order, the first whose
# patterns all match decides; a pattern may end in "*"; with no match the job is retried.
def batch_decision(
    strategy: dict[str, Any], exit_code: int | None, reason: str, status_reason: str
) -> str:
    observed = {
        "onExitCode": "" if exit_code is None else str(exit_code),
        "onReason": reason,
        "onStatusReason": status_reason,
    }
    for condition in strategy["evaluateOnExit"]:
        patterns = {k: v for k, v in condition.items() if k != "action"}
        if all(fnmatch.fnmatchcase(observed[k], v) for k, v in patterns.items()):
            return str(condition["action"])
    return "RETRY"


@pytest.mark.parametrize(
    ("exit_code", "reason", "status_reason", "action"),
    [
        (75, "", "Essential container in task exited", "RETRY"),  # transient
        (None, "", "Host EC2 (instance i-0abc) terminated.", "RETRY"),  # Spot reclaim on EC2
        (None, "", "Your Spot Task was interrupted.", "RETRY"),  # Fargate Spot
        (0, "", "Essential container in task exited", "EXIT"),
        (1, "", "Essential container in task exited", "EXIT"),  # job failed
        (2, "", "Essential container in task exited", "EXIT"),  # usage
        (3, "", "Essential container in task exited", "EXIT"),  # configuration
        (4, "", "Essential container in task exited", "EXIT"),  # plugin broken
        (137, "OutOfMemoryError: Container killed due to memory usage", "", "EXIT"),
        (None, "CannotPullContainerError: not found", "Task failed to start", "EXIT"),
    ],
)
def test_retry_strategy_retries_exit_75_and_lost_hosts_only(
    exit_code: int | None, reason: str, status_reason: str, action: str
) -> None:
    assert batch_decision(retry_strategy(3), exit_code, reason, status_reason) == action
