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
MIN_SCORE = 0.45
MIN_SIMILARITY = 0.35
SECOND_SENTENCE = 0.75  # a further sentence must score this share of the best one
REFINE_DATE = 0.65  # a sentence that only refines the date may score this share of the best one
TYPE_MISS = 0.7  # refuse when the best typed answer scores below this share of the best sentence overall
SAME_FACT = 0.8  # similarity above which two sentences state the same fact

_WH = re.compile(
    r"\b(?P<when>when|what (?:year|date|day|month|time)|which (?:year|date|day|month)|since when|on what date)\b|"
    r"\b(?P<number>how (?:many|much|long|large|big|old)|what (?:number|percentage|share|amount|size))\b|"
    r"\b(?P<who>who|whom|whose|(?:which|what)\s+(?:[\w.-]+\s+){0,3}?(?:person|people|official|minister|leader|"
    r"spokes(?:man|woman|person)|president|commander|general|expert|analyst|ambassador|envoy|journalist)s?|"
    r"(?:what|which) (?:is|are|was|were) the names?)\b|"
    r"\b(?P<why>why|for what reason|what (?:was|is|were|are) the reasons?)\b|"
    r"\b(?P<where>where|in which (?:city|country|town|region|place)|which (?:city|country|town|region))\b",
    re.I,
)
_NUMBER = re.compile(
    r"\b\d[\d,.]*\b|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|"
    r"dozens?|hundreds?|thousands?|millions?|billions?|once|twice|half)\b",
    re.I,
)
_BECAUSE = re.compile(
    r"\b(?:because|due to|owing to|as a result|in order to|so that|so as to|since|concerns?|fears?|worr(?:y|ied|ies)|"
    r"aims? to|reasons?|motivated|in response to|after|amid|out of)\b",
    re.I,
)
_PLACE = re.compile(r"\b(?:in|at|near|from|to|into|outside|across)\s+((?:the\s+)?[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)*)")
_CAPITAL = re.compile(r"\b[A-Z][\w'’-]*[a-z][\w'’-]*|\b(?:[A-Z]\.){2,}")


@dataclass
class Candidate:
    """A source sentence considered for the answer, with the features that rank it."""

    passage: Passage
    rank: int
    start: int
    end: int
    text: str
    context: str = ""
    similarity: float = 0.0
    coverage: float = 0.0
    context_coverage: float = 0.0
    passage_coverage: float = 0.0
    fit: float = 1.0
    fit_weight: float = 0.05

    @property
    def score(self) -> float:
        return self.relevance + self.fit_weight * self.fit

    @property
    def relevance(self) -> float:
        """How well the sentence matches the question, whatever kind of answer it holds."""
        return (
            0.45 * self.similarity
            + 0.25 * self.coverage
            + 0.15 * self.context_coverage
            + 0.15 * self.passage_coverage
            - 0.01 * self.rank
        )


def question_kind(question: str) -> str:
    """'when', 'number', 'who', 'where' or 'other': the first question word decides."""
    m = _WH.search(question)
    return next((k for k, v in m.groupdict().items() if v), "other") if m else "other"


def _doc_date(p: Passage) -> date | None:
    return date.fromisoformat(p.chunk.date) if p.chunk.date else None


_NOT_NAMES = frozenset(
    """monday tuesday wednesday thursday friday saturday sunday january february march april may june july august
    september october november december president minister prime vice secretary spokesman spokeswoman general chief
    department ministry state states government official officials army agency news mr mrs dr""".split()
)


@dataclass(frozen=True)
class NameRun:
    """A run of capitalised words: its stemmed terms and character span."""

    terms: tuple[str, ...]
    start: int
    end: int


def _names(text: str) -> list[NameRun]:
    """Runs of capitalised words (not at the start of the text), e.g. "Saad al-Hadithi"."""
    runs: list[NameRun] = []
    last_end = -1
    for m in _CAPITAL.finditer(text):
        word = m.group(0)
        if m.start() == 0 or word.lower() in _NOT_NAMES or word.lower() in lexical.STOPWORDS:
            last_end = -1
            continue
        terms = tuple(lexical.terms(word))
        if not terms:
            continue
        if runs and last_end >= 0 and text[last_end : m.start()].strip() in ("", "al-", "bin", "de", "van", "von"):
            runs[-1] = NameRun(runs[-1].terms + terms, runs[-1].start, m.end())
        else:
            runs.append(NameRun(terms, m.start(), m.end()))
        last_end = m.end()
    return runs


def _asked_spans(text: str, asked: set[str]) -> list[tuple[int, int]]:
    return [m.span() for m in re.finditer(r"[\w'’.-]+", text) if set(lexical.terms(m.group(0))) & asked]


def answer_fit(kind: str, question: str, c: Candidate) -> float:
    """How well the sentence carries the kind of answer asked for (0 = it cannot answer)."""
    if kind == "when":
        found = dates.mentions(c.text, _doc_date(c.passage), not c.passage.chunk.date_inferred)
        if any(m.value for m in found):
            return 1.0
        return 0.5 if found else 0.0
    if kind == "number":
        asked = {n.lower() for n in _NUMBER.findall(question)}
        return 1.0 if any(n.lower() not in asked for n in _NUMBER.findall(c.text)) else 0.0
    asked = set(lexical.terms(question))
    own = lexical.terms(c.text)
    echo = own and len(set(own) - asked) / len(set(own)) < 0.3  # restates the question, adds nothing
    if kind == "why":
        return (0.3 if echo else 1.0) if _BECAUSE.search(c.text) else 0.0
    if kind in ("who", "where"):
        novel = [run for run in _names(c.text) if not set(run.terms) & asked]
        if not novel:
            return 0.0
        near = _asked_spans(c.text, asked)
        if kind == "where":
            places = [m.start(1) for m in _PLACE.finditer(c.text)]
            placed = [run for run in novel if run.start in places]
            if any(0 <= run.start - e <= 8 for run in placed for _, e in near):
                return 1.5  # "the accord in Tehran"
            return 1.0 if placed else 0.3
        people = [run for run in novel if len(run.terms) >= 2]
        if any(0 <= run.start - e <= 2 or 0 <= b - run.end <= 8 for run in people for b, e in near):
            return 1.5  # a new name right beside the words of the question: "Vice President Ayad Allawi"
        return 1.0 if any(len(run.terms) >= 2 for run in novel) else 0.5
    return 0.3 if echo else 1.0


def annotate_dates(text: str, p: Passage) -> str:
    """Spell out dates the sentence leaves relative ("on September 26" -> "... (26 September 2015)")."""
    doc_date = _doc_date(p)
    if doc_date is None:
        return text
    out, last = [], 0
    for m in dates.mentions(text, doc_date, not p.chunk.date_inferred):
        if m.value is None or (m.precision == "year" and m.text.isdigit()) or dates.full_dates(m.text):
            continue
        if m.precision == "month" and re.search(r"\d{4}", m.text):
            continue
        out.append(text[last : m.end] + f" ({dates.human(m.value, m.precision)})")
        last = m.end
    out.append(text[last:])
    return "".join(out)


def candidates(passages: list[Passage]) -> list[Candidate]:
    """Every distinct sentence of the passages, in retrieval order."""
    seen: set[tuple[str, int]] = set()
    out = []
    for rank, p in enumerate(passages):
        texts = sentence_texts(p.chunk)
        for k, (span, text) in enumerate(zip(p.chunk.sentences, texts, strict=True)):
            key = (p.chunk.source, span.start)
            if key in seen:
                continue
            seen.add(key)
            context = " ".join([p.chunk.title, *texts[max(0, k - 1) : k]])
            out.append(Candidate(p, rank, span.start, span.end, text, context))
    return out


def answer(
    question: str, query_vector: np.ndarray, passages: list[Passage], embedder: Embedder, idf: IdfFn
) -> tuple[str, list[Citation], bool]:
    """(answer text with [n] markers, citations, refused) for ``question`` from ``passages``."""
    pool = candidates(passages)
    kind = question_kind(question)
    q_terms = set(lexical.terms(question))
    if not pool:
        return REFUSAL, [], True
    vectors = embedder.embed([c.text for c in pool])
    sims = vectors @ query_vector
    passage_cov = {
        id(p): coverage(q_terms, set(lexical.terms(f"{p.chunk.title} {p.chunk.text}")), idf) for p in passages
    }
    for c, s in zip(pool, sims, strict=True):
        terms = set(lexical.terms(c.text))
        c.passage_coverage = passage_cov[id(c.passage)]
        c.similarity = float(s)
        c.coverage = coverage(q_terms, terms, idf)
        c.context_coverage = coverage(q_terms, terms | set(lexical.terms(c.context)), idf)
        c.fit = answer_fit(kind, question, c)
        c.fit_weight = 0.2 if kind in ("who", "where") else 0.12
    ranked = sorted(range(len(pool)), key=lambda i: -pool[i].score)
    order = [i for i in ranked if pool[i].fit > 0]
    if not order:
        return REFUSAL, [], True
    best = pool[order[0]]
    if best.score < MIN_SCORE or best.similarity < MIN_SIMILARITY:
        return REFUSAL, [], True
    top = max(pool, key=lambda c: c.relevance)
    if kind != "when" and top.fit == 0 and best.relevance < TYPE_MISS * top.relevance:
        # The sentence that matches the question best lacks the kind of answer asked for (a number, a name,
        # a reason), and the sentences that have one are far less relevant: the fact isn't stated. Not for
        # dates, which articles often give in a sentence apart from the one naming the event.
        return REFUSAL, [], True
    chosen = [order[0]]
    covered = set(lexical.terms(best.text))
    for i in order[1:8]:
        c = pool[i]
        if len(chosen) >= 3 or c.score < SECOND_SENTENCE * best.score:
            break
        same_fact = any(float(vectors[i] @ vectors[j]) >= SAME_FACT for j in chosen)
        new_source = all(pool[j].passage.chunk.source != c.passage.chunk.source for j in chosen)
        adds_terms = bool((q_terms & set(lexical.terms(c.text))) - covered)
        if (same_fact and new_source) or (not same_fact and adds_terms):
            chosen.append(i)
            covered |= set(lexical.terms(c.text))
    if kind == "when":
        _refine_date(pool, order, chosen, best)
    return compose(pool, chosen, vectors, lead_with_date=kind == "when")


def _dated(c: Candidate) -> list[dates.DateMention]:
    return [m for m in dates.mentions(c.text, _doc_date(c.passage), not c.passage.chunk.date_inferred) if m.value]


_PRECISION = {"year": 1, "month": 2, "week": 2, "day": 3}


def _refine_date(pool: list[Candidate], order: list[int], chosen: list[int], best: Candidate) -> None:
    """When the answer dates the event only to a year, add the best sentence that dates it finer in that year."""
    found = [m for i in chosen for m in _dated(pool[i])]
    if not found or max(_PRECISION[m.precision] for m in found) >= 2:
        return
    years = {m.value.year for m in found if m.value}
    for i in order[1:10]:
        c = pool[i]
        if i in chosen or c.score < REFINE_DATE * best.score:
            continue
        if any(_PRECISION[m.precision] >= 2 and m.value and m.value.year in years for m in _dated(c)):
            chosen.append(i)
            return


def _lead_date(pool: list[Candidate], chosen: list[int]) -> tuple[str, int] | None:
    """The most precise resolved date among the chosen sentences, spelled out, and which sentence gives it."""
    best: tuple[int, str, int] | None = None
    for k, i in enumerate(chosen):
        for m in _dated(pool[i]):
            if m.value and (best is None or _PRECISION[m.precision] > best[0]):
                best = (_PRECISION[m.precision], dates.human(m.value, m.precision), k)
    return (best[1], best[2]) if best else None


def compose(
    pool: list[Candidate], chosen: list[int], vectors: np.ndarray, lead_with_date: bool = False
) -> tuple[str, list[Citation], bool]:
    """Join the chosen sentences; sentences stating the same fact share one line with several markers.

    For "when" questions the answer opens with the date itself, cited to the sentence that states it.
    """
    lead = _lead_date(pool, chosen) if lead_with_date else None
    if lead and lead[1]:
        chosen = [chosen[lead[1]], *(i for k, i in enumerate(chosen) if k != lead[1])]
        lead = (lead[0], 0)
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
    if lead:
        text = f"{lead[0]} [1]. {text}"
    return text, citations, False
