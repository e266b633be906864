"""Create accounts, meters and data sources: the services behind `datafeeds meters add` and
`datafeeds sources create`."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from datafeeds_core import logs
from datafeeds_core.errors import ConfigurationError, UsageError
from datafeeds_core.platform.failures import platform_errors
from datafeeds_core.platform.listing import DataSourceRow, MeterRow
from datafeeds_core.platform.locking import locked_transaction
from datafeeds_core.platform.oids import checked_oid, generator_for
from datafeeds_core.platform.schema import (
    SNAPSHOT_FIELDS,
    meter,
    snapmeter_account,
    snapmeter_account_meter,
    snapmeter_meter_data_source,
    utility_service,
    utility_service_snapshot,
)

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine

# Serialises provisioning (find-or-create account by name, oid checks) across processes.
PROVISIONING_LOCK_KEY = 0x6461_7461_6665_6501
SOURCE_TYPES = {"full": "billing", "generation-only": "partial-billing"}


log = logs.get("provisioning")


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)  # platform timestamps are naive UTC


def _exists(conn: Connection, table: Any, oid: int) -> bool:
    return conn.execute(select(table.c.oid).where(table.c.oid == oid)).first() is not None


def _insert_account(conn: Connection, name: str, oid: int | None = None) -> int:
    values: dict[str, Any] = {
        "hex_id": secrets.token_hex(8),
        "account_type": "free",
        "created": _now(),
        "domain": "gridium.com",
        "name": name,
        "status": "active",
        "token_login": False,
    }
    if oid is not None:
        values["oid"] = oid
    return int(
        conn.execute(
            snapmeter_account.insert().values(**values).returning(snapmeter_account.c.oid)
        ).scalar_one()
    )


def _account(conn: Connection, account_oid: int | None, account_name: str | None) -> int:
    if account_oid is not None:
        if not _exists(conn, snapmeter_account, account_oid):
            raise ConfigurationError(f"no account with oid {account_oid}")
        return account_oid
    assert account_name is not None
    found = conn.execute(
        select(snapmeter_account.c.oid).where(snapmeter_account.c.name == account_name)
    ).all()
    if len(found) > 1:
        oids = ", ".join(str(row.oid) for row in found)
        raise ConfigurationError(
            f"{len(found)} accounts are named {account_name!r} (oids {oids}): use --account-oid"
        )
    if found:
        return int(found[0].oid)
    return _insert_account(conn, account_name)


def _check_service_ids(utility: str, utility_account_id: str) -> None:
    if not utility.startswith("utility:") or utility == "utility:":
        raise UsageError(f"utility must look like 'utility:NAME', got {utility!r}")
    if not utility_account_id:
        raise UsageError("the utility account id must not be empty")


def _linked(conn: Connection, account_oid: int, meter_oid: int) -> bool:
    link = snapmeter_account_meter
    found = conn.execute(
        select(func.count())
        .select_from(link)
        .where(link.c.account == account_oid, link.c.meter == meter_oid)
    ).scalar()
    return bool(found)


def _link(conn: Connection, account_oid: int, meter_oid: int) -> None:
    conn.execute(
        snapmeter_account_meter.insert().values(
            account=account_oid, meter=meter_oid, created=_now(), snapmeter_delivery=True
        )
    )


def _insert_meter(
    conn: Connection,
    account: int,
    oid: int,
    *,
    utility: str,
    utility_account_id: str,
    service_id: str | None,
    commodity: str,
    meter_name: str | None,
    kind: str = "main",
    interval: int = 15,
    tariff: str | None = None,
    provider_type: str = "utility-bundled",
    gen_utility: str | None = None,
    gen_utility_account_id: str | None = None,
    gen_service_id: str | None = None,
) -> None:
    """A utility service of its own with its first snapshot, the meter on it, and the meter's
    link to the account."""
    fields = {
        "utility": utility,
        "utility_account_id": utility_account_id,
        "service_id": service_id,
        "tariff": tariff,
        "provider_type": provider_type,
        "gen_utility": gen_utility,
        "gen_utility_account_id": gen_utility_account_id,
        "gen_service_id": gen_service_id,
    }
    service = conn.execute(
        utility_service.insert().values(**fields, active=True).returning(utility_service.c.oid)
    ).scalar_one()
    _snapshot(conn, int(service), fields)
    conn.execute(
        meter.insert().values(
            oid=oid,
            commodity=commodity,
            interval=interval,
            kind=kind,
            name=meter_name or f"{utility_account_id} {service_id or ''}".strip(),
            service=service,
            direction="forward",
        )
    )
    _link(conn, account, oid)


def _snapshot(conn: Connection, service: int, fields: Mapping[str, Any]) -> None:
    """The service's `utility_service_snapshot` row, as the old system wrote one for every new
    service: its identifiers as of now (plugins read the history of ids from these rows)."""
    now = _now()
    conn.execute(
        utility_service_snapshot.insert().values(
            service=service,
            **{k: fields.get(k) for k in SNAPSHOT_FIELDS},
            system_created=now,
            system_modified=now,
            service_modified=now,
        )
    )


def add_meter(
    engine: Engine,
    *,
    utility: str,
    utility_account_id: str,
    service_id: str | None,
    account_oid: int | None = None,
    account_name: str | None = None,
    commodity: str = "kw",
    meter_name: str | None = None,
    meter_oid: int | None = None,
    kind: str = "main",
    interval: int = 15,
    tariff: str | None = None,
    provider_type: str = "utility-bundled",
    gen_utility: str | None = None,
    gen_utility_account_id: str | None = None,
    gen_service_id: str | None = None,
) -> int:
    """A new meter on a new utility service in an account (created by name if needed).

    Returns the meter oid: `meter_oid` when given, else a generated one (platform/oids.py).
    """
    if (account_oid is None) == (account_name is None):
        raise UsageError("give exactly one of an account oid or an account name")
    if account_oid is not None:
        checked_oid(account_oid, "account")
    if meter_oid is not None:
        checked_oid(meter_oid, "meter")
    _check_service_ids(utility, utility_account_id)
    with (
        platform_errors(),
        locked_transaction(engine, PROVISIONING_LOCK_KEY) as conn,
    ):
        account = _account(conn, account_oid, account_name)
        if meter_oid is not None and _exists(conn, meter, meter_oid):
            raise ConfigurationError(f"meter {meter_oid} already exists")
        oid = meter_oid if meter_oid is not None else _free_oid(conn)
        _insert_meter(
            conn,
            account,
            oid,
            utility=utility,
            utility_account_id=utility_account_id,
            service_id=service_id,
            commodity=commodity,
            meter_name=meter_name,
            kind=kind,
            interval=interval,
            tariff=tariff,
            provider_type=provider_type,
            gen_utility=gen_utility,
            gen_utility_account_id=gen_utility_account_id,
            gen_service_id=gen_service_id,
        )
    log.info("added meter %s to account %s (%s %s)", oid, account, utility, utility_account_id)
    return oid


def ensure_meter(
    engine: Engine,
    *,
    account_oid: int,
    meter_oid: int,
    utility: str,
    utility_account_id: str,
    service_id: str | None,
    account_name: str | None = None,
    commodity: str = "kw",
    meter_name: str | None = None,
) -> int:
    """Meter `meter_oid` in account `account_oid`, each created with that oid when missing.

    For fixed, well-known rows (the demo's); rows that exist are left as they are. On PostgreSQL
    an explicit account oid does not advance the account sequence.
    """
    _check_service_ids(utility, utility_account_id)
    with (
        platform_errors(),
        locked_transaction(engine, PROVISIONING_LOCK_KEY) as conn,
    ):
        if not _exists(conn, snapmeter_account, account_oid):
            _insert_account(conn, account_name or f"Account {account_oid}", oid=account_oid)
        if not _exists(conn, meter, meter_oid):
            _insert_meter(
                conn,
                account_oid,
                meter_oid,
                utility=utility,
                utility_account_id=utility_account_id,
                service_id=service_id,
                commodity=commodity,
                meter_name=meter_name,
            )
        elif not _linked(conn, account_oid, meter_oid):
            _link(conn, account_oid, meter_oid)
    return meter_oid


def _free_oid(conn: Connection) -> int:
    generator = generator_for(conn)
    while True:  # only SQLite's random node can collide with an existing oid
        oid = generator.next()
        if not _exists(conn, meter, oid):
            return oid


def create_data_source(
    engine: Engine,
    account_oid: int | None,
    meter_oid: int,
    scraper_key: str,
    meta: Mapping[str, Any] | None = None,
) -> int:
    """A meter data source running `scraper_key` for a meter (of the account, when one is
    given); returns its oid.

    The key must name an installed plugin (UnknownScraper otherwise) and `meta` must hold every
    key the plugin requires. A meter has at most one data source per scraper key.
    """
    from datafeeds_core.plugin_api.registry import load

    if account_oid is not None:
        checked_oid(account_oid, "account")
    checked_oid(meter_oid, "meter")
    metadata = load(scraper_key).metadata()
    meta = dict(meta or {})
    missing = metadata.missing_meta(meta)
    if missing:
        raise ConfigurationError(f"scraper {scraper_key!r} needs meta keys: {', '.join(missing)}")
    mds = snapmeter_meter_data_source
    with (
        platform_errors(),
        locked_transaction(engine, PROVISIONING_LOCK_KEY) as conn,
    ):
        if account_oid is not None and not _exists(conn, snapmeter_account, account_oid):
            raise ConfigurationError(f"no account with oid {account_oid}")
        if not _exists(conn, meter, meter_oid):
            raise ConfigurationError(f"no meter with oid {meter_oid}")
        if account_oid is not None and not _linked(conn, account_oid, meter_oid):
            raise ConfigurationError(f"meter {meter_oid} is not in account {account_oid}")
        existing = conn.execute(
            select(mds.c.oid).where(mds.c.meter == meter_oid, mds.c.name == scraper_key)
        ).first()
        if existing is not None:
            raise ConfigurationError(
                f"meter {meter_oid} already has a {scraper_key} data source (oid {existing.oid})"
            )
        result = conn.execute(
            mds.insert()
            .values(
                hex_id=secrets.token_hex(8),
                meter=meter_oid,
                name=scraper_key,
                account_data_source=None,  # Urjanet data sources have no utility login
                meta=meta,
                source_types=[SOURCE_TYPES[metadata.bill_type]],
            )
            .returning(mds.c.oid)
        )
        return int(result.scalar_one())


def ensure_data_source(
    engine: Engine,
    account_oid: int,
    meter_oid: int,
    scraper_key: str,
    meta: Mapping[str, Any] | None = None,
) -> int:
    """The meter's data source for `scraper_key`: the existing one, else a new one."""
    mds = snapmeter_meter_data_source
    with platform_errors(), engine.connect() as conn:
        existing = conn.execute(
            select(mds.c.oid).where(mds.c.meter == meter_oid, mds.c.name == scraper_key)
        ).scalar()
    if existing is not None:
        return int(existing)
    return create_data_source(engine, account_oid, meter_oid, scraper_key, meta)


# ---------------------------------------------------------------- listing


def _accounts_by_meter(conn: Connection) -> dict[int, tuple[int, ...]]:
    link = snapmeter_account_meter
    found: dict[int, list[int]] = {}
    for row in conn.execute(select(link.c.meter, link.c.account).order_by(link.c.account)):
        if row.meter is not None and row.account is not None:
            found.setdefault(int(row.meter), []).append(int(row.account))
    return {m: tuple(a) for m, a in found.items()}


def list_meters(engine: Engine, *, account_oid: int | None = None) -> list[MeterRow]:
    """Every meter (of one account when given), by oid. Two queries."""
    us = utility_service
    with platform_errors(), engine.connect() as conn:
        accounts = _accounts_by_meter(conn)
        rows = conn.execute(
            select(
                meter.c.oid,
                meter.c.name,
                meter.c.commodity,
                us.c.utility,
                us.c.utility_account_id,
                us.c.service_id,
            )
            .select_from(meter.outerjoin(us, us.c.oid == meter.c.service))
            .order_by(meter.c.oid)
        ).all()
    out = [
        MeterRow(
            int(r.oid),
            r.name,
            r.commodity,
            accounts.get(int(r.oid), ()),
            r.utility,
            r.utility_account_id,
            r.service_id,
        )
        for r in rows
    ]
    return [m for m in out if account_oid is None or account_oid in m.accounts]


def list_data_sources(
    engine: Engine, *, scraper: str | None = None, meter_oid: int | None = None
) -> list[DataSourceRow]:
    """Every meter data source (of one scraper key or meter when given), by oid. Two queries."""
    mds, us = snapmeter_meter_data_source, utility_service
    query = (
        select(
            mds.c.oid,
            mds.c.name,
            mds.c.meter,
            mds.c.meta,
            meter.c.name.label("meter_name"),
            us.c.utility_account_id,
            us.c.service_id,
        )
        .select_from(
            mds.outerjoin(meter, meter.c.oid == mds.c.meter).outerjoin(
                us, us.c.oid == meter.c.service
            )
        )
        .order_by(mds.c.oid)
    )
    if scraper is not None:
        query = query.where(mds.c.name == scraper)
    if meter_oid is not None:
        query = query.where(mds.c.meter == meter_oid)
    with platform_errors(), engine.connect() as conn:
        accounts = _accounts_by_meter(conn)
        rows = conn.execute(query).all()
    return [
        DataSourceRow(
            int(r.oid),
            r.name,
            int(r.meter) if r.meter is not None else None,
            r.meter_name,
            accounts.get(int(r.meter), ()) if r.meter is not None else (),
            r.utility_account_id,
            r.service_id,
            r.meta if isinstance(r.meta, Mapping) else {},
        )
        for r in rows
    ]
