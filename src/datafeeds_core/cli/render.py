"""What the commands print: job outcomes as text, and every `--json` output (`as_json`).

Tables and progress live in `render_runs.py` (they need rich, which this module does not import).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import fields, is_dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import typer


def plural(n: int, noun: str) -> str:
    """"1 job", "2 jobs"."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


COUNT_ORDER = (
    "periods",
    "new",
    "updated",
    "unchanged",
    "replaced",
    "skipped",
    "dropped_statements",
)


def counts_line(counts: dict[str, int]) -> str:
    keys = [k for k in COUNT_ORDER if k in counts] + sorted(set(counts) - set(COUNT_ORDER))
    return ", ".join(f"{k.replace('_', ' ')} {counts[k]}" for k in keys)


def render_outcome(outcome: Any, echo: Callable[[str], None] = typer.echo) -> None:
    """Diff (dry run), the counts line, and a one-line error on stderr when it failed."""
    if outcome.diff:
        echo("Dry run, nothing written. The bills would be:")
    for d in outcome.diff:
        echo(f"  {d['operation']:<10} {d['start']}..{d['end']}  {d.get('reason') or ''}".rstrip())
    counts = f" ({counts_line(outcome.counts)})" if "periods" in outcome.counts else ""
    echo(f"run {outcome.run_id}: {outcome.status}{counts}")
    if outcome.error:
        from datafeeds_core.logs import one_line

        typer.echo(f"error: {one_line(outcome.error)}", err=True)


# ---------------------------------------------------------------- JSON


def as_json(value: Any) -> str:
    """The JSON the commands print for `value`, indented by two (see `jsonable`)."""
    import json

    return json.dumps(jsonable(value), indent=2)


def jsonable(value: Any) -> Any:
    """`value` as JSON-ready values: a result with a view below by it (its keys are the
    documented ones where they differ from the field names), an object with `as_dict()` by
    that, other dataclasses field by field; dates as ISO text, durations in seconds."""
    view = _VIEWS.get(type(value).__name__)
    if view is not None:
        return jsonable(view(value))
    as_dict = getattr(value, "as_dict", None)
    if callable(as_dict):
        return jsonable(as_dict())
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, Mapping):
        return {key: jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(item) for item in value]
    if isinstance(value, date):  # datetimes too
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, Path):
        return str(value)
    return value


def _diagnosis(d: Any) -> dict[str, Any]:
    return {"ok": d.ok, "checks": d.checks}


def _feeds(o: Any) -> list[dict[str, Any]]:
    return [{**jsonable(f), "data_sources": o.data_sources.get(f.name, 0)} for f in o.feeds]


def _run_details(d: Any) -> dict[str, Any]:
    return {**jsonable(d.run), "log_tail": d.log_tail}


def _run_stats(s: Any) -> dict[str, Any]:
    return {"since": s.since, "scrapers": s.scrapers, "data_sources": s.sources}


def _scraper_stats(s: Any) -> dict[str, Any]:
    return {
        "scraper": s.scraper,
        "runs": s.runs,
        "by_status": dict(s.by_status),
        "succeeded": s.succeeded,
        "failed": s.failed,
        "success_rate": s.success_rate,
        "last_success": s.last_success,
    }


def _source_freshness(f: Any) -> dict[str, Any]:
    return {
        "data_source": f.data_source,
        "scraper": f.scraper,
        "last_success": f.last_success,
        # Never succeeded: None (and so does a staleness of zero, as it always has).
        "staleness_s": f.staleness.total_seconds() if f.staleness else None,
        "last_run": f.last_run_id,
        "last_status": f.last_status,
    }


def _submission(s: Any) -> dict[str, Any]:
    return {
        "queue": s.queue,
        "job_id": s.job_id,
        "job_name": s.job_name,
        "size": s.size,
        "children": s.children,
        "manifest": s.manifest_url,
        "run_ids": s.run_ids,
    }


def _batch_status(r: Any) -> dict[str, Any]:
    return {"runs": r.runs, "states": r.states, "written": r.written, "changes": r.changes}


def _status_change(c: Any) -> dict[str, Any]:
    return {
        "run_id": c.run_id,
        "from": c.from_status,
        "to": c.to_status,
        "error": c.error_message,
        "log": c.log_location,
    }


# By class name, so rendering imports none of the modules that define them.
_VIEWS: dict[str, Callable[[Any], Any]] = {
    "Diagnosis": _diagnosis,  # services.doctor
    "FeedsOverview": _feeds,  # services.feeds
    "RunDetails": _run_details,  # services.runs
    "RunStats": _run_stats,  # platform.run_history
    "ScraperStats": _scraper_stats,
    "SourceFreshness": _source_freshness,
    "Submitted": lambda s: s.submissions,  # services.batch
    "Submission": _submission,  # executors.batch.aws
    "StatusReport": _batch_status,
    "StatusChange": _status_change,  # platform.batch_runs
}
