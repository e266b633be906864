"""One job, end to end: look the data source up → open (or start) its run → load its Urjanet
statements → transform → validate and window → store documents → write bills → summary → close
the run. Each step hands the next a typed result; the executor passes in what it owns
(`JobRuntime`)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager, ExitStack
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from datafeeds_core import logs
from datafeeds_core.config import Settings
from datafeeds_core.errors import ConfigurationError, DatafeedsError, ExitCode
from datafeeds_core.job.request import JobRequest, JobRuntime
from datafeeds_core.urjanet.model import BillingPeriod, DroppedStatement

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from datafeeds_core.documents.service import StoredDocuments
    from datafeeds_core.platform.bill_plan import WriteReport
    from datafeeds_core.platform.datasources import JobTarget
    from datafeeds_core.plugin_api.registry import Plugin
    from datafeeds_core.urjanet.model import ValidatedPeriods

__all__ = ["Job", "JobOutcome", "refuse_disabled_feed", "run_job"]

log = logs.get("run")
# Under a job time limit (launch --timeout), the document step may use at most this share of
# it: the bills are written with the documents that arrived in time, never lost to a kill.
DOCUMENTS_SHARE_OF_TIMEOUT = 0.5


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


def launch_settings(target: JobTarget, start: date, end: date, task_id: str) -> list[str]:
    """The old scraper's launch banner, minus its Elasticsearch and platform host lines; no
    credential."""
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
        runtime: JobRuntime | None = None,
        *,
        today: date | None = None,
        echo: Callable[[str], None] = print,
    ) -> None:
        self.request = request
        self.settings = settings
        self.runtime = runtime or JobRuntime()
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

    def _find_target(self, engine: Engine) -> JobTarget | Exception:
        """The data source's target, or why it could not be had (recorded on the run)."""
        from datafeeds_core.database import unreachable_is_transient
        from datafeeds_core.platform.datasources import find_target

        try:
            with unreachable_is_transient("platform database"), engine.connect() as conn:
                return find_target(conn, self.request.oid)
        except Exception as exc:  # the run is opened first, then fails with it
            return exc

    def run(self) -> JobOutcome:
        from datafeeds_core.database import unreachable_is_transient
        from datafeeds_core.platform import run_records

        start, end = self.request.dates(self.today)
        task_id = self.runtime.task_id or str(uuid.uuid4())
        engine = self._platform()
        alive = ExitStack()  # the executor's hold on the run (and the log file), until it closes
        alive.enter_context(logs.bound(oid=self.request.oid))
        try:
            with unreachable_is_transient("platform database"):
                run_id = self.request.run_id
                if run_id is not None and run_records.get_run(engine, run_id).status == "cancelled":
                    # Cancelled while queued (locally or on Batch): nothing to do, and not a
                    # failure Batch should retry or report.
                    log.info("run %s was cancelled before it started; not running it", run_id)
                    return JobOutcome(run_id, "cancelled", int(ExitCode.OK))
                found = self._find_target(engine)
                target = None if isinstance(found, Exception) else found
                run_id = self._open(engine, target, task_id, start, end)
            logs.bind(run_id=run_id)
            if self.runtime.log_dir is not None:
                alive.enter_context(self._log_file(engine, self.runtime.log_dir, run_id))
            if self.runtime.hold is not None:
                alive.enter_context(self.runtime.hold(run_id))
            started = time.monotonic()
            error_class: str | None = None
            try:
                if isinstance(found, Exception):
                    raise found
                outcome = self._steps(engine, run_id, found, task_id, start, end)
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

    def _open(
        self, engine: Engine, target: JobTarget | None, task_id: str, start: date, end: date
    ) -> int:
        """Open the run with what is known of it (`target`: None when the lookup failed), or
        start the queued one with it; its id."""
        from datafeeds_core.platform import run_records

        scraper_key = target.scraper_key if target is not None else None
        meter_oid = target.meter_oid if target is not None else None
        if self.request.run_id is not None:
            run_records.start_run(
                engine, self.request.run_id, scraper_key=scraper_key, meter_oid=meter_oid
            )
            return self.request.run_id
        return run_records.open_run(
            engine,
            data_source_oid=self.request.oid,
            scraper_key=scraper_key,
            meter_oid=meter_oid,
            task_id=task_id,
            date_start=start,
            date_end=end,
            executor=self.runtime.executor,
            dry_run=self.request.dry_run,
        )

    def _log_file(self, engine: Engine, folder: Path, run_id: int) -> AbstractContextManager[None]:
        from datafeeds_core.platform.run_history import set_log_locations

        path = folder / f"{run_id}.log"
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
        self, engine: Engine, run_id: int, target: JobTarget, task_id: str, start: date, end: date
    ) -> JobOutcome:
        from datafeeds_core.documents.service import StoredDocuments
        from datafeeds_core.job.summary import billing_summary, bills_per_service
        from datafeeds_core.job.transform import checked_target, context_for, run_transformer
        from datafeeds_core.job.validation import validated
        from datafeeds_core.platform import replace_guard
        from datafeeds_core.plugin_api.registry import load
        from datafeeds_core.urjanet.loader import load_statements

        self.scraper = target.scraper_key
        logs.bind(scraper=target.scraper_key)
        if self.request.refuse_disabled_feed:
            refuse_disabled_feed(engine, target.scraper_key)
        for line in launch_settings(target, start, end, task_id):
            log.info(line)

        target = checked_target(engine, target)
        plugin = load(target.scraper_key)
        data = load_statements(self.settings.urjanet_url, plugin.selection(context_for(target)))
        log.info("loaded %d statements", len(data.accounts))
        result = run_transformer(plugin, data)
        self.dropped.extend(result.dropped)
        checked = validated(
            result.periods,
            self.today,
            start=start,
            end=end,
            max_days=plugin.metadata().max_period_days,
        )
        for d in checked.rejected:
            log.warning("rejected period %s..%s: %s", d.IntervalStart, d.IntervalEnd, d.reason)
        self.dropped.extend(checked.rejected)
        window = checked.periods
        self.counts["periods"] = len(window)

        # Dry runs store nothing, documents included.
        stored = StoredDocuments() if self.request.dry_run else self._documents(target, window)
        report = self._write(engine, plugin, target, checked, stored)
        self.counts.update(report.counts())
        self.service_counts = report.service_counts()
        self.counts["fan_out_services"] = len(self.service_counts) - 1
        with_pdf = {
            (p.start.isoformat(), p.end.isoformat()) for p, a in stored.attachments.items() if a
        }
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
        time limit (the executor's, else DATAFEEDS_JOB_TIMEOUT) at most its
        DOCUMENTS_SHARE_OF_TIMEOUT, minus the time spent so far."""
        budget = self.settings.documents_deadline_s
        limit = self.runtime.timeout_s or self.settings.job_timeout_s
        if limit is not None:
            spent = time.monotonic() - self.started
            budget = min(budget, limit * DOCUMENTS_SHARE_OF_TIMEOUT - spent)
        return max(0.0, budget)

    def _documents(self, target: JobTarget, periods: tuple[BillingPeriod, ...]) -> StoredDocuments:
        """Fetch, check and store each statement's document; failures only cost the PDF."""
        from datafeeds_core.documents.service import store_documents

        stored = store_documents(
            self.settings,
            periods,
            utility=target.utility or "",
            utility_account_id=target.utility_account_id or "",
            step_timeout=self.documents_deadline(),
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
        plugin: Plugin,
        target: JobTarget,
        periods: ValidatedPeriods,
        stored: StoredDocuments,
    ) -> WriteReport:
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


def run_job(
    request: JobRequest,
    settings: Settings,
    runtime: JobRuntime | None = None,
    *,
    today: date | None = None,
    echo: Callable[[str], None] = print,
) -> JobOutcome:
    return Job(request, settings, runtime, today=today, echo=echo).run()
