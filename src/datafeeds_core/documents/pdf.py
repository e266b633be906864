"""A small, valid one-page PDF with lines of text (demo statements and test documents)."""

from __future__ import annotations

from collections.abc import Iterable

_FONT_SIZE = 11
_LEADING = 14
_TOP = 750
_LEFT = 56


def _literal(text: str) -> bytes:
    """A PDF literal string: WinAnsi-ish bytes, with the three special characters escaped."""
    raw = text.encode("latin-1", errors="replace")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def make_pdf(lines: Iterable[str]) -> bytes:
    """One US-letter page of Helvetica text, one line per item; lines past the page are cut."""
    fits = (_TOP - 40) // _LEADING
    shown = [line.replace("\r", " ").replace("\n", " ") for line in lines][:fits]
    text = [b"BT", f"/F1 {_FONT_SIZE} Tf {_LEADING} TL {_LEFT} {_TOP} Td".encode()]
    for i, line in enumerate(shown):
        text.append((b"" if i == 0 else b"T* ") + _literal(line) + b" Tj")
    text.append(b"ET")
    content = b"\n".join(text)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n" % (len(objects) + 1)
    out += b"0000000000 65535 f \n"
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)
