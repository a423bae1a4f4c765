"""A new answering backend is one module named in RAG_BACKEND; the assistant verifies its citations."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from rag import Assistant, RagError, Settings

from .helpers import BAGHDAD, SEEDS

PLUGIN = '''
from rag.answer.base import Context, Draft, words
from rag.records import Citation


class FirstSentence:
    """Answers with the first sentence of the best passage, plus one citation that is not in the source."""

    name = "first-sentence"
    refusal = "Nothing found."

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def condense(self, history, question):
        return question

    def start(self, question, query, vector, passages, filters):
        if not passages:
            return Draft(iter([self.refusal]), lambda raw: (self.refusal, [], True, []))
        chunk = passages[0].chunk
        span = chunk.sentences[0]
        quote = self.ctx_text(chunk.source)[span.start : span.end]
        good = Citation(1, chunk.source, quote, span.start, span.end, chunk.title, chunk.date)
        bad = Citation(2, chunk.source, "A sentence the source never says.", span.start, span.end)
        text = f"{quote} [1] Invented. [2]"
        return Draft(words(text), lambda raw: (text, [good, bad], False, []))

    def ctx_text(self, source):
        return (self.ctx.settings.docs_dir / source).read_text(encoding="utf-8")
'''


@pytest.fixture()
def plugin_path(tmp_path: Path) -> Iterator[str]:
    (tmp_path / "my_answerer.py").write_text(PLUGIN)
    sys.path.insert(0, str(tmp_path))
    yield "my_answerer:FirstSentence"
    sys.path.remove(str(tmp_path))
    sys.modules.pop("my_answerer", None)


def test_backend_named_by_module_path_answers_and_its_bad_citation_is_dropped(
    seed_assistant: Assistant, plugin_path: str
) -> None:
    settings = seed_assistant.settings.model_copy(update={"backend": plugin_path, "docs_dir": SEEDS})
    assistant = Assistant(settings, seed_assistant.store, seed_assistant.embedder)
    answer = assistant.ask(BAGHDAD)
    assert answer.backend == "first-sentence"
    assert [c.n for c in answer.citations] == [1]  # the invented quote is not a span of the source
    c = answer.citations[0]
    assert (SEEDS / c.source).read_text(encoding="utf-8")[c.start : c.end] == c.quote
    assert "[2]" not in answer.text and "A sentence the source never says." in answer.flagged


def test_unknown_or_broken_backend_is_a_short_error(seed_assistant: Assistant) -> None:
    with pytest.raises(ValueError):
        Settings(backend="not a backend")
    for name in ("no_such_module_xyz:Answerer", "rag.answer.base:NoSuchClass"):
        assistant = Assistant(seed_assistant.settings.model_copy(update={"backend": name}), seed_assistant.store,
                              seed_assistant.embedder)
        with pytest.raises(RagError, match="could not be loaded"):
            assistant.ask(BAGHDAD)
