"""What the commands print: job outcomes as text, and every `--json` output (`as_json`).

Tables and progress live in `render_runs.py` (they need rich, which this module does not import).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import fields, is_dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    from datafeeds_core.job.pipeline import JobOutcome


def plural(n: int, noun: str) -> str:
    """ "1 job", "2 jobs"."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def render_outcome(outcome: JobOutcome, echo: Callable[[str], None] = typer.echo) -> None:
    """The job's outcome lines, and a one-line error on stderr when it failed."""
    from datafeeds_core.job.summary import outcome_error, outcome_lines

    for line in outcome_lines(outcome):
        echo(line)
    error = outcome_error(outcome)
    if error:
        typer.echo(error, err=True)


# ---------------------------------------------------------------- JSON


def as_json(value: Any) -> str:
    """The JSON the commands print for `value`, indented by two (see `jsonable`)."""
    import json

    return json.dumps(jsonable(value), indent=2)


def jsonable(value: Any) -> Any:
    """`value` as JSON-ready values: a result named in `_VIEWS` by its view, an object with
    `as_dict()` by that, other dataclasses field by field; dates as ISO text, durations in
    seconds."""
    view = _VIEWS.get(type(value).__name__)
    if isinstance(view, str):
        return {key: jsonable(getattr(value, name)) for key, name in _names(view)}
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


def _names(view: str) -> list[tuple[str, str]]:
    """`"a b=c"` → [("a", "a"), ("b", "c")]: JSON keys and the attributes they show."""
    return [(word.partition("=")[0], word.partition("=")[2] or word) for word in view.split()]


# The documented JSON of each result whose keys are not simply its fields (`key=attribute`
# where the key differs), or a function for a result that is shaped further. By class name, so
# rendering imports none of the modules that define them.
_VIEWS: dict[str, str | Callable[[Any], Any]] = {
    "Diagnosis": "ok checks",  # services.doctor
    "FeedsOverview": lambda o: [  # services.feeds
        {**jsonable(f), "data_sources": o.data_sources.get(f.name, 0)} for f in o.feeds
    ],
    "RunDetails": lambda d: {**jsonable(d.run), "log_tail": d.log_tail},  # services.runs
    "RunStats": "since scrapers data_sources=sources",  # platform.run_history
    "ScraperStats": "scraper runs by_status succeeded failed success_rate last_success",
    "SourceFreshness": "data_source scraper last_success staleness_s=staleness "
    "last_run=last_run_id last_status",
    "Submitted": lambda s: s.submissions,  # services.batch
    "Submission": "queue job_id job_name size children manifest=manifest_url run_ids",
    "StatusReport": "runs states written changes",  # executors.batch.aws
    "StatusChange": "run_id from=from_status to=to_status error=error_message log=log_location",
}
