"""American Water selection on a real Urjanet database (SQLite and MariaDB):
AccountNumber without dashes, provider, water meters."""

from __future__ import annotations

from datafeeds_american import KEY, PROVIDER, datafeeds_datasource

from datafeeds_core.testing import selection_suite

TestSelection = selection_suite(
    KEY,
    hook=datafeeds_datasource,
    provider=PROVIDER,
    account_number="111522111511",
    services=("water",),
    other_services=("sewer", "irrigation", "sanitation", "electric"),
    as_given=lambda n: f"{n[:4]}-{n[4:8]}-{n[8:]}",
)
