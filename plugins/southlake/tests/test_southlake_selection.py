"""City of Southlake, TX selection on a real Urjanet database (SQLite and MariaDB):
AccountNumber as given, provider, water meters."""

from __future__ import annotations

from datafeeds_southlake import KEY, PROVIDER, datafeeds_datasource

from datafeeds_core.testing import selection_suite

TestSelection = selection_suite(
    KEY,
    hook=datafeeds_datasource,
    provider=PROVIDER,
    account_number="151119177",
    services=("water",),
    other_services=("sewer", "irrigation", "sanitation", "electric"),
)
