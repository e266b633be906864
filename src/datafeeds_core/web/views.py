"""What each page shows, as JSON-ready data: the HTML page and its `/api/…` twin render the
same dictionary. Reads go through the platform layer; every string from the database passes
through the log redaction (rows and errors are untrusted and may carry a credential).
"""

from __future__ import annotations

import shlex
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from datafeeds_core.errors import UsageError
from datafeeds_core.logs import redact, redact_json

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from datafeeds_core.platform.run_dashboard import DayOutcome
    from datafeeds_core.platform.run_model import RunRecord

PAGE_SIZE = 50
LOG_LINES = 200
OPEN_STATUSES = ("queued", "running")
WINDOWS = (7, 30)  # days of the scrapers page's success rates; the chart covers the longest


def _iso(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None


# ---------------------------------------------------------------- runs


@dataclass(frozen=True)
class RunFilters:
    """The runs page's filters, parsed from its query string."""

    status: str | None = None
    scraper: str | None = None
    data_source: int | None = None
    executor: str | None = None
    day_from: date | None = None  # queued on or after this UTC day
    day_to: date | None = None  # queued on or before this UTC day
    before: int | None = None  # keyset: runs older than this id

    @classmethod
    def parse(cls, query: Mapping[str, str]) -> RunFilters:
        def text(name: str) -> str | None:
            value = (query.get(name) or "").strip()
            return value or None

        def number(name: str) -> int | None:
            value = text(name)
            if value is None:
                return None
            if not value.isdigit():
                raise UsageError(f"{name} must be a positive whole number, got {value!r}")
            return int(value)

        def day(name: str) -> date | None:
            value = text(name)
            try:
                return date.fromisoformat(value) if value else None
            except ValueError:
                raise UsageError(f"{name} must be a date (YYYY-MM-DD), got {value!r}") from None

        return cls(
            status=text("status"),
            scraper=text("scraper"),
            data_source=number("data_source"),
            executor=text("executor"),
            day_from=day("from"),
            day_to=day("to"),
            before=number("before"),
        )

    def as_dict(self) -> dict[str, Any]:
        """Every filter, None where not set (what the form shows)."""
        return {
            "status": self.status,
            "scraper": self.scraper,
            "data_source": self.data_source,
            "executor": self.executor,
            "from": _iso(self.day_from),
            "to": _iso(self.day_to),
            "before": self.before,
        }

    def query(self, **changes: Any) -> dict[str, str]:
        """The filters that are set, as query parameters (for links), with `changes` applied."""
        values = {
            "status": self.status,
            "scraper": self.scraper,
            "data_source": self.data_source,
            "executor": self.executor,
            "from": self.day_from,
            "to": self.day_to,
            "before": self.before,
            **changes,
        }
        return {k: str(v) for k, v in values.items() if v is not None}


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def run_row(run: RunRecord) -> dict[str, Any]:
    """A run as a line of the runs page."""
    return {
        "id": run.id,
        "status": run.status,
        "dry_run": run.dry_run,
        "scraper": run.scraper,
        "data_source": run.data_source,
        "executor": run.executor,
        "attempt": run.attempt,
        "queued_at": _iso(run.queued_at),
        "duration_s": run.duration_s,
        "counts": {k: run.counts.get(k, 0) for k in ("new", "updated", "replaced")},
        "error_class": run.error_class,
    }


def runs_page(engine: Engine, filters: RunFilters) -> dict[str, Any]:
    """A page of runs, newest first, and the id that starts the next (older) page."""
    from datafeeds_core.platform.run_history import list_runs

    runs = list_runs(
        engine,
        scraper=filters.scraper,
        data_source=filters.data_source,
        status=filters.status,
        executor=filters.executor,
        since=_midnight(filters.day_from) if filters.day_from else None,
        until=_midnight(filters.day_to) + timedelta(days=1) if filters.day_to else None,
        before=filters.before,
        limit=PAGE_SIZE + 1,
    )
    page = runs[:PAGE_SIZE]
    return {
        "filters": filters.as_dict(),
        "query": filters.query(before=None),
        "runs": [run_row(r) for r in page],
        "next_before": page[-1].id if len(runs) > PAGE_SIZE else None,
        "refreshing": any(r.status in OPEN_STATUSES for r in page),
    }


# ---------------------------------------------------------------- one run


def rerun_commands(run: RunRecord) -> list[str]:
    """The commands that run this data source again with the same dates and dry-run flag."""
    dates = []
    if run.date_start:
        dates += ["--start", run.date_start.isoformat()]
    if run.date_end:
        dates += ["--end", run.date_end.isoformat()]
    dry = ["--dry-run"] if run.dry_run else []
    if run.executor == "batch":
        argv = ["datafeeds", "batch", "submit", "--oid", str(run.data_source), *dates, *dry]
        return [shlex.join(argv)]
    return [
        shlex.join(["datafeeds", "runs", "rerun", str(run.id)]),
        shlex.join(["datafeeds", "run", "--oid", str(run.data_source), *dates, *dry]),
    ]


def log_view(run: RunRecord, log_dir: Path | None) -> dict[str, Any]:
    """The tail of a local log inside `log_dir` (the run log folder), or where a Batch run's
    CloudWatch log is. A path elsewhere is named but never read: a row could point anywhere."""
    from datafeeds_core.platform.run_history import log_tail

    location = run.log_location
    if location and location.startswith("cloudwatch:"):
        _, group, stream = (location.split(":", 2) + ["", ""])[:3]
        return {
            "kind": "cloudwatch",
            "group": group,
            "stream": stream,
            "command": shlex.join(["datafeeds", "batch", "logs", str(run.id)]),
        }
    inside = (
        location is not None
        and log_dir is not None
        and Path(location).resolve().is_relative_to(log_dir.resolve())
    )
    tail = log_tail(location, LOG_LINES) if inside else None
    if tail is None:
        return {"kind": "none", "location": redact(location) if location else None}
    return {"kind": "local", "location": redact(location or ""), "tail": [redact(t) for t in tail]}


DROPPED_KEYS = ("pk", "statement_date", "interval_start", "interval_end", "reason")
FAILURE_KEYS = ("url", "reason")
DIFF_KEYS = ("operation", "start", "end", "reason")


def _entries(value: Any, keys: tuple[str, ...]) -> list[dict[str, Any]]:
    """A stored list of records with exactly `keys` (None where missing): what older versions
    or other writers stored may lack a field or not be a list at all."""
    if not isinstance(value, list):
        return []
    return [{k: v.get(k) for k in keys} for v in value if isinstance(v, dict)]


def run_page(engine: Engine, run_id: int, log_dir: Path | None = None) -> dict[str, Any]:
    """Everything the history holds about one run; local logs are read from `log_dir` only."""
    from datafeeds_core.platform.run_records import get_run

    run = get_run(engine, run_id)
    details = redact_json(run.details) if isinstance(run.details, dict) else {}
    waited = (
        (run.started_at - run.queued_at).total_seconds()
        if run.started_at and run.queued_at
        else None
    )
    return {
        "id": run.id,
        "status": run.status,
        "refreshing": run.status in OPEN_STATUSES,
        "launch": {
            "data_source": run.data_source,
            "scraper": run.scraper,
            "meter": run.meter,
            "date_start": _iso(run.date_start),
            "date_end": _iso(run.date_end),
            "dry_run": run.dry_run,
            "executor": run.executor,
            "task_id": run.task_id,
            "batch_job_id": run.batch_job_id,
        },
        "attempt": run.attempt,
        "timings": {
            "queued_at": _iso(run.queued_at),
            "started_at": _iso(run.started_at),
            "finished_at": _iso(run.finished_at),
            "waited_s": waited,
            "duration_s": run.duration_s,
        },
        "counts": dict(run.counts),
        "error": (
            {"class": run.error_class, "message": redact(run.error_message or "")}
            if run.error_class or run.error_message
            else None
        ),
        "dropped_statements": _entries(details.get("dropped_statements"), DROPPED_KEYS),
        "document_failures": _entries(details.get("document_failures"), FAILURE_KEYS),
        "dry_run_diff": (
            _entries(redact_json(run.dry_run_diff), DIFF_KEYS) if run.dry_run else None
        ),
        "log": log_view(run, log_dir),
        "rerun": rerun_commands(run),
    }


# ---------------------------------------------------------------- scrapers


PerDay = dict[str, dict[date, dict[str, int]]]  # scraper -> day -> status -> runs


def per_scraper_day(outcomes: list[DayOutcome]) -> PerDay:
    found: PerDay = {}
    for o in outcomes:
        found.setdefault(o.scraper, {}).setdefault(o.day, {})[o.status] = o.runs
    return found


class ClosedDays:
    """Outcome counts of the days before yesterday (UTC), counted once and kept `ttl_s`
    seconds: they hardly change (a late `batch status --sync` may still move a run), and
    counting a month of a large fleet's runs on every view would make the scrapers page as
    slow as the history is long. Today and yesterday are always counted afresh."""

    def __init__(self, ttl_s: float = 300.0) -> None:
        self.ttl_s = ttl_s
        self._key: tuple[date, date] | None = None
        self._counted_at = 0.0
        self._per_day: PerDay = {}
        self._lock = threading.Lock()

    def per_day(self, engine: Engine, first: date, until: date) -> PerDay:
        """Counts of [first, until); the caller must not change them."""
        from datafeeds_core.platform.run_dashboard import daily_outcomes

        with self._lock:
            fresh = time.monotonic() - self._counted_at < self.ttl_s
            if self._key != (first, until) or not fresh:
                outcomes = daily_outcomes(engine, since=_midnight(first), until=_midnight(until))
                self._per_day = per_scraper_day(outcomes)
                self._key, self._counted_at = (first, until), time.monotonic()
            return self._per_day


def scrapers_page(
    engine: Engine, now: datetime, closed_days: ClosedDays | None = None
) -> dict[str, Any]:
    """Per scraper: runs and success rate over the last 7 and 30 days (UTC days, today
    included; finished, non-dry runs), the last success (all time), and runs per day."""
    from datafeeds_core.platform.run_dashboard import daily_outcomes, scraper_last_successes
    from datafeeds_core.platform.run_history import ScraperStats
    from datafeeds_core.web.chart import outcomes_svg

    today = now.astimezone(UTC).date()
    longest = max(WINDOWS)
    days = [today - timedelta(days=longest - 1 - i) for i in range(longest)]
    yesterday = today - timedelta(days=1)
    closed = (closed_days or ClosedDays(ttl_s=0)).per_day(engine, days[0], yesterday)
    recent = per_scraper_day(daily_outcomes(engine, since=_midnight(yesterday)))
    per_day: PerDay = {
        name: {**closed.get(name, {}), **recent.get(name, {})} for name in {*closed, *recent}
    }
    last = scraper_last_successes(engine)
    rows = []
    for name in sorted(set(last) | set(per_day)):
        daily = per_day.get(name, {})
        windows = {}
        for window in WINDOWS:
            by_status: dict[str, int] = {}
            for day in days[-window:]:
                for status, n in daily.get(day, {}).items():
                    by_status[status] = by_status.get(status, 0) + n
            s = ScraperStats(name, sum(by_status.values()), by_status, None)
            windows[f"{window}d"] = {
                "runs": s.runs,
                "succeeded": s.succeeded,
                "failed": s.failed,
                "success_rate": s.success_rate,
            }
        rows.append(
            {
                "scraper": name,
                "windows": windows,
                "last_success": _iso(last.get(name)),
                "per_day": {d.isoformat(): dict(v) for d, v in sorted(daily.items())},
                "chart": outcomes_svg(days, daily),
            }
        )
    return {"days": [days[0].isoformat(), days[-1].isoformat()], "scrapers": rows}


# ---------------------------------------------------------------- attention


def attention_page(
    engine: Engine, now: datetime, stale_days: float, broken_plugins: list[dict[str, Any]]
) -> dict[str, Any]:
    """Data sources without a success for `stale_days`, lost runs, broken plugins."""
    from datafeeds_core.platform.run_history import list_runs, source_freshness

    if stale_days < 0:
        raise UsageError(f"days must not be negative, got {stale_days}")
    stale = source_freshness(engine, now=now, stale_after=timedelta(days=stale_days))
    lost = list_runs(engine, status="lost", limit=PAGE_SIZE)
    return {
        "stale_days": stale_days,
        "stale_sources": [
            {
                "data_source": f.data_source,
                "scraper": f.scraper,
                "last_success": _iso(f.last_success),
                "stale_days": f.staleness.total_seconds() / 86400 if f.staleness else None,
                "last_run": f.last_run_id,
                "last_status": f.last_status,
            }
            for f in stale
        ],
        "lost_runs": [run_row(r) for r in lost],
        "broken_plugins": broken_plugins,
    }


def broken_plugins() -> list[dict[str, Any]]:
    """What `datafeeds plugins check` reports as not ok (imports every plugin: call once)."""
    from datafeeds_core.plugin_api.registry import check_all

    return [
        {
            "key": r.info.key,
            "status": r.status,
            "distribution": r.info.distribution,
            "version": r.info.version,
            "error": redact(r.error or ""),
        }
        for r in check_all()
        if r.status != "ok"
    ]
