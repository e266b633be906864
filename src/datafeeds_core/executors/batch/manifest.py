"""The array-job manifest: which job requests (data source, queued run, dates) each Batch array
index runs.

A JSON list, one element per array index: an object `{"oid", "run_id", "start", "end",
"dry_run"}` (a `JobRequest`; dates ISO, end exclusive) for a child that runs one data source, or
a list of such objects, the slice of a child that runs several (`batch submit --chunk-size K`).
It lives in S3 (`s3://bucket/key`) for Batch, or in a file (`file:///path`) for local tests;
boto3 is imported only for S3.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from datafeeds_core.errors import ConfigurationError, TransientError, UsageError
from datafeeds_core.job.request import JobRequest

Slice = tuple[JobRequest, ...]  # what one array child runs


def as_dict(request: JobRequest) -> dict[str, Any]:
    """A request as a manifest holds it: its queued run and resolved dates are required."""
    if request.run_id is None or request.start is None or request.end is None:
        raise ValueError(f"a manifest entry needs a queued run and both dates: {request}")
    doc: dict[str, Any] = {
        "oid": request.oid,
        "run_id": request.run_id,
        "start": request.start.isoformat(),
        "end": request.end.isoformat(),
    }
    if request.dry_run:
        doc["dry_run"] = True
    return doc


def slices(entries: Sequence[JobRequest], chunk_size: int = 1) -> list[Slice]:
    """`entries` cut into consecutive slices of `chunk_size` (the last may be shorter)."""
    if chunk_size < 1:
        raise UsageError(f"a chunk size is at least 1; got {chunk_size}")
    return [tuple(entries[i : i + chunk_size]) for i in range(0, len(entries), chunk_size)]


def encode(entries: Sequence[JobRequest], chunk_size: int = 1) -> bytes:
    """One array index per line: readable in a console, still one JSON document. With a chunk
    size of 1 each line is an entry (the format every worker reads), else a list of entries."""

    def line(part: Slice) -> str:
        docs = [as_dict(e) for e in part]
        return json.dumps(docs[0] if chunk_size == 1 else docs, separators=(",", ":"))

    lines = ",\n".join(line(part) for part in slices(entries, chunk_size))
    return f"[\n{lines}\n]\n".encode()


def _entry(doc: Any) -> JobRequest:
    return JobRequest(
        oid=int(doc["oid"]),
        run_id=int(doc["run_id"]),
        start=date.fromisoformat(doc["start"]),
        end=date.fromisoformat(doc["end"]),
        dry_run=bool(doc.get("dry_run", False)),
    )


def decode_slices(data: bytes, where: str = "manifest") -> list[Slice]:
    """Each array index's slice (one entry, or the list at that index)."""
    try:
        docs = json.loads(data)
        if not isinstance(docs, list):
            raise TypeError("not a JSON list")
        return [
            tuple(_entry(d) for d in doc) if isinstance(doc, list) else (_entry(doc),)
            for doc in docs
        ]
    except (ValueError, TypeError, KeyError) as exc:
        raise ConfigurationError(f"{where} is not a datafeeds manifest: {exc}") from None


def decode(data: bytes, where: str = "manifest") -> list[JobRequest]:
    """Every entry, in array-index order."""
    return [entry for part in decode_slices(data, where) for entry in part]


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


def write(url: str, entries: Sequence[JobRequest], *, chunk_size: int = 1, s3: Any = None) -> str:
    """Store the manifest at `url` (slices of `chunk_size` entries per array index)."""
    scheme, bucket, key = _split(url)
    body = encode(entries, chunk_size)
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


def read(url: str, *, s3: Any = None) -> list[JobRequest]:
    """The manifest's entries, in array-index order."""
    return [entry for part in read_slices(url, s3=s3) for entry in part]


def read_slices(url: str, *, s3: Any = None) -> list[Slice]:
    """Each array index's slice. A missing object is a configuration error (exit 3); S3 out of
    reach is transient (exit 75)."""
    scheme, bucket, key = _split(url)
    if scheme == "file":
        try:
            return decode_slices(Path(key).read_bytes(), url)
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
    return decode_slices(body, url)


def slice_at(parts: Sequence[Slice], index: int | None, url: str) -> Slice:
    """The slice for array index `index`; a manifest of one slice needs no index (a job that
    runs the whole manifest is not an array job)."""
    if index is None:
        if len(parts) == 1:
            return parts[0]
        raise UsageError(
            f"manifest {url} has {len(parts)} entries: AWS_BATCH_JOB_ARRAY_INDEX must say which"
        )
    if not 0 <= index < len(parts):
        raise ConfigurationError(
            f"array index {index} is outside manifest {url} ({len(parts)} entries)"
        )
    return parts[index]
