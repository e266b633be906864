"""What each page shows, as JSON-ready data: the HTML page and its `/api/…` twin render the
same dictionary. Reads go through the platform layer; every string from the database passes
through the log redaction (rows and errors are untrusted and may carry a credential).
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from datafeeds_core.errors import UsageError
from datafeeds_core.logs import redact, redact_json

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from datafeeds_core.platform.run_records import RunRecord

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


def log_view(run: RunRecord) -> dict[str, Any]:
    """The tail of a local log, or where a Batch run's CloudWatch log is."""
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
    tail = log_tail(location, LOG_LINES)
    if tail is None:
        return {"kind": "none", "location": redact(location) if location else None}
    return {"kind": "local", "location": redact(location or ""), "tail": [redact(t) for t in tail]}


def run_page(engine: Engine, run_id: int) -> dict[str, Any]:
    """Everything the history holds about one run."""
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
        "dropped_statements": list(details.get("dropped_statements") or []),
        "document_failures": list(details.get("document_failures") or []),
        "dry_run_diff": redact_json(run.dry_run_diff) if run.dry_run else None,
        "log": log_view(run),
        "rerun": rerun_commands(run),
    }


# ---------------------------------------------------------------- scrapers


def scrapers_page(engine: Engine, now: datetime) -> dict[str, Any]:
    """Per scraper: runs and success rate over 7 and 30 days, last success, runs per day."""
    from datafeeds_core.platform.run_dashboard import (
        daily_outcomes,
        last_successes,
        scraper_keys,
    )
    from datafeeds_core.platform.run_history import scraper_stats
    from datafeeds_core.web.chart import outcomes_svg

    today = now.astimezone(UTC).date()
    longest = max(WINDOWS)
    first_day = today - timedelta(days=longest - 1)
    stats = {
        days: {s.scraper: s for s in scraper_stats(engine, since=now - timedelta(days=days))}
        for days in WINDOWS
    }
    per_day: dict[str, dict[date, dict[str, int]]] = {}
    for o in daily_outcomes(engine, since=_midnight(first_day)):
        per_day.setdefault(o.scraper, {}).setdefault(o.day, {})[o.status] = o.runs
    names = sorted(set(scraper_keys(engine)) | set(per_day))
    last = last_successes(engine, names)
    days = [first_day + timedelta(days=i) for i in range(longest)]
    rows = []
    for name in names:
        windows = {}
        for window in WINDOWS:
            s = stats[window].get(name)
            windows[f"{window}d"] = {
                "runs": s.runs if s else 0,
                "succeeded": s.succeeded if s else 0,
                "failed": s.failed if s else 0,
                "success_rate": s.success_rate if s else None,
            }
        daily = per_day.get(name, {})
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
    from datafeeds_core.plugins import check_all

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
