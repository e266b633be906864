"""`datafeeds batch`: jobs on AWS Batch (job definitions, submission, status, logs)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING

from datafeeds_core.services.databases import platform_engine

if TYPE_CHECKING:
    from datafeeds_core.executors.batch.aws import Registered, StatusReport, Submission
    from datafeeds_core.executors.batch.definition import JobDefinitionSpec
    from datafeeds_core.executors.local.fleet import LaunchRequest


@dataclass(frozen=True)
class Submitted:
    submissions: list[Submission]
    # --all only: data sources left out because no plugin serves their scraper key.
    without_plugin: dict[str, int] = field(default_factory=dict)


def register(
    spec: JobDefinitionSpec, *, manifests: str | None, scheduler_job_role_arn: str | None
) -> list[Registered]:
    """A new revision of the worker's job definition (and the scheduler's, given its role); the
    manifests location goes into the environment unless it names one already."""
    from datafeeds_core.executors.batch.aws import register as register_definition

    environment = dict(spec.environment)
    if manifests:
        environment.setdefault("DATAFEEDS_BATCH_MANIFESTS", manifests)
    spec = replace(spec, environment=environment)
    return register_definition(spec, scheduler_job_role_arn=scheduler_job_role_arn)


def submit(
    request: LaunchRequest,
    *,
    start: date | None,
    end: date | None,
    dry_run: bool,
    queue: str | None,
    job_definition: str | None,
    manifests: str | None,
    chunk_size: int,
) -> Submitted:
    """Choose the data sources as `launch` does, queue a run record for each and submit them:
    one job for one source, array jobs for more. The job definition defaults to the configured
    one; every job goes to `queue` when given, else to its feed's."""
    from datafeeds_core.config import settings
    from datafeeds_core.executors.batch.aws import SubmitOptions, label_for
    from datafeeds_core.executors.batch.aws import submit as submit_sources
    from datafeeds_core.executors.batch.defaults import DEFAULT_JOB_DEFINITION
    from datafeeds_core.executors.local.fleet import select_sources
    from datafeeds_core.job.request import resolve_dates
    from datafeeds_core.platform.feeds import queue_name

    request.check()
    today = date.today()
    first, last = resolve_dates(start, end, today)
    config = settings()
    with platform_engine() as engine:
        selection = select_sources(engine, request, today=today)
        sources = selection.sources
        options = SubmitOptions(
            start=first,
            end=last,
            job_definition=job_definition or config.batch_job_definition or DEFAULT_JOB_DEFINITION,
            queue=queue_name(queue) if queue else config.batch_queue,
            manifests_url=manifests,
            label=label_for(sources, scraper=request.scraper, fleet=request.all),
            dry_run=dry_run,
            chunk_size=chunk_size,
        )
        done = submit_sources(engine, sources, options) if sources else []
    return Submitted(done, selection.without_plugin)


def status(*, sync: bool, log_group: str) -> StatusReport:
    """Open Batch runs against their jobs' states; with `sync`, the differences written."""
    from datafeeds_core.executors.batch.aws import status as batch_status

    with platform_engine() as engine:
        return batch_status(engine, sync=sync, log_group=log_group)


def logs(ref: str, *, log_group: str) -> Iterator[str]:
    """The CloudWatch log lines of a Batch job, or of the job of a run (`ref` all digits)."""
    from datafeeds_core.executors.batch.aws import job_id_for, log_lines

    job_id = ref
    if ref.isdigit():
        with platform_engine() as engine:
            job_id = job_id_for(engine, ref)
    return log_lines(job_id, log_group=log_group)
