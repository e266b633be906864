"""Provisioning: meters (with account, service and link) and meter data sources; meter oids."""

from __future__ import annotations

import pytest

from datafeeds_core.errors import ConfigurationError, UnknownScraper, UsageError
from datafeeds_core.platform.oids import NODE_SHIFT, OidGenerator
from datafeeds_core.platform.provisioning import (
    add_meter,
    create_data_source,
    ensure_data_source,
    ensure_meter,
)
from datafeeds_core.plugin_api.contract import PluginMetadata
from datafeeds_core.testing import PlatformTestDatabase

WATER = PluginMetadata(provider="CityOfWataugaTX", commodity="water")


def _add(db: PlatformTestDatabase, **kwargs: object) -> int:
    values: dict[str, object] = {
        "utility": "utility:watauga",
        "utility_account_id": "12-345",
        "service_id": "S-1",
        "account_name": "Watauga customer",
    }
    values.update(kwargs)
    return add_meter(db.engine, **values)  # type: ignore[arg-type]


def test_add_meter_creates_account_service_meter_and_link(
    platform_db: PlatformTestDatabase,
) -> None:
    oid = _add(platform_db, commodity="ccf", meter_name="City water")

    [account] = platform_db.rows("snapmeter_account")
    [meter] = platform_db.rows("meter")
    [service] = platform_db.rows("utility_service")
    [link] = platform_db.rows("snapmeter_account_meter")
    assert account["name"] == "Watauga customer"
    assert (meter["oid"], meter["name"], meter["commodity"], meter["kind"]) == (
        oid,
        "City water",
        "ccf",
        "main",
    )
    assert meter["service"] == service["oid"]
    assert (service["utility"], service["utility_account_id"], service["service_id"]) == (
        "utility:watauga",
        "12-345",
        "S-1",
    )
    assert (link["account"], link["meter"]) == (account["oid"], oid)


def test_add_meter_writes_the_new_services_first_snapshot(
    platform_db: PlatformTestDatabase,
) -> None:
    # The old system writes a utility_service_snapshot row for every new service; plugins read
    # the history of a service's ids from these rows.
    _add(platform_db, tariff="W-1")

    [service] = platform_db.rows("utility_service")
    [snapshot] = platform_db.rows("utility_service_snapshot")
    assert snapshot["service"] == service["oid"]
    copied = ("service_id", "utility_account_id", "utility", "tariff", "provider_type")
    assert (
        {k: snapshot[k] for k in copied}
        == {k: service[k] for k in copied}
        == {
            "service_id": "S-1",
            "utility_account_id": "12-345",
            "utility": "utility:watauga",
            "tariff": "W-1",
            "provider_type": "utility-bundled",
        }
    )
    stamps = {snapshot[k] for k in ("system_created", "system_modified", "service_modified")}
    assert len(stamps) == 1 and None not in stamps


def test_add_meter_reuses_an_account_found_by_name(platform_db: PlatformTestDatabase) -> None:
    first = _add(platform_db)
    second = _add(platform_db, service_id="S-2")

    assert first != second
    assert len(platform_db.rows("snapmeter_account")) == 1
    assert len(platform_db.rows("utility_service")) == 2  # each meter has its own service


def test_add_meter_to_an_account_by_oid(platform_db: PlatformTestDatabase) -> None:
    account = platform_db.add_account("Existing")
    oid = _add(platform_db, account_name=None, account_oid=account)
    assert platform_db.rows("snapmeter_account_meter", meter=oid)[0]["account"] == account


def test_add_meter_refuses_an_unknown_account_oid(platform_db: PlatformTestDatabase) -> None:
    with pytest.raises(ConfigurationError, match="no account with oid 777"):
        _add(platform_db, account_name=None, account_oid=777)
    assert platform_db.rows("utility_service") == []


def test_add_meter_needs_exactly_one_account_reference(platform_db: PlatformTestDatabase) -> None:
    with pytest.raises(UsageError):
        _add(platform_db, account_oid=1)
    with pytest.raises(UsageError):
        _add(platform_db, account_name=None)


def test_add_meter_refuses_a_utility_without_prefix(platform_db: PlatformTestDatabase) -> None:
    with pytest.raises(UsageError, match="utility:NAME"):
        _add(platform_db, utility="watauga")


def test_add_meter_with_a_given_oid_refuses_a_taken_one(platform_db: PlatformTestDatabase) -> None:
    assert _add(platform_db, meter_oid=4505071289158471) == 4505071289158471
    with pytest.raises(ConfigurationError, match="meter 4505071289158471 already exists"):
        _add(platform_db, meter_oid=4505071289158471)


def test_generated_meter_oids_keep_node_bits_and_fit_a_bigint(
    platform_db: PlatformTestDatabase,
) -> None:
    oids = [_add(platform_db, service_id=f"S-{i}") for i in range(3)]

    assert len(set(oids)) == 3
    assert all(0 < oid < 2**53 for oid in oids)  # JSON/JavaScript-safe, as platform oids are
    assert len({oid >> NODE_SHIFT for oid in oids}) == 1  # one process, one node


def test_oid_generator_is_unique_past_the_per_second_counter() -> None:
    generator = OidGenerator(node=1023, clock=lambda: 1_700_000_000.0)
    oids = [generator.next() for _ in range(10_000)]  # more than 4095 in the same second

    assert len(set(oids)) == len(oids)
    assert oids == sorted(oids)
    assert {oid >> NODE_SHIFT for oid in oids} == {1023}
    assert max(oids) < 2**63


def test_oid_generators_of_different_nodes_never_collide() -> None:
    clock = lambda: 1_700_000_000.0  # noqa: E731 - the same instant for both
    a, b = OidGenerator(node=1, clock=clock), OidGenerator(node=2, clock=clock)
    assert {a.next() for _ in range(100)}.isdisjoint({b.next() for _ in range(100)})


def _meter_in_account(db: PlatformTestDatabase) -> tuple[int, int]:
    account = db.add_account()
    return account, db.add_meter(db.add_service(), account=account)


def test_create_data_source_stores_key_meta_and_source_types(
    platform_db: PlatformTestDatabase, fake_plugins: dict[str, PluginMetadata]
) -> None:
    fake_plugins["watauga-urjanet"] = WATER
    fake_plugins["cca-urjanet"] = PluginMetadata(
        provider="CCA", commodity="electric", bill_type="generation-only"
    )
    account, meter = _meter_in_account(platform_db)

    full = create_data_source(platform_db.engine, account, meter, "watauga-urjanet", {"a": 1})
    partial = create_data_source(platform_db.engine, account, meter, "cca-urjanet")

    [row] = platform_db.rows("snapmeter_meter_data_source", oid=full)
    assert (row["meter"], row["name"], row["meta"], row["source_types"]) == (
        meter,
        "watauga-urjanet",
        {"a": 1},
        ["billing"],
    )
    assert row["account_data_source"] is None
    assert platform_db.rows("snapmeter_meter_data_source", oid=partial)[0]["source_types"] == [
        "partial-billing"
    ]


def test_create_data_source_refuses_an_unknown_scraper(platform_db: PlatformTestDatabase) -> None:
    account, meter = _meter_in_account(platform_db)
    with pytest.raises(UnknownScraper, match="no-such-urjanet"):
        create_data_source(platform_db.engine, account, meter, "no-such-urjanet")


def test_create_data_source_needs_the_meta_the_scraper_requires(
    platform_db: PlatformTestDatabase, fake_plugins: dict[str, PluginMetadata]
) -> None:
    fake_plugins["meta-urjanet"] = PluginMetadata(
        provider="X", commodity="electric", required_meta=("region", "rate_class")
    )
    account, meter = _meter_in_account(platform_db)
    with pytest.raises(ConfigurationError, match="needs meta keys: rate_class"):
        create_data_source(platform_db.engine, account, meter, "meta-urjanet", {"region": "n"})
    assert platform_db.rows("snapmeter_meter_data_source") == []


def test_create_data_source_refuses_missing_account_or_meter(
    platform_db: PlatformTestDatabase, fake_plugins: dict[str, PluginMetadata]
) -> None:
    fake_plugins["watauga-urjanet"] = WATER
    account, meter = _meter_in_account(platform_db)
    with pytest.raises(ConfigurationError, match="no account with oid 555"):
        create_data_source(platform_db.engine, 555, meter, "watauga-urjanet")
    with pytest.raises(ConfigurationError, match="no meter with oid 556"):
        create_data_source(platform_db.engine, account, 556, "watauga-urjanet")


def test_create_data_source_refuses_a_meter_of_another_account(
    platform_db: PlatformTestDatabase, fake_plugins: dict[str, PluginMetadata]
) -> None:
    fake_plugins["watauga-urjanet"] = WATER
    _, meter = _meter_in_account(platform_db)
    other = platform_db.add_account("Other")
    with pytest.raises(ConfigurationError, match=f"meter {meter} is not in account {other}"):
        create_data_source(platform_db.engine, other, meter, "watauga-urjanet")


def test_create_data_source_refuses_a_second_one_for_the_same_key(
    platform_db: PlatformTestDatabase, fake_plugins: dict[str, PluginMetadata]
) -> None:
    fake_plugins["watauga-urjanet"] = WATER
    account, meter = _meter_in_account(platform_db)
    first = create_data_source(platform_db.engine, account, meter, "watauga-urjanet")
    with pytest.raises(ConfigurationError, match=f"oid {first}"):
        create_data_source(platform_db.engine, account, meter, "watauga-urjanet")


def test_ensure_meter_creates_fixed_rows_once_and_then_leaves_them(
    platform_db: PlatformTestDatabase,
) -> None:
    values = {
        "account_oid": 999,
        "meter_oid": 4505071289158471,
        "utility": "utility:demo",
        "utility_account_id": "DEMO-1",
        "service_id": "DEMO-S",
    }
    assert ensure_meter(platform_db.engine, **values) == 4505071289158471  # type: ignore[arg-type]
    before = {t: platform_db.rows(t) for t in ("snapmeter_account", "meter", "utility_service")}

    assert ensure_meter(platform_db.engine, **values) == 4505071289158471  # type: ignore[arg-type]

    assert {t: platform_db.rows(t) for t in before} == before
    assert [r["oid"] for r in before["snapmeter_account"]] == [999]
    [link] = platform_db.rows("snapmeter_account_meter")
    assert (link["account"], link["meter"]) == (999, 4505071289158471)


def test_ensure_data_source_returns_the_existing_one(
    platform_db: PlatformTestDatabase, fake_plugins: dict[str, PluginMetadata]
) -> None:
    fake_plugins["watauga-urjanet"] = WATER
    account, meter = _meter_in_account(platform_db)

    first = ensure_data_source(platform_db.engine, account, meter, "watauga-urjanet")
    second = ensure_data_source(platform_db.engine, account, meter, "watauga-urjanet")

    assert first == second
    assert len(platform_db.rows("snapmeter_meter_data_source")) == 1
