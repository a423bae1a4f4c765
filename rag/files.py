"""File helpers shared by every stage: hashing, decoding and crash-safe writes."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from rag.errors import RagError


def sha256_bytes(data: bytes) -> str:
    """Hex sha256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file's bytes, read in 1 MiB blocks."""
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


INFO_INDEX = b"\x00\x08[index\x00\x08]"  # the marker of a GNU Info manual's index node: text, not binary


def decode_text(data: bytes) -> str:
    """UTF-8 text with newlines as ``open(..., encoding="utf-8").read()`` gives them."""
    if b"\x00" in data[:8192].replace(INFO_INDEX, b""):
        raise RagError("binary file (contains NUL bytes)")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise RagError(f"not valid UTF-8 (byte {e.start})") from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` so a crash leaves either the old or the new file, never half of one."""
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
