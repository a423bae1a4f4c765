"""Chunk records, the lexical (FTS5 BM25) index, per-file rows, corpus words and quote fingerprints, in one
SQLite database (WAL) in the index directory.

Every operation touches only the rows it needs: chunks are read by id, the BM25 index is updated row by row,
and nothing loads the corpus. Writers hold the index's ingest lock; readers see the last committed state.
"""

from __future__ import annotations

import json
import math
import os
import sqlite3
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from rag.errors import RagError
from rag.index.schema import (
    BATCH,
    BM25_B,
    BM25_K1,
    CHUNK_COLS,
    EXACT_BELOW,
    MATCH_BUDGET,
    PENDING_ADD,
    PENDING_DELETE,
    POOL,
    SCHEMA,
    SCHEMA_VERSION,
    FileRow,
    batched,
    chunk_from_row,
    date_number,
    file_row,
    fts_term,
    opening,
)
from rag.records import Chunk


class ChunkDB:
    """The index's SQLite database. One connection per thread; WAL lets readers run beside the writer."""

    def __init__(self, path: Path, create: bool = False) -> None:
        self.path = Path(path)
        self._local = threading.local()
        self.read_only = False
        self.last_written = -1
        self.on_commit: Callable[[int], None] | None = None
        if not self.path.exists() and not create:
            raise RagError(f"No index database at {self.path}.")
        conn = self._connect()
        if not self.read_only:

            def create_schema() -> None:
                with conn:
                    conn.executescript(SCHEMA)
                    conn.execute(
                        "INSERT OR IGNORE INTO meta VALUES ('schema', ?), ('generation', '0'), ('chunks', '0'), ('tokens', '0')",
                        (str(SCHEMA_VERSION),),
                    )

            opening(self.path, create_schema)
        if self.get_meta("schema") != str(SCHEMA_VERSION):
            raise RagError(f"The index database {self.path} has another format; rebuild it with --rebuild.")

    # --- connections ---------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is not None:
            return conn
        writable = os.access(self.path.parent, os.W_OK) and (not self.path.exists() or os.access(self.path, os.W_OK))

        def connect() -> sqlite3.Connection:
            if not writable:  # a read-only index (files, folder or disk): open it as immutable, it can still answer
                uri = f"{self.path.resolve().as_uri()}?mode=ro&immutable=1"
                self.read_only = True
                return sqlite3.connect(uri, uri=True, timeout=30, isolation_level=None)
            opened = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            try:
                opened.execute("PRAGMA journal_mode=WAL")
            except sqlite3.DatabaseError:
                opened.close()
                raise
            return opened

        conn = opening(self.path, connect)
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA cache_size=-65536")  # 64 MB page cache per connection
        self._local.conn = conn
        return conn

    @property
    def conn(self) -> sqlite3.Connection:
        """This thread's connection."""
        return self._connect()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction; it bumps the generation so other processes see the change."""
        if self.read_only:
            raise RagError(f"The index at {self.path.parent} is read-only; it can answer but not change.")
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
            conn.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation'")
            written = int(conn.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()[0])
            conn.execute("COMMIT")
            self.last_written = written  # this process's own write: its Chroma client already sees it
            if self.on_commit is not None:
                self.on_commit(written)
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def tune_for_bulk(self) -> None:
        """Give this thread's connection a 256 MB page cache and a 32 MB write-ahead log between checkpoints.

        Ingest writes many random-key rows (chunk ids, fingerprints, words); at a million chunks their B-trees
        outgrow the default cache, and the default 4 MB checkpoints fold the log in far too often.
        """
        if not self.read_only:
            self.conn.execute("PRAGMA cache_size=-262144")
            self.conn.execute("PRAGMA wal_autocheckpoint=8192")

    def checkpoint(self) -> None:
        """Fold the write-ahead log into the database file (after an ingest), if no reader holds it."""
        if not self.read_only:
            self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def close(self) -> None:
        """Close this thread's connection."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    # --- meta ------------------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        """A value of the meta table."""
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, conn: sqlite3.Connection, key: str, value: str) -> None:
        """Set a meta value inside a transaction."""
        conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def generation(self) -> int:
        """A number that grows with every committed write, from any process."""
        return int(self.get_meta("generation") or 0)

    def chunk_count(self) -> int:
        """Committed chunks."""
        return int(self.get_meta("chunks") or 0)

    # --- files -----------------------------------------------------------------------
    def file(self, source: str) -> FileRow | None:
        """One file's row."""
        row = self.conn.execute("SELECT * FROM files WHERE source = ?", (source,)).fetchone()
        return file_row(row) if row else None

    def files(self) -> Iterator[FileRow]:
        """Every file row, in source order, read in pages."""
        last = ""
        while True:
            rows = self.conn.execute(
                "SELECT * FROM files WHERE source > ? ORDER BY source LIMIT 1000", (last,)
            ).fetchall()
            if not rows:
                return
            for row in rows:
                yield file_row(row)
            last = rows[-1][0]

    def file_stats(self) -> dict[str, tuple[int, int]]:
        """source -> (size, mtime_ns) of every file row: what a scan compares against, without the rest of the row
        (read in pages of 20,000 rows)."""
        out: dict[str, tuple[int, int]] = {}
        last = ""
        while True:
            rows = self.conn.execute(
                "SELECT source, size, mtime_ns FROM files WHERE source > ? ORDER BY source LIMIT 20000", (last,)
            ).fetchall()
            if not rows:
                return out
            out.update((source, (size, mtime)) for source, size, mtime in rows)
            last = rows[-1][0]

    def file_count(self) -> int:
        """How many files the index holds."""
        return int(self.conn.execute("SELECT count(*) FROM files").fetchone()[0])

    def put_file(self, conn: sqlite3.Connection, f: FileRow) -> None:
        """Insert or replace a file row."""
        conn.execute(
            "INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (f.source, f.sha256, f.size, f.mtime_ns, f.title, f.date, int(f.date_inferred), f.text_file, f.n_chunks),
        )

    def touch_file(self, source: str, size: int, mtime_ns: int) -> None:
        """Record a new size and modification time for an unchanged file."""
        with self.transaction() as conn:
            conn.execute("UPDATE files SET size = ?, mtime_ns = ? WHERE source = ?", (size, mtime_ns, source))

    # --- chunks ----------------------------------------------------------------------
    def add_pending(
        self, conn: sqlite3.Connection, chunks: Iterable[tuple[Chunk, str]], vectors: dict[str, bytes] | None = None
    ) -> None:
        """Record chunks (with their index terms) as pending: not visible until :meth:`commit_file`. ``vectors``
        holds the float16 vectors of a chunk's sentences, by chunk id."""
        if vectors:
            conn.executemany("INSERT OR REPLACE INTO sentence_vectors VALUES (?, ?)", list(vectors.items()))
        conn.executemany(
            "INSERT OR REPLACE INTO chunks (cid, source, state, ord, start, \"end\", sentences, text, terms, title, "
            "date, date_num, date_inferred, sha256) VALUES (?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    c.id,
                    c.source,
                    k,
                    c.start,
                    c.end,
                    json.dumps([[s.start, s.end] for s in c.sentences]),
                    c.text,
                    terms,
                    c.title,
                    c.date,
                    date_number(c.date),
                    int(c.date_inferred),
                    c.sha256,
                )
                for k, (c, terms) in enumerate(chunks)
            ],
        )

    def commit_file(
        self, conn: sqlite3.Connection, source: str, new_ids: Sequence[str], df: Counter[str] | None = None
    ) -> list[str]:
        """Make ``new_ids`` the chunks of ``source``: index them, hide its other chunks (now pending delete).

        Document-frequency changes are added to ``df`` (apply them with :meth:`apply_df` in the same
        transaction), or applied at once when it is None. Returns the ids that must go from the vector store.
        """
        delta: Counter[str] = Counter() if df is None else df
        old = conn.execute(
            "SELECT id, cid, terms FROM chunks WHERE source = ? AND state = 0", (source,)
        ).fetchall()
        keep = set(new_ids)
        gone = [(rid, cid, terms) for rid, cid, terms in old if cid not in keep]
        conn.executemany(
            "INSERT INTO chunks_fts (chunks_fts, rowid, terms) VALUES ('delete', ?, ?)",
            [(rid, terms) for rid, _cid, terms in gone],
        )
        conn.executemany("UPDATE chunks SET state = 2 WHERE id = ?", [(rid,) for rid, _c, _t in gone])
        tokens = -sum(len(t.split()) for _r, _c, t in gone)
        for _r, _c, t in gone:
            delta.subtract(set(t.split()))
        added = 0
        for ids in batched(list(new_ids)):
            marks = ",".join("?" * len(ids))
            rows = conn.execute(f"SELECT id, terms FROM chunks WHERE state = 1 AND cid IN ({marks})", ids).fetchall()
            conn.executemany("INSERT INTO chunks_fts (rowid, terms) VALUES (?, ?)", rows)
            conn.executemany("UPDATE chunks SET state = 0 WHERE id = ?", [(r[0],) for r in rows])
            added += len(rows)
            tokens += sum(len(r[1].split()) for r in rows)
            for r in rows:
                delta.update(set(r[1].split()))
        conn.executemany(
            "UPDATE meta SET value = CAST(value AS INTEGER) + ? WHERE key = ?",
            [(added - len(gone), "chunks"), (tokens, "tokens")],
        )
        if df is None:
            self.apply_df(conn, delta)
        return [cid for _rid, cid, _t in gone]

    def apply_df(self, conn: sqlite3.Connection, delta: Counter[str]) -> None:
        """Add document-frequency changes (one row per changed term), dropping terms no chunk uses."""
        changes = [(t, n) for t, n in delta.items() if n]
        conn.executemany(
            "INSERT INTO terms VALUES (?, ?) ON CONFLICT (term) DO UPDATE SET df = df + excluded.df", changes
        )
        conn.executemany("DELETE FROM terms WHERE term = ? AND df <= 0", [(t,) for t, n in changes if n < 0])

    def drop_file(self, conn: sqlite3.Connection, source: str) -> list[str]:
        """Hide every chunk of ``source`` and forget the file; returns the ids to remove from the vector store."""
        gone = self.commit_file(conn, source, [])
        conn.execute("DELETE FROM files WHERE source = ?", (source,))
        return gone

    def purge(self, ids: Sequence[str]) -> None:
        """Delete chunk rows (pending ones) once the vector store no longer holds them."""
        with self.transaction() as conn:
            for part in batched(list(ids)):
                marks = ",".join("?" * len(part))
                conn.execute(
                    f"DELETE FROM sentence_vectors WHERE cid IN (SELECT cid FROM chunks WHERE state != 0 AND cid IN "
                    f"({marks}))",
                    part,
                )
                conn.execute(f"DELETE FROM chunks WHERE state != 0 AND cid IN ({marks})", part)

    def pending(self, state: int, limit: int = 5000) -> list[str]:
        """Ids of chunks in a pending state (an interrupted write), at most ``limit``."""
        if state not in (PENDING_ADD, PENDING_DELETE):
            raise ValueError(f"not a pending state: {state}")
        # "state != 0" repeats the partial index's condition: only then does SQLite use it (without, this
        # scanned every chunk: 0.75 s at 432k chunks, on every ingest; with, 0.05 ms)
        rows = self.conn.execute(
            "SELECT cid FROM chunks WHERE state != 0 AND state = ? LIMIT ?", (state, limit)
        ).fetchall()
        return [r[0] for r in rows]

    def chunks(self, ids: Sequence[str]) -> dict[str, Chunk]:
        """Committed chunks by id (ids not committed are left out)."""
        out: dict[str, Chunk] = {}
        for part in batched(list(dict.fromkeys(ids))):
            rows = self.conn.execute(
                f"SELECT {CHUNK_COLS} FROM chunks WHERE state = 0 AND cid IN ({','.join('?' * len(part))})", part
            ).fetchall()
            out.update((r[0], chunk_from_row(r)) for r in rows)
        return out

    def chunks_without_sentence_vectors(self, after: str, limit: int) -> list[Chunk]:
        """A page of committed chunks (in id order, after ``after``) that have no stored sentence vectors."""
        rows = self.conn.execute(
            f"SELECT {CHUNK_COLS} FROM chunks c WHERE state = 0 AND cid > ? AND NOT EXISTS "
            "(SELECT 1 FROM sentence_vectors v WHERE v.cid = c.cid) ORDER BY cid LIMIT ?",
            (after, limit),
        ).fetchall()
        return [chunk_from_row(r) for r in rows]

    def chunks_with_marks(self, after: str, limit: int) -> list[Chunk]:
        """A page of committed chunks (in id order, after ``after``) whose text has a "[", which footnote marks
        ("[1]") need."""
        rows = self.conn.execute(
            f"SELECT {CHUNK_COLS} FROM chunks c WHERE state = 0 AND cid > ? AND instr(text, '[') > 0 "
            "ORDER BY cid LIMIT ?",
            (after, limit),
        ).fetchall()
        return [chunk_from_row(r) for r in rows]

    def sentence_vectors(self, ids: Sequence[str]) -> dict[str, bytes]:
        """The stored sentence vectors (float16 bytes) of chunks, by id; chunks without any are left out."""
        out: dict[str, bytes] = {}
        try:
            for part in batched(list(dict.fromkeys(ids))):
                rows = self.conn.execute(
                    f"SELECT cid, vectors FROM sentence_vectors WHERE cid IN ({','.join('?' * len(part))})", part
                ).fetchall()
                out.update((r[0], bytes(r[1])) for r in rows)
        except sqlite3.OperationalError:  # a read-only index from before sentence vectors has no such table
            return {}
        return out

    def source_chunks(self, source: str) -> list[Chunk]:
        """The committed chunks of one file, in order."""
        rows = self.conn.execute(
            f"SELECT {CHUNK_COLS} FROM chunks WHERE source = ? AND state = 0 ORDER BY ord", (source,)
        ).fetchall()
        return [chunk_from_row(r) for r in rows]

    def chunk_ids(self, after: str = "", limit: int = 5000, committed_only: bool = True) -> list[str]:
        """A page of chunk ids in id order, after ``after``."""
        state = "state = 0 AND" if committed_only else ""
        rows = self.conn.execute(
            f"SELECT cid FROM chunks WHERE {state} cid > ? ORDER BY cid LIMIT ?", (after, limit)
        ).fetchall()
        return [r[0] for r in rows]

    def committed(self, ids: Sequence[str]) -> set[str]:
        """Which of ``ids`` are committed chunks."""
        out: set[str] = set()
        for part in batched(list(ids)):
            rows = self.conn.execute(
                f"SELECT cid FROM chunks WHERE state = 0 AND cid IN ({','.join('?' * len(part))})", part
            )
            out.update(r[0] for r in rows)
        return out

    def admitted(
        self, ids: Sequence[str], sources: Sequence[str] = (), date_from: int = 0, date_to: int = 0
    ) -> set[str]:
        """Which of ``ids`` are committed chunks that pass the source and date filters."""
        out: set[str] = set()
        wanted = set(sources)
        for part in batched(list(ids)):
            rows = self.conn.execute(
                f"SELECT cid, source, date_num FROM chunks WHERE state = 0 AND cid IN ({','.join('?' * len(part))})",
                part,
            )
            for cid, source, num in rows:
                if wanted and source not in wanted:
                    continue
                if (date_from and num < date_from) or (date_to and not 0 < num <= date_to):
                    continue
                out.add(cid)
        return out

    def text_files(self) -> set[str]:
        """The extracted-text files the file rows refer to."""
        rows = self.conn.execute("SELECT text_file FROM files WHERE text_file IS NOT NULL")
        return {r[0] for r in rows}

    def known_ids(self, ids: Sequence[str]) -> set[str]:
        """Which of ``ids`` the database holds in any state."""
        out: set[str] = set()
        for part in batched(list(ids)):
            rows = self.conn.execute(f"SELECT cid FROM chunks WHERE cid IN ({','.join('?' * len(part))})", part)
            out.update(r[0] for r in rows)
        return out

    def texts(self, ids: Sequence[str]) -> dict[str, tuple[str, str, str, int]]:
        """id -> (title, text, source, date_num) of committed chunks, for re-embedding during repair."""
        out: dict[str, tuple[str, str, str, int]] = {}
        for part in batched(list(ids)):
            rows = self.conn.execute(
                f"SELECT cid, title, text, source, date_num FROM chunks WHERE state = 0 AND cid IN "
                f"({','.join('?' * len(part))})",
                part,
            )
            out.update((r[0], (r[1], r[2], r[3], r[4])) for r in rows)
        return out

    # --- lexical ---------------------------------------------------------------------
    def bm25(
        self, terms: Sequence[str], k: int, sources: Sequence[str] = (), date_from: int = 0, date_to: int = 0
    ) -> list[tuple[str, float]]:
        """The best ``k`` committed chunks for ``terms`` by BM25, with optional filters.

        FTS5 finds a candidate pool; the pool is scored with Lucene's BM25 (k1 1.5, b 0.75, the idf that
        never goes negative), so common terms of a small corpus still count.
        """
        words = [w for w in (fts_term(t) for t in terms) if w]
        if not words or k <= 0:
            return []
        dfs = {w: self.doc_freq(w) for w in dict.fromkeys(words)}
        # Lucene's common-terms idea: in a large index, candidates come from the rarest terms, up to MATCH_BUDGET
        # postings; every term of the query still counts in the score. A small index ranks all terms.
        chosen: list[str] = []
        postings = 0
        budget = MATCH_BUDGET if self.chunk_count() >= EXACT_BELOW else sum(dfs.values())
        for w in sorted((w for w in dfs if dfs[w]), key=lambda w: dfs[w]):
            if chosen and postings + dfs[w] > budget:
                break
            chosen.append(w)
            postings += dfs[w]
        if not chosen:
            return []
        query = " OR ".join(f'"{w}"' for w in chosen)
        where, args = [], [query]
        if sources:
            where.append(f"c.source IN ({','.join('?' * len(sources[:BATCH]))})")
            args.extend(sources[:BATCH])
        if date_from:
            where.append("c.date_num >= ?")
            args.append(str(date_from))
        if date_to:
            where.append("c.date_num BETWEEN 1 AND ?")
            args.append(str(date_to))
        extra = "".join(f" AND {w}" for w in where)
        # over budget (only very common terms): a bounded scan in index order, scored below, instead of ranking
        order = "ORDER BY bm25(chunks_fts) " if postings <= budget else ""
        sql = (
            "SELECT c.cid, c.terms FROM chunks_fts JOIN chunks c ON c.id = chunks_fts.rowid "
            f"WHERE chunks_fts MATCH ?{extra} {order}LIMIT ?"
        )
        try:
            rows = self.conn.execute(sql, [*args, max(POOL, k * 10)]).fetchall()
        except sqlite3.OperationalError as e:
            raise RagError(f"Lexical search failed ({e}).") from None
        if not rows:
            return []
        n = max(1, self.chunk_count())
        avg = max(1.0, float(self.get_meta("tokens") or 0) / n)
        idf = {w: math.log(1.0 + (n - df + 0.5) / (df + 0.5)) for w, df in dfs.items() if df}
        scored = []
        for cid, text in rows:
            doc = text.split()
            tf: dict[str, int] = {}
            for t in doc:
                if t in idf:
                    tf[t] = tf.get(t, 0) + 1
            norm = BM25_K1 * (1 - BM25_B + BM25_B * max(1, len(doc)) / avg)
            score = sum(idf[w] * tf[w] / (tf[w] + norm) for w in words if w in tf)
            if score > 0:
                scored.append((cid, score))
        scored.sort(key=lambda x: (-x[1], x[0]))
        return scored[:k]

    def has_phrase(self, terms: Sequence[str]) -> bool:
        """Whether a committed chunk uses the name from code that ``terms`` spell: two terms one after the
        other ("rel_tol"); three or more within ten terms ("csv.DictWriter.writerow" where the docs write
        "DictWriter" and then "writerow")."""
        words = [w for w in map(fts_term, terms) if w]
        if not words:
            return False
        match = f'"{" ".join(words)}"' if len(words) < 3 else f"NEAR({' '.join(words)}, 10)"
        row = self.conn.execute(
            "SELECT 1 FROM chunks_fts f JOIN chunks c ON c.id = f.rowid WHERE chunks_fts MATCH ? AND c.state = 0 "
            "LIMIT 1",
            (match,),
        ).fetchone()
        return row is not None

    def doc_freq(self, term: str) -> int:
        """How many committed chunks use ``term``."""
        row = self.conn.execute("SELECT df FROM terms WHERE term = ?", (fts_term(term),)).fetchone()
        return int(row[0]) if row else 0

    def terms_with_prefix(self, prefix: str, limit: int = 200) -> list[str]:
        """Indexed terms that start with ``prefix``."""
        p = fts_term(prefix)
        if not p:
            return []
        hi = p[:-1] + chr(ord(p[-1]) + 1)
        rows = self.conn.execute(
            "SELECT term FROM terms WHERE term >= ? AND term < ? LIMIT ?", (p, hi, limit)
        ).fetchall()
        return [r[0] for r in rows]

    def idf(self, term: str) -> float:
        """Inverse document frequency of a term over committed chunks."""
        n = max(1, self.chunk_count())
        return math.log(1.0 + n / (max(1, self.doc_freq(term)) + 0.5))

    # --- corpus words ------------------------------------------------------------------
    def set_features(
        self,
        conn: sqlite3.Connection,
        source: str,
        words: dict[str, str],
        prints: list[int],
        word_docs: dict[str, tuple[int, str]] | None = None,
    ) -> None:
        """Replace a file's corpus words (stem -> surface word; per-word document counts kept) and its quote
        fingerprints (only dated files keep any). Only the differences are written.

        With ``word_docs``, the per-word document count changes are gathered there (stem -> (change, word))
        for one ``apply_word_docs`` per wave instead of a write per file and word.
        """
        row = conn.execute("SELECT words, prints FROM features WHERE source = ?", (source,)).fetchone()
        old_words = set(row[0].split()) if row else set()
        old_prints = set(np.frombuffer(row[1], dtype=np.int64).tolist()) if row else set()
        new_words, new_prints = set(words), set(prints)
        delta = {} if word_docs is None else word_docs
        for w in old_words - new_words:
            n, surface = delta.get(w, (0, ""))
            delta[w] = (n - 1, surface)
        for w in new_words - old_words:
            n, surface = delta.get(w, (0, ""))
            delta[w] = (n + 1, surface or words[w])
        if word_docs is None:
            self.apply_word_docs(conn, delta)
        conn.executemany(
            "DELETE FROM shingles WHERE hash = ? AND source = ?", [(h, source) for h in sorted(old_prints - new_prints)]
        )
        conn.executemany(
            "INSERT OR IGNORE INTO shingles VALUES (?, ?)", [(h, source) for h in sorted(new_prints - old_prints)]
        )
        if words or prints:
            blob = np.array(sorted(new_prints), dtype=np.int64).tobytes()
            conn.execute("INSERT OR REPLACE INTO features VALUES (?, ?, ?)", (source, " ".join(sorted(words)), blob))
        else:
            conn.execute("DELETE FROM features WHERE source = ?", (source,))

    def apply_word_docs(self, conn: sqlite3.Connection, word_docs: dict[str, tuple[int, str]]) -> None:
        """Apply gathered per-word document count changes, one statement per word, in key order."""
        ups = [(w, surface, n, n) for w, (n, surface) in sorted(word_docs.items()) if n > 0]
        downs = [(n, w) for w, (n, _) in sorted(word_docs.items()) if n < 0]
        conn.executemany("UPDATE words SET docs = docs + ? WHERE stem = ?", downs)
        conn.executemany(
            "INSERT INTO words VALUES (?, ?, ?, 0) ON CONFLICT (stem) DO UPDATE SET docs = docs + ?", ups
        )

    def words_to_embed(self, limit: int = 2048) -> list[tuple[str, str]]:
        """(stem, word) of used corpus words with no vector yet."""
        rows = self.conn.execute(
            "SELECT stem, word FROM words WHERE embedded = 0 AND docs > 0 LIMIT ?", (limit,)
        ).fetchall()
        return [(r[0], r[1]) for r in rows]

    def words_unused(self, limit: int = 2048) -> list[tuple[str, bool]]:
        """(stem, embedded) of corpus words no document uses any more."""
        rows = self.conn.execute("SELECT stem, embedded FROM words WHERE docs <= 0 LIMIT ?", (limit,)).fetchall()
        return [(r[0], bool(r[1])) for r in rows]

    def mark_words(self, stems: Sequence[str], embedded: bool) -> None:
        """Record that ``stems`` now have vectors (or forget unused ones)."""
        with self.transaction() as conn:
            if embedded:
                conn.executemany("UPDATE words SET embedded = 1 WHERE stem = ?", [(s,) for s in stems])
            else:
                conn.executemany("DELETE FROM words WHERE stem = ? AND docs <= 0", [(s,) for s in stems])

    def unmark_words(self, stems: Sequence[str]) -> None:
        """Record that ``stems`` have no vector (before their vectors are deleted)."""
        with self.transaction() as conn:
            conn.executemany("UPDATE words SET embedded = 0 WHERE stem = ?", [(s,) for s in stems])

    def sample_ids(self, n: int = 256) -> list[str]:
        """Up to ``n`` committed chunk ids from a random place, for a cheap spot check of the vector store."""
        import random

        top = self.conn.execute("SELECT max(id) FROM chunks").fetchone()[0] or 0
        start = random.randint(0, max(0, top - n))
        rows = self.conn.execute(
            "SELECT cid FROM chunks WHERE state = 0 AND id >= ? ORDER BY id LIMIT ?", (start, n)
        ).fetchall()
        return [r[0] for r in rows]

    def word_count(self, limit: int | None = None) -> int:
        """Corpus words with a vector (counting stops at ``limit``, when given)."""
        sql = "SELECT count(*) FROM (SELECT 1 FROM words WHERE embedded = 1 AND docs > 0 LIMIT ?)"
        return int(self.conn.execute(sql, (-1 if limit is None else limit,)).fetchone()[0])

    def words_of(self, stems: Sequence[str]) -> dict[str, str]:
        """stem -> surface word, for the given stems that are corpus words."""
        out: dict[str, str] = {}
        for part in batched(list(stems)):
            rows = self.conn.execute(
                f"SELECT stem, word FROM words WHERE docs > 0 AND stem IN ({','.join('?' * len(part))})", part
            )
            out.update((r[0], r[1]) for r in rows)
        return out

    # --- quote fingerprints (date borrowing) -----------------------------------------------
    def shared_shingles(self, hashes: Sequence[int], exclude: str) -> list[tuple[str, int]]:
        """(source, fingerprints shared) of the stored files sharing any of ``hashes``, most first."""
        counts: dict[str, int] = {}
        for part in batched(list(hashes)):
            rows = self.conn.execute(
                f"SELECT source, count(*) FROM shingles WHERE hash IN ({','.join('?' * len(part))}) GROUP BY source",
                part,
            )
            for source, n in rows:
                if source != exclude:
                    counts[source] = counts.get(source, 0) + int(n)
        return sorted(counts.items(), key=lambda x: (-x[1], x[0]))
