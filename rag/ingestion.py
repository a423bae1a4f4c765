"""Incremental ingestion: only new or changed files are embedded; the index is repaired after interruptions."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

from .chunking import chunk_document
from .documents import borrow_dates, clean, load_file, scan_folder, sha256_bytes
from .embedding import Embedder
from .errors import RagError
from .records import Chunk, Document, IngestReport
from .store import Store, atomic_write

ProgressFn = Callable[[int, int], None]
WAVE_CHUNKS = 256


def embedding_text(chunk: Chunk) -> str:
    """What is embedded for a chunk: its title gives the passage context."""
    return f"{chunk.title}\n{chunk.text}" if chunk.title else chunk.text


def _tqdm_progress(total: int) -> tuple[ProgressFn, Callable[[], None]]:
    from tqdm import tqdm

    bar = tqdm(total=total, unit="chunk", desc="Embedding", file=sys.stderr, disable=total < 64 or None)

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
    """Bring the index in line with ``folder``.

    Order of writes, so an interruption at any point leaves a queryable index that the next run repairs:
    new chunks are added first, then the old chunks of that file are deleted, then the manifest is saved.
    Chunk ids derive from the file's sha256, so re-adding after a crash overwrites instead of duplicating.
    """
    from filelock import FileLock, Timeout

    started = time.perf_counter()
    folder = Path(folder).resolve()
    files, skipped = scan_folder(folder)
    if not files:
        reason = f" ({len(skipped)} unsupported files skipped)" if skipped else ""
        raise RagError(f"No supported documents (.txt .md .html .pdf) in {folder}{reason}; the index is unchanged.")
    root = store.manifest.get("docs_root")
    if root and Path(root) != folder and store.files and not replace:
        raise RagError(
            f"The index {store.index_dir} mirrors {root}, not {folder}. Ingest that folder, use another --index, "
            "or pass --replace to make the index mirror the new folder."
        )
    report = IngestReport(skipped=[(s.source, s.reason) for s in skipped])
    lock = FileLock(str(store.index_dir / ".ingest.lock"))
    try:
        lock.acquire(timeout=5)
    except Timeout:
        raise RagError(f"Another ingest is writing to {store.index_dir}; wait for it to finish.") from None
    try:
        store.manifest["docs_root"] = str(folder)
        max_bytes = int(store.settings.max_file_mb * 1e6)
        loaded: list[tuple[Document, bool]] = []
        for source, path in files.items():
            entry = store.files.get(source)
            try:
                same_size = entry is not None and entry.get("size") == path.stat().st_size
                if same_size and entry and sha256_bytes(path.read_bytes()) == entry["sha256"]:
                    report.unchanged += 1
                    continue
                doc = load_file(path, source, max_bytes)
            except RagError as e:
                report.skipped.append((source, str(e)))
                if entry:
                    report.unchanged += 1  # keep what is stored rather than lose it to a bad edit
                continue
            except OSError as e:
                report.skipped.append((source, f"unreadable ({e.strerror})"))
                continue
            if entry and entry["sha256"] == doc.sha256:
                report.unchanged += 1
                continue
            loaded.append((doc, entry is not None))
        new_docs = [d for d, _ in loaded]
        if any(d.date is None for d in new_docs):
            borrow_dates(new_docs, new_docs + _stored_dated(store, {d.source for d in new_docs}))
        todo = [(doc, chunk_document(doc, store.settings.chunk_tokens), existed) for doc, existed in loaded]
        total = sum(len(chunks) for _, chunks, _ in todo)
        close: Callable[[], None] = lambda: None  # noqa: E731
        if progress is None and show_bar:
            progress, close = _tqdm_progress(total)
        done = 0
        try:
            wave: list[tuple[Document, list[Chunk], bool]] = []
            for item in todo:
                wave.append(item)
                if sum(len(c) for _, c, _ in wave) >= WAVE_CHUNKS:
                    done = _write_wave(wave, store, embedder, report, done, total, progress)
                    wave = []
            if wave:
                done = _write_wave(wave, store, embedder, report, done, total, progress)
        finally:
            close()
        for source in sorted(set(store.files) - set(files)):
            store.delete(store.files[source]["chunks"])
            _drop_sidecar(store, store.files.pop(source))
            report.removed += 1
            store.save_manifest()
        stray = store.stored_ids() - store.expected_ids()
        if stray:
            store.delete(sorted(stray))
        store.save_manifest()
        if todo or report.removed or stray or store.collection.count() != len(store.chunks):
            store.rebuild_lexical()
        store.update_vocabulary(embedder)  # the corpus words, for matching a question's paraphrases
        report.chunks = len(store.chunks)
        report.seconds = time.perf_counter() - started
        return report
    finally:
        lock.release()


def _stored_dated(store: Store, exclude: set[str]) -> list[Document]:
    """The dated documents already in the index (other than ``exclude``), reloaded from their stored text."""
    out = []
    for source, entry in store.files.items():
        if source in exclude or not entry.get("date"):
            continue
        try:
            text = store.document_text(source)
        except RagError:
            continue
        _title, blocks, _iso, _inferred = clean(text)
        title, date = str(entry.get("title", "")), str(entry["date"])
        out.append(Document(source, text, title, str(entry["sha256"]), date, bool(entry.get("date_inferred")), blocks))
    return out


def _drop_sidecar(store: Store, entry: dict[str, object]) -> None:
    sidecar = entry.get("text_file")
    if isinstance(sidecar, str):
        (store.index_dir / sidecar).unlink(missing_ok=True)


def _write_wave(
    wave: list[tuple[Document, list[Chunk], bool]],
    store: Store,
    embedder: Embedder,
    report: IngestReport,
    done: int,
    total: int,
    progress: ProgressFn | None,
) -> int:
    chunks = [c for _, cs, _ in wave for c in cs]

    def step(n: int) -> None:
        nonlocal done
        done += n
        if progress:
            progress(done, total)

    vectors = embedder.embed([embedding_text(c) for c in chunks], step)
    store.add(chunks, vectors)
    report.embedded += len(chunks)
    for doc, doc_chunks, existed in wave:
        old = store.files.get(doc.source)
        entry: dict[str, object] = {
            "sha256": doc.sha256,
            "size": (Path(store.manifest["docs_root"]) / doc.source).stat().st_size,
            "title": doc.title,
            "date": doc.date,
            "date_inferred": doc.date_inferred,
            "chunks": [c.id for c in doc_chunks],
        }
        if not doc.source.lower().endswith((".txt", ".md", ".markdown")):
            sidecar = f"texts/{doc.sha256}.txt"
            (store.index_dir / "texts").mkdir(exist_ok=True)
            atomic_write(store.index_dir / sidecar, doc.text.encode("utf-8"))
            entry["text_file"] = sidecar
        if old:
            keep = {c.id for c in doc_chunks}
            stale = [cid for cid in old["chunks"] if cid not in keep]
            store.delete(stale)
            if old.get("text_file") != entry.get("text_file"):
                _drop_sidecar(store, old)
        store.files[doc.source] = entry
        if existed:
            report.updated += 1
        else:
            report.added += 1
    store.save_manifest()
    return done


def remove_document(store: Store, source: str, delete_file: bool) -> None:
    """Delete a document's chunks (and optionally its file); chunks first, then the manifest, then the file."""
    from filelock import FileLock, Timeout

    entry = store.files.get(source)
    if entry is None:
        raise RagError(f"No document '{source}' in the index.")
    root = Path(store.manifest.get("docs_root") or ".").resolve()
    path = (root / source).resolve()
    if delete_file and root not in path.parents:
        raise RagError(f"Refusing to delete {path}: it is outside {root}.")
    try:
        with FileLock(str(store.index_dir / ".ingest.lock"), timeout=5):
            store.delete(list(entry["chunks"]))
            _drop_sidecar(store, store.files.pop(source))
            store.save_manifest()
            store.rebuild_lexical()
    except Timeout:
        raise RagError(f"Another ingest is writing to {store.index_dir}; try again when it has finished.") from None
    if delete_file:
        path.unlink(missing_ok=True)
