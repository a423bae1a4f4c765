"""Answers over the seeds with the offline extractive backend: correctness, refusal, exact citations."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rag import Assistant, Filters, RagError

from .helpers import BAGHDAD, POPULATION, SEEDS


def _valid(answer, root: Path = SEEDS) -> None:
    markers = {int(n) for n in re.findall(r"\[(\d+)\]", answer.text)}
    assert markers == {c.n for c in answer.citations}
    for c in answer.citations:
        text = (root / c.source).read_text(encoding="utf-8")
        assert text[c.start : c.end] == c.quote


def test_baghdad_question(seed_assistant: Assistant) -> None:
    answer = seed_assistant.ask(BAGHDAD)
    assert not answer.refused
    assert answer.text.startswith("Late September 2015 [1]."), answer.text  # the answer comes first
    assert "at the end of September 2015" in answer.citations[0].quote
    assert answer.citations
    _valid(answer)
    stating = [c for c in answer.citations if "2015" in c.quote]
    assert stating, "a citation must itself state the year"


def test_population_is_refused(seed_assistant: Assistant) -> None:
    answer = seed_assistant.ask(POPULATION)
    assert answer.refused and not answer.citations
    assert "don't answer" in answer.text


@pytest.mark.parametrize(
    "question",
    [
        "Which Venezuelan military attache at the UN backed Guaido?",
        "In how many languages do RFE/RL journalists report the news?",
        "What currency does Iraq use?",
    ],
)
def test_boilerplate_and_absent_facts_are_refused(seed_assistant: Assistant, question: str) -> None:
    assert seed_assistant.ask(question).refused


def test_relative_date_is_resolved_against_document_date(seed_assistant: Assistant) -> None:
    answer = seed_assistant.ask(
        "When did Daesh carry out coordinated attacks in southern Syria that killed 250 people?"
    )
    assert not answer.refused
    assert "July 2018" in answer.text
    _valid(answer)


def test_stream_yields_pieces_then_the_same_answer(seed_assistant: Assistant) -> None:
    stream = seed_assistant.stream(BAGHDAD)
    pieces = list(stream)
    assert len(pieces) > 3
    assert stream.answer is not None
    assert "".join(pieces) == stream.answer.text
    _valid(stream.answer)


def test_filters_by_source_and_date(seed_assistant: Assistant) -> None:
    only = "002_c010ba6d17745c5d.txt"
    answer = seed_assistant.ask("How many fighters are still active?", filters=Filters(sources=(only,)))
    assert {p.chunk.source for p in answer.passages} == {only}
    dated = seed_assistant.ask("Who met in Baghdad?", filters=Filters(date_from="2018-01-01"))
    assert dated.passages and all((p.chunk.date or "") >= "2018-01-01" for p in dated.passages)


def test_follow_up_uses_history(seed_assistant: Assistant) -> None:
    first = seed_assistant.ask(BAGHDAD)
    follow = seed_assistant.ask("Who leads it?", history=[(BAGHDAD, first.text)])
    assert any("coordination centre" in p.chunk.text or "Operation Room" in p.chunk.text for p in follow.passages[:3])


def test_bad_questions(seed_assistant: Assistant) -> None:
    with pytest.raises(RagError, match="empty"):
        seed_assistant.ask("   ")
    with pytest.raises(RagError, match="too long"):
        seed_assistant.ask("why " * 25_000)
    with pytest.raises(RagError, match="Unknown backend"):
        seed_assistant.ask("x?", backend="magic")


def test_to_dict_contract(seed_assistant: Assistant) -> None:
    data = seed_assistant.ask(BAGHDAD).to_dict()
    assert set(data) >= {"question", "answer", "refused", "citations", "timings_ms"}
    assert set(data["citations"][0]) == {"n", "source", "quote", "start", "end"}
    assert data["timings_ms"]["total_ms"] > 0


def test_filters_reject_bad_dates_in_one_line() -> None:
    from rag import RagError

    for bad in ({"date_from": "garbage"}, {"date_to": "2015-13-40"}, {"date_from": "2018-01-01", "date_to": "2015-01-01"}):
        with pytest.raises(RagError, match="date"):
            Filters(**bad)
