"""Support checks: does a passage sentence back a claim? Lexical coverage plus embedding similarity."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import numpy as np

from rag.index.embedders import Embedder
from rag.text import dates, lexical

IdfFn = Callable[[str], float]

# A claim is supported when the cited text covers most of its content words, or says the same in other words.
MIN_COVERAGE = 0.6
MIN_SIMILARITY = 0.72
MIN_COMBINED = 0.55


@dataclass(frozen=True)
class Support:
    """How well one source sentence supports a claim."""

    index: int
    coverage: float
    similarity: float

    @property
    def score(self) -> float:
        """A single number in [0, 1] mixing both signals."""
        return 0.5 * self.coverage + 0.5 * self.similarity

    @property
    def ok(self) -> bool:
        """Whether the support is strong enough to show the citation as supported."""
        return self.coverage >= MIN_COVERAGE or self.similarity >= MIN_SIMILARITY or self.score >= MIN_COMBINED


def coverage(claim_terms: set[str], source_terms: set[str], idf: IdfFn) -> float:
    """IDF-weighted share of the claim's content words that the source contains."""
    if not claim_terms:
        return 0.0
    total = sum(idf(t) for t in claim_terms)
    return sum(idf(t) for t in claim_terms & source_terms) / total if total else 0.0


def best_support(
    claim: str,
    sentences: list[str],
    embedder: Embedder,
    idf: IdfFn,
    doc_date: date | None = None,
    exact_date: bool = True,
) -> Support | None:
    """The sentence (or pair of adjacent sentences) of ``sentences`` that best supports ``claim``.

    With the document's date, a sentence also supports the dates it implies: "on September 1" in an article of
    2018 supports "1 September 2018".
    """
    if not sentences:
        return None
    claim_terms = set(lexical.terms(claim))
    vectors = embedder.embed([claim, *sentences])
    sims = vectors[1:] @ vectors[0]
    term_sets = []
    anchor: date | None = None
    for sentence in sentences:
        implied = " ".join(dates.resolved(sentence, doc_date, exact_date, anchor))
        term_sets.append(set(lexical.terms(f"{sentence} {implied}")))
        days = [m.value for m in dates.mentions(sentence, doc_date, exact_date, anchor) if m.value and m.precision == "day"]
        anchor = days[-1] if days else anchor
    best: Support | None = None
    for i, terms in enumerate(term_sets):
        cov = coverage(claim_terms, terms, idf)
        if i + 1 < len(sentences):  # a claim may merge two adjacent sentences
            cov = max(cov, coverage(claim_terms, terms | term_sets[i + 1], idf) - 0.05)
        cand = Support(i, cov, float(np.clip(sims[i], 0.0, 1.0)))
        if best is None or cand.score > best.score:
            best = cand
    return best
