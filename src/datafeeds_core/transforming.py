"""Run a plugin's transformer over Urjanet data, reporting every statement it drops."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from datafeeds_core import logs
from datafeeds_core.errors import DatafeedsError, JobFailed
from datafeeds_core.plugins import Plugin, load
from datafeeds_core.urjanet.fixture_json import load_urjanet_data, periods_json
from datafeeds_core.urjanet.model import TransformResult, UrjanetData, filter_by_date_range

log = logs.get("transform")


def run_transformer(plugin: Plugin, data: UrjanetData) -> TransformResult:
    """The plugin's transformer on `data`; a crash inside it is a job failure, in one line."""
    transformer = plugin.transformer()
    try:
        result = transformer(data)
    except DatafeedsError:
        raise
    except Exception as exc:
        raise JobFailed(f"{plugin.key} transform failed: {type(exc).__name__}: {exc}") from exc
    for d in result.dropped:
        log.warning(
            "dropped statement PK=%s (statement %s, %s to %s): %s",
            d.PK,
            d.StatementDate,
            d.IntervalStart,
            d.IntervalEnd,
            d.reason,
        )
    return result


def transform_fixture(key: str, path: Path, after: date | None = None) -> str:
    """`datafeeds urjanet transform`: fixture file in, ordered periods JSON out."""
    plugin = load(key)
    data = load_urjanet_data(path)
    if after is not None:
        data = filter_by_date_range(data, after=after)
    result = run_transformer(plugin, data)
    periods = tuple(sorted(result.periods, key=lambda p: (p.start, p.end)))
    return periods_json(periods)
