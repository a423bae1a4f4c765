"""The index: vectors in Chroma (embedded or a server), chunk records and BM25 in SQLite (:mod:`rag.index.chunkdb`).

Every operation costs in proportion to what it touches: chunks are read by id, writes go in bounded batches,
and no call reads a whole collection. Writers hold the ingest lock; a reader sees the last committed state,
and notices another process's ingest on its next question.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any, TypeVar, cast
from urllib.parse import urlparse

import numpy as np

from rag.errors import RagError
from rag.index.chroma_cache import CACHE as _CACHE
from rag.index.chroma_cache import CREATE_LOCK as _CREATE_LOCK
from rag.index.chunkdb import ChunkDB
from rag.index.schema import DB_FILE, FileRow, date_number
from rag.records import Chunk
from rag.settings import Settings
from rag.text.sentences import earlier_readings, read_with_previous, vector_texts

log = logging.getLogger(__name__)
T = TypeVar("T")
LEGACY_MANIFEST = "manifest.json"
CHROMA_BATCH = 5000
OVERFETCH = 300  # nearest chunks filtered here before a filtered search falls back to Chroma's where
OVERFETCH_MAX = 5000  # ... and at most this many in the second pass
PAGE = 5000
EXPAND_MIN = 0.65  # a corpus word this close to a question word the corpus never uses joins the BM25 query
EXPAND_MAX = 3  # at most this many per unknown word
IDF_CACHE = 50_000  # term weights kept in memory between writes (a question asks for a few hundred)
WORD_CACHE_BYTES = 16 << 20  # word vectors kept in memory between writes (a question reads a few hundred words)
_UNREAD = object()

__all__ = ["Store", "chunk_metadata", "date_number", "open_chroma"]

# HNSW graph breadth at build time. With Chroma's 100, two builds of the essays (4,918 chunks) disagreed on the
# 30 nearest chunks for 11 of 120 real questions even at search_ef 300; with 200, 5 (and 1 at search_ef 500).
CONSTRUCTION_EF = 200


def chunk_metadata(chunk: Chunk) -> dict[str, Any]:
    """The little a vector carries for Chroma-side filters: its source and date."""
    return {"source": chunk.source, "date_num": date_number(chunk.date)}


def open_chroma(settings: Settings, index_dir: Path) -> Any:
    """A Chroma client: a server when ``chroma_url`` is set, else embedded in ``index_dir/chroma``."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_url:
        url = urlparse(settings.chroma_url)
        if not url.hostname:
            raise RagError(f"RAG_CHROMA_URL is not a URL: {settings.chroma_url}")
        try:
            client = chromadb.HttpClient(
                host=url.hostname,
                port=url.port or (443 if url.scheme == "https" else 8000),
                ssl=url.scheme == "https",
                settings=chroma_settings,
            )
            client.heartbeat()
        except Exception as e:  # noqa: BLE001 - any failure to connect is reported the same way
            raise RagError(f"Cannot reach the Chroma server at {settings.chroma_url}: {e}") from None
        return client
    try:
        return chromadb.PersistentClient(path=str(index_dir / "chroma"), settings=chroma_settings)
    except Exception as e:  # noqa: BLE001 - Chroma raises many kinds; the user needs one line
        raise RagError(f"Cannot open the vector store in {index_dir.name}/chroma: {e}") from None


def _apply_search_ef(collection: Any, search_ef: int) -> None:
    """Give a collection built with another HNSW search breadth ``search_ef`` (Chroma reads it when it next loads
    the index, so from the next start). A collection it cannot change keeps working as it was."""
    try:
        with warnings.catch_warnings():  # Chroma warns that a collection without an embedding function is legacy
            warnings.simplefilter("ignore", DeprecationWarning)
            current = (collection.configuration or {}).get("hnsw", {}).get("ef_search")
        if current is not None and current != search_ef:
            collection.modify(configuration={"hnsw": {"ef_search": search_ef}})
    except Exception as e:  # noqa: BLE001 - an optimisation only: a read-only or older Chroma keeps its breadth
        log.info("Could not set the HNSW search breadth of %s: %s", getattr(collection, "name", "?"), e)


class Store:
    """Chroma collection + SQLite chunk records and BM25 for one index directory.

    Vectors are always passed in: Chroma's own (downloading) embedding function is never used. Nothing is
    created on disk until the first write, so a failed first ingest leaves no empty index behind.
    """

    def __init__(
        self, index_dir: Path, settings: Settings, embedder_name: str, create: bool = False, rebuild: bool = False
    ) -> None:
        self.index_dir = Path(index_dir)
        self.settings = settings
        self.embedder_name = embedder_name
        name = settings.collection
        if not 3 <= len(name) <= 512:
            raise RagError("RAG_COLLECTION must have 3 to 512 characters.")
        if self.index_dir.exists() and not self.index_dir.is_dir():
            raise RagError(f"The index path {self.index_dir} is a file, not a folder.")
        db_path = self.index_dir / DB_FILE
        if rebuild:
            self._wipe()
        if not db_path.exists() and (self.index_dir / LEGACY_MANIFEST).exists():
            raise RagError(
                f"The index at {self.index_dir} was built by an older release; rebuild it: "
                f"python -m rag ingest DOCS_DIR --index {self.index_dir} --rebuild"
            )
        if not create and not db_path.exists():
            raise RagError(
                f"No index at {self.index_dir}. Build one first: python ingest.py DOCS_DIR --index {self.index_dir}"
            )
        self._db: ChunkDB | None = None
        self._client: Any = None
        self._collection: Any = None
        self._words: Any = None
        self._epoch = _CACHE.epoch
        self.dense_unavailable: str | None = None
        self._lock = threading.RLock()
        self._idf_cache: dict[str, float] = {}
        self._word_cache: dict[str, np.ndarray | None] = {}  # None: not a corpus word
        self._word_width = 384  # floats in a word vector, as last read; it bounds the cache's memory
        self._idf_generation = -1
        if db_path.exists():
            self._open_db(create=False)
        if settings.chroma_url:
            _ = self.client  # a server is checked at once, so a wrong URL fails on open

    def _wipe(self) -> None:
        """Delete this index's own files (and its collections on a Chroma server), nothing else in the folder."""
        import shutil

        if self.settings.chroma_url:
            for name in (self.settings.collection, f"{self.settings.collection}-words"):
                with contextlib.suppress(Exception):  # a collection that isn't there is already gone
                    self.client.delete_collection(name)
        for name in (DB_FILE, f"{DB_FILE}-wal", f"{DB_FILE}-shm", LEGACY_MANIFEST, "lexical.pkl", "words.npz"):
            (self.index_dir / name).unlink(missing_ok=True)
        for folder in ("chroma", "texts"):
            shutil.rmtree(self.index_dir / folder, ignore_errors=True)
        _CACHE.forget(self._cache_key)

    # --- lazily opened parts ------------------------------------------------------------
    def _open_db(self, create: bool) -> ChunkDB:
        if self._db is None:
            if create:
                self.index_dir.mkdir(parents=True, exist_ok=True)
            db = ChunkDB(self.index_dir / DB_FILE, create=create)
            stored = db.get_meta("embedder")
            if stored and stored != self.embedder_name:
                raise RagError(
                    f"The index at {self.index_dir} was built with the embedder '{stored}', but the settings "
                    f"select '{self.embedder_name}'. Use the same embedder, or build a new index in another "
                    "--index directory."
                )
            if not stored and not db.read_only:
                with db.transaction() as conn:
                    db.set_meta(conn, "embedder", self.embedder_name)
            key = self._cache_key
            db.on_commit = lambda generation: _CACHE.wrote(key, generation)
            self._db = db
        return self._db

    @property
    def exists(self) -> bool:
        """Whether the index has been written to disk."""
        return self._db is not None

    @property
    def db(self) -> ChunkDB:
        """The chunk database, created on first use by a writer."""
        return self._open_db(create=True)

    @property
    def client(self) -> Any:
        """The Chroma client (created once, under a lock: embedded Chroma fails when two threads create it)."""
        with self._lock:
            if self._epoch != _CACHE.epoch:  # the process's cached systems were reset: open again
                self._client = self._collection = self._words = None
                self._epoch = _CACHE.epoch
            if self._client is None:
                # process-wide: Chroma registers a shared system before it has started, so a second thread
                # creating a client for the same folder meanwhile would get a half-built one
                with _CACHE.shared(), _CREATE_LOCK:
                    if not self.settings.chroma_url:  # a new client reads the current state from disk
                        _CACHE.start(self._cache_key, self._db.generation() if self._db else 0)
                    self._client = open_chroma(self.settings, self.index_dir)
            return self._client

    def _get_collection(self, name: str) -> Any:
        try:
            collection = self.client.get_or_create_collection(
                name,
                metadata={
                    "hnsw:space": "cosine",
                    "hnsw:construction_ef": CONSTRUCTION_EF,
                    "hnsw:search_ef": self.settings.search_ef,
                    "embedder": self.embedder_name,
                },
                embedding_function=None,
            )
        except RagError:
            raise
        except Exception as e:  # noqa: BLE001 - Chroma raises many kinds; the user needs one line
            raise RagError(f"Cannot open the Chroma collection '{name}': {e}") from None
        _apply_search_ef(collection, self.settings.search_ef)
        stored = (collection.metadata or {}).get("embedder")
        if stored and stored != self.embedder_name:
            raise RagError(
                f"The Chroma collection '{name}' holds vectors from '{stored}', not '{self.embedder_name}'. "
                "Use the same embedder or another RAG_COLLECTION."
            )
        return collection

    @property
    def collection(self) -> Any:
        """The chunk vectors."""
        with self._lock:
            _ = self.client
            if self._collection is None:
                self._collection = self._get_collection(self.settings.collection)
            return self._collection

    @property
    def word_collection(self) -> Any:
        """The corpus words' vectors, for finding a question's paraphrases without scanning the vocabulary."""
        with self._lock:
            _ = self.client
            if self._words is None:
                self._words = self._get_collection(f"{self.settings.collection}-words")
            return self._words

    @property
    def _cache_key(self) -> str:
        return str((self.index_dir / "chroma").resolve())

    def refresh(self) -> None:
        """Pick up another process's committed writes: embedded Chroma caches its state per process."""
        if self._db is None:
            if (self.index_dir / DB_FILE).exists():
                self._open_db(create=False)
            return
        generation = self._db.generation()
        if generation != self._idf_generation:  # term weights and the vocabulary change with every committed write
            self._idf_cache.clear()
            self._word_cache.clear()
            self._idf_generation = generation
        if self.settings.chroma_url:
            return
        key = self._cache_key
        if key in _CACHE.synced and not (self.index_dir / "chroma").is_dir():
            _CACHE.forget(key)  # the vectors' folder was deleted under this process: start from an empty one
            return
        if _CACHE.synced.get(key) != generation:
            _CACHE.reset(key, generation)

    # --- metadata -----------------------------------------------------------------------
    @property
    def docs_root(self) -> Path | None:
        """The folder this index mirrors."""
        value = self._db.get_meta("docs_root") if self._db else None
        return Path(value) if value else None

    def set_docs_root(self, folder: Path) -> None:
        """Record the folder this index mirrors."""
        with self.db.transaction() as conn:
            self.db.set_meta(conn, "docs_root", str(folder))

    def count(self) -> int:
        """Committed chunks."""
        return self._db.chunk_count() if self._db else 0

    def file(self, source: str) -> FileRow | None:
        """What the index holds of one file."""
        return self._db.file(source) if self._db else None

    def files(self) -> Iterator[FileRow]:
        """Every file the index holds, in source order."""
        if self._db:
            yield from self._db.files()

    # --- vectors ------------------------------------------------------------------------
    def add_vectors(self, chunks: Sequence[Chunk], vectors: np.ndarray) -> None:
        """Write vectors in batches Chroma accepts. Re-adding an id overwrites it."""
        if not len(chunks):
            return
        dim = self.db.get_meta("dim")
        if dim not in (None, str(vectors.shape[1])):
            raise RagError(f"Embedding size {vectors.shape[1]} differs from the index's {dim}.")
        if dim is None:
            with self.db.transaction() as conn:
                self.db.set_meta(conn, "dim", str(vectors.shape[1]))
        with _CACHE.shared():
            step = max(1, min(CHROMA_BATCH, self.client.get_max_batch_size()))
            for b in range(0, len(chunks), step):
                part = chunks[b : b + step]
                self.collection.upsert(
                    ids=[c.id for c in part],
                    embeddings=vectors[b : b + step],
                    metadatas=[chunk_metadata(c) for c in part],
                )

    def delete_vectors(self, ids: Sequence[str]) -> None:
        """Delete vectors by id, in bounded batches (ids Chroma doesn't hold are ignored)."""
        with _CACHE.shared():
            for b in range(0, len(ids), CHROMA_BATCH):
                self.collection.delete(ids=list(ids[b : b + CHROMA_BATCH]))

    def vectors_present(self, ids: Sequence[str]) -> set[str]:
        """Which of ``ids`` Chroma holds."""
        out: set[str] = set()
        with _CACHE.shared():
            for b in range(0, len(ids), CHROMA_BATCH):
                out.update(self.collection.get(ids=list(ids[b : b + CHROMA_BATCH]), include=[])["ids"])
        return out

    def vector_ids(self, page: int = PAGE) -> Iterator[list[str]]:
        """Every id Chroma holds, a page at a time."""
        offset = 0
        while True:
            with _CACHE.shared():
                got = self.collection.get(include=[], limit=page, offset=offset)["ids"]
            if not got:
                return
            yield list(got)
            offset += len(got)

    def _read(self, what: str, call: Callable[[], T]) -> T:
        """Run a Chroma read for a question; retried once on a fresh client, then a one-line error.

        Embedded Chroma is not built for another process writing the same folder: a read that overlaps that
        process's write (before it commits the generation that :meth:`refresh` watches) can fail inside Chroma
        ("Error finding id"). The retry reopens Chroma from disk, as a new generation would.
        """
        for attempt in (1, 2):
            try:
                with _CACHE.shared():
                    return call()
            except RagError:
                raise
            except Exception as e:  # noqa: BLE001 - Chroma raises many kinds; the user needs one line
                if attempt == 2:
                    raise RagError(f"{what} failed: {e}") from None
                log.info("%s failed (%s); reopening Chroma and trying once more", what, e)
                if not self.settings.chroma_url:
                    _CACHE.forget(self._cache_key)
        raise AssertionError("unreachable")

    def _vectors_readable(self) -> bool:
        """False when the index is on a read-only disk and embedded Chroma can't open there: lexical search only."""
        if self.dense_unavailable:
            return False
        if self._db is None or not self._db.read_only or self.settings.chroma_url:
            return True
        try:
            _ = self.collection
        except RagError as e:
            self.dense_unavailable = str(e)
            log.warning("read-only index: vector search is off, answers use lexical search only (%s)", e)
            return False
        return True

    def dense(self, vector: np.ndarray, k: int, where: dict[str, Any] | None) -> list[tuple[str, float]]:
        """Top-``k`` chunk ids by cosine similarity, with the similarity (committed or not)."""
        if self._db is None or not self.count() or not self._vectors_readable():
            return []
        self.refresh()
        result = self._read(
            "Vector search",
            lambda: self.collection.query(
                query_embeddings=[vector.tolist()], n_results=max(1, k), where=where, include=["distances"]
            ),
        )
        ids = result["ids"][0] if result["ids"] else []
        distances = result["distances"][0] if result.get("distances") else [1.0] * len(ids)
        return [(cid, 1.0 - float(d)) for cid, d in zip(ids, distances, strict=False)]

    def dense_filtered(
        self,
        vector: np.ndarray,
        k: int,
        where: dict[str, Any] | None,
        sources: Sequence[str] = (),
        date_from: str | None = None,
        date_to: str | None = None,
    ) -> list[tuple[str, float]]:
        """Top-``k`` chunks among those passing the filters.

        Chroma's filtered search is slow on a large collection (a date range: 280 ms at 67k chunks against 4 ms
        unfiltered), so the nearest ``OVERFETCH`` chunks are filtered here first; only a filter too selective
        for that falls back to Chroma's ``where``.
        """
        if where is None:
            return self.dense(vector, k, None)
        if self._db is None:
            return []
        span = (sources, date_number(date_from), date_number(date_to))
        n = max(OVERFETCH, 10 * k)
        for _ in range(2):  # a second, larger pass sized by the share that passed the first
            near = self.dense(vector, n, None)
            keep = self._db.admitted([c for c, _ in near], *span)
            hits = [(c, s) for c, s in near if c in keep]
            if len(hits) >= k or len(near) >= self.count():
                return hits[:k]
            if not hits:
                break
            n = int(1.5 * k * len(near) / len(hits)) + 1
            if n > OVERFETCH_MAX:
                break
        return self.dense(vector, k, where)

    # --- records and lexical --------------------------------------------------------------
    def chunks(self, ids: Sequence[str]) -> dict[str, Chunk]:
        """Committed chunks by id."""
        return self._db.chunks(ids) if self._db else {}

    def attach_sentence_vectors(self, chunks: Sequence[Chunk]) -> None:
        """Give ``chunks`` their stored sentence vectors (float32, one row per sentence) and those of their sentences'
        further readings (with the one before, with the term described), where the index has them for exactly their
        sentences."""
        if self._db is None:
            return
        stored = self._db.sentence_vectors([c.id for c in chunks if c.vectors is None])
        dim = int(self._db.get_meta("dim") or 0)
        for c in chunks:
            blob, n = stored.get(c.id), len(c.sentences)
            if not blob or not n or not dim or len(blob) % (2 * dim):
                continue
            rows = np.frombuffer(blob, dtype=np.float16).reshape(-1, dim).astype(np.float32)
            sentences, readings = vector_texts(c)
            if len(rows) != n + len(readings):  # stored by an earlier release: its readings were fewer
                earlier: tuple[list[str], ...] = (earlier_readings(c.title, sentences), read_with_previous(sentences), [])
                readings = next((r for r in earlier if len(rows) == n + len(r)), readings)
            if len(rows) == n + len(readings):
                c.vectors, c.pair_vectors = rows[:n], dict(zip(readings, rows[n:], strict=True))

    def source_chunks(self, source: str) -> list[Chunk]:
        """One file's committed chunks, in order."""
        return self._db.source_chunks(source) if self._db else []

    def bm25(
        self,
        query: str,
        k: int,
        extra: list[str] | None = None,
        sources: Sequence[str] = (),
        date_from: str | None = None,
        date_to: str | None = None,
    ) -> list[tuple[str, float]]:
        """Top-``k`` committed chunk ids by BM25 score (positive only); ``extra`` stems join the query's."""
        from rag.text.lexical import terms

        if self._db is None:
            return []
        return self._db.bm25(
            [*terms(query), *(extra or [])], k, sources, date_number(date_from), date_number(date_to)
        )

    def has_term(self, term: str) -> bool:
        """Whether any chunk uses the stemmed ``term``."""
        return bool(self._db and self._db.doc_freq(term))

    def knows(self, term: str) -> bool:
        """Whether any indexed chunk uses the stemmed ``term`` (or its place/people form: "Iraq"/"Iraqi"); a
        ``term`` of several words separated by spaces must occur as a run."""
        if " " in term:
            return bool(self._db and self._db.has_phrase(term.split()))
        if self.has_term(term):
            return True
        if self._db is None or len(term) < 4:
            return False
        from rag.text.words import same_place

        return any(same_place(term, t) for t in self._db.terms_with_prefix(term[:4]))

    def idf(self, term: str) -> float:
        """Inverse document frequency of a stemmed term over chunks.

        A term the documents never use weighs as much as the rarest one they do, not more: in a question it is
        as often a paraphrase ("initiated" for "instigation") as the sign of a missing fact ("turnout").
        """
        if self._db is None:
            return 0.0
        weight = self._idf_cache.get(term)
        if weight is None:
            if len(self._idf_cache) >= IDF_CACHE:
                self._idf_cache.clear()
            weight = self._idf_cache[term] = self._db.idf(term)
        return weight

    def near_words(self, vectors: np.ndarray) -> list[list[str]]:
        """For each word vector, the stems of up to EXPAND_MAX corpus words at least EXPAND_MIN similar."""
        if self._db is None or not len(vectors) or not self._vectors_readable():
            return [[] for _ in range(len(vectors))]
        n = min(EXPAND_MAX, self._db.word_count(limit=EXPAND_MAX))  # at most 3 rows read, not the vocabulary
        if not n:
            return [[] for _ in range(len(vectors))]
        self.refresh()
        result = self._read(
            "The word-vector search",
            lambda: self.word_collection.query(query_embeddings=vectors.tolist(), n_results=n, include=["distances"]),
        )
        out = []
        for ids, distances in zip(result["ids"], result["distances"], strict=True):
            out.append([s for s, d in zip(ids, distances, strict=True) if 1.0 - d >= EXPAND_MIN])
        return out

    def word_vectors(self, stems: list[str]) -> dict[str, np.ndarray]:
        """Stored vectors of those of ``stems`` that are corpus words, by stem (each embedded from the form the index
        first met). Words not read since the last write are read in one call by id; no model runs."""
        if self._db is None or not stems or not self._vectors_readable():
            return {}
        self.refresh()  # clears the cache when another write has committed
        cache = self._word_cache
        known: dict[str, np.ndarray | None] = {}
        unread = []
        for s in dict.fromkeys(stems):
            v = cache.get(s, _UNREAD)  # one lookup: another thread's write may clear the cache meanwhile
            if v is _UNREAD:
                unread.append(s)
            else:
                known[s] = cast("np.ndarray | None", v)
        if unread:
            got = self._read(
                "Reading word vectors", lambda: self.word_collection.get(ids=unread, include=["embeddings"])
            )
            found = {s: np.asarray(v, dtype=np.float32) for s, v in zip(got["ids"], got["embeddings"], strict=True)}
            fresh = {s: found.get(s) for s in unread}
            if found:
                self._word_width = len(next(iter(found.values())))
            if len(cache) + len(fresh) > WORD_CACHE_BYTES // (4 * self._word_width):
                cache.clear()
            cache.update(fresh)
            known.update(fresh)
        return {s: v for s, v in known.items() if v is not None}

    def update_vocabulary(self, embedder: Any) -> int:
        """Embed the corpus words that have no vector yet, and drop the unused ones; returns how many embedded."""
        if self._db is None:
            return 0
        embedded = 0
        while todo := self._db.words_to_embed():
            vectors = embedder.embed([w for _s, w in todo])
            stems = [s for s, _w in todo]
            with _CACHE.shared():
                step = max(1, min(CHROMA_BATCH, self.client.get_max_batch_size()))
                for b in range(0, len(stems), step):
                    self.word_collection.upsert(ids=stems[b : b + step], embeddings=vectors[b : b + step])
            self._db.mark_words(stems, embedded=True)
            embedded += len(stems)
        while unused := self._db.words_unused():
            stems = [s for s, _e in unused]
            self._db.unmark_words(stems)  # first: a crash after the delete must not leave them marked as embedded
            with _CACHE.shared():
                for b in range(0, len(stems), CHROMA_BATCH):
                    self.word_collection.delete(ids=stems[b : b + CHROMA_BATCH])
            self._db.mark_words(stems, embedded=False)
        return embedded

    # --- documents ----------------------------------------------------------------------------
    def document_text(self, source: str) -> str:
        """The text that citation spans of ``source`` index into."""
        entry = self.file(source)
        if entry is None:
            raise RagError(f"No document '{source}' in the index.")
        if entry.text_file:
            return (self.index_dir / entry.text_file).read_text(encoding="utf-8")
        root = self.docs_root or Path(".")
        path = root / source
        if not path.exists():
            raise RagError(f"The source file {source} is gone; re-ingest the folder.")
        from rag.files import decode_text

        return decode_text(path.read_bytes())

    def describe(self) -> list[dict[str, Any]]:
        """One row per document for listings: source, title, date, chunks."""
        return [
            {
                "source": f.source,
                "title": f.title,
                "date": f.date or "",
                "date_inferred": f.date_inferred,
                "chunks": f.n_chunks,
            }
            for f in self.files()
        ]

    # --- consistency -----------------------------------------------------------------------------
    def stored_ids(self) -> set[str]:
        """Every chunk id Chroma holds (paged; for checks and tests)."""
        if self._db is None:
            return set()
        return {cid for page in self.vector_ids() for cid in page}

    def expected_ids(self) -> set[str]:
        """Every committed chunk id (paged; for checks and tests)."""
        out: set[str] = set()
        if self._db is None:
            return out
        last = ""
        while page := self._db.chunk_ids(last):
            out.update(page)
            last = page[-1]
        return out

    def consistent(self) -> bool:
        """A cheap check that Chroma holds exactly the committed chunks (counts, and nothing pending)."""
        if self._db is None:
            return True
        from rag.index.schema import PENDING_ADD, PENDING_DELETE

        if self._db.pending(PENDING_ADD, 1) or self._db.pending(PENDING_DELETE, 1):
            return False
        with _CACHE.shared():
            if self.collection.count() != self._db.chunk_count():
                return False
        sample = self._db.sample_ids()
        return len(self.vectors_present(sample)) == len(sample)

    def chunk_to_json(self, chunk: Chunk) -> dict[str, Any]:
        """A JSON-ready copy of a chunk."""
        return asdict(chunk)
