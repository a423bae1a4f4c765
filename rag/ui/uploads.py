"""Uploads: checked (kind, size, name) and stored in the documents folder without overwriting a file."""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import tempfile
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING

from rag.errors import RagError
from rag.ui import render as render

if TYPE_CHECKING:
    pass
from rag.ui.messages import _cut_utf8, shown

UPLOAD_SUFFIXES = (".txt", ".md", ".rst", ".html", ".pdf", ".info")
MB = 1_000_000
MAX_NAME_BYTES = 120  # of a stored file's stem, in UTF-8: with " (999)" and a suffix it stays far below NAME_MAX


class UploadRejected(RagError):
    """An uploaded file that is not written to the docs folder, and why."""


def safe_upload_name(name: str) -> str:
    """A file name safe to create in the docs folder: a base name only, no hidden names, allowed suffixes only.

    >>> safe_upload_name("../../notes/Report 2015.TXT")
    'Report_2015.txt'
    """
    base = re.split(r"[/\\]", unicodedata.normalize("NFKC", name or ""))[-1].strip()
    stem, dot, suffix = base.rpartition(".")
    if not dot or not stem:
        raise UploadRejected(
            f"'{shown(base or name)}' has no name or no file type; upload {', '.join(UPLOAD_SUFFIXES)} files."
        )
    if stem.startswith(".") or base.startswith("."):
        raise UploadRejected(f"'{shown(base)}' is a hidden file name; rename it without the leading dot.")
    suffix = "." + suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        raise UploadRejected(f"'{shown(base)}' is not a supported type; upload {', '.join(UPLOAD_SUFFIXES)} files.")
    stem = _cut_utf8(re.sub(r"[^\w.-]+", "_", stem), MAX_NAME_BYTES)
    stem = stem.strip("._-")
    if not stem:
        raise UploadRejected(f"'{shown(base)}' has no usable characters in its name.")
    return stem + suffix


def check_upload(path: Path, name: str, max_bytes: int) -> str:
    """Validate one uploaded file (name, size, content); return the name to save it under."""
    safe = safe_upload_name(name)
    size = path.stat().st_size
    if size > max_bytes:
        raise UploadRejected(f"'{safe}' is {size / MB:.1f} MB; the limit is {max_bytes / MB:g} MB (RAG_MAX_UPLOAD_MB).")
    if size == 0:
        raise UploadRejected(f"'{safe}' is empty.")
    with path.open("rb") as f:
        head = f.read(8192)
    if safe.endswith(".pdf"):
        if not head.startswith(b"%PDF-"):
            raise UploadRejected(f"'{safe}' is not a PDF file.")
    elif b"\x00" in head:
        raise UploadRejected(f"'{safe}' is a binary file, not text.")
    return safe


def numbered(name: str, n: int) -> str:
    """The n-th name tried for an upload: ``report.txt``, ``report (2).txt``, ``report (3).txt``…"""
    if n <= 1:
        return name
    stem, _, suffix = name.rpartition(".")
    return f"{stem} ({n}).{suffix}"


def store_upload(source: Path, root: Path, name: str, tries: int = 1000) -> str:
    """Copy ``source`` into ``root`` under ``name``, or ``name (2)``… when taken; never replace a file. Returns the name.

    The copy is written to a hidden temporary file first and then hard-linked to its name: link() fails when the
    name exists, so neither an existing file nor one created meanwhile by someone else is ever overwritten, and
    the file appears complete. Where hard links are not supported, it falls back to an exclusive create.
    """
    fd, tmp = tempfile.mkstemp(prefix=".upload-", suffix=".part", dir=root)
    try:
        with os.fdopen(fd, "wb") as out, source.open("rb") as src:
            shutil.copyfileobj(src, out)
        for n in range(1, tries + 1):
            candidate = numbered(name, n)
            target = root / candidate
            try:
                os.link(tmp, target)
            except FileExistsError:
                continue
            except OSError as e:  # no hard links on this file system: exclusive create, then copy
                if e.errno not in (errno.EPERM, errno.EXDEV, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK):
                    raise
                try:
                    out_fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
                except FileExistsError:
                    continue
                with os.fdopen(out_fd, "wb") as out, open(tmp, "rb") as src:
                    shutil.copyfileobj(src, out)
            return candidate
        raise UploadRejected(f"'{name}' and {tries - 1} numbered variants of it already exist; rename the file.")
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
