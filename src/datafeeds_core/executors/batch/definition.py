"""The Batch job definition `datafeeds batch register` sends: a pure function of its options.

Every credential reaches the container through `secrets` (Secrets Manager or SSM ARNs), never as
a plain environment value. Retries: exit 75 (transient) and host or Spot failures only; anything
else exits at once. The root filesystem is read-only; the work folder is a writable volume.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from datafeeds_core.errors import ExitCode, UsageError

# Variables that carry a credential (a password, or a URL with one): secrets only.
CREDENTIAL_VARS = (
    "DATAFEEDS_PLATFORM_URL",
    "DATAFEEDS_URJANET_URL",
    "DATAFEEDS_URJANET_HTTP_USER",
    "DATAFEEDS_URJANET_HTTP_PASSWORD",
    "POSTGRES_URL",
    "URJANET_MYSQL_PASSWORD",
    "URJANET_HTTP_USER",
    "URJANET_HTTP_PASSWORD",
)
# Words in a variable name that say it holds a credential, whatever the rest of the name.
CREDENTIAL_WORDS = (
    "PASSWORD",
    "PASSWD",
    "SECRET",
    "TOKEN",
    "CREDENTIAL",
    "PRIVATE_KEY",
    "API_KEY",
    "ACCESS_KEY",
)
# A Batch job cannot use the embedded SQLite default: these must come as secrets.
REQUIRED_SECRETS = ("DATAFEEDS_PLATFORM_URL", "DATAFEEDS_URJANET_URL")
SECRET_ARN_PREFIXES = ("arn:aws:secretsmanager:", "arn:aws:ssm:")

WORK_VOLUME = "work"
WORK_PATH = "/var/datafeeds"  # DATAFEEDS_HOME and TMPDIR in the container
LOG_STREAM_PREFIX = "datafeeds"
MANIFEST_PARAMETER = "manifest"
WORKER_COMMAND = ("worker", "--manifest", f"Ref::{MANIFEST_PARAMETER}")
SCHEDULER_COMMAND = ("batch", "submit", "--all")

# Batch's own words for a lost host: an EC2 instance terminated (Spot reclaim, host failure) or
# a Fargate Spot task interrupted. Retried; so is exit 75. Anything else exits.
RETRY_STATUS_REASONS = ("Host EC2*", "Your Spot Task was interrupted*")


def retry_strategy(attempts: int) -> dict[str, Any]:
    if not 1 <= attempts <= 10:
        raise UsageError(f"--attempts must be 1 … 10; got {attempts}")
    return {
        "attempts": attempts,
        "evaluateOnExit": [
            {"onExitCode": str(int(ExitCode.TRANSIENT)), "action": "RETRY"},
            *({"onStatusReason": reason, "action": "RETRY"} for reason in RETRY_STATUS_REASONS),
            # Without a match Batch retries, so everything else must say EXIT explicitly.
            {"onExitCode": "*", "action": "EXIT"},
            {"onReason": "*", "action": "EXIT"},
            {"onStatusReason": "*", "action": "EXIT"},
        ],
    }


@dataclass(frozen=True)
class JobDefinitionSpec:
    name: str
    image: str
    execution_role_arn: str
    job_role_arn: str
    log_group: str
    secrets: Mapping[str, str] = field(default_factory=dict)  # variable → secret ARN
    environment: Mapping[str, str] = field(default_factory=dict)
    vcpu: str = "0.5"
    memory_mib: int = 1024
    timeout_s: int = 3600
    attempts: int = 3
    assign_public_ip: bool = False
    command: tuple[str, ...] = WORKER_COMMAND
    required_secrets: tuple[str, ...] = REQUIRED_SECRETS


def looks_like_credential(name: str) -> bool:
    """Is `name` (a plain --env variable) one that holds, or may hold, a credential? A name
    with whitespace counts: it is no variable name, and would dodge the checks on the real one."""
    upper = name.upper()
    return (
        any(c.isspace() for c in name)
        or name in CREDENTIAL_VARS
        or any(word in upper for word in CREDENTIAL_WORDS)
        or (upper.startswith("AWS_") and ("KEY" in upper or "SESSION" in upper))
    )


def check_spec(spec: JobDefinitionSpec) -> None:
    """Refuse a definition that would leak a credential or cannot run."""
    plain = sorted((n for n in spec.environment if looks_like_credential(n)), key=repr)
    if plain:
        # Names only, quoted (a trailing space shows); values never: they may be the secret.
        raise UsageError(
            f"--env {', '.join(map(repr, plain))} is, or looks like, a credential: pass it with "
            "--secret NAME=ARN (Secrets Manager or SSM), never as plain environment"
        )
    clash = sorted(set(spec.environment) & set(spec.secrets))
    if clash:
        raise UsageError(f"{', '.join(clash)} given both as --env and as --secret")
    missing = [name for name in spec.required_secrets if name not in spec.secrets]
    if missing:
        raise UsageError(
            f"a Batch job needs --secret {'/'.join(missing)}=ARN (Secrets Manager or SSM)"
        )
    for name, arn in spec.secrets.items():
        if not arn.startswith(SECRET_ARN_PREFIXES):
            # The value is not repeated: given by mistake, it may be the secret itself.
            raise UsageError(
                f"secret {name}: the value given is not a Secrets Manager or SSM parameter ARN "
                f"({' or '.join(p + '…' for p in SECRET_ARN_PREFIXES)})"
            )
    if spec.timeout_s < 60:
        raise UsageError(
            f"--timeout must be at least 60 seconds (a Batch minimum); got {spec.timeout_s}"
        )


def job_definition(spec: JobDefinitionSpec) -> dict[str, Any]:
    """Keyword arguments of batch.register_job_definition (Fargate, Spot or on demand)."""
    check_spec(spec)
    environment = {
        "DATAFEEDS_LOG_FORMAT": "json",
        "DATAFEEDS_HOME": WORK_PATH,
        "TMPDIR": WORK_PATH,
        # The worker plans its document step by the attempt's timeout (job/pipeline.py).
        "DATAFEEDS_JOB_TIMEOUT": str(spec.timeout_s),
        **spec.environment,
    }
    return {
        "jobDefinitionName": spec.name,
        "type": "container",
        "platformCapabilities": ["FARGATE"],
        "parameters": {MANIFEST_PARAMETER: "none"},
        "retryStrategy": retry_strategy(spec.attempts),
        "timeout": {"attemptDurationSeconds": spec.timeout_s},
        "propagateTags": True,
        "tags": {"application": "datafeeds"},
        "containerProperties": {
            "image": spec.image,
            "command": list(spec.command),
            "executionRoleArn": spec.execution_role_arn,
            "jobRoleArn": spec.job_role_arn,
            "resourceRequirements": [
                {"type": "VCPU", "value": spec.vcpu},
                {"type": "MEMORY", "value": str(spec.memory_mib)},
            ],
            "environment": [{"name": k, "value": v} for k, v in sorted(environment.items())],
            "secrets": [{"name": k, "valueFrom": v} for k, v in sorted(spec.secrets.items())],
            "readonlyRootFilesystem": True,
            "volumes": [{"name": WORK_VOLUME}],
            "mountPoints": [
                {"sourceVolume": WORK_VOLUME, "containerPath": WORK_PATH, "readOnly": False}
            ],
            "logConfiguration": {
                "logDriver": "awslogs",
                "options": {
                    "awslogs-group": spec.log_group,
                    "awslogs-stream-prefix": LOG_STREAM_PREFIX,
                },
            },
            "networkConfiguration": {
                "assignPublicIp": "ENABLED" if spec.assign_public_ip else "DISABLED"
            },
            "fargatePlatformConfiguration": {"platformVersion": "LATEST"},
        },
    }
