"""City of Foster City, CA selection on a real Urjanet database (SQLite and MariaDB):
AccountNumber without dashes, provider, water/sewer/irrigation meters."""

from __future__ import annotations

from datafeeds_fostercity import KEY, PROVIDER, datafeeds_datasource

from datafeeds_core.testing import selection_suite

TestSelection = selection_suite(
    KEY,
    hook=datafeeds_datasource,
    provider=PROVIDER,
    account_number="51155136111",
    services=("water", "sewer", "irrigation"),
    other_services=("sanitation", "electric"),
    as_given=lambda n: f"{n[:5]}-{n[5:]}",
)
