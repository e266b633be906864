"""City of Pleasanton, CA selection on a real Urjanet database (SQLite and MariaDB):
AccountNumber as given, provider, water and irrigation meters."""

from __future__ import annotations

from datafeeds_pleasanton import KEY, PROVIDER, datafeeds_datasource

from datafeeds_core.testing import selection_suite

TestSelection = selection_suite(
    KEY,
    hook=datafeeds_datasource,
    provider=PROVIDER,
    account_number="1197",
    services=("water", "irrigation"),
    other_services=("sewer", "sanitation", "electric"),
)
