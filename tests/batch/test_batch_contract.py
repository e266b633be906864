"""The Batch contract: what `datafeeds batch register` stores and `datafeeds batch submit` sends
is enough for Batch to run the fleet.

A small array job is submitted to moto; then the job definition Batch holds is read back, and its
container command runs once per array index, in child processes, with the environment Batch
gives a child of an array job: AWS_BATCH_JOB_ID ("<arrayJobId>:<index>"),
AWS_BATCH_JOB_ARRAY_INDEX, AWS_BATCH_JOB_ATTEMPT, the definition's variables, and its secrets
resolved from Secrets Manager and SSM (as the ECS agent does before the container starts). The
platform is PostgreSQL and the Urjanet database MariaDB; every bill and run record is checked,
and `datafeeds batch status --sync` afterwards keeps what the workers recorded.

The image is this virtualenv (core and the installed plugins) plus one test plugin,
`contract-urjanet`, whose rate-name table lacks a tariff: the data source whose statements carry
that tariff makes its transformer raise, and its worker exits 1.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from typer.testing import CliRunner

from datafeeds_core.cli import batch as batch_cli
from datafeeds_core.errors import ExitCode
from datafeeds_core.testing import PlatformTestDatabase, UrjanetTestDatabase
from datafeeds_core.urjanet.model import TransformResult, UrjanetData

from .conftest import LOG_GROUP, Aws

pytestmark = [pytest.mark.postgres, pytest.mark.mariadb]

TODAY = date.today()
START, END = TODAY - timedelta(days=3 * 365), TODAY
WATAUGA = "watauga-urjanet"
CONTRACT = "contract-urjanet"
ACCOUNT = "123456789012"
ENTRYPOINT = ("datafeeds",)  # the image's ENTRYPOINT (test_container pins it)
COMPUTE_ENVIRONMENT = "datafeeds-fargate-spot"  # conftest's

CONTRACT_PLUGIN = '''
"""ContractPower electric: GENERIC_ELECTRIC periods, tariffs renamed from a table."""

from dataclasses import replace

from datafeeds_core.plugin_api.contract import (
    PluginMetadata,
    Selection,
    account_number_is,
    provider_is,
    service_type_in,
)
from datafeeds_core.plugin_api.hookspecs import hookimpl
from datafeeds_core.urjanet.transform import GENERIC_ELECTRIC

KEY = "contract-urjanet"
PROVIDER = "ContractPower"
METADATA = PluginMetadata(provider=PROVIDER, commodity="electric", description="ContractPower")
RATE_NAMES = {"A-10": "A10 Medium General Demand"}  # B-19 is missing: the bug


def transform(data):
    result = GENERIC_ELECTRIC(data)
    periods = tuple(replace(p, tariff=RATE_NAMES[p.tariff]) for p in result.periods)
    return replace(result, periods=periods)


@hookimpl
def datafeeds_metadata(scraper_key):
    return METADATA if scraper_key == KEY else None


@hookimpl
def datafeeds_datasource(scraper_key, context):
    if scraper_key != KEY:
        return None
    return Selection(
        account=(account_number_is(context.utility_account_id), provider_is(PROVIDER)),
        meter=(service_type_in("electric"),),
    )


@hookimpl
def datafeeds_transformer(scraper_key):
    return transform if scraper_key == KEY else None
'''


@dataclass(frozen=True)
class Source:
    """A data source of the fleet, with the statements seeded for it and its expected fate."""

    name: str
    key: str
    account_number: str
    statements: UrjanetData
    target: Any  # JobTarget
    status: str
    exit_code: int


@pytest.fixture
def platform(platform_databases: Any) -> Iterator[PlatformTestDatabase]:
    db = platform_databases.get("postgresql")
    yield db
    db.clear()


@pytest.fixture
def urjanet(urjanet_databases: Any) -> Iterator[UrjanetTestDatabase]:
    db = urjanet_databases.get("mariadb")
    yield db
    db.clear()


@pytest.fixture
def contract_plugin(fake_dists: Any) -> ModuleType:
    """The test plugin, installed where the children look (PYTHONPATH) and imported here to
    compute what its transformer makes of the seeded statements."""
    fake_dists.add("datafeeds-contract-test", {CONTRACT: "contract_plugin"}, {})
    path = fake_dists.root / "contract_plugin.py"
    path.write_text(CONTRACT_PLUGIN)
    spec = importlib.util.spec_from_file_location("contract_plugin_in_test", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def statements(
    metadata: Any, account_number: str, offset: int, *, first: int = 0, tariff: str | None = None
) -> UrjanetData:
    """The demo history (from statement `first` on) for another account: primary keys moved by
    `offset` so accounts do not collide, the tariff replaced when given."""
    from datafeeds_core.demo.data import demo_statements

    def moved(pk: int | None, by: int) -> int | None:
        return None if pk is None else pk + by

    accounts = []
    for a in demo_statements(metadata, TODAY).accounts[first:]:
        meters = tuple(
            replace(
                m,
                PK=moved(m.PK, offset),
                Tariff=tariff or m.Tariff,
                charges=tuple(replace(c, PK=c.PK + offset * 10) for c in m.charges),
                usages=tuple(replace(u, PK=u.PK + offset * 10) for u in m.usages),
            )
            for m in a.meters
        )
        floating = tuple(replace(c, PK=c.PK + offset * 10) for c in a.floating_charges)
        accounts.append(
            replace(
                a,
                PK=moved(a.PK, offset),
                AccountNumber=account_number,
                RawAccountNumber=account_number,
                meters=meters,
                floating_charges=floating,
            )
        )
    return UrjanetData(tuple(accounts))


@pytest.fixture
def fleet(
    platform: PlatformTestDatabase, urjanet: UrjanetTestDatabase, contract_plugin: ModuleType
) -> list[Source]:
    """Five data sources on two scrapers: two Watauga histories (24 and 12 months), a Watauga
    account Urjanet has nothing for yet, a ContractPower history, and a ContractPower account
    on the tariff the plugin cannot name."""
    from datafeeds_core.plugin_api.registry import load

    water, electric = load(WATAUGA).metadata(), contract_plugin.METADATA
    plan: list[tuple[str, str, str, Any, dict[str, Any], str, int]] = [
        ("full water history", WATAUGA, "4100000001", water, {}, "succeeded", ExitCode.OK),
        ("last year of water", WATAUGA, "4100000002", water, {"first": 12}, "succeeded", 0),
        ("nothing in Urjanet yet", WATAUGA, "4100000003", None, {}, "no-new-data", ExitCode.OK),
        ("electric history", CONTRACT, "5200000001", electric, {}, "succeeded", ExitCode.OK),
        (
            "unknown tariff",
            CONTRACT,
            "5200000002",
            electric,
            {"tariff": "B-19"},
            "failed",
            ExitCode.FAILED,
        ),
    ]
    fleet = []
    for n, (name, key, account_number, metadata, shape, status, code) in enumerate(plan):
        seeded = UrjanetData(())
        if metadata is not None:
            seeded = urjanet.seed(statements(metadata, account_number, 1000 * (n + 1), **shape))
        target = platform.add_target(
            key,
            utility=f"utility:{key}",
            utility_account_id=account_number,
            service_id=f"SA-{account_number}",
        )
        fleet.append(Source(name, key, account_number, seeded, target, status, int(code)))
    return fleet


def transformed(source: Source, contract_plugin: ModuleType) -> TransformResult:
    """What the data source's plugin transformer makes of its statements."""
    from datafeeds_core.plugin_api.registry import load

    transformer = (
        contract_plugin.transform if source.key == CONTRACT else load(WATAUGA).transformer()
    )
    result: TransformResult = transformer(source.statements)
    assert all(p.start >= START and p.end <= END for p in result.periods)  # inside the window
    return result


def secrets_in_moto(aws: Aws, platform_url: str, urjanet_url: str) -> dict[str, str]:
    """The database URLs as a Secrets Manager secret and an SSM SecureString; variable → ARN."""
    tag = uuid.uuid4().hex[:8]
    secret = aws.client("secretsmanager").create_secret(
        Name=f"datafeeds/{tag}/platform-url", SecretString=platform_url
    )
    ssm = aws.client("ssm")
    name = f"/datafeeds/{tag}/urjanet-url"
    ssm.put_parameter(Name=name, Value=urjanet_url, Type="SecureString")
    parameter = ssm.get_parameter(Name=name)["Parameter"]
    return {"DATAFEEDS_PLATFORM_URL": secret["ARN"], "DATAFEEDS_URJANET_URL": parameter["ARN"]}


def resolve_secret(aws: Aws, value_from: str) -> str:
    """What the ECS agent injects for a `secrets` entry."""
    if value_from.startswith("arn:aws:secretsmanager:"):
        answer = aws.client("secretsmanager").get_secret_value(SecretId=value_from)
        return str(answer["SecretString"])
    assert value_from.startswith("arn:aws:ssm:"), value_from
    name = value_from.split(":parameter", 1)[1]
    answer = aws.client("ssm").get_parameter(Name=name, WithDecryption=True)
    return str(answer["Parameter"]["Value"])


def child_environment(
    aws: Aws,
    definition: dict[str, Any],
    job: dict[str, Any],
    index: int,
    volume: Path,
    image_path: Path,
) -> dict[str, str]:
    """The environment of array child `index`: the image's, Batch's own variables, the
    definition's variables and secrets; its volume mounted at the definition's mount point."""
    container = definition["containerProperties"]
    [mount] = container["mountPoints"]
    env = {
        # The image: its PATH puts the virtualenv first; the plugin set is installed in it.
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "PYTHONPATH": str(image_path),
        "PYTHONUNBUFFERED": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        "HOME": str(volume),  # the image user's home is the work folder
        # The job role's credentials and the region (the endpoint is moto).
        **aws.env(),
        # Batch's variables for a child of an array job.
        "AWS_BATCH_JOB_ID": f"{job['jobId']}:{index}",
        "AWS_BATCH_JOB_ARRAY_INDEX": str(index),
        "AWS_BATCH_JOB_ATTEMPT": "1",
        "AWS_BATCH_JQ_NAME": job["jobQueue"].rsplit("/", 1)[-1],
        "AWS_BATCH_CE_NAME": COMPUTE_ENVIRONMENT,
    }
    for variable in container["environment"]:
        env[variable["name"]] = variable["value"].replace(mount["containerPath"], str(volume))
    for secret in container["secrets"]:
        env[secret["name"]] = resolve_secret(aws, secret["valueFrom"])
    return env


def container_command(definition: dict[str, Any], job: dict[str, Any]) -> list[str]:
    """The definition's command with its Ref:: placeholders filled from the job's parameters
    (the submission's over the definition's defaults), after the image's entrypoint."""
    parameters = {**definition.get("parameters", {}), **job.get("parameters", {})}
    command = [
        next(
            (part.replace(f"Ref::{k}", v) for k, v in parameters.items() if f"Ref::{k}" in part),
            part,
        )
        for part in definition["containerProperties"]["command"]
    ]
    return [*ENTRYPOINT, *command]


@dataclass(frozen=True)
class Child:
    index: int
    returncode: int
    stdout: str
    lines: list[dict[str, Any]]


def run_children(
    aws: Aws, definition: dict[str, Any], job: dict[str, Any], size: int, work: Path, image: Path
) -> list[Child]:
    """Every array child at once, each in its own process and volume, as Batch would."""
    running = []
    for index in range(size):
        volume = work / f"child-{index}"
        volume.mkdir(parents=True)
        out, err = (volume / "stdout").open("w"), (volume / "stderr").open("w")
        process = subprocess.Popen(
            container_command(definition, job),
            env=child_environment(aws, definition, job, index, volume, image),
            cwd=volume,
            stdout=out,
            stderr=err,
            text=True,
        )
        running.append((index, volume, process, out, err))
    children = []
    for index, volume, process, out, err in running:
        process.wait(timeout=300)
        out.close()
        err.close()
        stderr = (volume / "stderr").read_text()
        lines = [json.loads(line) for line in stderr.splitlines() if line.strip()]
        children.append(Child(index, process.returncode, (volume / "stdout").read_text(), lines))
    return children


@pytest.mark.slow
def test_the_registered_job_definition_runs_each_array_child_to_its_bills_and_run_record(
    aws: Aws,
    platform: PlatformTestDatabase,
    urjanet: UrjanetTestDatabase,
    fleet: list[Source],
    contract_plugin: ModuleType,
    fake_dists: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    name = f"datafeeds-contract-{uuid.uuid4().hex[:8]}"
    secrets = secrets_in_moto(aws, platform.url, urjanet.url)
    monkeypatch.setenv("DATAFEEDS_PLATFORM_URL", platform.url)
    monkeypatch.setenv("DATAFEEDS_BATCH_MANIFESTS", f"{aws.manifests}/{name}")
    monkeypatch.delenv("DATAFEEDS_BATCH_QUEUE", raising=False)
    monkeypatch.delenv("DATAFEEDS_BATCH_JOB_DEFINITION", raising=False)
    cli = CliRunner()

    registered = cli.invoke(
        batch_cli.app,
        [
            "register",
            "--image",
            f"{ACCOUNT}.dkr.ecr.us-west-1.amazonaws.com/datafeeds:contract",
            "--name",
            name,
            "--execution-role-arn",
            f"arn:aws:iam::{ACCOUNT}:role/datafeeds-execution",
            "--job-role-arn",
            f"arn:aws:iam::{ACCOUNT}:role/datafeeds-worker",
            "--log-group",
            LOG_GROUP,
            *(arg for var, arn in secrets.items() for arg in ("--secret", f"{var}={arn}")),
        ],
    )
    assert registered.exit_code == 0, registered.output
    submitted = cli.invoke(
        batch_cli.app,
        [
            "submit",
            *(arg for s in fleet for arg in ("--oid", str(s.target.data_source_oid))),
            "--start",
            START.isoformat(),
            "--end",
            END.isoformat(),
            "--job-definition",
            name,
            "--chunk-size",  # a data source per child (slices: test_worker.py, test_image.py)
            "1",
            "--json",
        ],
    )
    assert submitted.exit_code == 0, submitted.output
    [submission] = json.loads(submitted.stdout)
    assert submission["size"] == len(fleet)

    # What Batch holds: the definition as registered, and the array job submitted with it.
    batch = aws.client("batch")
    [definition] = batch.describe_job_definitions(jobDefinitionName=name, status="ACTIVE")[
        "jobDefinitions"
    ]
    [job] = batch.describe_jobs(jobs=[submission["job_id"]])["jobs"]
    assert job["jobDefinition"] == definition["jobDefinitionArn"]
    assert job["arrayProperties"]["size"] == len(fleet)
    child_ids = [f"{job['jobId']}:{i}" for i in range(len(fleet))]
    batch_children = {j["jobId"]: j for j in batch.describe_jobs(jobs=child_ids)["jobs"]}
    assert sorted(batch_children) == sorted(child_ids)
    assert {s["name"] for s in definition["containerProperties"]["secrets"]} == set(secrets)

    children = run_children(aws, definition, job, len(fleet), tmp_path / "batch", fake_dists.root)

    runs = {r["id"]: r for r in platform.rows("datafeeds_run")}
    assert len(runs) == len(fleet)
    by_oid = {s.target.data_source_oid: s for s in fleet}
    for child, run_id in zip(children, submission["run_ids"], strict=True):
        run = runs[run_id]
        source = by_oid[run["data_source"]]
        what = f"{source.name} (array index {child.index}, run {run_id})"
        job_id = f"{job['jobId']}:{child.index}"

        # The process: the architecture's exit code, JSON lines carrying its run id, no stdout.
        assert child.returncode == source.exit_code, (what, child.lines)
        assert child.stdout == "", what
        assert child.lines and {line.get("run_id") for line in child.lines} == {run_id}, what
        assert any(f"batch job {job_id}" in line["message"] for line in child.lines), what

        # The run record: the worker's outcome, on the run the submission queued.
        assert (run["status"], run["executor"], run["attempt"]) == (source.status, "batch", 1)
        assert run["batch_job_id"] == run["task_id"] == job_id, what
        assert (run["scraper"], run["meter"]) == (source.key, source.target.meter_oid), what
        assert (run["date_start"], run["date_end"], run["dry_run"]) == (START, END, False)
        assert run["started_at"] is not None and run["finished_at"] >= run["started_at"], what
        bills = platform.rows("bill", service=source.target.service_oid)

        if source.status == "failed":
            assert run["error_class"] == "JobFailed", what
            assert f"{CONTRACT} transform failed: KeyError: 'B-19'" in run["error_message"]
            assert any(
                line["level"] == "ERROR" and "KeyError: 'B-19'" in line["message"]
                for line in child.lines
            ), what
            with pytest.raises(KeyError, match="B-19"):  # the plugin's own transformer raises
                transformed(source, contract_plugin)
            assert bills == [], what
            continue

        assert (run["error_class"], run["error_message"]) == (None, None), what
        assert any("Final Billing Summary" in line["message"] for line in child.lines), what
        result = transformed(source, contract_plugin)
        periods = sorted(result.periods, key=lambda p: p.start)
        assert run["counts"]["periods"] == len(periods), what
        assert run["counts"]["dropped_statements"] == len(result.dropped), what
        assert run["counts"]["new"] == len(bills) == len(periods), what
        assert run["counts"]["updated"] == run["counts"]["replaced"] == 0, what
        assert [
            (b["initial"], b["closing"], b["cost"], b["used"], b["peak"], b["utility_code"])
            for b in bills
        ] == [
            (
                p.start,
                p.end,
                pytest.approx(float(p.total_charge or 0)),
                pytest.approx(round(float(p.total_usage or 0), 4)),
                None if p.peak_demand is None else pytest.approx(round(float(p.peak_demand), 4)),
                p.tariff,
            )
            for p in periods
        ], what
        assert all(b["visible"] and not b["manual"] for b in bills), what
    assert sorted(len(platform.rows("bill", service=s.target.service_oid)) for s in fleet) == [
        0,
        0,
        12,
        24,
        24,
    ]

    # Batch's view afterwards (moto calls every child SUCCEEDED, the failed one too) leaves
    # the records the workers closed as they are.
    failed_index = next(c.index for c in children if c.returncode == ExitCode.FAILED)
    assert batch_children[f"{job['jobId']}:{failed_index}"]["status"] == "SUCCEEDED"
    before = platform.rows("datafeeds_run")

    synced = cli.invoke(batch_cli.app, ["status", "--sync", "--json"])

    assert synced.exit_code == 0, synced.output
    report = json.loads(synced.stdout)
    assert (report["runs"], report["changes"], report["written"]) == (0, [], 0)
    assert platform.rows("datafeeds_run") == before
