"""Sentence vectors stored at ingest: answering reads them instead of running the model per sentence (also for a
sentence read with the one it leans on), gives the same answers as embedding the sentences when asked, and an edit
leaves no vectors of removed chunks behind."""

from __future__ import annotations

import sqlite3
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest

from rag import Assistant, Settings
from rag.answer.candidates import candidates
from rag.text.sentences import earlier_readings, leans_on_previous, sentence_texts, vector_texts
from rag.text.terms import with_term

QUESTIONS = [
    "When was the Baghdad coordination centre agreed?",
    "Why did Russia want to share intelligence with Iraq?",
    "What did the United States say about the intelligence-sharing agreement?",
    "What is the population of Baghdad?",
]


def _rows(index: Path) -> tuple[int, int]:
    """(stored sentence-vector rows, committed chunks) of an index."""
    with sqlite3.connect(index / "index.sqlite3") as conn:
        vectors = conn.execute("SELECT count(*) FROM sentence_vectors").fetchone()[0]
        chunks = conn.execute("SELECT count(*) FROM chunks WHERE state = 0").fetchone()[0]
    return vectors, chunks


def test_answers_read_stored_vectors_and_match_embedding_when_asked(
    seed_assistant: Assistant, tmp_path: Path, docs: Path
) -> None:
    index = seed_assistant.store.index_dir
    vectors, chunks = _rows(index)
    assert vectors == chunks > 0
    passages, _ = seed_assistant.search(QUESTIONS[0])
    pool = candidates(passages)
    assert pool and all(c.vector is not None for c in pool if "[" not in c.text)
    # A sentence that leans on the one before ("Its aim ...") has the vector of the two read together stored too.
    chunks = [c for doc in sorted(docs.iterdir()) for c in seed_assistant.store.source_chunks(doc.name)]
    seed_assistant.store.attach_sentence_vectors(chunks)
    pairs = {text: v for c in chunks for text, v in (c.pair_vectors or {}).items()}
    expected = {f"{a} {b}" for c in chunks for a, b in pairwise(sentence_texts(c)) if leans_on_previous(b)}
    assert pairs and set(pairs) == expected
    texts = sorted(pairs)[:8]
    fresh = seed_assistant.embedder.embed(texts)
    assert all(float(f @ pairs[t]) > 0.999 for t, f in zip(texts, fresh, strict=True))  # float16 precision

    plain = Assistant.build(docs, tmp_path / "plain", Settings(sentence_vectors=False))
    assert _rows(tmp_path / "plain")[0] == 0
    for question in QUESTIONS:
        stored, embedded = seed_assistant.ask(question), plain.ask(question)
        assert stored.text == embedded.text
        assert [(c.source, c.start, c.end) for c in stored.citations] == [
            (c.source, c.start, c.end) for c in embedded.citations
        ]


def test_edit_and_removal_leave_no_stale_vectors(tmp_path: Path, docs: Path) -> None:
    index = tmp_path / "index"
    assistant = Assistant.build(docs, index, Settings())
    sorted(docs.iterdir())[1].unlink()
    (docs / "note.txt").write_text("The depot opened in March 2019 after two years of building work.\n")
    assistant.ingest(docs)
    (docs / "note.txt").write_text("The depot opened in May 2021 after three years of building work.\n")
    assistant.ingest(docs)
    vectors, chunks = _rows(index)
    assert vectors == chunks > 0
    answer = assistant.ask("When did the depot open?")
    assert not answer.refused and "May 2021" in answer.text


@pytest.mark.parametrize("settings", [Settings(embedder="hash"), Settings(sentence_vectors=False)])
def test_no_vectors_stored_when_cheaper_or_turned_off(tmp_path: Path, docs: Path, settings: Settings) -> None:
    Assistant.build(docs, tmp_path / "index", settings)
    assert _rows(tmp_path / "index")[0] == 0


def test_an_index_without_them_gets_them_on_the_next_ingest(tmp_path: Path, docs: Path) -> None:
    """An index from before sentence vectors (or built with them off) is completed once, on the next ingest."""
    index = tmp_path / "index"
    Assistant.build(docs, index, Settings(sentence_vectors=False))
    (docs / "note.txt").write_text("The depot opened in March 2019 after two years of building work.\n")
    Assistant.build(docs, index, Settings(sentence_vectors=False))
    assert _rows(index)[0] == 0
    report = Assistant.open(index, Settings()).ingest(docs)
    assert report.embedded == 0  # no chunk embedded again, only the sentences
    vectors, chunks = _rows(index)
    assert vectors == chunks > 0


REFERENCE = """# String functions

## deblank (s)

Remove trailing whitespace and nulls from s. If s is a matrix, each row is trimmed to the length of the longest
string in it.

## strtrim (s)

Remove leading and trailing whitespace from s. Nulls are kept, unlike the trailing nulls removed above.
"""


def test_a_reference_entry_read_with_its_term_is_stored_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A sentence under a described term ("deblank (s)") that doesn't name it is read with the term when the
    question names it; that reading's vector is stored at ingest, so asking embeds none of them."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "strings.md").write_text(REFERENCE, encoding="utf-8")
    assistant = Assistant.build(docs, tmp_path / "index", Settings())
    chunks = assistant.store.source_chunks("strings.md")
    assistant.store.attach_sentence_vectors(chunks)
    readings = {text: v for c in chunks for text, v in (c.pair_vectors or {}).items()}
    expected = next(t for t in readings if t.startswith(with_term("deblank (s)", "Remove trailing whitespace")))
    assert float(assistant.embedder.embed([expected])[0] @ readings[expected]) > 0.999  # float16 precision

    embedded: list[str] = []
    embed = assistant.embedder.embed

    def recorded(texts: list[str]) -> Any:
        embedded.extend(texts)
        return embed(texts)

    monkeypatch.setattr(assistant.embedder, "embed", recorded)
    answer = assistant.ask("What does deblank do to a string?")
    assert not answer.refused and "trailing whitespace" in answer.text
    assert not [t for t in embedded if t.startswith(("deblank (s): ", "strtrim (s): "))]

    plain = Assistant.build(docs, tmp_path / "plain", Settings(sentence_vectors=False))
    assert plain.ask("What does deblank do to a string?").text == answer.text


ESSAY = """Persistence

March 2011

Most startups die of suicide, not murder. [1]The founders who keep going through the bad months usually end up doing better than the ones who are smarter but give up.[2] Determination matters more than intelligence here.

Notes

[1] The rest were killed by competitors.

[2] Or so it seemed to me at the time.
"""


def test_sentences_read_without_footnote_marks_are_stored_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The answerer reads "[1] The rest ..." as "The rest ...", and "give up.[2] Determination ..." as two
    sentences: those readings' vectors are stored at ingest, so asking embeds none of them. An index stored before
    them (its rows end where they begin) still gives its sentences their vectors."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "persistence.txt").write_text(ESSAY, encoding="utf-8")
    assistant = Assistant.build(docs, tmp_path / "index", Settings())
    passages, _vector = assistant.search("What were the other startups killed by?")
    pool = {c.text: c for c in candidates(passages)}
    unmarked = ["The rest were killed by competitors.", "Determination matters more than intelligence here."]
    fresh = assistant.embedder.embed(unmarked)
    for text, vector in zip(unmarked, fresh, strict=True):
        assert float(pool[text].vector @ vector) > 0.999  # its own reading, to float16 precision

    embedded: list[str] = []
    embed = assistant.embedder.embed

    def recorded(texts: list[str]) -> Any:
        embedded.extend(texts)
        return embed(texts)

    monkeypatch.setattr(assistant.embedder, "embed", recorded)
    answer = assistant.ask("What matters more than intelligence for founders?")
    assert any(c.quote == unmarked[1] for c in answer.citations)
    assert embedded == ["What matters more than intelligence for founders?"]  # the question alone

    chunk = assistant.store.source_chunks("persistence.txt")[0]
    sentences, readings = vector_texts(chunk)
    width = len(sentences) + len(earlier_readings(chunk.title, sentences))
    assert len(readings) > width - len(sentences)
    with sqlite3.connect(tmp_path / "index" / "index.sqlite3") as conn:  # as an earlier release stored them
        (blob,) = conn.execute("SELECT vectors FROM sentence_vectors WHERE cid = ?", (chunk.id,)).fetchone()
        conn.execute("UPDATE sentence_vectors SET vectors = ? WHERE cid = ?", (blob[: width * 2 * 384], chunk.id))
        conn.execute("DELETE FROM meta WHERE key = 'sentence_readings'")
    older = Assistant.open(tmp_path / "index", Settings())
    chunk = older.store.source_chunks("persistence.txt")[0]
    older.store.attach_sentence_vectors([chunk])
    assert chunk.vectors is not None and len(chunk.vectors) == len(sentences)
    assert unmarked[0] not in (chunk.pair_vectors or {})  # read without its mark: embedded when asked
    report = older.ingest(docs)  # the next ingest stores the readings it lacks, and embeds no chunk again
    assert report.embedded == 0
    chunk = older.store.source_chunks("persistence.txt")[0]
    older.store.attach_sentence_vectors([chunk])
    assert unmarked[0] in (chunk.pair_vectors or {})
