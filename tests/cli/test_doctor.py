"""`datafeeds doctor`: one line per check with a hint, exit 0 when all pass and 3 otherwise,
`--json`; it creates nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from datafeeds_core.platform.init import head_revision
from datafeeds_core.services.doctor import Check, check_batch, check_documents, diagnose
from datafeeds_core.testing import DatafeedsCli

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "docs" / "examples" / "watauga-statements.json"
NAMES = [
    "configuration",
    "platform database",
    "Urjanet database",
    "plugins",
    "document store",
    "AWS Batch",
]


def test_a_fresh_home_fails_with_hints_and_nothing_is_created(cli: DatafeedsCli) -> None:
    done = cli("doctor")

    lines = done.stdout.splitlines()
    assert done.returncode == 3 and len(lines) == len(NAMES)
    status = {name: line.split()[0] for name, line in zip(NAMES, lines, strict=True)}
    assert status == {
        "configuration": "ok",
        "platform database": "failed",
        "Urjanet database": "failed",
        "plugins": "ok",
        "document store": "ok",
        "AWS Batch": "skipped",
    }
    assert "(hint: run `datafeeds db init`)" in lines[1]
    assert "datafeeds urjanet load FILE" in lines[2]
    assert not cli.home.exists() or list(cli.home.iterdir()) == []


@pytest.mark.slow
def test_a_set_up_home_passes_and_reports_versions_as_json(cli: DatafeedsCli) -> None:
    assert cli("db", "init").returncode == 0
    assert cli("urjanet", "load", str(EXAMPLE)).returncode == 0

    text = cli("doctor")
    done = cli("doctor", "--json")

    assert text.returncode == 0, text.stdout
    report = json.loads(done.stdout)
    assert done.returncode == 0 and report["ok"] is True
    assert [c["name"] for c in report["checks"]] == NAMES
    platform = report["checks"][1]["detail"]
    assert platform.startswith("sqlite 3.") and f"revision {head_revision()}" in platform
    assert report["checks"][3]["detail"].endswith(" scraper keys import")


def test_a_wrong_setting_is_a_failed_configuration_check(cli: DatafeedsCli) -> None:
    done = cli("doctor", env={"DATAFEEDS_DOCUMENT_CONCURRENCY": "many"})
    first = done.stdout.splitlines()[0]
    assert done.returncode == 3
    assert first.startswith("failed")
    assert "DATAFEEDS_DOCUMENT_CONCURRENCY must be an integer" in first


def test_an_unreachable_platform_database_is_a_failed_check_with_a_hint(tmp_path: Path) -> None:
    env = {
        "DATAFEEDS_HOME": str(tmp_path),
        "DATAFEEDS_PLATFORM_URL": "postgresql://nobody@127.0.0.1:1/none",
    }
    diagnosis = diagnose(env, plugins=lambda: Check("plugins", "ok", "not checked here"))

    platform = diagnosis.checks[1]
    assert diagnosis.exit_code == 3 and platform.status == "failed"
    assert "DATAFEEDS_PLATFORM_URL" in platform.hint
    assert platform.detail.startswith("platform database unreachable: ")


def test_batch_settings_are_checked_only_when_batch_is_configured(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datafeeds_core.config import load

    # boto3 reads credentials from the process environment and the AWS files.
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")

    home = {"DATAFEEDS_HOME": str(tmp_path)}
    queue = {**home, "DATAFEEDS_BATCH_QUEUE": "q", "AWS_DEFAULT_REGION": "eu-west-1"}
    ready_env = {**queue, "DATAFEEDS_BATCH_MANIFESTS": "s3://bucket/manifests"}
    unset = check_batch(load(home), home)
    lacking = check_batch(load(queue), queue)
    ready = check_batch(load(ready_env), ready_env)

    assert unset.status == "skipped"
    assert lacking.status == "failed" and "DATAFEEDS_BATCH_MANIFESTS unset" in lacking.detail
    assert lacking.hint
    assert ready.status == "ok" and "region eu-west-1; queue q" in ready.detail


def test_an_unwritable_document_folder_fails(tmp_path: Path) -> None:
    import os

    from datafeeds_core.config import load

    folder = tmp_path / "docs"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        cfg = load({"DATAFEEDS_HOME": str(tmp_path), "DATAFEEDS_DOCUMENTS_URL": f"file://{folder}"})
        check = check_documents(cfg)
    finally:
        folder.chmod(0o700)
    if os.geteuid() == 0:  # root writes anywhere: the probe succeeds, and says so
        assert check.status == "ok" and "writable" in check.detail
    else:
        assert check.status == "failed" and "not writable" in check.detail
    assert list(folder.iterdir()) == []  # the probe is gone either way
