"""The index database's schema, tuning constants and row types: what :mod:`rag.index.chunkdb` reads and writes."""

from __future__ import annotations

import json
import re
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from rag.errors import RagError
from rag.records import Chunk, Span

T = TypeVar("T")
OPEN_WAIT = 60.0  # seconds to wait, when opening, for another process that holds the database

DB_FILE = "index.sqlite3"
SCHEMA_VERSION = 2
MATCH_BUDGET = 10_000  # postings a lexical search ranks in FTS5 (the rarest query terms first) in a large index
EXACT_BELOW = 20_000  # an index smaller than this ranks every query term: exact, and cheap at that size
POOL = 300  # FTS5 candidates re-scored with Lucene's BM25 per lexical search
BM25_K1, BM25_B = 1.5, 0.75
BATCH = 500  # bound variables per statement stay far below SQLite's limit of 32,766

COMMITTED, PENDING_ADD, PENDING_DELETE = 0, 1, 2

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (
    source TEXT PRIMARY KEY, sha256 TEXT NOT NULL, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,
    title TEXT NOT NULL, date TEXT, date_inferred INTEGER NOT NULL, text_file TEXT, n_chunks INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS chunks (
    id INTEGER PRIMARY KEY, cid TEXT NOT NULL UNIQUE, source TEXT NOT NULL, state INTEGER NOT NULL,
    ord INTEGER NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL, sentences TEXT NOT NULL,
    text TEXT NOT NULL, terms TEXT NOT NULL, title TEXT NOT NULL, date TEXT, date_num INTEGER NOT NULL,
    date_inferred INTEGER NOT NULL, sha256 TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_source ON chunks (source, state);
CREATE INDEX IF NOT EXISTS chunks_pending ON chunks (state) WHERE state != 0;
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_fts USING fts5 (terms, content='chunks', content_rowid='id');
CREATE TABLE IF NOT EXISTS sentence_vectors (cid TEXT PRIMARY KEY, vectors BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS terms (term TEXT PRIMARY KEY, df INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS words (
    stem TEXT PRIMARY KEY, word TEXT NOT NULL, docs INTEGER NOT NULL, embedded INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS words_todo ON words (embedded, docs);
CREATE TABLE IF NOT EXISTS features (source TEXT PRIMARY KEY, words TEXT NOT NULL, prints BLOB NOT NULL)
    WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS shingles (hash INTEGER NOT NULL, source TEXT NOT NULL, PRIMARY KEY (hash, source))
    WITHOUT ROWID;
"""


def date_number(iso: str | None) -> int:
    """``2015-09-26`` as 20150926 (0 when unknown), for range filters."""
    return int(iso.replace("-", "")) if iso else 0


_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


def fts_term(term: str) -> str:
    """A lexical term as the FTS5 index keeps it (lower-case ASCII letters and digits only)."""
    return _NOT_ALNUM.sub("", term.lower())


def fts_text(terms: Iterable[str]) -> str:
    """A chunk's index terms as stored for FTS5: normalised once, at ingest, so scoring needs no tokenizer."""
    return " ".join(w for w in map(fts_term, terms) if w)


def opening(path: Path, step: Callable[[], T]) -> T:
    """Run a step of opening the database at ``path``. While another process sets up a new database or switches it
    to WAL, SQLite can report it locked: that is retried for up to OPEN_WAIT seconds, then told as the busy index
    it is. Any other database error means the file is damaged."""
    deadline = time.monotonic() + OPEN_WAIT
    while True:
        try:
            return step()
        except sqlite3.DatabaseError as e:
            locked = isinstance(e, sqlite3.OperationalError) and ("locked" in str(e) or "busy" in str(e))
            if not locked:
                raise RagError(f"The index database {path} is damaged ({e}); rebuild it with --rebuild.") from None
            if time.monotonic() > deadline:
                raise RagError(
                    f"Another ingest or process holds the index database {path}; try again when it finishes."
                ) from None
            time.sleep(0.2)


def batched(items: Sequence[Any], size: int = BATCH) -> Iterator[Sequence[Any]]:
    """Consecutive slices of at most ``size`` items."""
    for b in range(0, len(items), size):
        yield items[b : b + size]


@dataclass
class FileRow:
    """What the index knows of one source file."""

    source: str
    sha256: str
    size: int
    mtime_ns: int
    title: str
    date: str | None
    date_inferred: bool
    text_file: str | None
    n_chunks: int


def file_row(row: tuple[Any, ...]) -> FileRow:
    source, sha, size, mtime_ns, title, date, inferred, text_file, n_chunks = row
    return FileRow(source, sha, size, mtime_ns, title, date, bool(inferred), text_file, n_chunks)


CHUNK_COLS = 'cid, source, text, start, "end", sentences, title, date, date_inferred, sha256'


def chunk_from_row(row: sqlite3.Row | tuple[Any, ...]) -> Chunk:
    cid, source, text, start, end, sentences, title, date, inferred, sha = row
    return Chunk(
        id=cid,
        source=source,
        text=text,
        start=start,
        end=end,
        sentences=[Span(a, b) for a, b in json.loads(sentences)],
        title=title,
        date=date,
        date_inferred=bool(inferred),
        sha256=sha,
    )
