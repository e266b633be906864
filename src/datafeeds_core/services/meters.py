"""`datafeeds meters`: meters (with their utility service) on the platform database."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from datafeeds_core.services.databases import platform_engine

if TYPE_CHECKING:
    from datafeeds_core.platform.listing import MeterRow


@dataclass(frozen=True)
class NewMeter:
    """A meter on a new utility service, for an account given by oid or by name."""

    utility: str
    utility_account_id: str
    service_id: str
    account_oid: int | None
    account_name: str | None
    commodity: str
    meter_name: str | None
    meter_oid: int | None  # None: a new oid


def add(meter: NewMeter) -> int:
    """Add the meter and its utility service; returns the meter oid."""
    from datafeeds_core.platform.provisioning import add_meter

    with platform_engine() as engine:
        return add_meter(engine, **asdict(meter))


def list_meters(*, account_oid: int | None) -> list[MeterRow]:
    """Every meter (of one account when given), by oid."""
    from datafeeds_core.platform.provisioning import list_meters as read

    # Not must_exist: a missing file reads as a database without the schema, as it always has.
    with platform_engine(must_exist=False) as engine:
        return read(engine, account_oid=account_oid)
