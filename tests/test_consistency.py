"""Chroma (vectors) and SQLite (chunk records, FTS5 BM25, file rows) agree.

After add, update and delete; after a crash between any two writes of an ingest (a fault raised by a wrapped
store method at its Nth call, N = 1.. until the ingest gets through); when Chroma lost vectors or holds strays;
and for a reader asking questions while another thread ingests edits. Real Chroma in tmp dirs, real files, the
fast non-semantic hash embedder. The checks here (``check_converged``, ``check_committed``...) are shared with
tests/test_kill_anywhere.py and tests/test_concurrency.py.
"""

from __future__ import annotations

import random
import shutil
import sqlite3
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from rag import Answer, Assistant, RagError, Settings
from rag.files import sha256_bytes
from rag.index.schema import DB_FILE, PENDING_ADD, PENDING_DELETE
from rag.index.store import Store
from rag.ingest import pipeline as ingestion_module
from rag.ingest.chunking import chunk_document, document_key
from rag.ingest.documents import load_file, scan_folder
from rag.ingest.pipeline import embedding_text
from rag.records import Chunk

HASH = Settings(embedder="hash")
ROUNDS = 12  # ingests while a thread asks

# --- documents ------------------------------------------------------------------------------------------------
_SYLLABLES = [c + v for c in "bdfgklmnprstvz" for v in "aeiou"]


def vocabulary(n: int = 400, seed: int = 7) -> list[str]:
    """``n`` distinct made-up words (so BM25 and the hash embedder tell passages apart)."""
    rnd = random.Random(seed)
    out: set[str] = set()
    while len(out) < n:
        out.add("".join(rnd.choice(_SYLLABLES) for _ in range(rnd.randint(2, 3))))
    return sorted(out)


WORDS = vocabulary()


def marker(tag: str) -> str:
    """A word no other text uses: ``tag`` spelt in letters, so the tokenizer and stemmer keep it whole."""
    letters = "".join("abcdefghij"[int(ch)] if ch.isdigit() else ch for ch in tag.lower() if ch.isalnum())
    return f"qx{letters}zo"


def article(tag: str, sentences: int, seed: int) -> str:
    """A small article: a title, then paragraphs of sentences; its first sentence holds ``marker(tag)``."""
    rnd = random.Random(seed)
    body = []
    for i in range(sentences):
        words = [rnd.choice(WORDS) for _ in range(rnd.randint(7, 14))]
        if i == 0:
            words.insert(2, marker(tag))
        body.append(" ".join(words).capitalize() + ".")
    paragraphs = [" ".join(body[p : p + 4]) for p in range(0, len(body), 4)]
    return f"Report {tag}\n\n" + "\n\n".join(paragraphs) + "\n"


def write(folder: Path, files: dict[str, str]) -> None:
    """Make ``folder`` hold exactly ``files`` (name -> text)."""
    folder.mkdir(parents=True, exist_ok=True)
    for path in folder.iterdir():
        if path.name not in files:
            path.unlink()
    for name, text in files.items():
        path = folder / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")


# --- opening and the expected state ------------------------------------------------------------------------
def clear_chroma_cache() -> None:
    """Forget this process's embedded Chroma systems, as a new process would start."""
    from chromadb.api.shared_system_client import SharedSystemClient

    SharedSystemClient.clear_system_cache()


def open_fresh(index: Path, settings: Settings = HASH) -> Assistant:
    """A reader opened anew (the store notices another process's writes by itself: see
    tests/test_concurrency.py::test_new_assistant_in_same_process_sees_other_process_ingest)."""
    return Assistant.open(index, settings)


def expected_chunks(docs: Path, source: str, settings: Settings = HASH) -> list[Chunk]:
    """The chunks an ingest makes of ``docs/source`` as it is on disk now."""
    doc = load_file(docs / source, source, int(settings.max_file_mb * 1e6))
    return chunk_document(doc, settings.chunk_tokens)


def ids_of(text: str, source: str, settings: Settings = HASH) -> list[str]:
    """The chunk ids an ingest makes of ``text`` stored as ``source``."""
    from rag.ingest.documents import clean
    from rag.records import Document

    title, blocks, iso, inferred = clean(text)
    doc = Document(source, text, title or Path(source).stem, sha256_bytes(text.encode()), iso, inferred, blocks)
    return [c.id for c in chunk_document(doc, settings.chunk_tokens)]


def committed_ids(store: Store) -> set[str]:
    """Every committed chunk id."""
    return store.expected_ids()


def check_committed(store: Store) -> dict[str, list[str]]:
    """What any reader may see: each file's committed chunks are exactly one version of it, complete.

    Returns source -> committed chunk ids (in order).
    """
    out: dict[str, list[str]] = {}
    seen: set[str] = set()
    for row in store.files():
        chunks = store.source_chunks(row.source)
        key = document_key(row.source, row.sha256)
        ids = [c.id for c in chunks]
        assert ids == [f"{key}-{k:05d}" for k in range(row.n_chunks)], (
            f"{row.source}: committed chunks {ids} are not the {row.n_chunks} chunks of its stored version {key}"
        )
        for c in chunks:
            assert c.source == row.source and c.sha256 == row.sha256
        out[row.source] = ids
        seen.update(ids)
    committed = committed_ids(store)
    assert committed == seen, f"committed chunks of no file: {sorted(committed - seen)[:5]}"
    assert store.count() == len(committed), f"meta 'chunks' says {store.count()}, {len(committed)} are committed"
    return out


def fts_integrity(index: Path) -> None:
    """FTS5's own check of the BM25 index against the chunk table (only valid with no pending rows)."""
    conn = sqlite3.connect(index / DB_FILE, timeout=30)
    try:
        conn.execute("INSERT INTO chunks_fts (chunks_fts, rank) VALUES ('integrity-check', 1)")
        rows = conn.execute("SELECT count(*) FROM chunks_fts").fetchone()[0]
        committed = conn.execute("SELECT count(*) FROM chunks WHERE state = 0").fetchone()[0]
        assert rows == committed
    finally:
        conn.close()


def check_dense(assistant: Assistant, chunks: list[Chunk], sample: int = 12, seed: int = 0) -> None:
    """Each sampled chunk's own text finds its vector first (similarity 1): vectors match their chunks."""
    rnd = random.Random(seed)
    picked = rnd.sample(chunks, min(sample, len(chunks)))
    by_text: dict[str, set[str]] = defaultdict(set)
    for c in chunks:
        by_text[embedding_text(c)].add(c.id)
    for c in picked:
        vector = assistant.embedder.embed([embedding_text(c)])[0]
        hits = assistant.store.dense(vector, 3, None)
        assert hits, f"dense search found nothing for {c.id}"
        best, sim = hits[0]
        assert sim > 0.999 and best in by_text[embedding_text(c)], (
            f"dense search for the text of {c.id} ({c.source}) returned {hits}"
        )


def check_converged(index: Path, docs: Path, settings: Settings = HASH, dense_sample: int = 12) -> Assistant:
    """The invariants after a completed ingest; returns the fresh reader used."""
    assistant = open_fresh(index, settings)
    store = assistant.store
    db = store.db
    assert db.pending(PENDING_ADD, 5) == [] and db.pending(PENDING_DELETE, 5) == [], "pending rows left"
    on_disk = sorted(scan_folder(docs.resolve())[0])
    assert [d["source"] for d in store.describe()] == on_disk, "the index does not hold exactly the files present"
    stored, expected = store.stored_ids(), store.expected_ids()
    assert stored == expected, (
        f"Chroma and SQLite disagree: {len(stored - expected)} stray vectors {sorted(stored - expected)[:3]}, "
        f"{len(expected - stored)} missing {sorted(expected - stored)[:3]}"
    )
    per_file = check_committed(store)
    all_chunks: list[Chunk] = []
    by_sha: dict[str, list[str]] = defaultdict(list)
    for source in on_disk:
        data = (docs / source).read_bytes()
        row = store.file(source)
        assert row is not None and row.sha256 == sha256_bytes(data), f"{source}: the index holds an old version"
        by_sha[row.sha256].append(source)
        chunks = store.source_chunks(source)
        assert [c.id for c in chunks] == [c.id for c in expected_chunks(docs, source, settings)], source
        text = store.document_text(source)
        for c in chunks:
            assert c.text == " ".join(text[s.start : s.end] for s in c.sentences), f"{c.id}: text is not the file's"
            assert (c.start, c.end) == (c.sentences[0].start, c.sentences[-1].end)
        all_chunks += chunks
    for sources in by_sha.values():  # byte-identical copies: each has its own chunks
        id_sets = [set(per_file[s]) for s in sources]
        assert all(id_sets), sources
        assert sum(len(s) for s in id_sets) == len(set().union(*id_sets)), f"copies share chunk ids: {sources}"
    fts_integrity(index)
    words = {r[0] for r in db.conn.execute("SELECT stem FROM words WHERE embedded = 1 AND docs > 0")}
    held = set(store.word_collection.get(include=[])["ids"]) if words or store.word_collection.count() else set()
    assert db.words_to_embed() == [] and db.words_unused() == []
    assert held == words, (
        f"word vectors: {len(held - words)} stray, {len(words - held)} missing {sorted(words - held)[:5]}"
    )
    if all_chunks and dense_sample:
        check_dense(assistant, all_chunks, dense_sample)
    return assistant


# --- add, update, delete -----------------------------------------------------------------------------------
def test_add_update_delete_keep_chroma_and_bm25_in_step(tmp_path: Path) -> None:
    docs, index = tmp_path / "docs", tmp_path / "index"
    files = {f"a{i}.txt": article(f"a{i}", 6 + 5 * i, i) for i in range(6)}
    files["copy.txt"] = files["a1.txt"]
    write(docs, files)
    Assistant.build(docs, index, HASH)
    check_converged(index, docs)

    old_a2 = marker("a2")
    files["a2.txt"] = article("a2new", 20, 99)  # update
    del files["a3.txt"]  # delete
    files["b0.txt"] = article("b0", 9, 50)  # add
    files["moved.txt"] = files.pop("a4.txt")  # rename
    write(docs, files)
    report = open_fresh(index).ingest(docs)
    assert (report.added, report.updated, report.removed) == (2, 1, 2)
    reader = check_converged(index, docs)
    store = reader.store
    assert store.bm25(old_a2, 5) == [], "BM25 still finds the old version of an updated file"
    assert store.bm25(marker("a3"), 5) == [], "BM25 still finds a deleted file"
    assert {store.chunks([c])[c].source for c, _ in store.bm25(marker("a4"), 5)} == {"moved.txt"}
    assert {store.chunks([c])[c].source for c, _ in store.bm25(marker("a1"), 5)} == {"a1.txt", "copy.txt"}
    answer = reader.ask(f"What about {marker('a2new')}?")
    assert answer.citations and {c.source for c in answer.citations} == {"a2.txt"}

    del files["copy.txt"]
    write(docs, files)
    open_fresh(index).ingest(docs)
    check_converged(index, docs)


# --- a crash between any two writes -----------------------------------------------------------------------------
class Crash(Exception):
    """The injected fault: the process 'dies' here."""


class Faults:
    """Counts the store's writes and raises :class:`Crash` at the ``at``-th (before it happens)."""

    def __init__(self, at: int) -> None:
        self.at = at
        self.calls = 0
        self.log: list[str] = []
        self.fired = False

    def hit(self, what: str) -> None:
        self.calls += 1
        self.log.append(what)
        if self.calls == self.at:
            self.fired = True
            raise Crash(f"fault at write {self.at}: {what}")


class _FaultyCollection:
    """A Chroma collection whose writes pass through :class:`Faults` first."""

    def __init__(self, inner: Any, faults: Faults, name: str) -> None:
        self._inner, self._faults, self._name = inner, faults, name

    def upsert(self, **kw: Any) -> Any:
        self._faults.hit(f"{self._name}.upsert")
        return self._inner.upsert(**kw)

    def delete(self, **kw: Any) -> Any:
        self._faults.hit(f"{self._name}.delete")
        return self._inner.delete(**kw)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def install_faults(store: Store, faults: Faults) -> None:
    """Wrap this store's write methods (on the instance) so that ``faults`` can stop the ingest at any write."""
    db = store.db
    for owner, name in ((store, "add_vectors"), (store, "delete_vectors"), (db, "purge"), (db, "mark_words")):
        original = getattr(owner, name)

        def wrapped(*a: Any, _original: Callable[..., Any] = original, _name: str = name, **kw: Any) -> Any:
            faults.hit(_name)
            return _original(*a, **kw)

        setattr(owner, name, wrapped)
    original_transaction = db.transaction

    @contextmanager
    def transaction() -> Iterator[sqlite3.Connection]:
        with original_transaction() as conn:
            yield conn
            faults.hit("commit")  # raised inside: the transaction rolls back, as if killed before COMMIT

    db.transaction = transaction  # type: ignore[method-assign]
    store._words = _FaultyCollection(store.word_collection, faults, "words")
    store._collection = _FaultyCollection(store.collection, faults, "vectors")


def version_of(state: list[str], versions: list[list[str]]) -> int | None:
    for k, ids in enumerate(versions):
        if state == ids:
            return k
    return None


def test_crash_between_any_two_writes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """For N = 1, 2, ...: an ingest of edits crashes at its Nth write; a reader then sees each file's old or new
    version (never both, never neither, in records, BM25 and retrieval); the next ingest converges."""
    monkeypatch.setattr(ingestion_module, "WAVE_CHUNKS", 6)  # several waves from a small folder
    old = {f"f{i}.txt": article(f"f{i}", 6 + 3 * i, i) for i in range(5)}
    old["gone.txt"] = article("gone", 10, 40)
    old["renamed.txt"] = article("ren", 7, 41)
    new = dict(old)
    new["f1.txt"] = article("f1v2", 14, 101)
    new["f3.txt"] = article("f3v2", 5, 103)
    new["f4.txt"] = old["f4.txt"].replace(".\n", ". Then kavo lemu ripa.\n")  # an appended sentence
    del new["gone.txt"]
    new["added.txt"] = article("added", 12, 104)
    new["twin.txt"] = new["f0.txt"]  # a byte-identical copy
    new["renamed-now.txt"] = new.pop("renamed.txt")
    versions = {s: [ids_of(v[s], s) if s in v else [] for v in (old, new)] for s in {*old, *new}}

    docs, base = tmp_path / "docs", tmp_path / "base"
    write(docs, old)
    built = Assistant.build(docs, base, HASH)
    built.store.client.close()  # quiescent: each round starts from a copy of this index
    del built
    write(docs, new)
    n, completed, points = 0, False, []
    while not completed:
        n += 1
        assert n < 200, "the ingest never got through"
        index = tmp_path / f"n{n}"
        clear_chroma_cache()
        shutil.copytree(base, index)
        writer = open_fresh(index)
        faults = Faults(n)
        install_faults(writer.store, faults)
        try:
            writer.ingest(docs)
            completed = not faults.fired
        except Crash:
            points.append(faults.log[-1])
        del writer

        reader = open_fresh(index)
        state = check_committed(reader.store)
        for source, (v_old, v_new) in versions.items():
            got = state.get(source, [])
            assert version_of(got, [v_old, v_new]) is not None, (
                f"crash at write {n} ({faults.log[-1]}): {source} shows {got}, neither its old {v_old} "
                f"nor its new {v_new} chunks"
            )
        committed = committed_ids(reader.store)
        for tag in [*(f"f{i}" for i in range(5)), "f1v2", "f3v2", "added", "gone", "ren"]:
            hits = reader.store.bm25(marker(tag), 10)
            assert {c for c, _ in hits} <= committed, f"crash at write {n}: BM25 returned uncommitted chunks"
        for tag in ("f1", "added"):  # dense + BM25: the dense side may hold uncommitted vectors
            passages, _vector = reader.search(f"{marker(tag)} report", top_k=8)
            assert {p.chunk.id for p in passages} <= committed, f"crash at write {n}: retrieval leaked"
        answer = reader.ask(f"What is {marker('f1v2')}?")
        assert isinstance(answer, Answer)
        del reader

        open_fresh(index).ingest(docs)
        check_converged(index, docs, dense_sample=4)
    assert n > 10, f"only {n} writes: the fault points are not being reached ({points})"
    # every kind of write was interrupted at least once
    kinds = {p.split(".")[0] for p in points}
    assert {"add_vectors", "delete_vectors", "purge", "commit", "mark_words", "words", "vectors"} <= kinds, kinds


# --- Chroma lost vectors, or holds strays ------------------------------------------------------------------------
def _built(tmp_path: Path, n: int = 6) -> tuple[Path, Path]:
    docs, index = tmp_path / "docs", tmp_path / "index"
    write(docs, {f"d{i}.txt": article(f"d{i}", 8 + 4 * i, i) for i in range(n)})
    Assistant.build(docs, index, HASH)
    return docs, index


def test_missing_vectors_are_readded(tmp_path: Path) -> None:
    docs, index = _built(tmp_path)
    store = open_fresh(index).store
    ids = sorted(store.expected_ids())
    lost = ids[::3]
    store.collection.delete(ids=lost)
    assert store.stored_ids() == set(ids) - set(lost)
    report = open_fresh(index).ingest(docs)
    assert report.embedded == 0 and report.unchanged == 6
    reader = check_converged(index, docs, dense_sample=0)
    check_dense(reader, list(reader.store.chunks(lost).values()), sample=len(lost))


def test_stray_vectors_are_removed(tmp_path: Path) -> None:
    docs, index = _built(tmp_path)
    store = open_fresh(index).store
    strays = [f"stray-{k:03d}" for k in range(25)]
    rnd = np.random.default_rng(0)
    vectors = rnd.normal(size=(len(strays), 384)).astype(np.float32)
    store.collection.upsert(ids=strays, embeddings=vectors, metadatas=[{"source": "x.txt", "date_num": 0}] * 25)
    open_fresh(index).ingest(docs)
    check_converged(index, docs)


def test_missing_and_stray_vectors_of_equal_number_are_repaired(tmp_path: Path) -> None:
    """Chroma lost some vectors and holds as many strays: the counts agree, the sets don't."""
    docs, index = _built(tmp_path)
    store = open_fresh(index).store
    lost = sorted(store.expected_ids())[:4]
    store.collection.delete(ids=lost)
    strays = [f"stray-{k}" for k in range(len(lost))]
    vectors = np.random.default_rng(1).normal(size=(len(strays), 384)).astype(np.float32)
    store.collection.upsert(ids=strays, embeddings=vectors, metadatas=[{"source": "x.txt", "date_num": 0}] * 4)
    open_fresh(index).ingest(docs)
    check_converged(index, docs)


# --- a reader while another thread ingests -------------------------------------------------------------------------
@pytest.mark.parametrize("shared", [False, True], ids=["own-assistant", "shared-assistant"])
def test_reader_thread_during_ingest_cites_current_or_previous_text(tmp_path: Path, shared: bool) -> None:
    """One thread asks in a loop while another ingests edits; each citation quotes the cited file's current or
    previous version at its span. ``shared``: both threads use one Assistant, as the web UI does."""
    docs, index = tmp_path / "docs", tmp_path / "index"
    files = {f"r{i}.txt": article(f"r{i}", 10 + 3 * i, i) for i in range(8)}
    write(docs, files)
    writer = Assistant.build(docs, index, HASH)
    history: dict[str, list[str]] = {s: [t] for s, t in files.items()}
    lock = threading.Lock()
    reader = writer if shared else Assistant.open(index, HASH)
    reader.ask(f"What is {marker('r0')}?")  # loads the models before the race starts
    stop = threading.Event()
    problems: list[str] = []
    asked, cited = [0], [0]

    def ask_loop() -> None:
        rnd = random.Random(5)
        while not stop.is_set():
            tag = f"r{rnd.randrange(8)}"
            question = f"What does the report say about {marker(tag)}?"
            with lock:  # the versions a file may show: current when the question starts, or by its end
                known = {s: list(v) for s, v in history.items()}
            try:
                answer = reader.ask(question)
            except Exception as e:  # noqa: BLE001 - every failure is a finding
                problems.append(f"{question!r} raised {type(e).__name__}: {e}")
                continue
            asked[0] += 1
            with lock:
                for s, v in history.items():
                    known[s] += v
            for c in answer.citations:
                cited[0] += 1
                if not any(t[c.start : c.end] == c.quote for t in known.get(c.source, [])):
                    problems.append(f"{c.source} [{c.start}:{c.end}] {c.quote[:60]!r} matches no version")

    thread = threading.Thread(target=ask_loop, daemon=True)
    thread.start()
    try:
        for round_ in range(ROUNDS):
            seen = asked[0]
            deadline = time.monotonic() + 10
            while asked[0] == seen and time.monotonic() < deadline and thread.is_alive():
                time.sleep(0.02)
            changed = {}
            for i in range(round_ % 3, 8, 2):
                source = f"r{i}.txt"
                changed[source] = article(f"r{i}", 8 + (round_ + i) % 9, 1000 * round_ + i)
            with lock:  # the previous version stays citable until this ingest is done
                for source, text in changed.items():
                    history[source].append(text)
            files.update(changed)
            write(docs, files)
            writer.ingest(docs)
            with lock:
                for source in changed:
                    history[source] = history[source][-1:]
    finally:
        stop.set()
        thread.join(60)
    assert not thread.is_alive(), "the reader thread hung"
    assert not problems, f"{len(problems)} problems in {asked[0]} answers, e.g. {problems[:3]}"
    assert asked[0] >= ROUNDS and cited[0] >= ROUNDS, (
        f"only {asked[0]} answers ({cited[0]} citations) in {ROUNDS} ingests"
    )
    check_converged(index, docs)


def test_reads_never_see_pending_rows(tmp_path: Path) -> None:
    """Rows of a wave written but not committed (a crash right after Chroma took the vectors) stay invisible."""
    docs, index = _built(tmp_path, 3)
    write(docs, {**{f"d{i}.txt": (docs / f"d{i}.txt").read_text() for i in range(3)}, "new.txt": article("nw", 9, 9)})
    writer = open_fresh(index)

    def stop_after_vectors(*a: Any, _orig: Any = writer.store.add_vectors, **kw: Any) -> None:
        _orig(*a, **kw)
        raise Crash("after add_vectors")

    writer.store.add_vectors = stop_after_vectors  # type: ignore[method-assign]
    with pytest.raises(Crash):
        writer.ingest(docs)
    reader = open_fresh(index)
    assert reader.store.db.pending(PENDING_ADD, 5), "the crash left no pending rows: the test misses its point"
    assert reader.store.bm25(marker("nw"), 5) == []
    assert reader.store.file("new.txt") is None
    answer = reader.ask(f"What is {marker('nw')}?")
    assert all(c.source != "new.txt" for c in answer.citations)
    with pytest.raises(RagError):
        reader.store.document_text("new.txt")


# --- the corpus words' vectors, sidecar texts, and a crash inside repair ----------------------------------------
class _FaultAfter(Faults):
    """Raises at the first ``name`` write that follows a ``after`` write."""

    def __init__(self, after: str, name: str) -> None:
        super().__init__(0)
        self.after, self.name, self.armed = after, name, False

    def hit(self, what: str) -> None:
        self.calls += 1
        self.log.append(what)
        if what == self.after:
            self.armed = True
        elif self.armed and what == self.name and not self.fired:
            self.fired = True
            raise Crash(f"fault at {what} after {self.after}")


def test_crash_after_word_vectors_deleted_then_word_comes_back(tmp_path: Path) -> None:
    """A file is removed: its words' vectors go from Chroma, and the crash comes before that is recorded. The file
    comes back before the next ingest: its words must have vectors again."""
    docs, index = tmp_path / "docs", tmp_path / "index"
    files = {f"w{i}.txt": article(f"w{i}", 8, i) for i in range(3)}
    write(docs, files)
    Assistant.build(docs, index, HASH)
    write(docs, {k: v for k, v in files.items() if k != "w1.txt"})  # w1 and its marker word go
    writer = open_fresh(index)
    faults = _FaultAfter("words.delete", "mark_words")
    install_faults(writer.store, faults)
    with pytest.raises(Crash):
        writer.ingest(docs)
    write(docs, files)  # w1 is back, unchanged
    open_fresh(index).ingest(docs)
    check_converged(index, docs)


def _sidecars(index: Path) -> set[str]:
    texts = index / "texts"
    return {f"texts/{p.name}" for p in texts.iterdir()} if texts.exists() else set()


def _html(tag: str, sentences: int, seed: int) -> str:
    paragraphs = article(tag, sentences, seed).split("\n\n")[1:]
    body = "".join(f"<p>{p.strip()}</p>\n" for p in paragraphs)
    return f"<html><head><title>Page {tag}</title></head><body><article><h1>Page {tag}</h1>\n{body}</article></body></html>\n"


@pytest.mark.parametrize("at", ["delete_vectors", "commit"])
def test_crash_leaves_no_orphan_sidecar_texts(tmp_path: Path, at: str) -> None:
    """An HTML page's extracted text lives in texts/<key>.txt. After a crash (after the commit that replaced a page's
    version: ``delete_vectors``; or before it: the first ``commit`` after the vectors went in) and a page edited
    again, the next ingest leaves texts/ holding exactly the files' current sidecars."""
    docs, index = tmp_path / "docs", tmp_path / "index"
    write(docs, {"page.html": _html("p1", 12, 1), "note.txt": article("note", 6, 2)})
    Assistant.build(docs, index, HASH)
    write(docs, {"page.html": _html("p2", 14, 3), "note.txt": article("note", 6, 2)})
    writer = open_fresh(index)
    faults = _FaultAfter("vectors.upsert", at)
    install_faults(writer.store, faults)
    with pytest.raises(Crash):
        writer.ingest(docs)
    write(docs, {"page.html": _html("p3", 10, 4), "note.txt": article("note", 6, 2)})
    reader = open_fresh(index)
    reader.ingest(docs)
    check_converged(index, docs)
    rows = {f.text_file for f in open_fresh(index).store.files() if f.text_file}
    assert _sidecars(index) == rows, f"texts/ holds {sorted(_sidecars(index) - rows)} that no file uses"


def test_crash_inside_repair_then_converge(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Repair itself is interrupted at each of its writes in turn; the ingest after that still converges."""
    monkeypatch.setattr(ingestion_module, "WAVE_CHUNKS", 6)
    old = {f"g{i}.txt": article(f"g{i}", 10 + 2 * i, i) for i in range(4)}
    new = {**old, "g1.txt": article("g1v2", 9, 51), "g2.txt": article("g2v2", 12, 52)}
    n, done = 0, False
    while not done:
        n += 1
        assert n < 60
        docs, index = tmp_path / f"n{n}" / "docs", tmp_path / f"n{n}" / "index"
        write(docs, old)
        Assistant.build(docs, index, HASH)
        write(docs, new)
        # leave work for repair: a wave committed but its old vectors not deleted (pending deletes), a wave's
        # vectors added but not committed (pending adds), and two vectors Chroma lost
        first = open_fresh(index)
        install_faults(first.store, _FaultAfter("vectors.upsert", "commit"))
        with pytest.raises(Crash):
            first.ingest(docs)
        lost = sorted(first.store.expected_ids())[:2]
        first.store.collection.delete(ids=lost)
        del first
        second = open_fresh(index)
        faults = Faults(n)
        install_faults(second.store, faults)
        try:
            ingestion_module.repair(second.store, second.embedder)
            done = not faults.fired
        except Crash:
            pass
        del second
        check_committed(open_fresh(index).store)
        open_fresh(index).ingest(docs)
        check_converged(index, docs, dense_sample=4)
    assert n > 3, f"repair made only {n - 1} writes"
