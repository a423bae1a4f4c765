"""Incremental ingestion: only new or changed files are read and embedded, in bounded waves; an interrupted
ingest is repaired by the next one.

Write order for each wave, so a kill at any point leaves a queryable index that the next run repairs:
1. the new chunks are recorded as pending in SQLite (invisible to readers);
2. their vectors are added to Chroma;
3. one SQLite transaction makes them visible, hides the files' old chunks (pending delete) and updates the
   file rows, corpus words and fingerprints;
4. the old vectors are deleted from Chroma, then their rows.
A reader sees either a file's old chunks or its new ones, never both and never neither.
"""

from __future__ import annotations

import os
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rag.errors import RagError
from rag.files import atomic_write, sha256_file
from rag.index.chunkdb import ChunkDB
from rag.index.embedders import Embedder
from rag.index.schema import PENDING_ADD, PENDING_DELETE, FileRow, fts_text
from rag.index.store import Store
from rag.ingest import borrowing
from rag.ingest.chunking import chunk_document, document_key
from rag.ingest.documents import Found, clean, load_file, scan_entries
from rag.ingest.wrapped import wrap_width
from rag.records import Chunk, Document, IngestReport
from rag.text.lexical import index_text
from rag.text.sentences import earlier_readings, sentence_texts, unmarked_readings, vector_texts
from rag.text.words import alpha_words

ProgressFn = Callable[[int, int], None]
WAVE_CHUNKS = 512  # chunks embedded and written per wave: memory stays bounded however large the folder
REMOVE_BATCH = 500  # files dropped per transaction
LOCK_TIMEOUT = 5.0
TEXT_SUFFIXES = (".txt", ".md", ".markdown", ".info")


READER_KEY = "reader_version"
SENTENCES_KEY = "sentence_vectors"  # "complete" once every chunk has its sentence vectors
READINGS_KEY = "sentence_readings"  # "unmarked" once every chunk has its unmarked readings' vectors too
# Bump when the reading of a kind of file changes, so that existing indexes read those files again.
# 2: PDFs reflowed; Markdown and documentation HTML read as blocks with section paths.
# 3: PDF text from PDFium, which keeps the word spaces of tightly justified lines.
# 4: HTML pages without a main element read from their body with headings, lists and code; hidden parts skipped.
# 5: a table, list or code block keeps the sentence that introduces it ("...:") in its chunk.
# 6: XHTML pages with an XML declaration read as structure; an option's names one heading; text after a
#    description list back in its section; hard-wrapped plain text read by paragraphs (only such .txt files are
#    read again).
# 7: Markdown of docs sites: tables without outer pipes whole, admonition bodies prose, "/// tip" block markers and
#    link definitions no text, "/// html" examples whole, a code fence over "---" code; a PDF's bulleted list items
#    kept, a book's chapter heads ("Chapter 5: Arrays and matrices 26") and contents lines dropped.
# 8: HTML: DocBook pages read from their outermost division, inline runs joined into paragraphs with their tails
#    kept, a container holding no block a paragraph, "sidebar" content.
# 9: Texinfo pages (makeinfo): the "Next: ... Up: ..." bar left out, a signature without its category (": ").
# 10: DocBook XSL: navigation tables dropped, an admonition's title leading its paragraph ("Note: ...").
# 11: Sphinx HTML: an admonition's title paragraph ('<p class="admonition-title">Note</p>') leads its paragraph;
#     hard-wrapped text: a short line set off inside a sentence (an address, a command) read with its sentence;
#     a sentence ends before an option's name (". --max-ppsize=N").
# 12: PDF: lines set in a typewriter font (LaTeX's verbatim, an R session) a fenced code block kept whole, not
#     reflowed into the prose around them; numbered headings ("III.1. The documentclass line") its sections.
# 13: PDF: lines set in bold or a larger size are headings: a wrapped heading one paragraph, never joined to the
#     paragraph before or after it; unnumbered headings ("REFERENCES", "Appendix B Invoking R") sections too;
#     the title the first page's largest heading.
# 14: PDF footnotes read apart from the paragraph they interrupt; a list item's line carried on under its text
#     counts toward reading a file as hard-wrapped.
# 15: dates: a range's opening day takes its closing year; a history's or changelog's dates infer no date.
# 16: a line under the title naming the document's version ("Version 3, 29 June 2007") joins its title; in
#     hard-wrapped text a term's definition indented under it ("means ...") and the lines of an item marked "(a)"
#     or "B." are one paragraph; a first line of eight words or more that ends in ":" is text, not a headline.
# 18: GNU Info manuals (``.info``, or saved as ``.txt``): node headers, menus, index entries and the tag table
#     left out, underlined headings the section paths, the Top node's heading the title; stacked option terms
#     ("'-p'" / "'--portability'") over their indented description one block.
# 19: a PDF's grave accent that combines with no letter (a TeX opening quote some fonts draw so) read as "‘" or
#     left out.
# From 19 on each kind of file has its own version, and only the kinds whose reading changed are read again:
# a change to the PDF reader costs no HTML page a second reading.
# html 19: an element whose whole id names it navigation ("<ul id="toc">", "<div id="footer">") is left out, and a
#     page's DocBook divisions are its content only when they hold half of its text (Apache's module pages).
# html 20, markdown, rst and text 19, pdf 23 (every kind): a list item too long for one chunk and written on one
#     line is cut at its sentences, not into equal pieces mid-sentence ("... not found in the hash" / "table. If
#     the search ...").
READER_VERSIONS = {"pdf": "23", "html": "20", "markdown": "19", "rst": "19", "text": "19"}
READER_VERSION = max(READER_VERSIONS.values(), key=int)  # the index-wide marker that releases before 19 read
_KINDS = {
    ".pdf": "pdf",
    ".html": "html",
    ".htm": "html",
    ".md": "markdown",
    ".markdown": "markdown",
    ".rst": "rst",
    ".rest": "rst",
}  # any other suffix, or none, is plain text


def reader_kind(source: str) -> str:
    """The kind of reader a file is read with ("pdf", "html", "markdown", "rst" or "text"), by its suffix."""
    return _KINDS.get(os.path.splitext(source)[1].lower(), "text")


def stale_kinds(store: Store) -> frozenset[str]:
    """The kinds of file an index read with an older reader than this release's (an index from before per-kind
    versions has one version for all)."""
    legacy = store.db.get_meta(READER_KEY)
    return frozenset(
        kind for kind, version in READER_VERSIONS.items() if (store.db.get_meta(f"{READER_KEY}:{kind}") or legacy) != version
    )


def embedding_text(chunk: Chunk) -> str:
    """What is embedded for a chunk: its title gives the passage context."""
    return f"{chunk.title}\n{chunk.text}" if chunk.title else chunk.text


@dataclass
class _Loaded:
    doc: Document
    chunks: list[Chunk]
    size: int
    mtime_ns: int
    existed: bool


def _lock(store: Store) -> object:
    from filelock import FileLock, Timeout

    lock = FileLock(str(store.index_dir / ".ingest.lock"))
    try:
        lock.acquire(timeout=LOCK_TIMEOUT)
    except Timeout:
        raise RagError(f"Another ingest is writing to {store.index_dir}; wait for it to finish.") from None
    return lock


def _tqdm_progress(total: int) -> tuple[ProgressFn, Callable[[], None]]:
    from tqdm import tqdm

    bar = tqdm(total=total, unit="file", desc="Ingesting", file=sys.stderr, disable=total < 16 or None)

    def update(done: int, _total: int) -> None:
        bar.update(done - bar.n)

    return update, bar.close


def ingest(
    folder: Path,
    store: Store,
    embedder: Embedder,
    *,
    replace: bool = False,
    progress: ProgressFn | None = None,
    show_bar: bool = False,
) -> IngestReport:
    """Bring the index in line with ``folder``. ``progress(done, total)`` counts the new and changed files."""
    started = time.perf_counter()
    folder = Path(folder).resolve()
    files, skipped = scan_entries(folder)
    if not files:
        reason = f" ({len(skipped)} unsupported files skipped)" if skipped else ""
        raise RagError(f"No supported documents (.txt .md .html .pdf) in {folder}{reason}; the index is unchanged.")
    if store.db.read_only:
        raise RagError(f"The index at {store.index_dir} is read-only; it can answer but not change.")
    report = IngestReport(skipped=[(s.source, s.reason) for s in skipped])
    lock = _lock(store)
    try:
        store.refresh()  # another process may have written since this one last looked
        root = store.docs_root  # checked under the lock: a concurrent ingest of another folder can't slip past
        if root and root != folder and store.db.file_count() and not replace:
            raise RagError(
                f"The index {store.index_dir} mirrors {root}, not {folder}. Ingest that folder, use another "
                "--index, or pass --replace to make the index mirror the new folder."
            )
        repair(store, embedder)
        if root != folder:
            store.set_docs_root(folder)
        known = store.db.file_stats()
        if not known and store.db.get_meta(READINGS_KEY) is None:  # a new index stores every reading from the start
            with store.db.transaction() as conn:
                store.db.set_meta(conn, READINGS_KEY, "unmarked")
        stale = stale_kinds(store)
        changed, touched = _changed_files(files, known, store, report, stale)
        if touched:
            with store.db.transaction() as conn:
                conn.executemany("UPDATE files SET size = ?, mtime_ns = ? WHERE source = ?", touched)
        close: Callable[[], None] = lambda: None  # noqa: E731
        if progress is None and show_bar:
            progress, close = _tqdm_progress(len(changed))
        try:
            _stream_waves(_load(changed, store, report, stale), store, embedder, report, progress, len(changed))
        finally:
            close()
        gone = sorted(set(known) - set(files))
        for b in range(0, len(gone), REMOVE_BATCH):
            _drop(store, gone[b : b + REMOVE_BATCH])
        report.removed = len(gone)
        store.update_vocabulary(embedder)  # the corpus words, for matching a question's paraphrases
        _complete_sentence_vectors(store, embedder, report)
        if stale or store.db.get_meta(READER_KEY) != READER_VERSION:
            with store.db.transaction() as conn:
                store.db.set_meta(conn, READER_KEY, READER_VERSION)
                for kind, version in READER_VERSIONS.items():
                    store.db.set_meta(conn, f"{READER_KEY}:{kind}", version)
        store.db.checkpoint()
        report.chunks = store.count()
        report.seconds = time.perf_counter() - started
        return report
    finally:
        lock.release()  # type: ignore[attr-defined]


def _skip(report: IngestReport, source: str, reason: str, entry: FileRow | None) -> None:
    """Report a file as skipped; a stored version of it stays (not lost to a bad edit)."""
    report.skipped.append((source, reason))
    if entry is not None:
        report.unchanged += 1


def _stream_waves(
    loaded: Iterator[_Loaded],
    store: Store,
    embedder: Embedder,
    report: IngestReport,
    progress: ProgressFn | None,
    total: int,
) -> None:
    """Write waves in a second thread while this one reads and cleans the next files.

    Embedding, Chroma and SQLite release the GIL, so reading overlaps writing. One writer keeps the waves in
    order, and at most one wave waits for it, so memory stays bounded.
    """
    from concurrent.futures import Future, ThreadPoolExecutor

    pending: Future[None] | None = None
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="rag-ingest") as writer:
        try:
            wave: list[_Loaded] = []
            for n, item in enumerate(loaded, start=1):
                wave.append(item)
                if sum(_estimate(x.doc) for x in wave) >= WAVE_CHUNKS:
                    if pending is not None:
                        pending.result()  # re-raises the writer's error here
                    pending = writer.submit(_write_wave, wave, store, embedder, report)
                    wave = []
                if progress:
                    progress(n, total)
            if pending is not None:
                pending.result()
                pending = None
            if wave:
                _write_wave(wave, store, embedder, report)
            if progress and total:
                progress(total, total)
        finally:
            if pending is not None:
                pending.cancel()


def _wrapped(path: str | Path) -> bool:
    """Whether a plain-text file is hard-wrapped, so that a reader before version 6 read it line by line."""
    try:
        return wrap_width(Path(path).read_bytes().decode("utf-8", errors="replace")) is not None
    except OSError:
        return False


def _changed_files(
    files: dict[str, Found],
    known: dict[str, tuple[int, int]],
    store: Store,
    report: IngestReport,
    stale: frozenset[str] = frozenset(),
) -> tuple[list[tuple[str, Path, FileRow | None]], list[tuple[int, int, str]]]:
    """Files to (re)load, and unchanged files whose size or time changed: (size, mtime_ns, source). Sizes and
    times come from the scan and the stored (size, mtime) pairs; a file's full row is read only when it differs.
    Files of a ``stale`` kind (read by an older reader) are read again whatever their bytes, as the new reader
    extracts them differently: every structured file (PDF, HTML, Markdown, reStructuredText), and those plain-text
    files that a reader of another kind than line by line reads (hard-wrapped text, Info manuals)."""
    changed: list[tuple[str, Path, FileRow | None]] = []
    touched: list[tuple[int, int, str]] = []
    for source, found in files.items():
        stored = known.get(source)
        suffix = os.path.splitext(source)[1].lower()
        kind = reader_kind(source)
        if stored is not None and kind in stale and (kind != "text" or (suffix in (".txt", ".info", "") and _wrapped(found.path))):
            changed.append((source, Path(found.path), store.db.file(source)))
            continue
        if stored is not None and stored == (found.size, found.mtime_ns):
            report.unchanged += 1
            continue
        entry = store.db.file(source) if stored is not None else None
        path = Path(found.path)
        try:
            if entry is not None and entry.size == found.size and sha256_file(path) == entry.sha256:
                report.unchanged += 1
                touched.append((found.size, found.mtime_ns, source))
                continue
        except OSError as e:
            _skip(report, source, f"unreadable ({e.strerror})", entry)
            continue
        changed.append((source, path, entry))
    return changed, touched


def _load(
    changed: list[tuple[str, Path, FileRow | None]], store: Store, report: IngestReport, stale: frozenset[str] = frozenset()
) -> Iterator[_Loaded]:
    """Read, clean and chunk the changed files one at a time; a file that fails is skipped with its reason."""
    max_bytes = int(store.settings.max_file_mb * 1e6)
    for source, path, entry in changed:
        try:
            st = path.stat()
            doc = load_file(path, source, max_bytes)
            if entry is not None and entry.sha256 == doc.sha256 and reader_kind(source) not in stale:
                report.unchanged += 1
                store.db.touch_file(source, st.st_size, st.st_mtime_ns)
                continue
        except RagError as e:
            _skip(report, source, str(e), entry)
            continue
        except OSError as e:
            _skip(report, source, f"unreadable ({e.strerror or e})", entry)
            continue
        except Exception as e:  # noqa: BLE001 - one bad file never stops the others
            _skip(report, source, f"could not be read ({type(e).__name__}: {str(e)[:120]})", entry)
            continue
        yield _Loaded(doc, [], st.st_size, st.st_mtime_ns, entry is not None)


def _estimate(doc: Document) -> int:
    """Roughly how many chunks a document makes (about 700 characters each), to size waves before chunking."""
    return 1 + sum(b.end - b.start for b in doc.blocks) // 700


def _stored_document(store: Store, source: str) -> Document | None:
    """A stored document reloaded from its text, for an exact check of shared quotes."""
    entry = store.file(source)
    if entry is None or not entry.date:
        return None
    try:
        text = store.document_text(source)
    except (RagError, OSError):
        return None
    _title, blocks, _iso, _inferred = clean(text)
    return Document(source, text, entry.title, entry.sha256, entry.date, entry.date_inferred, blocks)


def _sidecar(doc: Document) -> str | None:
    """Where the extracted text of a non-text file is kept (its citations index into it)."""
    if doc.source.lower().endswith(TEXT_SUFFIXES) or not os.path.splitext(doc.source)[1]:
        return None
    return f"texts/{document_key(doc.source, doc.sha256)}.txt"


def _write_wave(wave: list[_Loaded], store: Store, embedder: Embedder, report: IngestReport) -> None:
    db = store.db
    db.tune_for_bulk()
    if any(item.doc.date is None for item in wave):  # from the wave's other files and the stored ones
        borrowing.borrow([x.doc for x in wave], db.shared_shingles, lambda s: _stored_document(store, s))
    kept = []
    for item in wave:
        try:
            item.chunks = chunk_document(item.doc, store.settings.chunk_tokens)
        except Exception as e:  # noqa: BLE001 - one bad file never stops the others
            report.skipped.append((item.doc.source, f"could not be split ({type(e).__name__})"))
            report.unchanged += item.existed
            continue
        kept.append(item)
    wave = kept
    chunks = [c for item in wave for c in item.chunks]
    texts = [embedding_text(c) for c in chunks]
    vectors, stored = _with_sentence_vectors(texts, chunks if _storing(store) else [], embedder)
    for item in wave:
        sidecar = _sidecar(item.doc)
        if sidecar:
            (store.index_dir / "texts").mkdir(exist_ok=True)
            atomic_write(store.index_dir / sidecar, item.doc.text.encode("utf-8"))
    with db.transaction() as conn:
        for item in wave:
            own = {c.id: stored[c.id] for c in item.chunks if c.id in stored}
            db.add_pending(conn, [(c, fts_text(index_text(c))) for c in item.chunks], own)
    store.add_vectors(chunks, vectors)
    gone: list[str] = []
    old_sidecars: list[str] = []
    df: Counter[str] = Counter()
    word_docs: dict[str, tuple[int, str]] = {}
    with db.transaction() as conn:
        for item in wave:
            doc = item.doc
            old = db.file(doc.source)
            gone += db.commit_file(conn, doc.source, [c.id for c in item.chunks], df)
            sidecar = _sidecar(doc)
            db.put_file(
                conn,
                FileRow(
                    doc.source, doc.sha256, item.size, item.mtime_ns, doc.title, doc.date, doc.date_inferred,
                    sidecar, len(item.chunks),
                ),
            )
            words: dict[str, str] = {}
            for c in item.chunks:
                for t, w in alpha_words(f"{c.title} {c.text}").items():
                    words.setdefault(t, w)
            db.set_features(conn, doc.source, words, borrowing.fingerprints(doc) if doc.date else [], word_docs)
            if old and old.text_file and old.text_file != sidecar:
                old_sidecars.append(old.text_file)
            if item.existed:
                report.updated += 1
            else:
                report.added += 1
        db.apply_df(conn, df)
        db.apply_word_docs(conn, word_docs)
    report.embedded += len(chunks)
    for path in old_sidecars:  # before the deletes: a crash leaves pending rows, and repair sweeps texts/
        (store.index_dir / path).unlink(missing_ok=True)
    _finish_delete(store, gone)


def _storing(store: Store) -> bool:
    """Whether sentence vectors are kept in the index (not for the hash stand-in: cheaper to run than to read)."""
    return store.settings.sentence_vectors and store.settings.embedder != "hash"


def _with_sentence_vectors(
    texts: list[str], chunks: list[Chunk], embedder: Embedder
) -> tuple[np.ndarray, dict[str, bytes]]:
    """Vectors of ``texts``, and the float16 vectors of each of ``chunks``' sentences followed by those of their
    further readings (``vector_texts``: with the one before, with the term described), by chunk id, from one
    embedding run; each distinct text is embedded once, though overlapping chunks share some."""
    own = {c.id: [t for part in vector_texts(c) for t in part] for c in chunks}
    rows: dict[str, int] = {}
    for stored_texts in own.values():
        for text in stored_texts:
            rows.setdefault(text, len(texts) + len(rows))
    vectors = embedder.embed(texts + list(rows)) if texts or rows else np.zeros((0, 1), np.float32)
    stored = {cid: vectors[[rows[t] for t in ts]].astype(np.float16).tobytes() for cid, ts in own.items()}
    return vectors[: len(texts)], stored


def _complete_sentence_vectors(store: Store, embedder: Embedder, report: IngestReport) -> None:
    """Give every chunk its sentence vectors when the setting is on and an earlier ingest (an older release, or
    the setting off) left some without; page by page, so memory stays bounded."""
    db = store.db
    if not _storing(store):
        if report.embedded and db.get_meta(SENTENCES_KEY) == "complete":
            with db.transaction() as conn:
                db.set_meta(conn, SENTENCES_KEY, "partial")
        return
    if db.get_meta(SENTENCES_KEY) != "complete":
        pages = db.chunks_without_sentence_vectors
        _store_sentence_vectors(db, pages, lambda page: _with_sentence_vectors([], page, embedder)[1])
        with db.transaction() as conn:
            db.set_meta(conn, SENTENCES_KEY, "complete")
    if db.get_meta(READINGS_KEY) != "unmarked":  # an index from before stored no readings without footnote marks
        _store_sentence_vectors(db, db.chunks_with_marks, lambda page: _with_unmarked(db, page, embedder))
        with db.transaction() as conn:
            db.set_meta(conn, READINGS_KEY, "unmarked")


def _store_sentence_vectors(
    db: ChunkDB, pages: Callable[[str, int], list[Chunk]], rows: Callable[[list[Chunk]], dict[str, bytes]]
) -> None:
    """Store the sentence-vector rows that ``rows`` makes for each page of chunks that ``pages`` lists."""
    after = ""
    while page := pages(after, WAVE_CHUNKS):
        stored = rows(page)
        with db.transaction() as conn:
            conn.executemany("INSERT OR REPLACE INTO sentence_vectors VALUES (?, ?)", list(stored.items()))
        after = page[-1].id


def _with_unmarked(db: ChunkDB, page: list[Chunk], embedder: Embedder) -> dict[str, bytes]:
    """The stored rows of those chunks of ``page`` that end where the readings without footnote marks begin, with
    those readings' vectors added; only they are embedded."""
    blobs = db.sentence_vectors([c.id for c in page])
    width = 2 * int(db.get_meta("dim") or 0)  # float16
    missing: dict[str, list[str]] = {}
    for c in page:
        sentences = sentence_texts(c)
        stored = len(blobs.get(c.id, b"")) == width * (len(sentences) + len(earlier_readings(c.title, sentences)))
        if width and stored and (extra := unmarked_readings(sentences)):
            missing[c.id] = extra
    texts = list(dict.fromkeys(t for extra in missing.values() for t in extra))
    if not texts:
        return {}
    vectors = dict(zip(texts, embedder.embed(texts).astype(np.float16), strict=True))
    return {cid: blobs[cid] + b"".join(vectors[t].tobytes() for t in extra) for cid, extra in missing.items()}


def _finish_delete(store: Store, ids: list[str]) -> None:
    """Remove hidden chunks from Chroma, then their rows."""
    if ids:
        store.delete_vectors(ids)
        store.db.purge(ids)


def _drop(store: Store, sources: list[str]) -> None:
    """Forget files: their chunks are hidden in one transaction, then deleted."""
    db = store.db
    gone: list[str] = []
    sidecars = []
    with db.transaction() as conn:
        for source in sources:
            entry = db.file(source)
            if entry and entry.text_file:
                sidecars.append(entry.text_file)
            gone += db.drop_file(conn, source)
            db.set_features(conn, source, {}, [])
    for path in sidecars:
        (store.index_dir / path).unlink(missing_ok=True)
    _finish_delete(store, gone)


def repair(store: Store, embedder: Embedder) -> tuple[int, int]:
    """Finish what an interrupted ingest left: drop its pending chunks, and make Chroma hold exactly the
    committed chunks (re-adding missing vectors, deleting strays). Returns (re-added, deleted).

    The full comparison runs only when the cheap check (counts, pending rows) finds a difference.
    """
    db = store.db
    deleted = 0
    for state in (PENDING_ADD, PENDING_DELETE):
        while ids := db.pending(state):
            _finish_delete(store, ids)
            deleted += len(ids)
    if deleted:
        _sweep_texts(store)
    if store.consistent():
        return 0, deleted
    stray: list[str] = []
    for page in store.vector_ids():
        stray += sorted(set(page) - db.committed(page))
    store.delete_vectors(stray)
    deleted += len(stray)
    readded = 0
    last = ""
    while page := db.chunk_ids(last):
        last = page[-1]
        held = store.vectors_present(page)
        missing = [cid for cid in page if cid not in held]
        if missing:
            chunks = db.chunks(missing)
            ordered = [chunks[c] for c in missing if c in chunks]
            store.add_vectors(ordered, embedder.embed([embedding_text(c) for c in ordered]))
            readded += len(ordered)
    return readded, deleted


def _sweep_texts(store: Store) -> None:
    """After an interrupted ingest: delete extracted texts that no file row refers to."""
    folder = store.index_dir / "texts"
    if not folder.is_dir():
        return
    used = store.db.text_files()
    for path in folder.iterdir():
        if f"texts/{path.name}" not in used:
            path.unlink(missing_ok=True)


def remove_document(store: Store, source: str, delete_file: bool) -> None:
    """Delete a document's chunks (and optionally its file); chunks first, then the file.

    A file in the docs folder that is not in the index (one that was skipped: broken, too large, binary) can be
    deleted too, with ``delete_file``: it never blocks anything, but its owner may want it gone.
    """
    root = (store.docs_root or Path(".")).resolve()
    path = (root / source).resolve()
    if delete_file and root not in path.parents:
        raise RagError(f"Refusing to delete {source}: it is outside the documents folder.")
    if store.file(source) is None:
        if delete_file and path.is_file() and not path.is_symlink() and not (root / source).is_symlink():
            path.unlink()
            return
        raise RagError(f"No document '{source}' in the index.")
    lock = _lock(store)
    try:
        store.refresh()
        _drop(store, [source])
    finally:
        lock.release()  # type: ignore[attr-defined]
    if delete_file:
        path.unlink(missing_ok=True)
