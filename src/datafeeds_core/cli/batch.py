"""`datafeeds batch register | submit | status | logs`: jobs on AWS Batch."""

from __future__ import annotations

import json
from datetime import date
from typing import TYPE_CHECKING

import typer

from datafeeds_core.cli.common import PlainHelp, errors_as_exit, oid_number, parse_date

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

app = typer.Typer(
    help="Run jobs on AWS Batch: register job definitions, submit, follow and read logs.",
    no_args_is_help=True,
)

LOG_GROUP_OPTION = typer.Option(
    "/datafeeds/batch",
    "--log-group",
    envvar="DATAFEEDS_BATCH_LOG_GROUP",
    help="CloudWatch log group.",
)


def _pairs(values: list[str], option: str) -> dict[str, str]:
    from datafeeds_core.errors import UsageError

    pairs = {}
    for value in values:
        name, sep, rest = value.partition("=")
        if not sep or not name or not rest:
            # The value is not repeated: it may be a secret given by mistake.
            raise UsageError(f"{option} takes NAME=VALUE; got {name!r}{'=…' if sep else ''}")
        pairs[name] = rest
    return pairs


def _engine() -> Engine:
    from datafeeds_core.config import settings
    from datafeeds_core.database import PLATFORM, open_existing

    return open_existing(settings().platform_url, PLATFORM)


@app.command(cls=PlainHelp)
def register(
    image: str = typer.Option(
        ..., "--image", help="Image URI (a tag or digest of the worker image)."
    ),
    name: str = typer.Option(
        "datafeeds", "--name", envvar="DATAFEEDS_BATCH_JOB_DEFINITION", help="Job definition name."
    ),
    execution_role_arn: str = typer.Option(
        ...,
        "--execution-role-arn",
        envvar="DATAFEEDS_BATCH_EXECUTION_ROLE_ARN",
        help="Role ECS uses to pull the image, write logs and read the secrets.",
    ),
    job_role_arn: str = typer.Option(
        ...,
        "--job-role-arn",
        envvar="DATAFEEDS_BATCH_JOB_ROLE_ARN",
        help="Role the worker runs as.",
    ),
    scheduler_job_role_arn: str | None = typer.Option(
        None,
        "--scheduler-job-role-arn",
        envvar="DATAFEEDS_BATCH_SCHEDULER_JOB_ROLE_ARN",
        help="Also register NAME-scheduler (runs `batch submit --all`) with this role.",
    ),
    secret: list[str] = typer.Option(
        [], "--secret", metavar="VAR=ARN", help="A credential from Secrets Manager or SSM (repeat)."
    ),
    env: list[str] = typer.Option(
        [], "--env", metavar="VAR=VALUE", help="A plain setting (repeat)."
    ),
    manifests: str | None = typer.Option(
        None,
        "--manifests",
        envvar="DATAFEEDS_BATCH_MANIFESTS",
        help="s3://bucket/prefix for array manifests (the scheduler job submits with it).",
    ),
    log_group: str = LOG_GROUP_OPTION,
    vcpu: str = typer.Option("0.5", "--vcpu", help="Fargate vCPU (0.25, 0.5, 1, 2, 4)."),
    memory: int = typer.Option(
        1024, "--memory", help="Memory in MiB (a Fargate size for the vCPU)."
    ),
    timeout: int = typer.Option(
        3600, "--timeout", help="Seconds an attempt may run (at least 60)."
    ),
    attempts: int = typer.Option(
        3, "--attempts", help="Attempts in all (retries on exit 75 and Spot loss)."
    ),
    public_ip: bool = typer.Option(
        False, "--public-ip/--no-public-ip", help="Give tasks a public IP (public subnets, no NAT)."
    ),
) -> None:
    """Register a new revision of the job definition for IMAGE."""
    from datafeeds_core.executors.batch.aws import register as register_definition
    from datafeeds_core.executors.batch.definition import JobDefinitionSpec

    with errors_as_exit():
        environment = _pairs(env, "--env")
        if manifests:
            environment.setdefault("DATAFEEDS_BATCH_MANIFESTS", manifests)
        spec = JobDefinitionSpec(
            name=name,
            image=image,
            execution_role_arn=execution_role_arn,
            job_role_arn=job_role_arn,
            log_group=log_group,
            secrets=_pairs(secret, "--secret"),
            environment=environment,
            vcpu=vcpu,
            memory_mib=memory,
            timeout_s=timeout,
            attempts=attempts,
            assign_public_ip=public_ip,
        )
        done = register_definition(spec, scheduler_job_role_arn=scheduler_job_role_arn)
    for r in done:
        typer.echo(f"registered {r.name}:{r.revision} {r.arn}")


@app.command()
def submit(
    oid: list[int] = typer.Option(
        [], "--oid", metavar="N", parser=oid_number, help="A data source oid (repeat for several)."
    ),
    all_due: bool = typer.Option(False, "--all", help="Every data source whose feed is due today."),
    scraper: str | None = typer.Option(
        None, "--scraper", help="The data sources of one scraper (with --all: those due today)."
    ),
    start: str | None = typer.Option(
        None, "--start", metavar="YYYY-MM-DD", help="Default today − 730 days."
    ),
    end: str | None = typer.Option(
        None, "--end", metavar="YYYY-MM-DD", help="Exclusive; default today."
    ),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Jobs write nothing (recorded dry runs)."
    ),
    queue: str | None = typer.Option(
        None,
        "--queue",
        help="Send every job to this queue instead of each feed's (high, medium, low).",
    ),
    job_definition: str | None = typer.Option(
        None, "--job-definition", help="Default $DATAFEEDS_BATCH_JOB_DEFINITION, else datafeeds."
    ),
    manifests: str | None = typer.Option(
        None,
        "--manifests",
        envvar="DATAFEEDS_BATCH_MANIFESTS",
        help="s3://bucket/prefix for manifests.",
    ),
    chunk_size: int = typer.Option(
        2500,
        "--chunk-size",
        min=1,
        envvar="DATAFEEDS_BATCH_CHUNK_SIZE",
        help="Data sources per array child (each in its own process; one container start).",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the submissions as JSON."),
) -> None:
    """Queue a run record per data source and submit: one job for one source, array jobs (one
    call per 10,000 children per queue, each child running --chunk-size sources) for more."""
    from datafeeds_core.config import settings
    from datafeeds_core.executors.batch.aws import SubmitOptions, label_for
    from datafeeds_core.executors.batch.aws import submit as submit_sources
    from datafeeds_core.executors.local.fleet import LaunchRequest, select_sources
    from datafeeds_core.job.request import resolve_dates
    from datafeeds_core.platform.feeds import queue_name

    with errors_as_exit():
        request = LaunchRequest(all=all_due, scraper=scraper, oids=tuple(oid))
        request.check()
        today = date.today()
        first, last = resolve_dates(parse_date(start, "--start"), parse_date(end, "--end"), today)
        config = settings()
        engine = _engine()
        try:
            selection = select_sources(engine, request, today=today)
            sources = selection.sources
            options = SubmitOptions(
                start=first,
                end=last,
                job_definition=job_definition or config.batch_job_definition or "datafeeds",
                queue=queue_name(queue) if queue else config.batch_queue,
                manifests_url=manifests,
                label=label_for(sources, scraper=scraper, fleet=all_due),
                dry_run=dry_run,
                chunk_size=chunk_size,
            )
            done = submit_sources(engine, sources, options) if sources else []
        finally:
            engine.dispose()
    for key, count in selection.without_plugin.items():
        typer.echo(f"left out {count} data source(s) of {key}: no plugin installed", err=True)
    if as_json:
        typer.echo(
            json.dumps(
                [
                    {
                        "queue": s.queue,
                        "job_id": s.job_id,
                        "job_name": s.job_name,
                        "size": s.size,
                        "children": s.children,
                        "manifest": s.manifest_url,
                        "run_ids": list(s.run_ids),
                    }
                    for s in done
                ],
                indent=2,
            )
        )
        return
    if not done:
        typer.echo("no data source to submit")
    for s in done:
        kind = f"array of {s.size}" if s.manifest_url else f"run {s.run_ids[0]}"
        if s.manifest_url and s.children != s.size:
            kind += f" in {s.children} child{'ren' if s.children != 1 else ''}"
        typer.echo(f"submitted {s.job_name} to {s.queue}: job {s.job_id} ({kind})")


@app.command()
def status(
    sync: bool = typer.Option(False, "--sync", help="Write Batch's states into the run records."),
    log_group: str = LOG_GROUP_OPTION,
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Compare open Batch runs with their jobs: queued, running, finished, failed, lost."""
    from datafeeds_core.executors.batch.aws import status as batch_status

    with errors_as_exit():
        engine = _engine()
        try:
            report = batch_status(engine, sync=sync, log_group=log_group)
        finally:
            engine.dispose()
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "runs": report.runs,
                    "states": report.states,
                    "written": report.written,
                    "changes": [
                        {
                            "run_id": c.run_id,
                            "from": c.from_status,
                            "to": c.to_status,
                            "error": c.error_message,
                            "log": c.log_location,
                        }
                        for c in report.changes
                    ],
                },
                indent=2,
            )
        )
        return
    states = ", ".join(f"{k} {v}" for k, v in report.states.items()) or "none"
    typer.echo(f"{report.runs} open Batch runs; jobs: {states}")
    for c in report.changes[:50]:
        why = f": {c.error_message}" if c.error_message else ""
        typer.echo(f"run {c.run_id}: {c.from_status} -> {c.to_status}{why}")
    if len(report.changes) > 50:
        typer.echo(f"… and {len(report.changes) - 50} more (--json lists all)")
    if sync:
        typer.echo(f"updated {report.written} run records")
    elif report.changes:
        typer.echo(f"{len(report.changes)} run records differ; --sync writes them")


@app.command()
def logs(
    ref: str = typer.Argument(..., metavar="RUN_OR_JOB", help="A run id or a Batch job id."),
    log_group: str = LOG_GROUP_OPTION,
) -> None:
    """Print the CloudWatch log of a run's Batch job (every attempt)."""
    from datafeeds_core.executors.batch.aws import job_id_for, log_lines

    with errors_as_exit():
        if ref.isdigit():
            engine = _engine()
            try:
                job_id = job_id_for(engine, ref)
            finally:
                engine.dispose()
        else:
            job_id = ref
        for line in log_lines(job_id, log_group=log_group):
            typer.echo(line)
