"""A data source through its plugin: what the plugin is told of it (`context_for`), and its
transformer run over the Urjanet statements, reporting every statement it drops."""

from __future__ import annotations

from dataclasses import fields
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from datafeeds_core import logs
from datafeeds_core.errors import ConfigurationError, DatafeedsError, JobFailed
from datafeeds_core.job.validation import implausible
from datafeeds_core.plugin_api.contract import DEFAULT_MAX_PERIOD_DAYS, DataSourceContext
from datafeeds_core.plugin_api.registry import Plugin, load
from datafeeds_core.urjanet.fixture_json import load_urjanet_data, periods_json
from datafeeds_core.urjanet.model import (
    Account,
    DroppedStatement,
    TransformResult,
    UrjanetData,
    filter_by_date_range,
)

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from datafeeds_core.platform.datasources import JobTarget

log = logs.get("transform")

# Dates outside these bounds are placeholders or typing errors (9999-12-31, 0001-01-01), not
# billing dates; transformers add and subtract days, which would overflow at the ends.
EARLIEST = date(1900, 1, 1)
LATEST = date(2200, 1, 1)


def context_for(target: JobTarget) -> DataSourceContext:
    """What the plugin is told about the data source (for its Selection)."""
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


def checked_target(engine: Engine, target: JobTarget) -> JobTarget:
    """`target` as its plugin needs it, checked: a ConfigurationError (exit 3) when the data
    source's meta lacks a key the plugin requires; the service's id history added when the
    plugin's metadata asks for it."""
    from datafeeds_core.database import unreachable_is_transient
    from datafeeds_core.platform.datasources import with_service_history

    metadata = load(target.scraper_key).metadata()
    missing = metadata.missing_meta(target.meta)
    if missing:
        raise ConfigurationError(
            f"meter data source {target.data_source_oid}: scraper {target.scraper_key!r} needs "
            f"meta keys: {', '.join(missing)} (set them in the data source's meta)"
        )
    if not metadata.needs_service_history:
        return target
    with unreachable_is_transient("platform database"), engine.connect() as conn:
        return with_service_history(conn, target)


def _dates(account: Account) -> list[date | None]:
    found = [account.StatementDate, account.IntervalStart, account.IntervalEnd]
    for meter in account.meters:
        found += [meter.IntervalStart, meter.IntervalEnd]
        found += [d for u in meter.usages for d in (u.IntervalStart, u.IntervalEnd)]
    charges = account.meter_charges() + account.floating_charges
    found += [d for c in charges for d in (c.IntervalStart, c.IntervalEnd)]
    return found


def _implausible_period(account: Account, max_days: int) -> str | None:
    start, end = account.IntervalStart, account.IntervalEnd
    if start is None or end is None:
        return None
    return implausible(start, end, max_days)


def without_implausible_dates(
    data: UrjanetData, max_days: int = DEFAULT_MAX_PERIOD_DAYS
) -> tuple[UrjanetData, tuple[DroppedStatement, ...]]:
    """The statements whose every date lies in [EARLIEST, LATEST) and whose period is plausible
    (`validation.implausible`: not before 1990, at most `max_days` long), and the others as
    dropped. Set aside before the transformer runs, an absurd statement cannot push the good
    ones out of their periods (a newest statement wins an overlap)."""
    kept, dropped = [], []
    for account in data.accounts:
        odd = sorted({d for d in _dates(account) if d is not None and not EARLIEST <= d < LATEST})
        reason = (
            f"date out of range ({', '.join(d.isoformat() for d in odd)})"
            if odd
            else _implausible_period(account, max_days)
        )
        if reason:
            dropped.append(DroppedStatement.of(account, reason))
        else:
            kept.append(account)
    if not dropped:
        return data, ()
    return UrjanetData(tuple(kept)), tuple(dropped)


def run_transformer(plugin: Plugin, data: UrjanetData) -> TransformResult:
    """The plugin's transformer on `data`; a crash inside it is a job failure, in one line.
    Statements with impossible dates are dropped (and reported) before it runs."""
    transformer = plugin.transformer()
    data, set_aside = without_implausible_dates(data, plugin.metadata().max_period_days)
    try:
        result = transformer(data)
    except DatafeedsError:
        raise
    except Exception as exc:
        raise JobFailed(f"{plugin.key} transform failed: {type(exc).__name__}: {exc}") from exc
    if set_aside:
        result = TransformResult(result.periods, set_aside + result.dropped)
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
