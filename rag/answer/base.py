"""One interface for every answerer: stream text pieces, then finish into verified citations.

An answerer gets the question, the retrieval query, its vector and the passages, and returns a :class:`Draft`.
The extractive answerer (offline) and the LLM answerer (any OpenAI-compatible server) sit behind it; a new
backend is one module with one class, named in ``RAG_BACKEND`` as ``package.module:Class`` (or registered in
:data:`ANSWERERS` under a short name).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Protocol, cast

import numpy as np

from rag.answer.matching import WordVectorsFn
from rag.answer.support import IdfFn
from rag.errors import RagError
from rag.index.embedders import Embedder
from rag.records import Citation, Passage
from rag.search.retrieval import Filters
from rag.settings import Settings

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
    word_vectors: WordVectorsFn | None = None  # stored vectors of corpus words (rag.index.store.Store.word_vectors)
    text_of: Callable[[str], str] | None = None  # a source's text, which citation spans index into


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


def words(text: str) -> Iterator[str]:
    """``text`` as word pieces (each with its trailing space), for streaming an answer chosen at once."""
    parts = text.split(" ")
    for i, part in enumerate(parts):
        yield part if i == len(parts) - 1 else part + " "


ANSWERERS: dict[str, str] = {  # name -> "module:Class"; RAG_BACKEND may also name any "module:Class"
    "extractive": "rag.answer.extractive:ExtractiveAnswerer",
    "openai": "rag.answer.generative:OpenAIAnswerer",
}


def answerer_class(name: str) -> Callable[[Context], Answerer]:
    """The answerer class registered under ``name``, or named by a ``"package.module:Class"`` path."""
    target = ANSWERERS.get(name, name)
    module_name, _, attr = target.partition(":")
    if not attr:
        raise RagError(f"Unknown backend '{name}': use {' or '.join(ANSWERERS)}, or a 'package.module:Class' path.")
    try:
        module = importlib.import_module(module_name)
        factory = getattr(module, attr)
    except (ImportError, AttributeError) as e:
        raise RagError(f"Backend '{name}' could not be loaded: {e}") from None
    if not callable(factory):
        raise RagError(f"Backend '{name}' is not a class.")
    return cast(Callable[[Context], Answerer], factory)


def make_answerer(name: str, ctx: Context) -> Answerer:
    """The answerer registered (or named by path) under ``name``, built for ``ctx``."""
    return answerer_class(name)(ctx)
