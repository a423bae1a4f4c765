"""Which of a question's essential terms a text matches: the same word (stem), or a near-synonym.

Near-synonyms come from the embedder run on single words ("legislature" ~ "parliament" 0.72, "alliance" ~
"coalition" 0.64, while "turnout" ~ "elections" is 0.55), so a paraphrased question still finds its sentence.
Names and numbers only match exactly: "Iran" must not stand in for "Iraq".
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from rag.answer.question import Question
from rag.answer.support import IdfFn
from rag.index.embedders import Embedder
from rag.text.words import content_words, same_place

SOFT_MIN = 0.6  # word similarity from which a different word counts as the same term
SOFT_CREDIT = 0.8  # a near-synonym counts this much of an exact match
NAME_WEIGHT = 1.5  # names in the question weigh more than other words

# stems -> the stored vector of each that is a corpus word (of the form the index embedded for it)
WordVectorsFn = Callable[[list[str]], dict[str, np.ndarray]]


class TermMatcher:
    """Scores how much of ``question``'s essential terms a text covers, weighted by rarity (IDF)."""

    def __init__(
        self, question: Question, embedder: Embedder, idf: IdfFn, word_vectors: WordVectorsFn | None = None
    ) -> None:
        self.question = question
        self.embedder = embedder
        self._stored = word_vectors
        self._known: dict[str, np.ndarray] = {}
        names = set(question.names)
        self.weights = {t: idf(t) * (NAME_WEIGHT if t in names else 1.0) for t in question.essential}
        self.total = sum(self.weights.values())
        self.softable = [t for t in question.essential if t not in names and not t[:1].isdigit()]
        if self._stored and self.softable:
            self._known.update(self._stored(self.softable))
        self._vectors = (
            self._word_vectors([(t, question.words[t]) for t in self.softable])
            if self.softable
            else np.zeros((0, 1))
        )

    def credits(self, words: dict[str, str]) -> dict[str, float]:
        """Essential term -> credit in (0, 1] for the terms ``words`` match."""
        out = {t: 1.0 for t in self.question.essential if t in words}
        for t in self.question.names:
            if t not in out and any(same_place(t, w) for w in words):
                out[t] = 1.0
        missing = [i for i, t in enumerate(self.softable) if t not in out]
        candidates = [(t, w) for t, w in words.items() if not t[:1].isdigit()]
        if missing and candidates:
            vectors = self._word_vectors(candidates)
            best = (self._vectors[missing] @ vectors.T).max(axis=1)
            for i, sim in zip(missing, best, strict=True):
                if sim >= SOFT_MIN:
                    out[self.softable[i]] = SOFT_CREDIT
        return out

    def prefetch(self, texts: list[str]) -> None:
        """Find the vectors of the words of all ``texts`` at once, so the :meth:`credits` calls that follow don't
        run the model once per sentence: a corpus word's vector is read from the index (one for all its forms:
        "parliaments" has that of "parliament"), the rest embedded in one batch (and kept in the embedder's cache)."""
        if not self.softable:
            return
        words = {t: w for text in texts for t, w in content_words(text).items() if not t[:1].isdigit()}
        if self._stored and words:
            self._known.update(self._stored(sorted(words.keys() - self._known.keys())))
        rest = sorted({w for t, w in words.items() if t not in self._known})
        if rest:
            self.embedder.embed(rest)

    def _word_vectors(self, words: list[tuple[str, str]]) -> np.ndarray:
        """Vectors of (stem, word) pairs: read ones from :meth:`prefetch`, the others from the embedder (or its
        cache)."""
        rest = [w for t, w in words if t not in self._known]
        embedded = dict(zip(rest, self.embedder.embed(rest), strict=True)) if rest else {}
        return np.stack([self._known[t] if t in self._known else embedded[w] for t, w in words])

    def coverage(self, credits: dict[str, float]) -> float:
        """IDF-weighted share of the essential terms covered (1.0 when the question has none)."""
        if not self.total:
            return 1.0
        return sum(self.weights[t] * c for t, c in credits.items() if t in self.weights) / self.total
