"""One interface for every answerer: stream text pieces, then finish into verified citations.

An answerer gets the question, the retrieval query, its vector and the passages, and returns a :class:`Draft`.
The extractive answerer (offline) and the LLM answerer (any OpenAI-compatible server) sit behind it; a new
backend is one class registered in :data:`ANSWERERS` and named in ``RAG_BACKEND``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from .embedding import Embedder
from .errors import RagError
from .records import Citation, Passage
from .retrieval import Filters
from .settings import Settings
from .support import IdfFn

History = list[tuple[str, str]]
SearchFn = Callable[[str, Filters | None], tuple[list[Passage], np.ndarray]]
Finished = tuple[str, list[Citation], bool, list[str]]  # text, citations, refused, flagged sentences


@dataclass
class Draft:
    """An answer in the making: iterate ``pieces`` for its text; ``finish(raw)`` verifies the whole of it."""

    pieces: Iterator[str]
    finish: Callable[[str], Finished]


@dataclass
class Context:
    """What an answerer may use: settings, the embedder, corpus statistics, and a search for sub-questions."""

    settings: Settings
    embedder: Embedder
    idf: IdfFn
    knows: Callable[[str], bool]
    search: SearchFn


class Answerer(Protocol):
    """Answers from retrieved passages, citing them."""

    name: str
    refusal: str

    def condense(self, history: History, question: str) -> str:
        """A follow-up question rewritten to stand alone, for retrieval."""
        ...

    def start(
        self, question: str, query: str, vector: np.ndarray, passages: list[Passage], filters: Filters | None
    ) -> Draft:
        """Begin answering ``question`` (``query`` is what was retrieved for, ``vector`` its embedding)."""
        ...


def _words(text: str) -> Iterator[str]:
    parts = text.split(" ")
    for i, part in enumerate(parts):
        yield part if i == len(parts) - 1 else part + " "


class ExtractiveAnswerer:
    """The offline answerer: the best supporting sentences, cited exactly; time between events worked out."""

    name = "extractive"

    def __init__(self, ctx: Context) -> None:
        from . import extractive

        self.ctx = ctx
        self.refusal = extractive.REFUSAL

    def condense(self, history: History, question: str) -> str:
        """Carry the conversation's names into a follow-up."""
        from . import followup

        return followup.condense(history, question)

    def start(
        self, question: str, query: str, vector: np.ndarray, passages: list[Passage], filters: Filters | None
    ) -> Draft:
        """Answer at once (the answer is chosen, not generated), then stream it word by word."""
        from . import entities, extractive, intervals
        from .dates import DateMention

        ctx = self.ctx
        tagger = entities.tagger(ctx.settings.spacy_model_path)

        def date_of(when: str) -> tuple[DateMention, list[Citation]] | None:
            found, when_vector = ctx.search(when, filters)
            return extractive.event_date(when, when_vector, found, ctx.embedder, ctx.idf, tagger, ctx.knows)

        interval = intervals.parse(query)
        worked_out = intervals.answer(interval, date_of) if interval else None
        if worked_out:
            text, citations = worked_out
            refused = False
        else:
            text, citations, refused = extractive.answer(
                query, vector, passages, ctx.embedder, ctx.idf, tagger, ctx.knows
            )
        done: Finished = (text, citations, refused, [])
        return Draft(_words(text), lambda _raw: done)


class OpenAIAnswerer:
    """An LLM behind any OpenAI-compatible endpoint; every citation it writes is checked before anyone sees it."""

    name = "openai"

    def __init__(self, ctx: Context) -> None:
        from . import generative

        self.ctx = ctx
        self.refusal = generative.REFUSAL
        self._client: Any = None

    def client(self) -> Any:
        """The OpenAI client, made on first use."""
        if self._client is None:
            from .llm import make_client

            self._client = make_client(self.ctx.settings)
        return self._client

    def condense(self, history: History, question: str) -> str:
        """Let the model rewrite the follow-up."""
        from . import generative

        return generative.condense(self.client(), self.ctx.settings.openai_model, history, question)

    def start(
        self, question: str, query: str, vector: np.ndarray, passages: list[Passage], filters: Filters | None
    ) -> Draft:
        """Stream the model's answer; on finish, keep only sentences their citations support."""
        from . import generative

        settings = self.ctx.settings
        if not passages:
            refusal: Finished = (self.refusal, [], True, [])
            return Draft(iter([self.refusal]), lambda _raw: refusal)
        client = self.client()
        messages = generative.build_messages(question, passages)
        pieces = generative.stream(client, settings.openai_model, messages, settings.max_answer_tokens)

        def finish(raw: str) -> Finished:
            return generative.verify(raw, passages, self.ctx.embedder, self.ctx.idf)

        return Draft(pieces, finish)


ANSWERERS: dict[str, Callable[[Context], Answerer]] = {
    "extractive": ExtractiveAnswerer,
    "openai": OpenAIAnswerer,
}


def make_answerer(name: str, ctx: Context) -> Answerer:
    """The answerer registered under ``name``."""
    factory = ANSWERERS.get(name)
    if factory is None:
        raise RagError(f"Unknown backend '{name}': use {' or '.join(ANSWERERS)}.")
    return factory(ctx)
