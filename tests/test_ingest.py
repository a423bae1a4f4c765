"""Incremental ingestion against a real persistent Chroma and the real ONNX embedder."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from rag import Assistant, RagError, Settings
from rag.ingest.pipeline import ingest
from rag.text import lexical

from .helpers import BAGHDAD, REPO


def _state(a: Assistant) -> tuple[set[str], int]:
    return a.store.stored_ids(), a.store.collection.count()


def _ids(a: Assistant, source: str) -> set[str]:
    return {c.id for c in a.store.source_chunks(source)}


def _all_chunks(a: Assistant) -> list:
    return list(a.store.chunks(sorted(a.store.expected_ids())).values())


def test_reingest_unchanged_embeds_nothing(fresh: Assistant, docs: Path) -> None:
    before = _state(fresh)
    report = fresh.ingest(docs)
    assert (report.added, report.updated, report.removed, report.unchanged, report.embedded) == (0, 0, 0, 5, 0)
    assert "0 embedded" in report.summary() and "5 unchanged" in report.summary()
    assert _state(fresh) == before


def test_corpus_words_are_embedded_once_and_find_paraphrases(fresh: Assistant, docs: Path) -> None:
    from rag.search.expansion import expand_query

    assert fresh.store.db.word_count() > 500
    assert fresh.store.word_collection.count() == fresh.store.db.word_count()
    assert fresh.store.update_vocabulary(fresh.embedder) == 0  # nothing new since the build
    (docs / "extra.txt").write_text("A zeppelin hovered over the harbour for an hour before landing.\n")
    fresh.ingest(docs)
    assert "zeppelin" in fresh.store.db.words_of(lexical.terms("zeppelin")).values()
    # "legislature" is not in the seeds; the documents say "legislative" and "parliament"
    extra = expand_query("How big is the legislature?", fresh.store, fresh.embedder)
    assert {*lexical.terms("legislative"), *lexical.terms("parliament")} <= set(extra)
    assert expand_query("How big is the parliament?", fresh.store, fresh.embedder) == []
    (docs / "extra.txt").unlink()  # a word no file uses any more leaves the vocabulary and its vectors
    fresh.ingest(docs)
    assert not fresh.store.db.words_of(lexical.terms("zeppelin"))
    assert fresh.store.word_collection.count() == fresh.store.db.word_count()


def test_word_vectors_read_once_follow_every_write(fresh: Assistant, docs: Path, tmp_path: Path) -> None:
    """A store keeps the corpus words' vectors it has read for the next question, and forgets them at the next
    committed write, its own or another's: a word a new file brings is found, one no file uses any more is not."""
    reader = Assistant.open(tmp_path / "index", Settings())
    zeppelin, = lexical.terms("zeppelin")
    baghdad, = lexical.terms("Baghdad")
    first = reader.store.word_vectors([baghdad, zeppelin])
    assert set(first) == {baghdad}  # not a corpus word yet
    again = reader.store.word_vectors([zeppelin, baghdad, baghdad])
    assert set(again) == {baghdad} and np.array_equal(again[baghdad], first[baghdad])
    (docs / "extra.txt").write_text("A zeppelin hovered over the harbour for an hour before landing.\n")
    fresh.ingest(docs)  # another Assistant writes
    found = reader.store.word_vectors([zeppelin, baghdad])
    assert set(found) == {zeppelin, baghdad}
    assert float(found[zeppelin] @ fresh.embedder.embed(["zeppelin"])[0]) > 0.99
    (docs / "extra.txt").unlink()
    fresh.ingest(docs)
    assert set(reader.store.word_vectors([zeppelin, baghdad])) == {baghdad}


def test_edit_reembeds_only_that_file_and_delete_removes(fresh: Assistant, docs: Path) -> None:
    target = docs / "002_c010ba6d17745c5d.txt"
    old_ids = _ids(fresh, target.name)
    target.write_text(
        target.read_text(encoding="utf-8").replace("2,000 Daesh fighters", "3,000 Daesh fighters"), encoding="utf-8"
    )
    report = fresh.ingest(docs)
    new_ids = _ids(fresh, target.name)
    assert (report.updated, report.unchanged, report.added) == (1, 4, 0)
    assert report.embedded == len(new_ids)
    assert not old_ids & fresh.store.stored_ids()
    assert fresh.store.stored_ids() == fresh.store.expected_ids()  # no duplicates, no strays
    assert any("3,000" in c.text for c in _all_chunks(fresh))
    assert not any("2,000 Daesh" in c.text for c in _all_chunks(fresh))

    (docs / "004_11c8f2f87e1597f2.txt").unlink()
    report = fresh.ingest(docs)
    assert report.removed == 1 and report.embedded == 0
    assert all(c.source != "004_11c8f2f87e1597f2.txt" for c in _all_chunks(fresh))
    hits = fresh.store.bm25("Baghdad Operation Room Bulgaria airspace", 50)
    assert hits and all(c.source != "004_11c8f2f87e1597f2.txt" for c in fresh.store.chunks([h for h, _ in hits]).values())


def test_index_survives_reopen_without_rebuilding(fresh: Assistant) -> None:
    again = Assistant.open(fresh.store.index_dir)
    assert again.store.expected_ids() == fresh.store.expected_ids() == again.store.stored_ids()
    assert not again.ask(BAGHDAD).refused


class FailingEmbedder:
    """Fault injection: the real embedder, failing after ``good`` batches, like an endpoint dropping mid-run."""

    def __init__(self, inner, good: int) -> None:
        self.inner, self.good = inner, good
        self.name, self.dim = inner.name, inner.dim

    def embed(self, texts, progress=None) -> np.ndarray:
        if self.good <= 0:
            raise RagError("embedding endpoint failed")
        self.good -= 1
        return self.inner.embed(texts, progress)


def test_interrupted_ingest_keeps_previous_state_and_next_run_repairs(fresh: Assistant, docs: Path) -> None:
    before_ids = fresh.store.stored_ids()
    for path in docs.glob("*.txt"):
        path.write_text(path.read_text(encoding="utf-8") + "\nAn added closing sentence about the talks.\n", "utf-8")
    with pytest.raises(RagError):
        ingest(docs, fresh.store, FailingEmbedder(fresh.embedder.inner, good=0))
    assert fresh.store.stored_ids() == before_ids
    assert not Assistant.open(fresh.store.index_dir).ask(BAGHDAD).refused
    report = fresh.ingest(docs)
    assert report.updated == 5
    assert fresh.store.stored_ids() == fresh.store.expected_ids()
    assert not fresh.store.stored_ids() & before_ids


def _many_docs(folder: Path, n: int) -> None:
    folder.mkdir()
    for i in range(n):
        body = " ".join(
            f"Report {i} sentence {j} says the council of town {i} met on day {j} to discuss water and roads."
            for j in range(40)
        )
        (folder / f"doc{i:03d}.txt").write_text(f"Council report {i}\n\n{body}\n", encoding="utf-8")


def test_kill_minus_nine_mid_ingest_then_repair(tmp_path: Path) -> None:
    docs, index = tmp_path / "many", tmp_path / "index"
    _many_docs(docs, 60)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    cmd = [sys.executable, str(REPO / "ingest.py"), str(docs), "--index", str(index), "--quiet"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not (index / "index.sqlite3").exists():
        time.sleep(0.05)
    time.sleep(0.5)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assistant = Assistant.open(index)  # whatever was committed is queryable
    assert assistant.store.stored_ids() >= assistant.store.expected_ids()
    partial = assistant.store.db.file_count()
    assert partial < 60
    report = assistant.ingest(docs)
    assert report.added == 60 - partial
    assert assistant.store.stored_ids() == assistant.store.expected_ids()
    assert assistant.store.count() == assistant.store.collection.count()


def test_missing_and_empty_folders_change_nothing(fresh: Assistant, tmp_path: Path) -> None:
    before = _state(fresh)
    with pytest.raises(RagError, match="not found"):
        fresh.ingest(tmp_path / "nope")
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "notes.docx").write_bytes(b"PK\x03\x04")
    with pytest.raises(RagError, match="No supported documents"):
        fresh.ingest(empty, replace=True)
    assert _state(fresh) == before and len(fresh.documents()) == 5


def test_bad_files_are_skipped_and_reported(fresh: Assistant, docs: Path) -> None:
    (docs / "blob.txt").write_bytes(b"\x00\x01\x02\x03" * 100)
    (docs / "latin.txt").write_bytes("Un caf\xe9 tr\xe8s fort, with a long enough sentence.".encode("latin-1"))
    (docs / "image.png").write_bytes(b"\x89PNG\r\n")
    (docs / "tool").write_bytes(b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 64)  # no extension, not text
    report = fresh.ingest(docs)
    reasons = dict(report.skipped)
    assert "binary" in reasons["blob.txt"] and "UTF-8" in reasons["latin.txt"] and "unsupported" in reasons["image.png"]
    assert "binary" in reasons["tool"]
    assert report.unchanged == 5 and len(fresh.documents()) == 5


def test_bad_edit_of_a_stored_file_keeps_its_chunks(fresh: Assistant, docs: Path) -> None:
    name = "001_7ec61a1bb73bfddc.txt"
    ids = _ids(fresh, name)
    (docs / name).write_bytes(b"\xff\xfe\x00garbage")
    report = fresh.ingest(docs)
    assert name in dict(report.skipped)
    assert ids <= fresh.store.stored_ids()


def test_other_folder_needs_replace(fresh: Assistant, tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    (other / "note.txt").write_text("Notes\n\nThe Qasr water board met twice in March 2020 to set prices.\n", "utf-8")
    with pytest.raises(RagError, match="mirrors"):
        fresh.ingest(other)
    assert len(fresh.documents()) == 5
    report = fresh.ingest(other, replace=True)
    assert (report.added, report.removed) == (1, 5)


def test_index_from_another_embedder_is_a_clear_error(fresh: Assistant) -> None:
    other = Settings(embedder="openai", openai_base_url="http://127.0.0.1:9/v1", openai_api_key="unused")
    with pytest.raises(RagError, match="built with the embedder 'all-MiniLM-L6-v2'"):
        Assistant.open(fresh.store.index_dir, other)
    assert not Assistant.open(fresh.store.index_dir).ask(BAGHDAD).refused


def test_open_missing_index_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(RagError, match="No index"):
        Assistant.open(tmp_path / "none")


def test_remove_document(fresh: Assistant, docs: Path) -> None:
    fresh.remove("002_c010ba6d17745c5d.txt")
    assert not (docs / "002_c010ba6d17745c5d.txt").exists()
    assert len(fresh.documents()) == 4
    assert fresh.store.stored_ids() == fresh.store.expected_ids()
    with pytest.raises(RagError, match="outside"):
        fresh.remove("../../etc/passwd")
    with pytest.raises(RagError, match="No document"):
        fresh.remove("never-there.txt", delete_file=False)


def test_a_skipped_file_can_be_deleted_and_outside_paths_cannot(fresh: Assistant, docs: Path, tmp_path: Path) -> None:
    (docs / "broken.txt").write_bytes(b"\x00\x01 binary")
    report = fresh.ingest(docs)
    assert "broken.txt" in dict(report.skipped)
    fresh.remove("broken.txt")
    assert not (docs / "broken.txt").exists() and len(fresh.documents()) == 5
    outside = tmp_path / "outside.txt"
    outside.write_text("keep me", encoding="utf-8")
    with pytest.raises(RagError, match="outside"):
        fresh.remove("../outside.txt")
    assert outside.exists()


def _df_from_chunks(a: Assistant) -> dict[str, int]:
    from collections import Counter

    rows = a.store.db.conn.execute("SELECT terms FROM chunks WHERE state = 0").fetchall()
    return dict(Counter(t for (terms,) in rows for t in set(terms.split())))


def test_document_frequencies_follow_adds_edits_and_deletes(fresh: Assistant, docs: Path) -> None:
    table = lambda: dict(fresh.store.db.conn.execute("SELECT term, df FROM terms").fetchall())  # noqa: E731
    assert table() == _df_from_chunks(fresh)
    target = docs / "001_7ec61a1bb73bfddc.txt"
    target.write_text(target.read_text(encoding="utf-8") + "\nA zeppelin quorum met.\n", encoding="utf-8")
    (docs / "003_a49d935d823246c6.txt").unlink()
    fresh.ingest(docs)
    assert table() == _df_from_chunks(fresh)
    assert fresh.store.idf("zeppelin") > fresh.store.idf("iraq")


def test_index_from_an_older_reader_reads_structured_files_again(tmp_path: Path) -> None:
    """PDF, HTML and Markdown files are read again once after the reader changes, whatever their bytes, and
    plain-text files the new reader reads differently (hard-wrapped ones)."""
    from rag.ingest.pipeline import READER_KEY, READER_VERSION, READER_VERSIONS

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "guide.md").write_text("# Guide\n\n## Setup\n\nRun the installer once. It asks for a folder.\n")
    (docs / "note.txt").write_text("The depot opened in March 2019 after two years of building work.\n")
    wrapped = "The depot keeps its trams in four sheds that open onto one yard, and each shed\n" * 9
    (docs / "wrapped.txt").write_text(wrapped + "holds six trams.\n")  # hard-wrapped: read by paragraphs since 6
    assistant = Assistant.build(docs, tmp_path / "index", Settings())
    assert assistant.store.db.get_meta(READER_KEY) == READER_VERSION
    with assistant.store.db.transaction() as conn:
        assistant.store.db.set_meta(conn, READER_KEY, "1")  # as an index built by a release before per-kind versions
        for kind in READER_VERSIONS:
            assistant.store.db.set_meta(conn, f"{READER_KEY}:{kind}", "")
    report = assistant.ingest(docs)
    assert (report.updated, report.unchanged) == (2, 1)  # the Markdown and the wrapped file again, the note not
    assert assistant.store.db.get_meta(READER_KEY) == READER_VERSION
    again = assistant.ingest(docs)
    assert (again.updated, again.unchanged) == (0, 3)
    # a newer reader of one kind reads that kind again, and no other
    with assistant.store.db.transaction() as conn:
        assistant.store.db.set_meta(conn, f"{READER_KEY}:markdown", "1")
    markdown_only = assistant.ingest(docs)
    assert (markdown_only.updated, markdown_only.unchanged) == (1, 2)
    assert assistant.store.db.get_meta(f"{READER_KEY}:markdown") == READER_VERSIONS["markdown"]
    assert (assistant.ingest(docs).updated, assistant.ingest(docs).unchanged) == (0, 3)
    answer = assistant.ask("What does the installer ask for?")
    assert not answer.refused and answer.citations[0].source == "guide.md"
