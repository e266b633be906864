"""AWS Batch through boto3: register job definitions, submit data sources, read states back into
run records, and fetch a job's CloudWatch log.

boto3 is imported only here and only when called; region, credentials and endpoint come from the
standard AWS environment (AWS_DEFAULT_REGION, AWS_ENDPOINT_URL, a profile or a role).
"""

from __future__ import annotations

import re
import uuid
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, Protocol

from datafeeds_core import logs
from datafeeds_core.errors import ConfigurationError, TransientError, UsageError
from datafeeds_core.executors.batch import manifest
from datafeeds_core.executors.batch.defaults import DEFAULT_CHUNK_SIZE as DEFAULT_CHUNK_SIZE
from datafeeds_core.executors.batch.defaults import DEFAULT_JOB_DEFINITION, DEFAULT_LOG_GROUP
from datafeeds_core.executors.batch.definition import (
    MANIFEST_PARAMETER,
    SCHEDULER_COMMAND,
    JobDefinitionSpec,
    job_definition,
)
from datafeeds_core.job.request import JobRequest
from datafeeds_core.platform import batch_runs

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

log = logs.get("batch")

MAX_ARRAY_SIZE = 10_000  # Batch's limit for one array job
DESCRIBE_LIMIT = 100  # job ids per DescribeJobs call
_THROTTLED = ("Throttling", "ThrottlingException", "TooManyRequestsException", "ServerException")


class Source(Protocol):
    """What a submission needs of a data source (`platform.feeds.DueSource` fits)."""

    @property
    def oid(self) -> int: ...
    @property
    def scraper_key(self) -> str: ...
    @property
    def queue(self) -> str: ...


def client(service: str) -> Any:
    import boto3
    from botocore.exceptions import NoRegionError

    try:
        return boto3.session.Session().client(service)
    except NoRegionError:
        raise ConfigurationError(
            f"no AWS region for {service}: set AWS_DEFAULT_REGION (or AWS_REGION, or a profile "
            "with a region)"
        ) from None


@contextmanager
def aws_errors(what: str) -> Iterator[None]:
    """AWS failures in one line: throttling and outages are transient (75), the rest are
    configuration (3): a missing queue, a denied action, no credentials."""
    from botocore.exceptions import (
        BotoCoreError,
        ClientError,
        EndpointConnectionError,
        NoCredentialsError,
    )

    try:
        yield
    except ClientError as exc:
        error = exc.response.get("Error", {})
        code, message = error.get("Code", "ClientError"), error.get("Message", str(exc))
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        if code in _THROTTLED or status >= 500:
            raise TransientError(f"{what}: {code}: {message}") from None
        raise ConfigurationError(f"{what}: {code}: {message}") from None
    except NoCredentialsError:
        raise ConfigurationError(f"{what}: no AWS credentials found") from None
    except EndpointConnectionError as exc:
        raise TransientError(f"{what}: {exc}") from None
    except BotoCoreError as exc:
        raise ConfigurationError(f"{what}: {exc}") from None


def job_name(label: str) -> str:
    """A Batch job name: letters, digits, hyphens and underscores, at most 128."""
    name = re.sub(r"[^A-Za-z0-9_-]+", "-", label).strip("-_") or "datafeeds"
    return name[:128]


def label_for(sources: Sequence[Source], *, scraper: str | None, fleet: bool) -> str:
    """The job name's stem: the scraper, `fleet`, or `<scraper>-<oid>` for one source."""
    if fleet:
        return "fleet"
    if scraper:
        return scraper
    if len(sources) == 1:
        return f"{sources[0].scraper_key or 'datafeeds'}-{sources[0].oid}"
    return "datafeeds"


# ------------------------------------------------------------------------ register


@dataclass(frozen=True)
class Registered:
    name: str
    revision: int
    arn: str


def register(
    spec: JobDefinitionSpec, *, scheduler_job_role_arn: str | None = None, batch: Any = None
) -> list[Registered]:
    """A new revision of the worker's job definition for `spec.image`; with a scheduler role,
    also `<name>-scheduler`, the job the daily schedule runs (`datafeeds batch submit --all`)."""
    environment = {"DATAFEEDS_BATCH_JOB_DEFINITION": spec.name, **spec.environment}
    specs = [replace(spec, environment=environment)]
    if scheduler_job_role_arn:
        platform_only = {k: v for k, v in spec.secrets.items() if k == "DATAFEEDS_PLATFORM_URL"}
        specs.append(
            replace(
                spec,
                name=f"{spec.name}-scheduler",
                job_role_arn=scheduler_job_role_arn,
                environment=environment,
                secrets=platform_only,
                command=SCHEDULER_COMMAND,
                required_secrets=("DATAFEEDS_PLATFORM_URL",),
            )
        )
    payloads = [job_definition(s) for s in specs]  # all checked before anything is sent
    batch = batch or client("batch")
    done = []
    for payload in payloads:
        with aws_errors(f"registering job definition {payload['jobDefinitionName']}"):
            answer = batch.register_job_definition(**payload)
        done.append(
            Registered(
                answer["jobDefinitionName"], int(answer["revision"]), answer["jobDefinitionArn"]
            )
        )
        log.info(
            "registered %s:%s for %s", answer["jobDefinitionName"], answer["revision"], spec.image
        )
    return done


# ------------------------------------------------------------------------ submit


@dataclass(frozen=True)
class Submission:
    queue: str
    job_id: str
    job_name: str
    run_ids: tuple[int, ...]
    manifest_url: str | None  # None for a single (non-array) job
    children: int = 1  # the array's size (1: not an array job)

    @property
    def size(self) -> int:
        return len(self.run_ids)


@dataclass(frozen=True)
class SubmitOptions:
    start: date
    end: date
    job_definition: str = DEFAULT_JOB_DEFINITION
    queue: str | None = None  # every source to this queue instead of its feed's
    manifests_url: str | None = None  # s3://bucket/prefix (or file:///folder for tests)
    label: str = "datafeeds"
    dry_run: bool = False
    chunk_size: int = 1  # data sources per array child (executors/chunk.py)


def worker_arguments(oid: int, run_id: int, start: date, end: date, dry_run: bool) -> list[str]:
    """The container command of a single (non-array) job."""
    args = ["worker", "--oid", str(oid), "--run-id", str(run_id)]
    args += ["--start", start.isoformat(), "--end", end.isoformat()]
    return [*args, "--dry-run"] if dry_run else args


def _chunks(
    sources: Sequence[Source], queue: str | None, chunk_size: int = 1
) -> list[tuple[str, list[Source]]]:
    """Sources by queue, in groups one array job can take (10,000 children of `chunk_size`)."""
    by_queue: dict[str, list[Source]] = {}
    for s in sources:
        by_queue.setdefault(queue or s.queue, []).append(s)
    most = MAX_ARRAY_SIZE * chunk_size
    return [
        (q, group[i : i + most])
        for q, group in sorted(by_queue.items())
        for i in range(0, len(group), most)
    ]


def submit(
    engine: Engine,
    sources: Sequence[Source],
    options: SubmitOptions,
    *,
    batch: Any = None,
    s3: Any = None,
) -> list[Submission]:
    """Submit every source: one job for a lone source, else one array job per queue and per
    10,000 children, its manifest in S3. Each child runs `chunk_size` sources (a group that fits
    one child is a single job running the whole manifest). Each source's run record is queued
    before its job is submitted and gets its Batch job id (its child's) right after."""
    if options.start >= options.end:
        raise UsageError(f"--start {options.start} must be before --end {options.end}")
    if options.chunk_size < 1:
        raise UsageError(f"--chunk-size must be at least 1; got {options.chunk_size}")
    chunks = _chunks(sources, options.queue, options.chunk_size)
    arrays = any(len(c) > 1 for _, c in chunks)
    if arrays and not options.manifests_url:
        raise UsageError(
            "an array job needs a manifest location: set DATAFEEDS_BATCH_MANIFESTS "
            "(or --manifests) to s3://bucket/prefix"
        )
    batch = batch or client("batch")
    if s3 is None and arrays and str(options.manifests_url).startswith("s3://"):
        s3 = client("s3")  # one for every manifest: each new client loads its service model again
    done = []
    for index, (queue, chunk) in enumerate(chunks):
        label = options.label if len(chunks) == 1 else f"{options.label}-{index + 1}"
        done.append(_submit_chunk(engine, queue, chunk, options, job_name(label), batch, s3))
    return done


def _submit_chunk(
    engine: Engine,
    queue: str,
    chunk: Sequence[Source],
    options: SubmitOptions,
    name: str,
    batch: Any,
    s3: Any,
) -> Submission:
    runs = [
        batch_runs.QueuedRun(
            s.oid, s.scraper_key or None, options.start, options.end, options.dry_run
        )
        for s in chunk
    ]
    run_ids = batch_runs.open_queued_runs(engine, runs)
    children = -(-len(chunk) // options.chunk_size)  # array size: slices of chunk_size
    request: dict[str, Any] = {
        "jobName": name,
        "jobQueue": queue,
        "jobDefinition": options.job_definition,
    }
    url = None
    try:
        if len(chunk) == 1:
            command = worker_arguments(
                chunk[0].oid, run_ids[0], options.start, options.end, options.dry_run
            )
            request["containerOverrides"] = {"command": command}
        else:
            assert options.manifests_url
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
            url = f"{options.manifests_url.rstrip('/')}/{stamp}-{name}-{uuid.uuid4().hex[:8]}.json"
            entries = [
                JobRequest(s.oid, options.start, options.end, options.dry_run, run_id=r)
                for s, r in zip(chunk, run_ids, strict=True)
            ]
            manifest.write(url, entries, chunk_size=options.chunk_size, s3=s3)
            if children > 1:  # else one job runs the manifest's one slice
                request["arrayProperties"] = {"size": children}
            request["parameters"] = {MANIFEST_PARAMETER: url}
        with aws_errors(f"submitting {len(chunk)} data source(s) to {queue}"):
            job_id = str(batch.submit_job(**request)["jobId"])
    except Exception as exc:
        batch_runs.fail_unsubmitted(engine, run_ids, f"submission to Batch failed: {exc}")
        raise
    if children == 1:
        batch_runs.attach_batch_jobs(engine, dict.fromkeys(run_ids, job_id))
    else:
        k = options.chunk_size
        batch_runs.attach_batch_jobs(
            engine, {r: f"{job_id}:{i // k}" for i, r in enumerate(run_ids)}
        )
    log.info("submitted %s (%d data sources) to %s as %s", name, len(chunk), queue, job_id)
    return Submission(queue, job_id, name, tuple(run_ids), url, children)


# ------------------------------------------------------------------------ status


@dataclass(frozen=True)
class StatusReport:
    runs: int  # open Batch runs looked at
    states: dict[str, int]  # Batch state → how many of those runs' jobs are in it
    changes: list[batch_runs.StatusChange]
    written: int  # changes applied (0 without --sync)


def describe_jobs(job_ids: Sequence[str], *, batch: Any = None) -> dict[str, dict[str, Any]]:
    """Job descriptions by id, 100 per call; ids Batch does not know are absent."""
    batch = batch or client("batch")
    found: dict[str, dict[str, Any]] = {}
    unique = list(dict.fromkeys(job_ids))
    for i in range(0, len(unique), DESCRIBE_LIMIT):
        with aws_errors("describing Batch jobs"):
            answer = batch.describe_jobs(jobs=unique[i : i + DESCRIBE_LIMIT])
        for job in answer.get("jobs", []):
            found[job["jobId"]] = job
    return found


def status(
    engine: Engine,
    *,
    sync: bool = False,
    log_group: str = DEFAULT_LOG_GROUP,
    batch: Any = None,
    now: datetime | None = None,
) -> StatusReport:
    """Compare open Batch runs with their jobs' states; with `sync`, write the differences."""
    from datafeeds_core.executors.batch.states import reconcile

    runs = batch_runs.unsettled_runs(engine)
    ids = [r.batch_job_id for r in runs if r.batch_job_id]
    jobs = describe_jobs(ids, batch=batch) if ids else {}
    now = now or datetime.now(UTC)
    states: Counter[str] = Counter()
    changes = []
    for run in runs:
        job = jobs.get(run.batch_job_id) if run.batch_job_id else None
        states[job["status"] if job else "UNKNOWN"] += 1
        change = reconcile(run, job, now=now, log_group_name=log_group)
        if change is not None:
            changes.append(change)
    # A child running a slice starts each of its runs itself: its RUNNING says nothing about
    # the runs still waiting in the slice (and a run moved to running would not be started).
    job_of = {r.id: str(r.batch_job_id) for r in runs}
    starting = {c.run_id for c in changes if (c.from_status, c.to_status) == ("queued", "running")}
    if starting:
        shared = batch_runs.shared_jobs(engine, [job_of[i] for i in starting])
        changes = [c for c in changes if not (c.run_id in starting and job_of[c.run_id] in shared)]
    written = batch_runs.apply_changes(engine, changes) if sync and changes else 0
    return StatusReport(len(runs), dict(sorted(states.items())), changes, written)


# ------------------------------------------------------------------------ logs


def job_id_for(engine: Engine, ref: str) -> str:
    """A run id (digits) → its Batch job id; anything else is taken as a Batch job id."""
    if not ref.isdigit():
        return ref
    from datafeeds_core.platform.run_records import get_run

    run = get_run(engine, int(ref))
    if not run.batch_job_id:
        raise ConfigurationError(f"run {ref} has no Batch job (executor {run.executor})")
    return run.batch_job_id


def log_lines(
    job_id: str,
    *,
    log_group: str = DEFAULT_LOG_GROUP,
    batch: Any = None,
    logs_client: Any = None,
) -> Iterator[str]:
    """Every attempt's CloudWatch log of the job, oldest first, one header line per attempt."""
    from datafeeds_core.executors.batch.states import log_group as group_of

    job = describe_jobs([job_id], batch=batch).get(job_id)
    if job is None:
        raise ConfigurationError(
            f"Batch no longer knows job {job_id}; look in log group {log_group}"
        )
    group = group_of(job, log_group)
    streams = [
        (n, (a.get("container") or {}).get("logStreamName"))
        for n, a in enumerate(job.get("attempts") or [], start=1)
    ]
    streams = [(n, s) for n, s in streams if s]
    if not streams and (job.get("container") or {}).get("logStreamName"):
        streams = [(1, job["container"]["logStreamName"])]
    if not streams:
        raise ConfigurationError(f"job {job_id} is {job.get('status')} and has no log yet")
    logs_client = logs_client or client("logs")
    for attempt, stream in streams:
        yield f"== {job_id} attempt {attempt}: {group} {stream}"
        token = None
        while True:
            kwargs: dict[str, Any] = {
                "logGroupName": group,
                "logStreamName": stream,
                "startFromHead": True,
            }
            if token:
                kwargs["nextToken"] = token
            with aws_errors(f"reading log stream {stream}"):
                page = logs_client.get_log_events(**kwargs)
            for event in page.get("events", []):
                yield str(event.get("message", ""))
            if not page.get("events") or page.get("nextForwardToken") in (None, token):
                break
            token = page["nextForwardToken"]
