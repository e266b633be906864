"""`datafeeds documents fetch --oid N`: documents for bills written before their PDFs existed."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from datafeeds_core.demo.data import DEMO_ACCOUNT_NUMBER, DEMO_SERVICE_ID, demo_statements
from datafeeds_core.documents.pdf import make_pdf
from datafeeds_core.plugin_api.registry import load
from datafeeds_core.testing import DatafeedsCli, PlatformTestDatabase, UrjanetDatabases

KEY = "watauga-urjanet"


@pytest.mark.slow
def test_fetch_attaches_documents_to_written_bills_and_a_rerun_downloads_nothing(
    cli: DatafeedsCli,
    platform_db: PlatformTestDatabase,
    urjanet_databases: UrjanetDatabases,
    tmp_path: Path,
) -> None:
    urjanet = urjanet_databases.get("sqlite")
    pdfs = tmp_path / "pdfs"
    pdfs.mkdir()
    data = demo_statements(load(KEY).metadata(), date.today(), link=f"file://{pdfs}/{{pk}}.pdf")
    urjanet.seed(data)
    target = platform_db.add_target(
        KEY, utility_account_id=DEMO_ACCOUNT_NUMBER, service_id=DEMO_SERVICE_ID
    )
    env = {
        "DATAFEEDS_PLATFORM_URL": platform_db.url,
        "DATAFEEDS_URJANET_URL": urjanet.url,
        "DATAFEEDS_DOCUMENTS_URL": f"file://{tmp_path / 'store'}",
        "DATAFEEDS_DOCUMENT_ROOT": str(pdfs),
    }
    start = str(date.today() - timedelta(days=730))
    try:
        # The PDFs do not exist yet: the job writes every bill, without documents.
        job = cli("run", "--oid", str(target.data_source_oid), "--start", start, env=env)
        assert job.returncode == 0, job.stderr
        bills = platform_db.rows("bill", service=target.service_oid)
        assert len(bills) == 24 and not any(b["attachments"] for b in bills)

        for account in data.accounts:
            (pdfs / f"{account.PK}.pdf").write_bytes(make_pdf([f"statement {account.PK}"]))
        first = cli("documents", "fetch", "--oid", str(target.data_source_oid), "--json", env=env)
        assert first.returncode == 0, first.stderr
        report = json.loads(first.stdout)
        assert (report["bills"], report["matched"], report["attached"]) == (24, 24, 24)
        assert report["counts"]["fetched"] == 24 and report["failures"] == {}
        bills = platform_db.rows("bill", service=target.service_oid)
        assert all(b["attachments"] and b["attachments"][0]["kind"] == "bill" for b in bills)
        assert len(platform_db.rows("bill_document")) == 24

        again = cli("documents", "fetch", "--oid", str(target.data_source_oid), "--json", env=env)
        report = json.loads(again.stdout)
        assert report["attached"] == 0
        assert report["counts"] == {"fetched": 0, "reused": 24, "failed": 0}
        assert platform_db.rows("bill", service=target.service_oid) == bills
    finally:
        urjanet.clear()


def test_fetch_for_an_unknown_data_source_exits_3_with_one_line(
    cli: DatafeedsCli, platform_db: PlatformTestDatabase
) -> None:
    result = cli(
        "documents", "fetch", "--oid", "424242", env={"DATAFEEDS_PLATFORM_URL": platform_db.url}
    )
    assert result.returncode == 3
    assert result.stderr.strip() == "error: no meter data source with oid 424242"
