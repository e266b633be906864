"""The layer under the commands: services import nothing heavy until they run, one context
manager owns a command's engine, and one function shapes every `--json` output."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

import datafeeds_core.services
from datafeeds_core.cli.render import as_json, jsonable
from datafeeds_core.database import PLATFORM, engine_for
from datafeeds_core.errors import ConfigurationError
from datafeeds_core.executors.batch.aws import DEFAULT_CHUNK_SIZE, Submission
from datafeeds_core.executors.batch.defaults import DEFAULT_CHUNK_SIZE as LIGHT_CHUNK_SIZE

HEAVY = {"sqlalchemy", "boto3", "botocore", "httpx", "pypdf", "rich", "starlette", "uvicorn"}
# `datafeeds worker` runs a job whatever it imports: its service is Batch's worker itself.
RUN_ONLY = {"worker"}


def test_importing_a_service_imports_no_heavy_library() -> None:
    names = [
        m.name
        for m in pkgutil.iter_modules(datafeeds_core.services.__path__)
        if m.name not in RUN_ONLY
    ]
    assert {"batch", "runs", "sources", "databases"} <= set(names)
    code = (
        "import importlib, sys\n"
        f"for name in {names!r}:\n"
        "    importlib.import_module('datafeeds_core.services.' + name)\n"
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({sorted(HEAVY)!r})))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_the_batch_defaults_module_is_the_executors() -> None:
    assert DEFAULT_CHUNK_SIZE == LIGHT_CHUNK_SIZE


def test_the_engine_is_disposed_after_the_work_and_a_missing_file_is_refused(
    tmp_path: Path,
) -> None:
    missing = tmp_path / "platform.db"
    refused = pytest.raises(ConfigurationError, match="datafeeds db init")
    with refused, engine_for(f"sqlite:///{missing}", PLATFORM):
        pass
    assert not missing.exists()
    with engine_for(f"sqlite:///{missing}", PLATFORM, must_exist=False) as engine:
        pool = engine.pool
        with engine.connect() as conn:
            conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
    assert engine.pool is not pool  # dispose() closed the pool and made a new one
    assert missing.is_file()


def test_engine_errors_are_mapped_to_one_line_configuration_errors(tmp_path: Path) -> None:
    empty = tmp_path / "platform.db"
    empty.write_bytes(b"")
    mapped = pytest.raises(ConfigurationError, match="missing a table.*datafeeds db init")
    with mapped, engine_for(f"sqlite:///{empty}", PLATFORM) as engine, engine.connect() as conn:
        conn.exec_driver_sql("SELECT * FROM datafeeds_run")


@dataclass(frozen=True)
class Plain:
    day: date
    moment: datetime
    wait: timedelta
    where: Path
    tags: tuple[str, ...]


def test_as_json_writes_dataclasses_field_by_field_with_iso_dates() -> None:
    value = Plain(
        date(2026, 1, 2),
        datetime(2026, 1, 2, 3, 4, tzinfo=UTC),
        timedelta(minutes=1),
        Path("/x"),
        ("a",),
    )
    assert jsonable([value]) == [
        {
            "day": "2026-01-02",
            "moment": "2026-01-02T03:04:00+00:00",
            "wait": 60.0,
            "where": "/x",
            "tags": ["a"],
        }
    ]
    assert as_json({"a": 1}) == '{\n  "a": 1\n}'


def test_a_view_gives_the_documented_keys() -> None:
    s = Submission("q", "job-1", "fleet", (7, 8), "s3://b/m.jsonl", children=1)
    assert jsonable(s) == {
        "queue": "q",
        "job_id": "job-1",
        "job_name": "fleet",
        "size": 2,
        "children": 1,
        "manifest": "s3://b/m.jsonl",
        "run_ids": [7, 8],
    }
