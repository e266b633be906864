"""City of Bellevue, WA selection on a real Urjanet database (SQLite and MariaDB):
AccountNumber as given, provider, water/sewer/irrigation/sanitation meters."""

from __future__ import annotations

from datafeeds_city_of_bellevue import KEY, PROVIDER, datafeeds_datasource

from datafeeds_core.testing import selection_suite

TestSelection = selection_suite(
    KEY,
    hook=datafeeds_datasource,
    provider=PROVIDER,
    account_number="04212006",
    services=("water", "sewer", "irrigation", "sanitation"),
    other_services=("electric",),
)
