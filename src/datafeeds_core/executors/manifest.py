"""The array-job manifest: which data source (and run record) each Batch array index runs.

A JSON list, one object per array index: `{"oid", "run_id", "start", "end", "dry_run"}` (dates
ISO, end exclusive). It lives in S3 (`s3://bucket/key`) for Batch, or in a file (`file:///path`)
for local tests; boto3 is imported only for S3.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from datafeeds_core.errors import ConfigurationError, TransientError, UsageError


@dataclass(frozen=True)
class ManifestEntry:
    oid: int
    run_id: int
    start: date
    end: date
    dry_run: bool = False

    def as_dict(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "oid": self.oid,
            "run_id": self.run_id,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
        }
        if self.dry_run:
            doc["dry_run"] = True
        return doc


def encode(entries: Sequence[ManifestEntry]) -> bytes:
    """One entry per line: readable in a console, still one JSON document."""
    lines = ",\n".join(json.dumps(e.as_dict(), separators=(",", ":")) for e in entries)
    return f"[\n{lines}\n]\n".encode()


def decode(data: bytes, where: str = "manifest") -> list[ManifestEntry]:
    try:
        docs = json.loads(data)
        if not isinstance(docs, list):
            raise TypeError("not a JSON list")
        return [
            ManifestEntry(
                oid=int(d["oid"]),
                run_id=int(d["run_id"]),
                start=date.fromisoformat(d["start"]),
                end=date.fromisoformat(d["end"]),
                dry_run=bool(d.get("dry_run", False)),
            )
            for d in docs
        ]
    except (ValueError, TypeError, KeyError) as exc:
        raise ConfigurationError(f"{where} is not a datafeeds manifest: {exc}") from None


def _split(url: str) -> tuple[str, str, str]:
    parts = urlparse(url)
    if parts.scheme == "s3" and parts.netloc and parts.path.strip("/"):
        return "s3", parts.netloc, parts.path.lstrip("/")
    if parts.scheme == "file":
        return "file", "", unquote(parts.path)
    raise UsageError(f"a manifest URL is s3://bucket/key or file:///path; got {url!r}")


def _s3() -> Any:
    import boto3

    return boto3.session.Session().client("s3")


def write(url: str, entries: Sequence[ManifestEntry], *, s3: Any = None) -> str:
    """Store the manifest at `url`; returns the URL."""
    scheme, bucket, key = _split(url)
    body = encode(entries)
    if scheme == "file":
        path = Path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)
        return url
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        (s3 or _s3()).put_object(Bucket=bucket, Key=key, Body=body, ContentType="application/json")
    except ClientError as exc:
        raise ConfigurationError(f"cannot write manifest {url}: {exc}") from None
    except BotoCoreError as exc:
        raise TransientError(f"cannot write manifest {url}: {exc}") from None
    return url


def read(url: str, *, s3: Any = None) -> list[ManifestEntry]:
    """The manifest's entries. A missing object is a configuration error (exit 3); S3 out of
    reach is transient (exit 75)."""
    scheme, bucket, key = _split(url)
    if scheme == "file":
        try:
            return decode(Path(key).read_bytes(), url)
        except FileNotFoundError:
            raise ConfigurationError(f"no manifest at {url}") from None
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        body = (s3 or _s3()).get_object(Bucket=bucket, Key=key)["Body"].read()
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        if code in ("SlowDown", "InternalError", "ServiceUnavailable", "RequestTimeout"):
            raise TransientError(f"cannot read manifest {url}: {code}") from None
        raise ConfigurationError(f"cannot read manifest {url}: {code or exc}") from None
    except BotoCoreError as exc:
        raise TransientError(f"cannot read manifest {url}: {exc}") from None
    return decode(body, url)


def entry_at(entries: Sequence[ManifestEntry], index: int | None, url: str) -> ManifestEntry:
    """The entry for array index `index`; a one-entry manifest needs no index."""
    if index is None:
        if len(entries) == 1:
            return entries[0]
        raise UsageError(
            f"manifest {url} has {len(entries)} entries: AWS_BATCH_JOB_ARRAY_INDEX must say which"
        )
    if not 0 <= index < len(entries):
        raise ConfigurationError(
            f"array index {index} is outside manifest {url} ({len(entries)} entries)"
        )
    return entries[index]
