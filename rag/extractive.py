"""The offline answerer: picks the source sentences that best answer the question and cites them exactly."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import numpy as np

from . import dates, lexical
from .chunking import sentence_texts
from .embedding import Embedder
from .records import Citation, Passage
from .support import IdfFn, coverage

REFUSAL = "The documents don't answer this question."

# Answerable only when the best sentence is close in meaning and shares the question's rarer words.
MIN_SIMILARITY = 0.38
MIN_COVERAGE = 0.34
MIN_SCORE = 0.48
STRONG_SIMILARITY = 0.62
SECOND_SENTENCE = 0.9  # a second sentence must score this share of the best one
SAME_FACT = 0.8  # similarity above which two sentences state the same fact

_NAME = re.compile(r"\b[A-Z][a-z]+(?:[ -](?:al-|bin |de |van )?[A-Z][a-z]+)+\b")
_NUMBER = re.compile(
    r"\b\d[\d,.]*\b|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|dozen|hundred|thousand|million|billion)s?\b",
    re.I,
)


@dataclass
class Candidate:
    """A source sentence considered for the answer."""

    passage: Passage
    rank: int
    start: int
    end: int
    text: str
    similarity: float = 0.0
    coverage: float = 0.0
    bonus: float = 0.0

    @property
    def score(self) -> float:
        return 0.55 * self.similarity + 0.45 * self.coverage + self.bonus


def question_kind(question: str) -> str:
    """'when', 'who', 'number', 'where' or 'other', from the question's wording."""
    q = question.lower()
    if re.search(r"\b(when|what (year|date|day|month)|which (year|date|day|month)|how long ago|since when)\b", q):
        return "when"
    if re.search(r"\b(how many|how much|what (number|percentage|share|amount)|how large|how big)\b", q):
        return "number"
    if re.search(r"\b(who|whom|whose|which (person|official|minister|leader|country|countries|group))\b", q):
        return "who"
    if re.search(r"\bwhere\b", q):
        return "where"
    return "other"


def _doc_date(p: Passage) -> date | None:
    return date.fromisoformat(p.chunk.date) if p.chunk.date else None


def _bonus(kind: str, c: Candidate) -> float:
    if kind == "when":
        found = dates.mentions(c.text, _doc_date(c.passage), not c.passage.chunk.date_inferred)
        if any(m.value for m in found):
            return 0.08
        return 0.03 if found else -0.05
    if kind == "number":
        return 0.05 if _NUMBER.search(c.text) else -0.03
    if kind == "who":
        return 0.04 if _NAME.search(c.text) else -0.02
    return 0.0


def annotate_dates(text: str, p: Passage) -> str:
    """Spell out dates the sentence leaves relative ("on September 26" -> "... (26 September 2015)")."""
    doc_date = _doc_date(p)
    if doc_date is None:
        return text
    out, last = [], 0
    for m in dates.mentions(text, doc_date, not p.chunk.date_inferred):
        if m.value is None or m.precision != "day" or dates.full_dates(m.text):
            continue
        out.append(text[last : m.end] + f" ({dates.human(m.value)})")
        last = m.end
    out.append(text[last:])
    return "".join(out)


def candidates(passages: list[Passage]) -> list[Candidate]:
    """Every distinct sentence of the passages, in retrieval order."""
    seen: set[tuple[str, int]] = set()
    out = []
    for rank, p in enumerate(passages):
        for span, text in zip(p.chunk.sentences, sentence_texts(p.chunk), strict=True):
            key = (p.chunk.source, span.start)
            if key in seen:
                continue
            seen.add(key)
            out.append(Candidate(p, rank, span.start, span.end, text))
    return out


def answer(
    question: str, query_vector: np.ndarray, passages: list[Passage], embedder: Embedder, idf: IdfFn
) -> tuple[str, list[Citation], bool]:
    """(answer text with [n] markers, citations, refused) for ``question`` from ``passages``."""
    pool = candidates(passages)
    if not pool:
        return REFUSAL, [], True
    kind = question_kind(question)
    q_terms = set(lexical.terms(question))
    vectors = embedder.embed([c.text for c in pool])
    sims = vectors @ query_vector
    for c, s in zip(pool, sims, strict=True):
        c.similarity = float(s)
        c.coverage = coverage(q_terms, set(lexical.terms(c.text)), idf)
        c.bonus = _bonus(kind, c) - 0.01 * c.rank
    order = sorted(range(len(pool)), key=lambda i: -pool[i].score)
    best = pool[order[0]]
    strong = best.similarity >= STRONG_SIMILARITY and best.coverage >= MIN_COVERAGE / 2
    if not strong and (best.similarity < MIN_SIMILARITY or best.coverage < MIN_COVERAGE or best.score < MIN_SCORE):
        return REFUSAL, [], True
    chosen = [order[0]]
    for i in order[1:6]:
        c = pool[i]
        if len(chosen) >= 3 or c.score < SECOND_SENTENCE * best.score:
            break
        same_fact = any(float(vectors[i] @ vectors[j]) >= SAME_FACT for j in chosen)
        new_source = all(pool[j].passage.chunk.source != c.passage.chunk.source for j in chosen)
        adds_terms = bool(
            (q_terms & set(lexical.terms(c.text))) - set().union(*(lexical.terms(pool[j].text) for j in chosen))
        )
        if (same_fact and new_source) or (not same_fact and adds_terms):
            chosen.append(i)
    return compose(pool, chosen, vectors)


def compose(pool: list[Candidate], chosen: list[int], vectors: np.ndarray) -> tuple[str, list[Citation], bool]:
    """Join the chosen sentences; sentences stating the same fact share one line with several markers."""
    citations: list[Citation] = []
    lines: list[tuple[str, list[int]]] = []
    for i in chosen:
        c = pool[i]
        n = len(citations) + 1
        citations.append(
            Citation(
                n=n,
                source=c.passage.chunk.source,
                quote=c.text,
                start=c.start,
                end=c.end,
                title=c.passage.chunk.title,
                date=c.passage.chunk.date,
            )
        )
        for _, marks in lines:
            if float(vectors[i] @ vectors[chosen[marks[0] - 1]]) >= SAME_FACT:
                marks.append(n)
                break
        else:
            lines.append((annotate_dates(c.text, c.passage), [n]))
    text = " ".join(f"{t} {''.join(f'[{m}]' for m in marks)}" for t, marks in lines)
    return text, citations, False
