"""City of Colleyville, TX selection on a real Urjanet database (SQLite and MariaDB):
AccountNumber before the first dash, provider, water/sewer/irrigation meters."""

from __future__ import annotations

from datafeeds_colleyville import KEY, PROVIDER, datafeeds_datasource

from datafeeds_core.testing import selection_suite

TestSelection = selection_suite(
    KEY,
    hook=datafeeds_datasource,
    provider=PROVIDER,
    account_number="11115519",
    services=("water", "sewer", "irrigation"),
    other_services=("sanitation", "electric"),
    as_given=lambda n: f" {n} -01",
)
