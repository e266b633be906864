"""Generated PDFs are real; validation keeps PDFs and CSVs, rejects the rest with a reason."""

from __future__ import annotations

import io
from pathlib import Path

from pypdf import PdfReader, PdfWriter

from datafeeds_core.documents.pdf import make_pdf
from datafeeds_core.documents.validate import validate_document


def _file(tmp_path: Path, data: bytes, name: str = "doc") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_make_pdf_is_a_one_page_pdf_with_the_text() -> None:
    lines = ["City of Watauga", "Total due (USD): 1,234.56", r"back\slash"]
    reader = PdfReader(io.BytesIO(make_pdf(lines)), strict=True)
    assert len(reader.pages) == 1
    assert reader.pages[0].extract_text().splitlines() == lines


def test_pdf_is_accepted(tmp_path: Path) -> None:
    result = validate_document(_file(tmp_path, make_pdf(["statement"])))
    assert (result.format, result.pages, result.reason) == ("PDF", 1, None)
    assert (result.extension, result.content_type) == (".pdf", "application/pdf")


def test_csv_statement_is_kept_as_csv(tmp_path: Path) -> None:
    csv = b"\xef\xbb\xbfAccount,Start,End,Total\n123,2020-01-01,2020-01-31,10.00\n"
    result = validate_document(_file(tmp_path, csv), "application/octet-stream")
    assert (result.format, result.extension, result.content_type) == ("CSV", ".csv", "text/csv")


def test_html_login_page_served_as_pdf_is_rejected(tmp_path: Path) -> None:
    html = b"<!DOCTYPE html>\n<html><body><form>Sign in</form></body></html>"
    result = validate_document(_file(tmp_path, html), "application/pdf")
    assert result.format is None
    assert result.reason is not None
    assert "HTML" in result.reason and "application/pdf" in result.reason


def test_truncated_pdf_is_rejected(tmp_path: Path) -> None:
    data = make_pdf(["a statement long enough to cut"])
    for cut in (len(data) - 8, len(data) // 2, 12):
        result = validate_document(_file(tmp_path, data[:cut]))
        assert result.format is None, cut
        assert result.reason


def test_pdf_without_pages_is_rejected(tmp_path: Path) -> None:
    out = io.BytesIO()
    PdfWriter().write(out)
    result = validate_document(_file(tmp_path, out.getvalue()))
    assert (result.format, result.reason) == (None, "PDF has no pages")


def test_empty_and_binary_files_are_rejected(tmp_path: Path) -> None:
    assert validate_document(_file(tmp_path, b"", "empty")).reason == "empty document"
    junk = validate_document(_file(tmp_path, bytes(range(256)) * 4, "junk"))
    assert junk.format is None and junk.reason == "neither a PDF nor a CSV statement"
    text = validate_document(_file(tmp_path, b"just one line of prose\n", "prose"))
    assert text.format is None


def _encrypted(user_password: str) -> bytes:
    writer = PdfWriter(clone_from=io.BytesIO(make_pdf(["encrypted statement"])))
    writer.encrypt(user_password=user_password, owner_password="owner", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_pdf_with_only_an_owner_password_is_accepted(tmp_path: Path) -> None:
    result = validate_document(_file(tmp_path, _encrypted("")))
    assert (result.format, result.pages) == ("PDF", 1)


def test_pdf_that_needs_a_password_to_open_is_rejected(tmp_path: Path) -> None:
    result = validate_document(_file(tmp_path, _encrypted("secret")))
    assert (result.format, result.reason) == (None, "password-protected PDF")
