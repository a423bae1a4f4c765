"""The index: Chroma (embedded or server) through llama-index, a BM25 index kept in step, and a manifest."""

from __future__ import annotations

import hashlib
import json
import math
import os
import pickle
from collections import Counter
from dataclasses import asdict
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import numpy as np

from .errors import RagError
from .records import Chunk, Span
from .settings import Settings

MANIFEST = "manifest.json"
LEXICAL = "lexical.pkl"
WORDS = "words.npz"
FORMAT_VERSION = 1


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` so a crash leaves either the old or the new file, never half of one."""
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def date_number(iso: str | None) -> int:
    """``2015-09-26`` as 20150926 (0 when unknown), for range filters in Chroma."""
    return int(iso.replace("-", "")) if iso else 0


def chunk_metadata(chunk: Chunk) -> dict[str, Any]:
    """Flat Chroma metadata for a chunk."""
    return {
        "source": chunk.source,
        "title": chunk.title,
        "date": chunk.date or "",
        "date_num": date_number(chunk.date),
        "date_inferred": chunk.date_inferred,
        "sha256": chunk.sha256,
        "start": chunk.start,
        "end": chunk.end,
        "sentences": json.dumps([[s.start, s.end] for s in chunk.sentences]),
    }


def chunk_from_record(cid: str, text: str, meta: dict[str, Any]) -> Chunk:
    """Rebuild a :class:`Chunk` from what Chroma stores."""
    return Chunk(
        id=cid,
        source=str(meta["source"]),
        text=text,
        start=int(meta["start"]),
        end=int(meta["end"]),
        sentences=[Span(a, b) for a, b in json.loads(str(meta["sentences"]))],
        title=str(meta.get("title", "")),
        date=str(meta.get("date") or "") or None,
        date_inferred=bool(meta.get("date_inferred", False)),
        sha256=str(meta.get("sha256", "")),
    )


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
    return chromadb.PersistentClient(path=str(index_dir / "chroma"), settings=chroma_settings)


class Store:
    """Chroma collection + lexical index + manifest for one index directory.

    Vectors are always passed in: Chroma's own (downloading) embedding function is never used.
    """

    def __init__(self, index_dir: Path, settings: Settings, embedder_name: str, create: bool = False) -> None:
        from llama_index.vector_stores.chroma import ChromaVectorStore

        self.index_dir = Path(index_dir)
        self.settings = settings
        manifest_path = self.index_dir / MANIFEST
        if not create and not manifest_path.exists():
            raise RagError(
                f"No index at {self.index_dir}. Build one first: python ingest.py DOCS_DIR --index {self.index_dir}"
            )
        self.index_dir.mkdir(parents=True, exist_ok=True)
        self.manifest: dict[str, Any] = (
            json.loads(manifest_path.read_text(encoding="utf-8"))
            if manifest_path.exists()
            else {"version": FORMAT_VERSION, "embedder": embedder_name, "dim": None, "docs_root": None, "files": {}}
        )
        if self.manifest.get("embedder") not in (None, embedder_name):
            raise RagError(
                f"The index at {self.index_dir} was built with the embedder '{self.manifest['embedder']}', "
                f"but the settings select '{embedder_name}'. Use the same embedder, or build a new index "
                "in another --index directory."
            )
        self.manifest["embedder"] = embedder_name
        self.client = open_chroma(settings, self.index_dir)
        name = settings.collection
        if not 3 <= len(name) <= 512:
            raise RagError("RAG_COLLECTION must have 3 to 512 characters.")
        self.collection = self.client.get_or_create_collection(
            name, metadata={"hnsw:space": "cosine", "embedder": embedder_name}, embedding_function=None
        )
        stored = (self.collection.metadata or {}).get("embedder")
        if stored and stored != embedder_name:
            raise RagError(
                f"The Chroma collection '{name}' holds vectors from '{stored}', not '{embedder_name}'. "
                "Use the same embedder or another RAG_COLLECTION."
            )
        self.vectors = ChromaVectorStore(chroma_collection=self.collection)
        self.chunks: dict[str, Chunk] = {}
        self._lexical: Any = None
        self._lexical_ids: list[str] = []
        self.doc_freq: Counter[str] = Counter()
        self.words: dict[str, str] = {}
        self._vocabulary: Any = None
        self._load_lexical()

    # --- manifest -----------------------------------------------------------------
    def save_manifest(self) -> None:
        """Persist the manifest atomically."""
        data = json.dumps(self.manifest, indent=1, sort_keys=True).encode()
        atomic_write(self.index_dir / MANIFEST, data)

    @property
    def files(self) -> dict[str, dict[str, Any]]:
        """Manifest entries keyed by source path."""
        files: dict[str, dict[str, Any]] = self.manifest["files"]
        return files

    def expected_ids(self) -> set[str]:
        """Chunk ids the manifest says the index holds."""
        return {cid for entry in self.files.values() for cid in entry["chunks"]}

    # --- vectors ------------------------------------------------------------------
    def add(self, chunks: list[Chunk], vectors: np.ndarray) -> None:
        """Write chunks with their vectors, in batches Chroma accepts. Re-adding an id overwrites it."""
        from llama_index.core.schema import BaseNode, TextNode

        if not len(chunks):
            return
        if self.manifest.get("dim") not in (None, vectors.shape[1]):
            raise RagError(f"Embedding size {vectors.shape[1]} differs from the index's {self.manifest['dim']}.")
        self.manifest["dim"] = int(vectors.shape[1])
        nodes: list[BaseNode] = [
            TextNode(id_=c.id, text=c.text, metadata=chunk_metadata(c), embedding=v.tolist())
            for c, v in zip(chunks, vectors, strict=True)
        ]
        step = max(1, min(5000, self.client.get_max_batch_size()))
        for b in range(0, len(nodes), step):
            batch = nodes[b : b + step]
            self.collection.delete(ids=[n.node_id for n in batch])
            self.vectors.add(batch)

    def delete(self, ids: list[str]) -> None:
        """Delete chunks by id."""
        step = 5000
        for b in range(0, len(ids), step):
            self.vectors.delete_nodes(node_ids=ids[b : b + step])

    def stored_ids(self) -> set[str]:
        """Every chunk id Chroma holds."""
        return set(self.collection.get(include=[])["ids"])

    def dense(self, vector: np.ndarray, k: int, where: dict[str, Any] | None) -> list[tuple[str, float]]:
        """Top-``k`` chunk ids by cosine similarity, with the similarity."""
        from llama_index.core.vector_stores.types import VectorStoreQuery

        count = self.collection.count()
        if not count:
            return []
        result = self.vectors.query(
            VectorStoreQuery(query_embedding=vector.tolist(), similarity_top_k=min(k, count)),
            where=where,
        )
        ids = result.ids or []
        sims = [1.0 + float(np.log(s)) for s in (result.similarities or [])]  # exp(-distance) -> 1 - distance
        return list(zip(ids, sims, strict=False))

    # --- lexical ------------------------------------------------------------------
    def _fingerprint(self, ids: list[str]) -> str:
        return hashlib.sha256("\n".join(sorted(ids)).encode()).hexdigest()

    def _load_lexical(self) -> None:
        path = self.index_dir / LEXICAL
        if path.exists():
            try:
                with path.open("rb") as f:
                    saved = pickle.load(f)
                if saved.get("fingerprint") == self._fingerprint(list(self.stored_ids())):
                    self.chunks = saved["chunks"]
                    self._lexical, self._lexical_ids = saved["bm25"], saved["ids"]
                    self.doc_freq = saved["doc_freq"]
                    self.words = saved["words"]
                    return
            except (OSError, pickle.UnpicklingError, EOFError, KeyError, AttributeError):
                pass
        self.rebuild_lexical()

    def rebuild_lexical(self) -> None:
        """Rebuild the chunk table and BM25 from what Chroma holds, so both always agree."""
        from . import lexical

        got = self.collection.get(include=["documents", "metadatas"])
        chunks = {
            cid: chunk_from_record(cid, doc or "", meta or {})
            for cid, doc, meta in zip(got["ids"], got["documents"], got["metadatas"], strict=True)
            if meta and "sentences" in meta
        }
        ids = sorted(chunks)
        corpus = [lexical.index_text(chunks[i]) for i in ids]
        bm25 = lexical.build(corpus)
        doc_freq = Counter(t for doc in corpus for t in set(doc))
        from .matching import content_words

        words: dict[str, str] = {}
        for i in ids:
            for t, w in content_words(f"{chunks[i].title} {chunks[i].text}").items():
                if w.isalpha():
                    words.setdefault(t, w)
        # swap everything at once so a question answered meanwhile never sees a half-updated index
        self.chunks, self._lexical_ids, self._lexical, self.doc_freq = chunks, ids, bm25, doc_freq
        self.words, self._vocabulary = words, None
        payload = {
            "doc_freq": doc_freq,
            "words": words,
            "fingerprint": self._fingerprint(ids),
            "chunks": chunks,
            "bm25": bm25,
            "ids": ids,
        }
        if self.index_dir.exists():
            atomic_write(self.index_dir / LEXICAL, pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL))

    def bm25(self, query: str, k: int, extra: list[str] | None = None) -> list[tuple[str, float]]:
        """Top-``k`` chunk ids by BM25 score (only positive scores); ``extra`` stems join the query's."""
        from . import lexical

        if self._lexical is None or not self._lexical_ids:
            return []
        return [(self._lexical_ids[i], s) for i, s in lexical.search(self._lexical, query, k, extra)]

    def update_vocabulary(self, embedder: Any) -> int:
        """Embed the corpus words not embedded yet (kept in ``words.npz``); returns how many were embedded."""
        path = self.index_dir / WORDS
        old: dict[str, np.ndarray] = {}
        if path.exists():
            try:
                with np.load(path) as saved:
                    old = dict(zip(saved["words"].tolist(), saved["vectors"], strict=True))
            except (OSError, ValueError, KeyError):
                old = {}
        surface = sorted(set(self.words.values()))
        missing = [w for w in surface if w not in old]
        if missing:
            old.update(zip(missing, embedder.embed(missing), strict=True))
        if missing or len(old) != len(surface):
            keep = np.array(surface)
            vectors = np.stack([old[w] for w in surface]) if surface else np.zeros((0, 1), dtype=np.float32)
            tmp = path.with_name("words.tmp.npz")
            np.savez(tmp, words=keep, vectors=vectors)
            os.replace(tmp, path)
        self._vocabulary = None
        return len(missing)

    def vocabulary(self) -> Any:
        """The corpus words and their vectors for query expansion (None before any ingest embedded them)."""
        from .matching import Vocabulary

        if self._vocabulary is None:
            path = self.index_dir / WORDS
            if not path.exists():
                return None
            try:
                with np.load(path) as saved:
                    vectors = dict(zip(saved["words"].tolist(), saved["vectors"], strict=True))
            except (OSError, ValueError, KeyError):
                return None
            known = {t: w for t, w in self.words.items() if w in vectors}
            matrix = np.stack([vectors[w] for w in known.values()]) if known else np.zeros((0, 1), dtype=np.float32)
            self._vocabulary = Vocabulary(known, matrix)
        return self._vocabulary

    def knows(self, term: str) -> bool:
        """Whether any indexed chunk uses the stemmed ``term`` (or its place/people form: "Iraq"/"Iraqi")."""
        if term in self.doc_freq:
            return True
        from .matching import same_place

        return any(same_place(term, t) for t in self.doc_freq if t[:4] == term[:4])

    def idf(self, term: str) -> float:
        """Inverse document frequency of a stemmed term over chunks.

        A term the documents never use weighs as much as the rarest one they do, not more: in a question it is
        as often a paraphrase ("initiated" for "instigation") as the sign of a missing fact ("turnout").
        """
        n = max(1, len(self._lexical_ids))
        return math.log(1.0 + n / (max(1, self.doc_freq.get(term, 0)) + 0.5))

    def document_text(self, source: str) -> str:
        """The text that citation spans of ``source`` index into."""
        entry = self.files.get(source)
        if entry is None:
            raise RagError(f"No document '{source}' in the index.")
        sidecar = entry.get("text_file")
        if sidecar:
            return (self.index_dir / str(sidecar)).read_text(encoding="utf-8")
        root = Path(self.manifest.get("docs_root") or ".")
        path = root / source
        if not path.exists():
            raise RagError(f"The source file {path} is gone; re-ingest the folder.")
        from .documents import decode_text

        return decode_text(path.read_bytes())

    def describe(self) -> list[dict[str, Any]]:
        """One row per document for listings: source, title, date, chunks."""
        return [
            {
                "source": s,
                "title": e.get("title", ""),
                "date": e.get("date") or "",
                "date_inferred": e.get("date_inferred", False),
                "chunks": len(e["chunks"]),
            }
            for s, e in sorted(self.files.items())
        ]


def chunk_to_json(chunk: Chunk) -> dict[str, Any]:
    """A JSON-ready copy of a chunk."""
    return asdict(chunk)
