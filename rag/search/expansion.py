"""Query expansion: corpus words near the question words the corpus never uses, for BM25."""

from __future__ import annotations

from typing import Protocol

import numpy as np

from rag.index.embedders import Embedder
from rag.text import lexical
from rag.text.words import content_words


class WordIndex(Protocol):
    """The corpus's terms and the vectors of its words (kept in the index, updated incrementally)."""

    def has_term(self, term: str) -> bool:
        """Whether any chunk uses the stemmed ``term``."""
        ...

    def near_words(self, vectors: np.ndarray) -> list[list[str]]:
        """For each vector, the stems of the closest corpus words (an approximate nearest-neighbour search)."""
        ...


def expand_query(query: str, index: WordIndex, embedder: Embedder) -> list[str]:
    """Stems of corpus words to add to a BM25 query for the query's words the corpus never uses
    ("legislature" -> "legislative", "parliament"). Costs one nearest-neighbour query, not a vocabulary scan.
    """
    unknown = {
        t: w for t, w in content_words(query).items() if not t[:1].isdigit() and len(t) > 3 and not index.has_term(t)
    }
    # "GPLv3" is written "GPL" and "version 3": the name and its number, when the corpus uses the name
    split = {t: g for t in unknown if (g := lexical.glued_version(t)) and index.has_term(g[0])}
    words = [w for t, w in unknown.items() if t not in split]
    found = [t for name, n in split.values() for t in (name, n)]
    if not words:
        return found
    return found + [t for near in index.near_words(embedder.embed(words)) for t in near]
