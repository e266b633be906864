"""California Water Service selection on a real Urjanet database (SQLite and MariaDB):
AccountNumber as given, provider, water and sewer meters."""

from __future__ import annotations

from datafeeds_calwater import KEY, PROVIDER, datafeeds_datasource

from datafeeds_core.testing import selection_suite

TestSelection = selection_suite(
    KEY,
    hook=datafeeds_datasource,
    provider=PROVIDER,
    account_number="2557171111",
    services=("water", "sewer"),
    other_services=("irrigation", "sanitation", "electric"),
)
