"""Where bill documents are kept: a local folder (`file://`, the default) or S3 (`s3://bucket/prefix`).

A store works with *names* (`<statement id>.pdf`) and answers with *keys*: the reference that goes
into `bill.attachments` and `bill_document.s3_key` (for S3, the object key including the prefix).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit

from datafeeds_core.errors import ConfigurationError

KNOWN_EXTENSIONS = (".pdf", ".csv")  # in order of preference when both exist
STORAGE_CLASS = "STANDARD_IA"  # as the system we replace: bills are kept long and read rarely


class DocumentStore(Protocol):
    url: str

    def exists(self, name: str) -> str | None:
        """The key of `<name>.pdf` or `<name>.csv` if stored (PDF preferred), found without
        downloading: one listing on S3, a look at each name in a folder."""
        ...

    def put(self, name: str, path: Path, content_type: str) -> str:
        """Store the file at `path` as `name` (with extension); return its key."""
        ...


def _pick(name: str, candidates: list[str]) -> str | None:
    """The stored name among `candidates` for `name`, preferring PDF over CSV."""
    for ext in KNOWN_EXTENSIONS:
        if name + ext in candidates:
            return name + ext
    return None


def _check_name(name: str) -> None:
    if not name or "/" in name or "\\" in name or name.startswith("."):
        raise ValueError(f"not a document name: {name!r}")


class FolderStore:
    """Documents as files in one folder; keys are the file names."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.url = folder.resolve().as_uri()

    def exists(self, name: str) -> str | None:
        _check_name(name)
        # A look at each known name, not a listing: the folder holds the documents of every
        # job, and a listing per document made a job's lookups grow with all of them.
        for ext in KNOWN_EXTENSIONS:
            if (self.folder / (name + ext)).is_file():
                return name + ext
        return None

    def put(self, name: str, path: Path, content_type: str) -> str:
        _check_name(name)
        self.folder.mkdir(parents=True, exist_ok=True)
        # Copy then rename, so a reader never sees half a document and a crash leaves no stub.
        fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as out, path.open("rb") as src:
                shutil.copyfileobj(src, out)
            os.replace(tmp, self.folder / name)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return name

    def path_of(self, key: str) -> Path:
        _check_name(key)
        return self.folder / key


class S3Store:
    """Documents as objects in a bucket under an optional prefix (boto3 is imported lazily)."""

    def __init__(self, bucket: str, prefix: str = "", client: Any = None) -> None:
        if not bucket:
            raise ConfigurationError("an s3:// document store needs a bucket name")
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.url = f"s3://{bucket}/{self.prefix}"
        self._client = client
        self._lock = threading.Lock()

    @property
    def client(self) -> Any:
        # Clients are thread-safe, but creating one is not: build it once, under a lock.
        with self._lock:
            if self._client is None:
                import boto3

                self._client = boto3.session.Session().client("s3")
            return self._client

    def exists(self, name: str) -> str | None:
        _check_name(name)
        listing = self.client.list_objects_v2(
            Bucket=self.bucket, Prefix=f"{self.prefix}{name}.", MaxKeys=20
        )
        found = [obj["Key"][len(self.prefix) :] for obj in listing.get("Contents", [])]
        picked = _pick(name, found)
        return self.prefix + picked if picked else None

    def put(self, name: str, path: Path, content_type: str) -> str:
        _check_name(name)
        key = self.prefix + name
        self.client.upload_file(
            str(path),
            self.bucket,
            key,
            ExtraArgs={
                "ContentType": content_type,
                "ContentDisposition": f'inline; filename="{name}"',
                "StorageClass": STORAGE_CLASS,
            },
        )
        return key


def store_from_url(url: str) -> FolderStore | S3Store:
    """`s3://bucket/prefix` → S3Store; `file:///path` or a plain path → FolderStore."""
    parts = urlsplit(url)
    if parts.scheme == "s3":
        return S3Store(parts.netloc, unquote(parts.path))
    if parts.scheme == "file":
        if parts.netloc not in ("", "localhost"):
            raise ConfigurationError(f"a file:// document store must be local, got {url!r}")
        return FolderStore(Path(unquote(parts.path)))
    if parts.scheme == "":
        return FolderStore(Path(url).expanduser())
    raise ConfigurationError(f"unsupported document store {url!r}: use file://, a path or s3://")
