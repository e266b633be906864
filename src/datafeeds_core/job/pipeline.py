"""One job, end to end: data source → Urjanet rows → periods → bills."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from datafeeds_core import logs
from datafeeds_core.config import Settings
from datafeeds_core.errors import ConfigurationError, DatafeedsError, ExitCode, UsageError
from datafeeds_core.executors.local.liveness import LOCAL_EXECUTORS, run_held
from datafeeds_core.urjanet.model import BillingPeriod, DroppedStatement

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from datafeeds_core.platform.datasources import JobTarget
    from datafeeds_core.plugin_api.contract import DataSourceContext

log = logs.get("run")
DEFAULT_HISTORY_DAYS = 730
# Under a job time limit (launch --timeout), the document step may use at most this share of
# it: the bills are written with the documents that arrived in time, never lost to a kill.
DOCUMENTS_SHARE_OF_TIMEOUT = 0.5


@dataclass(frozen=True)
class JobRequest:
    oid: int
    start: date | None = None
    end: date | None = None
    dry_run: bool = False
    run_id: int | None = None  # set when launch/Batch queued the run already
    executor: str = "cli"
    task_id: str | None = None
    timeout_s: float | None = None  # the job's own time limit (launch --timeout), if any
    allow_mass_replace: bool = False  # the operator accepts a plan over the replacement bound
    # `datafeeds run`: refuse a data source whose feed is disabled (`feeds set --disable`)
    # unless forced; launch and Batch choose by feed themselves.
    refuse_disabled_feed: bool = False
    # `datafeeds run`: also log into $DATAFEEDS_HOME/logs/<run id>.log and record that path, as
    # launched jobs do (their launcher already gave them a file).
    log_file: bool = False


@dataclass
class JobOutcome:
    run_id: int | None
    status: str
    exit_code: int
    periods: tuple[BillingPeriod, ...] = ()
    counts: dict[str, int] = field(default_factory=dict)
    summary: str = ""
    diff: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None
    scraper: str | None = None  # once the data source was found


def resolve_dates(start: date | None, end: date | None, today: date) -> tuple[date, date]:
    """[start, end): defaults today − 730 days and today; an empty or reversed range is refused."""
    end = end or today
    start = start or today - timedelta(days=DEFAULT_HISTORY_DAYS)
    if start >= end:
        raise UsageError(f"--start {start} must be before --end {end} (end is exclusive)")
    return start, end


def context_for(target: JobTarget) -> DataSourceContext:
    from dataclasses import fields

    from datafeeds_core.plugin_api.contract import DataSourceContext

    values: dict[str, Any] = {
        "scraper_key": target.scraper_key,
        "utility": target.utility,
        "utility_account_id": target.utility_account_id,
        "service_id": target.service_id,
        "gen_utility_account_id": target.gen_utility_account_id,
        "gen_service_id": target.gen_service_id,
        "meta": dict(target.meta or {}),
    }
    # Optional context a plugin may ask for, filled when the target knows it.
    for name in ("commodity", "history_account_ids", "history_service_ids"):
        if hasattr(target, name):
            values[name] = getattr(target, name)
    known = {f.name for f in fields(DataSourceContext)}
    return DataSourceContext(**{k: v for k, v in values.items() if k in known})


def load_statements(settings: Settings, target: JobTarget) -> Any:
    """The target's plugin and its Urjanet statements (a constant number of queries)."""
    from datafeeds_core.database import URJANET, open_existing, unreachable_is_transient
    from datafeeds_core.plugin_api.registry import load
    from datafeeds_core.urjanet.loader import load as load_rows

    plugin = load(target.scraper_key)
    selection = plugin.selection(context_for(target))
    engine = open_existing(settings.urjanet_url, URJANET)
    try:
        with unreachable_is_transient(URJANET), engine.connect() as conn:
            return plugin, load_rows(conn, selection)
    finally:
        engine.dispose()


def launch_settings(target: JobTarget, start: date, end: date, task_id: str) -> list[str]:
    """The old system's launch-settings lines, minus its search and platform hosts; no secret."""
    return [
        "Scraper Launch Settings:",
        "Enabled Features: set()",
        f"Meter Data Source OID: {target.data_source_oid}",
        f"Meter: {target.meter_name} ({target.meter_oid})",
        f"Scraper: {target.scraper_key}",
        f"Date Range: {start} - {end}",
        f"Task ID: {task_id}",
    ]


class Job:
    """Runs one request; every step's outcome ends up in the run record."""

    def __init__(
        self,
        request: JobRequest,
        settings: Settings,
        *,
        today: date | None = None,
        echo: Callable[[str], None] = print,
    ) -> None:
        self.request = request
        self.settings = settings
        self.today = today or date.today()
        self.echo = echo
        self.counts: dict[str, int] = {}
        self.scraper: str | None = None
        self.dropped: list[DroppedStatement] = []
        self.document_failures: list[dict[str, str]] = []
        self.service_counts: dict[int, dict[str, int]] = {}  # per service written
        self.started = time.monotonic()

    # -------------------------------------------------------------- steps

    def _platform(self) -> Engine:
        from datafeeds_core.database import PLATFORM, open_existing

        return open_existing(self.settings.platform_url, PLATFORM)

    def _load_statements(self, target: JobTarget) -> Any:
        return load_statements(self.settings, target)

    def run(self) -> JobOutcome:
        from datafeeds_core.database import unreachable_is_transient
        from datafeeds_core.platform import run_records

        start, end = resolve_dates(self.request.start, self.request.end, self.today)
        task_id = self.request.task_id or os.environ.get("AWS_BATCH_JOB_ID") or str(uuid.uuid4())
        engine = self._platform()
        alive = ExitStack()  # this process's liveness lock (and log file), until the run closes
        alive.enter_context(logs.bound(oid=self.request.oid))
        try:
            with unreachable_is_transient("platform database"):
                run_id = self.request.run_id
                if run_id is None:
                    run_id = run_records.open_run(
                        engine,
                        data_source_oid=self.request.oid,
                        scraper_key=None,
                        task_id=task_id,
                        date_start=start,
                        date_end=end,
                        executor=self.request.executor,
                        dry_run=self.request.dry_run,
                    )
                elif run_records.get_run(engine, run_id).status == "cancelled":
                    # Cancelled while queued (locally or on Batch): nothing to do, and not a
                    # failure Batch should retry or report.
                    log.info("run %s was cancelled before it started; not running it", run_id)
                    return JobOutcome(run_id, "cancelled", int(ExitCode.OK))
                else:
                    run_records.start_run(engine, run_id)
            logs.bind(run_id=run_id)
            if self.request.log_file:
                alive.enter_context(self._log_file(engine, run_id))
            if self.request.executor in LOCAL_EXECUTORS:  # Batch runs: `batch status --sync`
                alive.enter_context(run_held(self.settings.home, run_id))
            started = time.monotonic()
            error_class: str | None = None
            try:
                outcome = self._steps(engine, run_id, task_id, start, end)
            except DatafeedsError as exc:
                outcome = JobOutcome(run_id, "failed", int(exc.exit_code), error=str(exc))
                error_class = type(exc).__name__
            except Exception as exc:  # an unexpected bug still closes the run record
                log.exception("the job failed with an unexpected error")
                outcome = JobOutcome(
                    run_id, "failed", int(ExitCode.FAILED), error=f"{type(exc).__name__}: {exc}"
                )
                error_class = type(exc).__name__
            self.counts["dropped_statements"] = len(self.dropped)
            outcome.counts = dict(self.counts)
            outcome.scraper = self.scraper
            log.info("finished: %s in %.2fs", outcome.status, time.monotonic() - started)
            with unreachable_is_transient("platform database"):
                run_records.finish_run(
                    engine,
                    run_id,
                    status=outcome.status,
                    counts=outcome.counts,
                    error_class=error_class,
                    error_message=outcome.error,
                    dry_run_diff=outcome.diff if self.request.dry_run else None,
                    details=self._details(),
                )
            return outcome
        finally:
            alive.close()
            engine.dispose()

    def _log_file(self, engine: Engine, run_id: int) -> Any:
        from datafeeds_core.platform.run_history import set_log_locations

        path = self.settings.run_log_dir / f"{run_id}.log"
        path.parent.mkdir(parents=True, exist_ok=True)
        set_log_locations(engine, {run_id: str(path)})
        return logs.also_to_file(path, self.settings.log_format)

    def _details(self) -> dict[str, Any]:
        return {
            "dropped_statements": [
                {
                    "pk": d.PK,
                    "statement_date": d.StatementDate.isoformat() if d.StatementDate else None,
                    "interval_start": d.IntervalStart.isoformat() if d.IntervalStart else None,
                    "interval_end": d.IntervalEnd.isoformat() if d.IntervalEnd else None,
                    "reason": d.reason,
                }
                for d in self.dropped
            ],
            "document_failures": self.document_failures,
            "services": [
                {"service": oid, "fan_out": i > 0, **counts}
                for i, (oid, counts) in enumerate(self.service_counts.items())
            ],
        }

    def _steps(
        self, engine: Engine, run_id: int, task_id: str, start: date, end: date
    ) -> JobOutcome:
        from datafeeds_core.database import unreachable_is_transient
        from datafeeds_core.job.summary import billing_summary, bills_per_service
        from datafeeds_core.job.transform import run_transformer
        from datafeeds_core.job.validation import in_window, validate_periods
        from datafeeds_core.platform import replace_guard, run_records
        from datafeeds_core.platform.datasources import find_target

        with unreachable_is_transient("platform database"), engine.connect() as conn:
            target = find_target(conn, self.request.oid)
        run_records.set_target(
            engine, run_id, scraper_key=target.scraper_key, meter_oid=target.meter_oid
        )
        self.scraper = target.scraper_key
        logs.bind(scraper=target.scraper_key)
        if self.request.refuse_disabled_feed:
            refuse_disabled_feed(engine, target.scraper_key)
        for line in launch_settings(target, start, end, task_id):
            log.info(line)

        plugin, data = self._load_statements(target)
        log.info("loaded %d statements", len(data.accounts))
        result = run_transformer(plugin, data)
        self.dropped.extend(result.dropped)
        max_days = plugin.metadata().max_period_days
        periods, rejected = validate_periods(result.periods, self.today, max_days)
        for d in rejected:
            log.warning("rejected period %s..%s: %s", d.IntervalStart, d.IntervalEnd, d.reason)
        self.dropped.extend(rejected)
        window = in_window(periods, start, end)
        self.counts["periods"] = len(window)

        # Dry runs store nothing, documents included.
        stored = StoredDocuments() if self.request.dry_run else self._documents(target, window)
        attachments = stored.attachments
        report = self._write(engine, plugin, target, window, start, end, stored)
        self.counts.update(report.counts())
        self.service_counts = report.service_counts()
        self.counts["fan_out_services"] = len(self.service_counts) - 1
        with_pdf = {(p.start.isoformat(), p.end.isoformat()) for p, a in attachments.items() if a}
        summary = billing_summary(window, with_pdf)
        if len(self.service_counts) > 1:
            summary += "\n" + bills_per_service(report.service_oid, self.service_counts)
        self.echo(summary)

        if self.request.dry_run:
            status = "dry-run"
        elif report.has_changes:
            status = "succeeded"
        else:
            status = "no-new-data"
        diff = [d.as_dict() for d in report.decisions] if self.request.dry_run else []
        refused = replace_guard.refusal(report.decisions)
        if self.request.dry_run and refused and not self.request.allow_mass_replace:
            self.echo(f"dry run: {refused}")
        return JobOutcome(run_id, status, int(ExitCode.OK), window, summary=summary, diff=diff)

    def documents_deadline(self) -> float:
        """Seconds the document step may take: DATAFEEDS_DOCUMENTS_DEADLINE, and under a job
        time limit (launch --timeout, else DATAFEEDS_JOB_TIMEOUT) at most its
        DOCUMENTS_SHARE_OF_TIMEOUT, minus the time spent so far."""
        budget = self.settings.documents_deadline_s
        limit = self.request.timeout_s or self.settings.job_timeout_s
        if limit is not None:
            spent = time.monotonic() - self.started
            budget = min(budget, limit * DOCUMENTS_SHARE_OF_TIMEOUT - spent)
        return max(0.0, budget)

    def _documents(self, target: JobTarget, periods: tuple[BillingPeriod, ...]) -> StoredDocuments:
        """Fetch, check and store each statement's document; failures only cost the PDF."""
        stored = store_documents(
            self.settings, target, periods, step_timeout=self.documents_deadline()
        )
        report = stored.report
        if report is None:
            return stored
        counts = report.counts()
        for outcome in ("fetched", "reused", "failed"):
            self.counts[f"documents_{outcome}"] = counts.get(outcome, 0)
        self.document_failures.extend(
            {"url": url, "reason": reason} for url, reason in report.failures().items()
        )
        return stored

    def _write(
        self,
        engine: Engine,
        plugin: Any,
        target: JobTarget,
        periods: tuple[BillingPeriod, ...],
        start: date,
        end: date,
        stored: StoredDocuments,
    ) -> Any:
        from datafeeds_core.platform import bill_writer

        writer = (
            bill_writer.write_partial_bills
            if plugin.metadata().bill_type == "generation-only"
            else bill_writer.write_bills
        )
        return writer(
            engine,
            target,
            periods,
            start,
            end,
            today=self.today,
            dry_run=self.request.dry_run,
            attachments=stored.attachments,
            allow_mass_replace=self.request.allow_mass_replace,
            in_transaction=stored.record,  # bill_document rows commit with their bills
        )


def refuse_disabled_feed(engine: Engine, scraper_key: str) -> None:
    """ConfigurationError when the scraper's feed configuration says it is disabled."""
    from datafeeds_core.database import unreachable_is_transient
    from datafeeds_core.platform.feeds import get_feed

    with unreachable_is_transient("platform database"), engine.connect() as conn:
        feed = get_feed(conn, scraper_key)
    if feed is not None and not feed.enabled:
        raise ConfigurationError(
            f"the feed {scraper_key} is disabled (datafeeds feeds set {scraper_key} --enable); "
            "add --force to run it anyway"
        )


def run_job(request: JobRequest, settings: Settings, **kwargs: Any) -> JobOutcome:
    return Job(request, settings, **kwargs).run()


@dataclass(frozen=True)
class StoredDocuments:
    """The document step's outcome: the report (None when no period links a document), each
    period's attachment entries, and the `bill_document` rows to write with the bills."""

    report: Any = None
    attachments: dict[BillingPeriod, list[dict[str, str]]] = field(default_factory=dict)
    rows: tuple[Any, ...] = ()

    def record(self, conn: Any) -> None:
        """Upsert the rows in the caller's transaction (the bills' own)."""
        if self.rows:
            from datafeeds_core.documents.records import record_documents

            record_documents(conn, self.rows)


def store_documents(
    settings: Settings,
    target: JobTarget,
    periods: tuple[BillingPeriod, ...],
    *,
    step_timeout: float | None = None,
) -> StoredDocuments:
    """Fetch, check and store the documents of `periods` (within `step_timeout` seconds, by
    default DATAFEEDS_DOCUMENTS_DEADLINE); their bill_document rows are returned, not written.

    A document that cannot be had costs only itself, never a bill.
    """
    from datafeeds_core.documents.policy import SourcePolicy
    from datafeeds_core.documents.service import (
        attachments_for,
        bill_documents_for,
        collect_documents,
    )
    from datafeeds_core.documents.store import store_from_url

    urls = [u for p in periods for u in p.source_urls]
    if not urls:
        return StoredDocuments()
    report = collect_documents(
        urls,
        store_from_url(settings.documents_url),
        http_user=settings.urjanet_http_user,
        http_password=settings.urjanet_http_password,
        concurrency=settings.document_concurrency,
        timeout=settings.document_timeout_s,
        step_timeout=settings.documents_deadline_s if step_timeout is None else step_timeout,
        policy=SourcePolicy.from_settings(settings),
    )
    rows = tuple(
        row
        for p in periods
        for row in bill_documents_for(
            p,
            report,
            utility=target.utility or "",
            utility_account_id=target.utility_account_id or "",
        )
    )
    attachments = {p: attachments_for(p.source_urls, report) for p in periods}
    return StoredDocuments(report, attachments, rows)
