"""Small PDFs written byte by byte: one good, and broken ones of every kind a docs folder may hold.

Every generator returns the file's bytes. The good PDF is also the base of the broken ones, so each one differs
from a readable file by exactly the fault it is named after.
"""

from __future__ import annotations

import functools
import zlib
from pathlib import Path

GOOD_TEXT = "The harbour bridge in Tallinn reopened on 3 March 2021 after two years of repairs."


def _escape(text: str) -> bytes:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)").encode("latin-1")


def _content(text: str) -> bytes:
    return b"BT /F1 12 Tf 72 720 Td (" + _escape(text) + b") Tj ET"


def build(objects: list[bytes], *, trailer_extra: bytes = b"", header: bytes = b"%PDF-1.4\n") -> bytes:
    """A PDF whose objects are ``objects`` (numbered from 1, object 1 the catalog), with a correct xref."""
    out = bytearray(header + b"%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R " % (len(objects) + 1) + trailer_extra + b">>\n"
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def _page_objects(stream: bytes, filters: bytes = b"") -> list[bytes]:
    return [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d " % len(stream) + filters + b">>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]


def good(text: str = GOOD_TEXT) -> bytes:
    """A one-page PDF whose extracted text is ``text``."""
    return build(_page_objects(_content(text)))


def truncated() -> bytes:
    """The good PDF cut off in the middle of its page object: no xref, no trailer."""
    data = good()
    return data[: data.index(b"/MediaBox")]


def garbage_xref() -> bytes:
    """The good PDF with its cross-reference table and trailer replaced by noise."""
    data = good()
    cut = data.index(b"xref\n")
    return (
        data[:cut]
        + b"xref\n0 zz\nnot a table \x00\xff\x13 at all\ntrailer\n<< /Size -4 /Root 99 0 R\nstartxref\n-17\n%%EOF\n"
    )


def wrong_header() -> bytes:
    """A file named .pdf that is something else (an HTML page)."""
    return b"<!doctype html><html><body><p>Not a PDF at all, whatever its name says.</p></body></html>\n"


def bad_version_header() -> bytes:
    """``%PDF`` followed by noise and no PDF structure."""
    return b"%PDF-\xff\xfe\n" + bytes(range(256)) * 8


def encrypted() -> bytes:
    """The good PDF encrypted (RC4, 128 bit) with a user password the reader does not know."""
    from io import BytesIO

    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(BytesIO(good())))
    writer.encrypt(user_password="secret-user", owner_password="secret-owner", algorithm="RC4-128")
    buf = BytesIO()
    writer.write(buf)
    return buf.getvalue()


def flate_bomb(megabytes: int = 300) -> bytes:
    """A page whose FlateDecode content stream is small on disk and ``megabytes`` MB once inflated."""
    comp = zlib.compressobj(9)
    head = _content("Bomb page.") + b"\n"
    parts = [comp.compress(head)]
    block = b" " * (1 << 20)
    parts += [comp.compress(block) for _ in range(megabytes)]
    parts.append(comp.flush())
    return build(_page_objects(b"".join(parts), b"/Filter /FlateDecode "))


@functools.cache
def broken() -> dict[str, bytes]:
    """Every broken PDF by file name (built once; do not modify the result)."""
    return {
        "truncated.pdf": truncated(),
        "garbage-xref.pdf": garbage_xref(),
        "wrong-header.pdf": wrong_header(),
        "bad-version.pdf": bad_version_header(),
        "encrypted.pdf": encrypted(),
        "bomb.pdf": flate_bomb(),
    }


def write_all(folder: Path) -> list[str]:
    """Write every broken PDF into ``folder``; their names."""
    folder.mkdir(parents=True, exist_ok=True)
    files = broken()
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return sorted(files)
