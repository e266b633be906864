"""`find_target`: meter data source → meter → that meter's own utility service."""

from __future__ import annotations

from datetime import datetime

import pytest

from datafeeds_core.errors import ConfigurationError, ExitCode
from datafeeds_core.platform import schema
from datafeeds_core.platform.datasources import find_target, with_service_history
from datafeeds_core.testing import PlatformTestDatabase


def _find(db: PlatformTestDatabase, oid: int):  # type: ignore[no-untyped-def]
    with db.engine.connect() as conn:
        return find_target(conn, oid)


def test_target_carries_the_data_source_meter_and_service(
    platform_db: PlatformTestDatabase,
) -> None:
    service = platform_db.add_service(
        utility="utility:watauga",
        utility_account_id="12-345",
        service_id="S-1",
        gen_utility="utility:cca",
        gen_utility_account_id="G-9",
        gen_service_id="GS-1",
        provider_type="tnd-only",
    )
    meter = platform_db.add_meter(service, name="Main meter", commodity="ccf")
    oid = platform_db.add_data_source(
        meter, "watauga-urjanet", meta={"note": "x"}, source_types=("billing",)
    )

    target = _find(platform_db, oid)

    assert target.data_source_oid == oid
    assert target.scraper_key == "watauga-urjanet"
    assert dict(target.meta) == {"note": "x"}
    assert target.source_types == ("billing",)
    assert (target.meter_oid, target.meter_name, target.commodity) == (meter, "Main meter", "ccf")
    assert target.service_oid == service
    assert (target.utility, target.utility_account_id, target.service_id) == (
        "utility:watauga",
        "12-345",
        "S-1",
    )
    assert (target.gen_utility, target.gen_utility_account_id, target.gen_service_id) == (
        "utility:cca",
        "G-9",
        "GS-1",
    )
    assert target.provider_type == "tnd-only"
    assert target.history_account_ids == () and target.history_service_ids == ()


def test_service_history_lists_snapshot_ids_oldest_first(platform_db: PlatformTestDatabase) -> None:
    service = platform_db.add_service(utility_account_id="NEW", service_id="S-NEW")
    meter = platform_db.add_meter(service)
    oid = platform_db.add_data_source(meter)
    with platform_db.engine.begin() as conn:
        for month, account, said in ((3, "NEW", "S-NEW"), (1, "OLD", "S-OLD"), (2, "OLD", None)):
            stamp = datetime(2023, month, 1)
            conn.execute(
                schema.utility_service_snapshot.insert().values(
                    service=service,
                    utility_account_id=account,
                    service_id=said,
                    gen_utility_account_id="G-1" if month == 2 else None,
                    system_created=stamp,
                    system_modified=stamp,
                    service_modified=stamp,
                )
            )

    assert _find(platform_db, oid).history_account_ids == ()  # only for plugins that ask
    with platform_db.engine.connect() as conn:
        target = with_service_history(conn, _find(platform_db, oid))

    assert target.history_account_ids == ("OLD", "G-1", "NEW")
    assert target.history_service_ids == ("S-OLD", "S-NEW")


def test_unknown_oid_is_a_configuration_error(platform_db: PlatformTestDatabase) -> None:
    with pytest.raises(ConfigurationError) as err:
        _find(platform_db, 987654)
    assert str(err.value) == "no meter data source with oid 987654"
    assert err.value.exit_code == ExitCode.CONFIGURATION


def test_data_source_without_meter_is_a_configuration_error(
    platform_db: PlatformTestDatabase,
) -> None:
    oid = platform_db.add_data_source(None)
    with pytest.raises(ConfigurationError, match=f"meter data source {oid} has no meter"):
        _find(platform_db, oid)


def test_data_source_pointing_at_a_missing_meter_is_a_configuration_error(
    platform_db: PlatformTestDatabase,
) -> None:
    oid = platform_db.add_data_source(424242)
    with pytest.raises(ConfigurationError, match="meter 424242, which does not exist"):
        _find(platform_db, oid)


def test_meter_without_utility_service_is_a_configuration_error(
    platform_db: PlatformTestDatabase,
) -> None:
    meter = platform_db.add_meter(None)
    oid = platform_db.add_data_source(meter)
    with pytest.raises(ConfigurationError, match=f"meter {meter} has no utility service"):
        _find(platform_db, oid)


def test_meter_pointing_at_a_missing_service_is_a_configuration_error(
    platform_db: PlatformTestDatabase,
) -> None:
    meter = platform_db.add_meter(99999)
    oid = platform_db.add_data_source(meter)
    with pytest.raises(ConfigurationError, match="utility service 99999, which does not exist"):
        _find(platform_db, oid)
