"""container/batch-stack.yaml deploys on moto's CloudFormation, the operator guide's
`describe-stacks … RegisterArguments` flow registers the job definitions against it, and
deleting the stack keeps the log group (DeletionPolicy: Retain).

moto's CloudFormation has no AWS::SecretsManager::Secret (moto/cloudformation/parsing.py warns
"No Moto CloudFormation support for AWS::SecretsManager::Secret" and skips the resource), so
`${PlatformUrlSecret}` in an output stays as it is where AWS puts the secret's ARN. The test
creates the four secrets under the names the stack gives them and puts their ARNs there, and
the secrets' Retain policies are checked in the template only."""

from __future__ import annotations

import json
import shlex
import uuid
from pathlib import Path

import pytest
from typer.testing import CliRunner

from datafeeds_core.cli import batch as batch_cli

from .conftest import Aws

TEMPLATE = Path(__file__).resolve().parents[2] / "container" / "batch-stack.yaml"
IMAGE = "123456789012.dkr.ecr.us-west-1.amazonaws.com/datafeeds:1.0.0"


def network(aws: Aws) -> tuple[str, str]:
    ec2 = aws.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.91.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.91.1.0/24")["Subnet"]["SubnetId"]
    return vpc, subnet


def batch_service_role(aws: Aws) -> str:
    """moto's Batch requires a compute environment's role to exist (AWS falls back to Batch's
    service-linked role when the stack's BatchServiceRoleArn is left empty)."""
    return str(
        aws.client("iam").create_role(
            RoleName=f"batch-service-{uuid.uuid4().hex[:8]}",
            AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}),
        )["Role"]["Arn"]
    )


SECRETS = {  # logical id -> name suffix, as in the template
    "PlatformUrlSecret": "platform-url",
    "UrjanetUrlSecret": "urjanet-url",
    "UrjanetHttpUserSecret": "urjanet-http-user",
    "UrjanetHttpPasswordSecret": "urjanet-http-password",
}


def with_secret_arns(aws: Aws, stack: str, arguments: list[str]) -> list[str]:
    """RegisterArguments as AWS gives them: each `--secret VAR=<Ref>` an ARN (see above)."""
    client = aws.client("secretsmanager")
    arns = {}
    for logical, suffix in SECRETS.items():
        arns[logical] = client.create_secret(Name=f"{stack}/{suffix}", SecretString="unset")["ARN"]
    fixed = []
    for argument in arguments:
        name, sep, value = argument.partition("=")
        logical = value.removeprefix("${").removesuffix("}")
        fixed.append(f"{name}={arns[logical]}" if sep and logical in arns else argument)
    return fixed


@pytest.mark.slow
def test_the_stack_deploys_and_its_register_arguments_register_the_job_definitions(
    aws: Aws,
) -> None:
    vpc, subnet = network(aws)
    stack = f"datafeeds-{uuid.uuid4().hex[:8]}"
    prefix, definition = f"{stack}-q", f"{stack}-jobs"
    parameters = {
        "VpcId": vpc,
        "SubnetIds": subnet,
        "QueuePrefix": prefix,
        "JobDefinitionName": definition,
        "LogGroupName": f"/{stack}/batch",
        "DocumentsBucketName": f"{stack}-documents",
        "RepositoryName": stack,
        "BatchServiceRoleArn": batch_service_role(aws),
    }
    cloudformation = aws.client("cloudformation")

    cloudformation.create_stack(
        StackName=stack,
        TemplateBody=TEMPLATE.read_text(),
        Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()],
        Capabilities=["CAPABILITY_IAM"],
    )

    [described] = cloudformation.describe_stacks(StackName=stack)["Stacks"]
    assert described["StackStatus"] == "CREATE_COMPLETE"
    outputs = {o["OutputKey"]: o["OutputValue"] for o in described["Outputs"]}
    queues = aws.client("batch").describe_job_queues(
        jobQueues=[f"{prefix}-high", f"{prefix}-medium", f"{prefix}-low"]
    )["jobQueues"]
    assert sorted(q["jobQueueName"] for q in queues) == sorted(
        outputs[k] for k in ("HighQueue", "MediumQueue", "LowQueue")
    )
    assert all(len(q["computeEnvironmentOrder"]) == 2 for q in queues)
    assert outputs["RepositoryUri"].endswith(f"/{stack}")

    # The guide: datafeeds batch register --image URI $(aws cloudformation describe-stacks …
    # --query "Stacks[0].Outputs[?OutputKey=='RegisterArguments'].OutputValue" --output text)
    arguments = with_secret_arns(aws, stack, shlex.split(outputs["RegisterArguments"]))
    result = CliRunner().invoke(batch_cli.app, ["register", "--image", IMAGE, *arguments])

    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0].startswith(f"registered {definition}:1 ")
    assert result.output.splitlines()[1].startswith(f"registered {definition}-scheduler:1 ")
    [worker] = aws.client("batch").describe_job_definitions(
        jobDefinitionName=definition, status="ACTIVE"
    )["jobDefinitions"]
    container = worker["containerProperties"]
    secrets = {s["name"]: s["valueFrom"] for s in container["secrets"]}
    stored = {
        s["Name"]: s["ARN"]
        for s in aws.client("secretsmanager").list_secrets()["SecretList"]
        if s["Name"].startswith(f"{stack}/")
    }
    assert set(secrets.values()) == set(stored.values()) and len(stored) == 4
    assert container["executionRoleArn"] == outputs["ExecutionRoleArn"]
    assert container["jobRoleArn"] == outputs["WorkerRoleArn"]
    assert container["logConfiguration"]["options"]["awslogs-group"] == outputs["LogGroupName"]

    cloudformation.delete_stack(StackName=stack)

    # Retained: the logs outlive the stack (moto deletes what is not marked Retain).
    groups = aws.client("logs").describe_log_groups(logGroupNamePrefix=f"/{stack}/")["logGroups"]
    assert [g["logGroupName"] for g in groups] == [f"/{stack}/batch"]
    assert stack not in {
        r["repositoryName"] for r in aws.client("ecr").describe_repositories()["repositories"]
    }


def test_the_log_group_and_every_secret_outlive_a_stack_deletion_or_replacement() -> None:
    from .test_container import template

    resources = template()["Resources"]
    kept = {
        name
        for name, r in resources.items()
        if r.get("DeletionPolicy") == "Retain" and r.get("UpdateReplacePolicy") == "Retain"
    }
    assert {"LogGroup", *SECRETS} <= kept
    assert {n for n, r in resources.items() if r["Type"] == "AWS::SecretsManager::Secret"} == set(
        SECRETS
    )
