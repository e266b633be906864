"""Load what one job is about: meter data source → meter → utility service."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from datafeeds_core.errors import ConfigurationError
from datafeeds_core.platform.failures import platform_errors
from datafeeds_core.platform.oids import checked_oid
from datafeeds_core.platform.schema import (
    meter,
    snapmeter_meter_data_source,
    utility_service,
    utility_service_snapshot,
)

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection


@dataclass(frozen=True)
class JobTarget:
    """A meter data source with its meter and that meter's own utility service."""

    data_source_oid: int
    scraper_key: str
    meta: Mapping[str, Any] = field(hash=False)
    source_types: tuple[str, ...]
    meter_oid: int
    meter_name: str | None
    service_oid: int
    utility: str | None
    utility_account_id: str | None
    service_id: str | None
    gen_utility_account_id: str | None
    gen_service_id: str | None
    gen_utility: str | None
    provider_type: str | None
    commodity: str | None = None  # the meter's (kw, therms, ccf)
    # Ids the service had in its utility_service_snapshot history, oldest first, no repeats:
    # utility and gen account ids; SAIDs and gen SAIDs.
    history_account_ids: tuple[str, ...] = ()
    history_service_ids: tuple[str, ...] = ()


_JSON_KINDS = {list: "array", str: "string", int: "number", float: "number", bool: "boolean"}


def find_target(conn: Connection, oid: int) -> JobTarget:
    """The job target of meter data source `oid`; ConfigurationError when any link is missing."""
    checked_oid(oid, "meter data source")
    mds = snapmeter_meter_data_source
    with platform_errors():
        source = conn.execute(select(mds).where(mds.c.oid == oid)).mappings().first()
        if source is None:
            raise ConfigurationError(f"no meter data source with oid {oid}")
        if source["meter"] is None:
            raise ConfigurationError(f"meter data source {oid} has no meter")
        found_meter = (
            conn.execute(select(meter).where(meter.c.oid == source["meter"])).mappings().first()
        )
        if found_meter is None:
            raise ConfigurationError(
                f"meter data source {oid} points at meter {source['meter']}, which does not exist"
            )
        if found_meter["service"] is None:
            raise ConfigurationError(f"meter {found_meter['oid']} has no utility service")
        service = (
            conn.execute(
                select(utility_service).where(utility_service.c.oid == found_meter["service"])
            )
            .mappings()
            .first()
        )
        if service is None:
            raise ConfigurationError(
                f"meter {found_meter['oid']} points at utility service {found_meter['service']}, "
                "which does not exist"
            )
        snapshots = (
            conn.execute(
                select(utility_service_snapshot)
                .where(utility_service_snapshot.c.service == service["oid"])
                .order_by(
                    utility_service_snapshot.c.service_modified, utility_service_snapshot.c.oid
                )
            )
            .mappings()
            .all()
        )
    if not source["name"]:
        raise ConfigurationError(f"meter data source {oid} names no scraper")
    meta = source["meta"]
    if meta is not None and not isinstance(meta, Mapping):
        # Shown by its type only: the value is whatever someone stored, maybe a credential.
        raise ConfigurationError(
            f"meter data source {oid}: meta is a JSON {_JSON_KINDS.get(type(meta), 'value')}, "
            "not an object "
            '(set it to e.g. {"key": "value"} or null)'
        )
    return JobTarget(
        data_source_oid=int(source["oid"]),
        scraper_key=str(source["name"]),
        meta=MappingProxyType(dict(meta or {})),
        source_types=tuple(source["source_types"] or ()),
        meter_oid=int(found_meter["oid"]),
        meter_name=found_meter["name"],
        service_oid=int(service["oid"]),
        utility=service["utility"],
        utility_account_id=service["utility_account_id"],
        service_id=service["service_id"],
        gen_utility_account_id=service["gen_utility_account_id"],
        gen_service_id=service["gen_service_id"],
        gen_utility=service["gen_utility"],
        provider_type=service["provider_type"],
        commodity=found_meter["commodity"],
        history_account_ids=_distinct(
            s[k] for s in snapshots for k in ("utility_account_id", "gen_utility_account_id")
        ),
        history_service_ids=_distinct(
            s[k] for s in snapshots for k in ("service_id", "gen_service_id")
        ),
    )


def _distinct(values: Iterable[str | None]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for v in values if v))
