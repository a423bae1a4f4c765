"""Answers to questions of no particular kind (how, why, what should): the best sentences in document order,
one part per sub-question of a compound question, every quote an exact span."""

from __future__ import annotations

import re

import pytest

from rag import Assistant, Settings
from rag.answer.extractive import sub_questions

GUIDE = """# Kettle Manual

The Kettle boils up to 1.7 litres of water. Its base holds the power cord.

## Descaling

Scale builds up faster in hard-water areas. To descale the kettle, fill it with equal parts water and white
vinegar, boil it once and leave it for an hour. Rinse it twice with clean water before using it again.

## Safety

Never immerse the kettle or its base in water. Always unplug the base before cleaning it.
The kettle switches itself off when it boils dry.
"""


@pytest.mark.parametrize(
    ("question", "parts"),
    [
        ("What does the light indicate and what should be done next?", 2),
        ("How is the filter cleaned, and why does it clog?", 2),
        ("When and where was it signed?", 1),
        ("What are the pros and cons of descaling?", 1),
        ("Who met Putin and when?", 1),
    ],
)
def test_sub_questions(question: str, parts: int) -> None:
    split = sub_questions(question)
    assert len(split) == parts, split
    assert all(p.endswith("?") for p in split)


@pytest.fixture(scope="module")
def kettle(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    root = tmp_path_factory.mktemp("kettle")
    (root / "docs").mkdir()
    (root / "docs" / "manual.md").write_text(GUIDE)
    return Assistant.build(root / "docs", root / "index", Settings())


def _exact(assistant: Assistant, answer) -> None:
    assert {int(n) for n in re.findall(r"\[(\d+)\]", answer.text)} == {c.n for c in answer.citations}
    for c in answer.citations:
        assert assistant.source_text(c.source)[c.start : c.end] == c.quote


def test_how_question_answers_in_document_order(kettle: Assistant) -> None:
    answer = kettle.ask("How do I descale the kettle?")
    assert not answer.refused and answer.citations
    _exact(kettle, answer)
    assert any("vinegar" in c.quote for c in answer.citations)
    starts = [c.start for c in answer.citations]
    assert starts == sorted(starts)  # one document: reading order
    assert all(c.title.startswith("Kettle Manual › ") for c in answer.citations)  # section paths shown


def test_compound_question_answers_each_part(kettle: Assistant) -> None:
    answer = kettle.ask("How do I descale the kettle, and what should I never do when cleaning it?")
    assert not answer.refused
    _exact(kettle, answer)
    quotes = " ".join(c.quote for c in answer.citations)
    assert "vinegar" in quotes and "immerse" in quotes
