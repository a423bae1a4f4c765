"""Which of a question's essential terms a text matches: the same word (stem), or a near-synonym.

Near-synonyms come from the embedder run on single words ("legislature" ~ "parliament" 0.72, "alliance" ~
"coalition" 0.64, while "turnout" ~ "elections" is 0.55), so a paraphrased question still finds its sentence.
Names and numbers only match exactly: "Iran" must not stand in for "Iraq".
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Protocol

import numpy as np

from . import lexical
from .embedding import Embedder
from .question import Question
from .support import IdfFn

SOFT_MIN = 0.6  # word similarity from which a different word counts as the same term
SOFT_CREDIT = 0.8  # a near-synonym counts this much of an exact match
NAME_WEIGHT = 1.5  # names in the question weigh more than other words

_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*[A-Za-z]")


@lru_cache(maxsize=200_000)
def _word_terms(word: str) -> tuple[str, ...]:
    return tuple(lexical.terms(word))


def alpha_words(text: str) -> dict[str, str]:
    """Stem -> lower-case word for the alphabetic content words of ``text`` (the corpus vocabulary)."""
    out: dict[str, str] = {}
    for w in _WORD.findall(text):
        if w.isalpha():
            for t in _word_terms(w):
                out.setdefault(t, w.lower())
    return out


def content_words(text: str) -> dict[str, str]:
    """Stem -> lower-case word for the content words of ``text``."""
    out: dict[str, str] = {}
    for w in _WORD.findall(text):
        for t in _word_terms(w):
            out.setdefault(t, w.lower())
    for t in lexical.terms(text):  # numbers and abbreviations the word pattern skips
        out.setdefault(t, t)
    return out


_DEMONYM = re.compile(r"^(?:n|an|ian|i|ish|ese|istan|stan)$")


def same_place(a: str, b: str) -> bool:
    """Whether two name stems are a place and its people: "russia"/"russian", "iraq"/"iraqi", "kurdish"/"kurdistan"."""
    if a == b:
        return True
    stem = 0
    while stem < min(len(a), len(b)) and a[stem] == b[stem]:
        stem += 1
    for k in range(4, stem + 1):
        rest = [a[k:], b[k:]]
        if all(r == "" or _DEMONYM.match(r) for r in rest):
            return True
    return False


class TermMatcher:
    """Scores how much of ``question``'s essential terms a text covers, weighted by rarity (IDF)."""

    def __init__(self, question: Question, embedder: Embedder, idf: IdfFn) -> None:
        self.question = question
        self.embedder = embedder
        names = set(question.names)
        self.weights = {t: idf(t) * (NAME_WEIGHT if t in names else 1.0) for t in question.essential}
        self.total = sum(self.weights.values())
        self.softable = [t for t in question.essential if t not in names and not t[:1].isdigit()]
        self._vectors = (
            embedder.embed([question.words[t] for t in self.softable]) if self.softable else np.zeros((0, 1))
        )

    def credits(self, words: dict[str, str]) -> dict[str, float]:
        """Essential term -> credit in (0, 1] for the terms ``words`` match."""
        out = {t: 1.0 for t in self.question.essential if t in words}
        for t in self.question.names:
            if t not in out and any(same_place(t, w) for w in words):
                out[t] = 1.0
        missing = [i for i, t in enumerate(self.softable) if t not in out]
        candidates = [w for t, w in words.items() if not t[:1].isdigit()]
        if missing and candidates:
            vectors = self.embedder.embed(candidates)
            best = (self._vectors[missing] @ vectors.T).max(axis=1)
            for i, sim in zip(missing, best, strict=True):
                if sim >= SOFT_MIN:
                    out[self.softable[i]] = SOFT_CREDIT
        return out

    def coverage(self, credits: dict[str, float]) -> float:
        """IDF-weighted share of the essential terms covered (1.0 when the question has none)."""
        if not self.total:
            return 1.0
        return sum(self.weights[t] * c for t, c in credits.items() if t in self.weights) / self.total



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
    unknown = [
        w for t, w in content_words(query).items() if not t[:1].isdigit() and len(t) > 3 and not index.has_term(t)
    ]
    if not unknown:
        return []
    return [t for near in index.near_words(embedder.embed(unknown)) for t in near]
