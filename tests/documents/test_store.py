"""Document stores: a local folder and S3 (moto in server mode on 127.0.0.1)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from datafeeds_core.documents.pdf import make_pdf
from datafeeds_core.documents.store import FolderStore, S3Store, store_from_url
from datafeeds_core.errors import ConfigurationError

NAME = "1e808a93-3569-dee0-9bf7-22000a29aae2"


@pytest.fixture
def pdf_file(tmp_path: Path) -> Path:
    path = tmp_path / "download.tmp"
    path.write_bytes(make_pdf(["statement"]))
    return path


def test_store_url_forms(tmp_path: Path) -> None:
    by_uri = store_from_url((tmp_path / "docs").as_uri())
    by_path = store_from_url(str(tmp_path / "docs"))
    assert isinstance(by_uri, FolderStore) and isinstance(by_path, FolderStore)
    assert by_uri.folder == by_path.folder == tmp_path / "docs"
    s3 = store_from_url("s3://bills-bucket/datafeeds/pdfs/")
    assert isinstance(s3, S3Store)
    assert (s3.bucket, s3.prefix) == ("bills-bucket", "datafeeds/pdfs/")
    assert store_from_url("s3://bills-bucket").prefix == ""  # type: ignore[union-attr]
    for bad in ("ftp://host/docs", "s3://", "file://otherhost/docs"):
        with pytest.raises(ConfigurationError):
            store_from_url(bad)


def test_folder_store_put_then_exists(tmp_path: Path, pdf_file: Path) -> None:
    store = FolderStore(tmp_path / "docs")
    assert store.exists(NAME) is None  # the folder does not exist yet
    key = store.put(NAME + ".pdf", pdf_file, "application/pdf")
    assert key == NAME + ".pdf"
    assert store.exists(NAME) == key
    assert store.path_of(key).read_bytes() == pdf_file.read_bytes()
    assert sorted(p.name for p in (tmp_path / "docs").iterdir()) == [key]  # no temporary left


def test_folder_store_finds_csv_prefers_pdf_and_ignores_lookalikes(
    tmp_path: Path, pdf_file: Path
) -> None:
    store = FolderStore(tmp_path)
    (tmp_path / f"{NAME}.html").write_text("x")
    (tmp_path / f"{NAME}x.pdf").write_text("x")
    assert store.exists(NAME) is None
    store.put(NAME + ".csv", pdf_file, "text/csv")
    assert store.exists(NAME) == NAME + ".csv"
    store.put(NAME + ".pdf", pdf_file, "application/pdf")
    assert store.exists(NAME) == NAME + ".pdf"


def test_folder_store_looks_up_a_document_without_listing_the_folder(
    tmp_path: Path, pdf_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The folder holds every job's documents: a lookup must not read all of their names.
    store = FolderStore(tmp_path)
    store.put(NAME + ".csv", pdf_file, "text/csv")

    def no_listing(*_: Any, **__: Any) -> Any:
        raise AssertionError("the folder was listed")

    for module, name in (("os", "scandir"), ("os", "listdir")):
        monkeypatch.setattr(f"{module}.{name}", no_listing)
    monkeypatch.setattr(Path, "iterdir", no_listing)
    monkeypatch.setattr(Path, "glob", no_listing)
    assert store.exists(NAME) == NAME + ".csv"
    assert store.exists("absent") is None


def test_store_rejects_names_that_escape_it(tmp_path: Path, pdf_file: Path) -> None:
    store = FolderStore(tmp_path / "docs")
    for bad in ("../x.pdf", "a/b.pdf", ".hidden.pdf", ""):
        with pytest.raises(ValueError):
            store.put(bad, pdf_file, "application/pdf")


def _count_calls(client: Any) -> dict[str, int]:
    calls: dict[str, int] = {}

    def record(event_name: str, **kwargs: Any) -> None:
        operation = event_name.rsplit(".", 1)[-1]
        calls[operation] = calls.get(operation, 0) + 1

    client.meta.events.register("before-call.s3.*", record)
    return calls


def test_s3_store_puts_inline_documents_with_content_type(bucket: str, pdf_file: Path) -> None:
    store = store_from_url(f"s3://{bucket}/bills")
    assert isinstance(store, S3Store)
    key = store.put(NAME + ".pdf", pdf_file, "application/pdf")
    assert key == f"bills/{NAME}.pdf"
    head = store.client.head_object(Bucket=bucket, Key=key)
    assert head["ContentType"] == "application/pdf"
    assert head["ContentDisposition"] == f'inline; filename="{NAME}.pdf"'
    body = store.client.get_object(Bucket=bucket, Key=key)["Body"].read()
    assert body == pdf_file.read_bytes()


def test_s3_exists_is_one_listing_not_head_requests(bucket: str, pdf_file: Path) -> None:
    store = store_from_url(f"s3://{bucket}/bills/")
    assert isinstance(store, S3Store)
    store.put(NAME + ".csv", pdf_file, "text/csv")
    store.client.put_object(Bucket=bucket, Key=f"bills/{NAME}x.pdf", Body=b"x")
    store.client.put_object(Bucket=bucket, Key=f"other/{NAME}.pdf", Body=b"x")
    calls = _count_calls(store.client)
    assert store.exists(NAME) == f"bills/{NAME}.csv"
    assert store.exists("0" * 56) is None
    assert calls == {"ListObjectsV2": 2}


def test_s3_store_without_prefix(bucket: str, pdf_file: Path) -> None:
    store = store_from_url(f"s3://{bucket}")
    assert store.exists(NAME) is None
    assert store.put(NAME + ".pdf", pdf_file, "application/pdf") == NAME + ".pdf"
    assert store.exists(NAME) == NAME + ".pdf"
