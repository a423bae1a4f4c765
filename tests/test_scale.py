"""An index past SQLite's 32,766 bound variables: build, reopen, edit one file, re-ingest, answer.

Chroma's ``collection.get()`` of a whole collection fails past that limit (Chroma PR 7687); nothing here may
read a whole collection in one call. The stand-in hash embedder (not semantic) takes embedding out of the cost,
and small chunks reach the size with little text.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from rag import Assistant, Settings

SQLITE_LIMIT = 32_766
TOPICS = "water road council bridge school market river harbour tax budget election police hospital railway".split()


def _write_reports(folder: Path, n: int) -> None:
    rng = random.Random(7)
    folder.mkdir(parents=True)
    for i in range(n):
        sentences = [
            f"Town {i} reported that the {rng.choice(TOPICS)} committee met {j} times about the "
            f"{rng.choice(TOPICS)} plan and the {rng.choice(TOPICS)} budget."
            for j in range(48)
        ]
        text = f"Report {i}\n\nOSLO, May {1 + i % 28}, 2019 - " + " ".join(sentences) + "\n"
        (folder / f"r{i:05d}.txt").write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path, Settings]]:
    root = tmp_path_factory.mktemp("scale")
    docs, index = root / "docs", root / "index"
    _write_reports(docs, 720)
    settings = Settings(embedder="hash", chunk_tokens=32)
    report = Assistant.open(index, settings, create=True).ingest(docs)
    assert report.added == 720 and report.chunks > SQLITE_LIMIT
    yield docs, index, settings


def test_reopen_counts_and_ids_agree_past_the_sqlite_limit(big: tuple[Path, Path, Settings]) -> None:
    _docs, index, settings = big
    assistant = Assistant.open(index, settings)
    store = assistant.store
    assert store.count() > SQLITE_LIMIT
    assert store.collection.count() == store.count()
    assert store.consistent()
    assert store.stored_ids() == store.expected_ids()  # both read in pages
    assert len(assistant.documents()) == 720


def test_one_file_edit_is_reingested_alone_and_answerable(big: tuple[Path, Path, Settings]) -> None:
    docs, index, settings = big
    target = docs / "r00123.txt"
    target.write_text(
        target.read_text(encoding="utf-8") + "The Zorvath lantern guild approved 918 new lanterns for the quay.\n",
        encoding="utf-8",
    )
    assistant = Assistant.open(index, settings)
    before = assistant.store.count()
    started = time.perf_counter()
    report = assistant.ingest(docs)
    elapsed = time.perf_counter() - started
    assert (report.updated, report.added, report.removed, report.unchanged) == (1, 0, 0, 719)
    assert report.embedded == len(assistant.store.source_chunks("r00123.txt"))
    assert assistant.store.count() - before in (0, 1, 2)
    assert assistant.store.consistent()
    answer = assistant.ask("How many lanterns did the Zorvath lantern guild approve?")
    assert not answer.refused
    assert answer.citations and answer.citations[0].source == "r00123.txt"
    cited = answer.citations[0]
    assert target.read_text(encoding="utf-8")[cited.start : cited.end] == cited.quote
    assert "918" in answer.text
    print(f"one-file re-ingest at {before:,} chunks: {elapsed:.2f} s")


def test_noop_reingest_and_removal_touch_only_what_changed(big: tuple[Path, Path, Settings]) -> None:
    docs, index, settings = big
    assistant = Assistant.open(index, settings)
    report = assistant.ingest(docs)
    assert report.embedded == 0 and report.unchanged == 720
    gone = {c.id for c in assistant.store.source_chunks("r00007.txt")}
    (docs / "r00007.txt").unlink()
    report = assistant.ingest(docs)
    assert report.removed == 1 and report.embedded == 0
    assert not assistant.store.chunks(sorted(gone))
    assert not set(assistant.store.collection.get(ids=sorted(gone), include=[])["ids"])
    assert assistant.store.consistent()
