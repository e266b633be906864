"""City of El Segundo, CA selection on a real Urjanet database (SQLite and MariaDB):
RawAccountNumber as given, provider, water/sewer/irrigation/sanitation meters."""

from __future__ import annotations

from datafeeds_city_of_el_segundo import KEY, PROVIDER, datafeeds_datasource

from datafeeds_core.testing import selection_suite

TestSelection = selection_suite(
    KEY,
    hook=datafeeds_datasource,
    provider=PROVIDER,
    account_number="12-3456-00",
    services=("water", "sewer", "irrigation", "sanitation"),
    other_services=("electric",),
    column="RawAccountNumber",
)
