"""City of Mountain View, CA selection on a real Urjanet database (SQLite and MariaDB):
AccountNumber without dots, provider, water and sewer meters."""

from __future__ import annotations

from datafeeds_mountainview import KEY, PROVIDER, datafeeds_datasource

from datafeeds_core.testing import selection_suite

TestSelection = selection_suite(
    KEY,
    hook=datafeeds_datasource,
    provider=PROVIDER,
    account_number="12345678",
    services=("water", "sewer"),
    other_services=("irrigation", "sanitation", "electric"),
    as_given=lambda n: f"{n[:4]}.{n[4:]}",
)
