"""`datafeeds sources`: meter data sources (which scraper runs for which meter)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from datafeeds_core.services.databases import embedded_platform_file, platform_engine

if TYPE_CHECKING:
    from datafeeds_core.platform.listing import DataSourceRow


def create(
    account_oid: int | None, meter_oid: int, scraper_key: str, meta: Mapping[str, Any]
) -> int:
    """A meter data source running `scraper_key` for the meter; returns its oid."""
    from datafeeds_core.platform.provisioning import create_data_source

    with platform_engine() as engine:
        return create_data_source(engine, account_oid, meter_oid, scraper_key, meta)


def list_sources(*, scraper: str | None, meter: int | None) -> list[DataSourceRow]:
    """Data sources by oid; read straight from the embedded SQLite file when it is one."""
    embedded = embedded_platform_file(meter)
    if embedded is not None:  # the everyday case, without importing SQLAlchemy
        from datafeeds_core.platform.listing import Unreadable
        from datafeeds_core.platform.listing import list_data_sources as read_file

        try:
            return read_file(embedded, scraper=scraper, meter_oid=meter)
        except Unreadable:
            pass
    from datafeeds_core.platform.provisioning import list_data_sources

    with platform_engine(must_exist=False) as engine:
        return list_data_sources(engine, scraper=scraper, meter_oid=meter)
