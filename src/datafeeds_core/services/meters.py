"""`datafeeds meters`: meters (with their utility service) on the platform database."""

from __future__ import annotations

from typing import TYPE_CHECKING

from datafeeds_core.services.databases import platform_engine

if TYPE_CHECKING:
    from datafeeds_core.platform.listing import MeterRow


def add(
    *,
    utility: str,
    utility_account_id: str,
    service_id: str,
    account_oid: int | None,
    account_name: str | None,
    commodity: str,
    name: str | None,
    meter_oid: int | None,
) -> int:
    """Add a meter on a new utility service to an account; returns the meter oid."""
    from datafeeds_core.platform.provisioning import add_meter

    with platform_engine() as engine:
        return add_meter(
            engine,
            utility=utility,
            utility_account_id=utility_account_id,
            service_id=service_id,
            account_oid=account_oid,
            account_name=account_name,
            commodity=commodity,
            meter_name=name,
            meter_oid=meter_oid,
        )


def list_meters(*, account_oid: int | None) -> list[MeterRow]:
    """Every meter (of one account when given), by oid."""
    from datafeeds_core.platform.provisioning import list_meters as read

    # Not must_exist: a missing file reads as a database without the schema, as it always has.
    with platform_engine(must_exist=False) as engine:
        return read(engine, account_oid=account_oid)
