"""Is a downloaded file a bill document? A readable PDF with pages, or a CSV statement."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

DocFormat = Literal["PDF", "CSV"]
CONTENT_TYPES: dict[str, str] = {"PDF": "application/pdf", "CSV": "text/csv"}
EXTENSIONS: dict[str, str] = {"PDF": ".pdf", "CSV": ".csv"}

_HEAD = 4096
_PDF_MAGIC = b"%PDF-"
_EOF_TAIL = 2048  # a complete PDF ends with %%EOF (plus at most a little trailing whitespace)
_HTML_MARKERS = (b"<!doctype html", b"<html", b"<head", b"<body", b"<?xml", b"<script")


@dataclass(frozen=True)
class Validation:
    """The document's format when it is acceptable, else the reason it was rejected."""

    format: DocFormat | None
    reason: str | None = None
    pages: int | None = None

    @property
    def ok(self) -> bool:
        return self.format is not None

    @property
    def content_type(self) -> str | None:
        return CONTENT_TYPES[self.format] if self.format else None

    @property
    def extension(self) -> str | None:
        return EXTENSIONS[self.format] if self.format else None


def _rejected(reason: str, declared: str | None) -> Validation:
    if declared:
        reason = f"{reason} (served as {declared})"
    return Validation(None, reason)


def _check_pdf(path: Path, size: int) -> Validation:
    from pypdf import PdfReader

    with path.open("rb") as fh:
        fh.seek(max(0, size - _EOF_TAIL))
        if b"%%EOF" not in fh.read():
            return Validation(None, "truncated PDF: no %%EOF marker at the end")
    try:
        reader = PdfReader(path, strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            # An owner password alone (no printing/copying) opens with an empty user password.
            return Validation(None, "password-protected PDF")
        pages = len(reader.pages)
        if pages:
            reader.pages[0].get_contents()  # parses the first page, not just the xref
    except Exception as exc:  # pypdf raises many kinds for damaged files
        return Validation(None, f"not a readable PDF: {type(exc).__name__}: {exc}"[:300])
    if pages < 1:
        return Validation(None, "PDF has no pages")
    return Validation("PDF", pages=pages)


def _looks_like_csv(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        text = head.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not just a multi-byte character cut by the sample
            return False
        text = head[: exc.start].decode("utf-8-sig")
    lines = text.splitlines()
    if len(lines) > 1 and len(head) == _HEAD:
        lines = lines[:-1]  # the sample may end inside a row
    rows = [row for row in csv.reader(io.StringIO("\n".join(lines))) if any(c.strip() for c in row)]
    return bool(rows) and len(rows[0]) > 1


def validate_document(path: Path, declared_type: str | None = None) -> Validation:
    """Check the file's content; `declared_type` (the server's Content-Type) only words reasons."""
    size = path.stat().st_size
    if size == 0:
        return _rejected("empty document", declared_type)
    with path.open("rb") as fh:
        head = fh.read(_HEAD)
    if _PDF_MAGIC in head[:1024]:
        return _check_pdf(path, size)
    lowered = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if any(marker in lowered[:1024] for marker in _HTML_MARKERS):
        return _rejected("an HTML page, not a document (a login or error page?)", declared_type)
    if _looks_like_csv(head):
        return Validation("CSV")
    return _rejected("neither a PDF nor a CSV statement", declared_type)
