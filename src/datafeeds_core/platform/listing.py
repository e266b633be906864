"""The everyday listings (`runs list`, `sources list`) on the embedded SQLite database, read with
the standard library's sqlite3.

Those commands would otherwise spend most of their time importing SQLAlchemy (issue 16: within
1.3x of `datafeeds --help`). This path is read-only (it never creates a file) and serves only a
`sqlite:///` URL whose file exists; anything else goes through SQLAlchemy
(`run_history.list_runs`, `provisioning.list_data_sources`), which remain the definitions:
tests/platform/test_listing.py holds both to the same answers. A leaf: standard library only.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import closing, contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from datafeeds_core.platform.run_model import RUN_COLUMNS, RunRecord, check_status, run_record


@dataclass(frozen=True)
class MeterRow:
    """A meter with its utility service and the accounts it belongs to."""

    oid: int
    name: str | None
    commodity: str | None
    accounts: tuple[int, ...]
    utility: str | None
    utility_account_id: str | None
    service_id: str | None

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "accounts": list(self.accounts)}


@dataclass(frozen=True)
class DataSourceRow:
    """A meter data source: which scraper runs for which meter, with the meter's ids."""

    oid: int
    scraper: str | None
    meter: int | None
    meter_name: str | None
    accounts: tuple[int, ...]
    utility_account_id: str | None
    service_id: str | None
    meta: Mapping[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "accounts": list(self.accounts), "meta": dict(self.meta)}


def sqlite_file(url: str) -> Path | None:
    """The file of a plain `sqlite:///PATH` URL when it exists; None for anything else."""
    for prefix in ("sqlite:///", "sqlite+pysqlite:///"):
        if url.startswith(prefix):
            rest = url.removeprefix(prefix)
            if not rest or "?" in rest or rest == ":memory:":
                return None
            path = Path(rest)
            return path if path.is_file() else None
    return None


class Unreadable(Exception):
    """The file could not be read this way (no schema, locked, not a database): the caller
    goes through SQLAlchemy instead, whose errors say what is wrong and how to fix it."""


@contextmanager
def _read_only(path: Path) -> Iterator[sqlite3.Connection]:
    try:
        with closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=30)) as conn:
            conn.execute("PRAGMA busy_timeout=30000")
            yield conn
    except sqlite3.Error as exc:
        raise Unreadable(str(exc)) from exc


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _timestamp(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def _day(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value


def _stored(moment: datetime) -> str:
    """A timestamp as SQLAlchemy stores it in SQLite (naive UTC, microseconds)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")


def list_runs(
    path: Path,
    *,
    scraper: str | None = None,
    data_source: int | None = None,
    status: str | None = None,
    since: datetime | None = None,
    limit: int | None = 50,
) -> list[RunRecord]:
    """`run_history.list_runs` on the SQLite file `path`."""
    where: list[str] = []
    params: list[Any] = []
    if scraper is not None:
        where.append("scraper = ?")
        params.append(scraper)
    if data_source is not None:
        where.append("data_source = ?")
        params.append(data_source)
    if status is not None:
        where.append("status = ?")
        params.append(check_status(status))
    if since is not None:
        where.append("queued_at >= ?")
        params.append(_stored(since))
    sql = f"SELECT {', '.join(RUN_COLUMNS)} FROM datafeeds_run"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY id DESC"
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    with _read_only(path) as conn:
        rows = conn.execute(sql, params).fetchall()
    out = []
    for row in rows:
        values = dict(zip(RUN_COLUMNS, row, strict=True))
        for key in ("queued_at", "started_at", "finished_at"):
            values[key] = _timestamp(values[key])
        for key in ("date_start", "date_end"):
            values[key] = _day(values[key])
        for key in ("counts", "dry_run_diff", "details"):
            values[key] = _json(values[key])
        out.append(run_record(values))
    return out


def _accounts_by_meter(conn: sqlite3.Connection) -> dict[int, tuple[int, ...]]:
    found: dict[int, list[int]] = {}
    for meter, account in conn.execute(
        "SELECT meter, account FROM snapmeter_account_meter ORDER BY account"
    ):
        if meter is not None and account is not None:
            found.setdefault(int(meter), []).append(int(account))
    return {m: tuple(a) for m, a in found.items()}


def list_data_sources(
    path: Path, *, scraper: str | None = None, meter_oid: int | None = None
) -> list[DataSourceRow]:
    """`provisioning.list_data_sources` on the SQLite file `path`."""
    sql = (
        "SELECT mds.oid, mds.name, mds.meter, mds.meta, meter.name, us.utility_account_id, "
        "us.service_id FROM snapmeter_meter_data_source AS mds "
        "LEFT OUTER JOIN meter ON meter.oid = mds.meter "
        "LEFT OUTER JOIN utility_service AS us ON us.oid = meter.service"
    )
    where: list[str] = []
    params: list[Any] = []
    if scraper is not None:
        where.append("mds.name = ?")
        params.append(scraper)
    if meter_oid is not None:
        where.append("mds.meter = ?")
        params.append(meter_oid)
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY mds.oid"
    with _read_only(path) as conn:
        accounts = _accounts_by_meter(conn)
        rows = conn.execute(sql, params).fetchall()
    out = []
    for oid, name, meter, meta, meter_name, account_id, service_id in rows:
        meta = _json(meta)
        out.append(
            DataSourceRow(
                int(oid),
                name,
                int(meter) if meter is not None else None,
                meter_name,
                accounts.get(int(meter), ()) if meter is not None else (),
                account_id,
                service_id,
                meta if isinstance(meta, Mapping) else {},
            )
        )
    return out
