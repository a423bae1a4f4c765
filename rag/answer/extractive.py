"""The offline answerer: picks the source sentences that best answer the question and cites them exactly.

Each sentence of the retrieved passages is scored on how well it matches the question (meaning, the question's
essential words or near-synonyms of them, its context) and on whether it holds the kind of answer asked for: a
date for "when", a number next to the counted noun for "how many", a person's name for "who", a place for
"where". It refuses when no sentence both matches the question and holds such an answer.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np

from rag.answer.base import Context, Draft, Finished, History, words
from rag.answer.blocks import (
    in_document_order,
    run_on,
    with_antecedents,
    with_dependants,
    with_introduced,
    with_steps,
)
from rag.answer.candidates import (
    Candidate,
    annotate_dates,
    candidates,
    described_term,
    names_term,
    new_term,
    readable,
    stored_or_embedded,
)
from rag.answer.compound import compared, scenario, scene_of, sub_questions
from rag.answer.defaults import ASKS_DEFAULT, asks_default, asks_the_default, signature_default, states_default
from rag.answer.matching import TermMatcher, WordVectorsFn
from rag.answer.numbering import quoted, renumbered, without_repeats
from rag.answer.question import Question, analyse, question_start
from rag.answer.refusal import absent, refused
from rag.answer.slots import fills
from rag.answer.subjects import OPTION_ENTRY, TYPED, names_section, of_other_subjects
from rag.answer.support import IdfFn, coverage
from rag.answer.typed import (
    VERSION_NOTE,
    answer_fit,
    asks_bound,
    event_matched,
    release_label,
    states_bound,
)
from rag.index.embedders import CachedEmbedder, Embedder
from rag.records import Citation, Passage
from rag.search.retrieval import Filters
from rag.text import dates, lexical
from rag.text.entities import PLACE, TIME, Analysis, Tagger
from rag.text.sentences import leans_on_previous, together
from rag.text.terms import SUBJECT_WORDS, term_described, with_term
from rag.text.words import content_words

REFUSAL = "The documents don't answer this question."

SECOND_SENTENCE = 0.75  # a further sentence must score this share of the best one
REFINE_DATE = 0.65  # a sentence that only refines the date may score this share of the best one
SAME_FACT = 0.8  # similarity above which two sentences state the same fact
UNTYPED_KINDS = frozenset({"other", "why", "yesno"})  # answers that are no entity: answer_fit reads no entities
SUBJECT_READS = 32  # sentences, in retrieval order, that may be embedded with their term when not stored (cost)
TAGGED = 12  # sentences examined closely (entities, near-synonyms) per question
NOTES = 4  # ... and release notes besides, for a question of when or which version
DEFAULT_UNSTATED = 0.45  # the fit, at most, of a sentence that states no default, for a question asking for one
DEFAULT_LEAD = 0.7  # a sentence stating the default leads when it has this share of the top relevance, or more
ENTRY_LEAD = 0.8  # ... as does one of an asked option's entry with this share
BOUND_UNSTATED = 0.25  # ... and of one that states no bound, for a question asking for a maximum or a minimum


@dataclass
class Ranking:
    """The question analysed and every candidate sentence scored; ``order`` lists the shortlisted ones that
    hold the kind of answer asked for, best first."""

    question: Question
    pool: list[Candidate]
    shortlist: list[int]
    order: list[int]
    vectors: np.ndarray
    away: set[int] = field(default_factory=set)  # of the order, those that tell of another subject (ranked last)


def rank(
    question: str,
    query_vector: np.ndarray,
    passages: list[Passage],
    embedder: Embedder,
    idf: IdfFn,
    tagger: Tagger,
    word_vectors: WordVectorsFn | None = None,
) -> Ranking:
    """Score every sentence of ``passages`` as an answer to ``question`` (``word_vectors``: stored vectors of
    corpus words, read instead of running the model on them)."""
    pool = candidates(passages)
    q = analyse(question, tagger.analyse([question])[0])
    if not pool:
        return Ranking(q, [], [], [], np.zeros((0, 1), dtype=np.float32))
    matcher = TermMatcher(q, embedder, idf, word_vectors)
    q_terms = set(q.terms)
    vectors = stored_or_embedded([c.text for c in pool], [c.vector for c in pool], embedder)
    sims = vectors @ query_vector
    # A sentence that leans on the one before ("Their aim is revenge, he said.") is also read together with it.
    leaning = [i for i, c in enumerate(pool) if c.previous and leans_on_previous(c.text)]
    if leaning:
        pairs = [together(pool[i].previous, pool[i].text) for i in leaning]
        joined = stored_or_embedded(pairs, [pool[i].pair_vector for i in leaning], embedder) @ query_vector
        for i, s in zip(leaning, joined, strict=True):
            sims[i] = max(sims[i], s - 0.02)
    # A reference entry's sentences don't repeat what they describe ("Remove trailing whitespace and nulls from
    # s." under "deblank (s)"): where the question names the term, each is read with it.
    # The index stores these readings' vectors; those it lacks (an index from an earlier release) are embedded now,
    # at most SUBJECT_READS of them.
    subjects = {
        i: t
        for i, c in enumerate(pool)
        if len(content_words(c.text)) >= SUBJECT_WORDS and (t := described_term(c)) and names_term(t, q_terms)
    }
    readings = {i: with_term(t, pool[i].text) for i, t in subjects.items()}
    stored = {i: (pool[i].passage.chunk.pair_vectors or {}).get(text) for i, text in readings.items()}
    unstored = set([i for i, v in stored.items() if v is None][:SUBJECT_READS])
    subjects = {i: t for i, t in subjects.items() if stored[i] is not None or i in unstored}
    if subjects:
        texts = [readings[i] for i in subjects]
        read_with_term = stored_or_embedded(texts, [stored[i] for i in subjects], embedder) @ query_vector
        for i, s in zip(subjects, read_with_term, strict=True):
            sims[i] = max(sims[i], s - 0.02)
    passage_cov = {
        id(p): coverage(q_terms, set(lexical.terms(f"{p.chunk.title} {p.chunk.text}")), idf) for p in passages
    }
    named = {id(p): names_section(q, p.chunk.title) for p in passages}
    matcher.prefetch([t for c in pool for t in (c.text, c.context)])
    for k, (c, s) in enumerate(zip(pool, sims, strict=True)):
        read = f"{subjects[k]} {c.text}" if k in subjects else c.text
        own = matcher.credits(content_words(read))
        c.similarity = float(s)
        c.coverage = coverage(q_terms, set(lexical.terms(read)), idf)
        c.passage_coverage = passage_cov[id(c.passage)]
        c.in_named_section = named[id(c.passage)]
        c.essential = matcher.coverage(own)
        c.context_essential = matcher.coverage({**matcher.credits(content_words(c.context)), **own})
    shortlist = sorted(range(len(pool)), key=lambda i: -pool[i].relevance)[:TAGGED]
    if q.kind == "when" or "version" in q.focus:
        # A release note ("New in version 3.9.") says little in words and would never make the shortlist.
        notes = [i for i in range(len(pool)) if i not in shortlist and VERSION_NOTE.search(pool[i].text)]
        shortlist += sorted(notes, key=lambda i: -pool[i].relevance)[:NOTES]
    # Only the typed kinds look at entities (a date, a number, a name); the others read tags and lemmas.
    typed = q.kind not in UNTYPED_KINDS
    analyses = dict(zip(shortlist, tagger.analyse([pool[i].text for i in shortlist], typed), strict=True))
    asked = q.text.strip()  # read from where the question starts, after any scene it sets ("X fails. When ...?")
    if q.kind == "when" and _CONDITION.match(asked, question_start(asked)) and not any(
        _names_time(pool[i], analyses[i]) for i in shortlist
    ):
        # "When does the else clause of a loop run?": asked in the present and with no time in any sentence that
        # matches, it asks for a condition, answered like any other question.
        q = replace(q, kind="other")
    if q.kind == "where" and _POSITION.match(asked, question_start(asked)) and not any(
        _names_place(analyses[i]) for i in shortlist
    ):
        # "Where must the abstract be placed relative to \maketitle?": with no place named by any sentence that
        # matches, it asks for a position in a text or a system ("before the \maketitle command").
        q = replace(q, kind="other")
    default, the_default = asks_default(q.text), asks_the_default(q.text)
    bound = asks_bound(q.text) if q.kind not in ("why", "yesno") else ""
    unstated: set[int] = set()  # sentences that state no default, for a question asking what it is
    for i in shortlist:
        c = pool[i]
        c.fit = answer_fit(q, c, analyses[i], matcher)
        if q.slot:  # "which parameter ...?": only a sentence naming one answers, however much it restates
            term = described_term(c)  # what a reference entry describes is named by its heading
            names = (
                (q.slot == "code" and new_term(term, q.text))
                or fills(q.slot, c.text, q.text, q_terms, analyses[i].words)
                # or in the block it runs on into ("... would have the fields" + "Replaces: foo (<< 1.2-3)")
                or (q.slot == "code" and c.introduces_block)
                or (bool(c.following) and fills(q.slot, c.following, q.text, q_terms))
            )
            c.fit = (1.0 if q.kind == "other" and c.fit > 0 else c.fit) if names else 0.0
        if default and not states_default(c.text) and not signature_default(c.passage.chunk.title, q_terms):
            c.fit = min(c.fit, DEFAULT_UNSTATED)  # ranks below a sentence that says what the default is
            if the_default:
                unstated.add(i)
        if bound and not states_bound(c.text, bound):
            c.fit = min(c.fit, BOUND_UNSTATED)  # "zero or more" answers no "maximum number": a typed answer is refused
        if q.verbs:
            c.tells_event = bool(set(q.verb_lemmas) & {w.lemma for w in analyses[i].words})
            if not c.tells_event and event_matched(q, c, analyses[i], matcher):
                c.tells_event = None  # a near-synonym or a verb of saying: perhaps the same event
        c.fit_weight = 0.25 if q.kind in ("who", "where", "org", "name") or default else 0.2 if q.kind == "why" else 0.12
    if q.kind == "when" and q.verbs and all(pool[i].tells_event is False for i in shortlist):
        # No sentence tells of the question's verb in any form: it is a paraphrase the matcher can't see ("kick
        # off" for "begin"), so the dates are judged by relevance alone.
        for i in shortlist:
            pool[i].fit = answer_fit(q, pool[i], analyses[i], matcher, require_event=False)
    # a sentence that states the asked-for default leads those that state none, however much more they restate,
    # when it is near the most relevant sentence in relevance
    top = max((pool[i].relevance for i in shortlist), default=0.0)
    leads = {i for i in shortlist if unstated and i not in unstated and pool[i].relevance >= DEFAULT_LEAD * top}
    # so does the most relevant sentence of the manual's entry for an option the question names ("-f, --force" / "if
    # an existing destination file cannot be opened, ..." for "cp --force"), above one naming the option in passing
    entries: dict[str, int] = {}  # the most relevant sentence of each such entry
    for i in shortlist:
        c = pool[i]
        if c.in_named_section >= OPTION_ENTRY and c.relevance >= ENTRY_LEAD * top:
            key = f"{c.passage.chunk.source}\n{c.passage.chunk.title}"
            if key not in entries or c.relevance > pool[entries[key]].relevance:
                entries[key] = i
    leads |= set(entries.values())
    # one of another command's page, or of another value than the question's, follows (tar's exit codes for diff's)
    away = of_other_subjects(q, {i: pool[i] for i in shortlist}, [p.chunk.title for p in passages])
    ranked = sorted(shortlist, key=lambda i: (i in away, i not in leads, -pool[i].score))
    return Ranking(q, pool, shortlist, [i for i in ranked if pool[i].fit > 0], vectors, away)


_CONDITION = re.compile(
    r"\s*when\s+(?:exactly\s+)?(?:does|do|is|are|can|could|should|would|will|shall|must|may|might)\b", re.I
)


_POSITION = re.compile(
    r"\s*where\b(?:\s+[\w'’\\.-]+){1,8}?\s+(?:placed|put|go|goes|appear|appears|inserted|insert|stored|saved|"
    r"installed|defined|declared|specified|loaded|kept|written|configured|set)\b",
    re.I,
)


def _names_place(analysis: Analysis) -> bool:
    """Whether the sentence names a place (a country, a city, a building)."""
    return any(e.label in PLACE for e in analysis.entities)


def _names_time(c: Candidate, analysis: Analysis) -> bool:
    """Whether the sentence names a date, a time or a release ("New in version 3.9"); in a block of code or a table
    the recogniser's "time" is mostly a number ("range(2, 10)")."""
    prose = "\n" not in c.text
    return bool(
        c.dates() or VERSION_NOTE.search(c.text) or (prose and any(e.label in TIME for e in analysis.entities))
    )


def answer(
    question: str,
    query_vector: np.ndarray,
    passages: list[Passage],
    embedder: Embedder,
    idf: IdfFn,
    tagger: Tagger,
    known: Callable[[str], bool] | None = None,
    word_vectors: WordVectorsFn | None = None,
    labelled: str = "",
    ranking: Ranking | None = None,
    text_of: Callable[[str], str] | None = None,
) -> tuple[str, list[Citation], bool]:
    """(answer text with [n] markers, citations, refused) for ``question`` from ``passages`` (``labelled``,
    ``text_of``: see :func:`compose`; ``ranking``: the passages already ranked for the question).

    ``known`` tells whether the documents use a term at all; a question naming someone they never mention is
    refused.
    """
    r = ranking or rank(question, query_vector, passages, embedder, idf, tagger, word_vectors)
    if refused(r, known):
        return REFUSAL, [], True
    q, pool, order, vectors = r.question, r.pool, r.order, r.vectors
    q_terms = set(q.terms)
    best = pool[order[0]]
    default = asks_default(q.text)  # read once, not per further sentence
    chosen = [order[0]]
    covered = set(lexical.terms(best.text))
    found = set(best.answers)
    for i in order[1:8]:
        c = pool[i]
        if len(chosen) >= 3 or c.score < SECOND_SENTENCE * best.score:
            break
        if i in r.away and order[0] not in r.away:
            continue  # ranked below the best for telling of another subject, however well it scores
        same_fact = any(float(vectors[i] @ vectors[j]) >= SAME_FACT for j in chosen)
        new_source = all(pool[j].passage.chunk.source != c.passage.chunk.source for j in chosen)
        adds_terms = bool((q_terms & set(lexical.terms(c.text))) - covered)
        # a sentence of the asked kind where the best is not ("The default for n is 15." after "The precision of
        # the values is given by n."), or one more answer where several are asked for
        adds_answer = ((q.plural or c.fit > best.fit) and bool(c.answers - found)) or (default and c.fit > max(best.fit, 0.5))
        if (same_fact and new_source) or (not same_fact and (adds_terms or adds_answer)):
            chosen.append(i)
            covered |= set(lexical.terms(c.text))
            found |= c.answers
    if q.kind == "when":
        _refine_date(pool, order, chosen, best)
    if q.kind not in TYPED:
        chosen = with_antecedents(pool, with_dependants(pool, chosen))
        chosen = in_document_order(pool, with_introduced(pool, with_steps(pool, chosen), text_of))
    return compose(
        pool,
        chosen,
        vectors,
        lead_with_date=q.kind == "when",
        asked=set(q.essential),
        lead_with_answer=q.kind in ("who", "where", "org", "name", "number"),
        plural=q.plural and q.kind != "number",
        labelled=labelled,
        labels={i: label for i in chosen if (label := release_label(q, pool[i]))},
        text_of=text_of,
    )


ELLIPTICAL = 4  # a later part of at most this many words ("what should I use instead?") leans on the question's scene


def _dated(c: Candidate) -> list[dates.DateMention]:
    return [m for m in c.event_dates() if m.value]


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


@dataclass(frozen=True)
class Lead:
    """The date that answers a "when" question, spelled out, the chosen sentence that states it, and whether it
    counts from a date in the sentence before ("a day earlier")."""

    text: str
    index: int
    anchored: bool


def _lead_mention(pool: list[Candidate], chosen: list[int], asked: set[str]) -> tuple[dates.DateMention, int] | None:
    """The date that answers the question and the index in ``chosen`` of the sentence stating it.

    Prefer a date written beside the question's own words ("two days before the Russian leader is due to address
    the UN" for "when was he due to speak at the UN?"), then the most precise one.
    """
    best: tuple[tuple[bool, int, int], dates.DateMention, int] | None = None
    for k, i in enumerate(chosen):
        c = pool[i]
        for m in _dated(c):
            window = c.text[max(0, m.start - 60) : m.end + 60]
            near = len(set(lexical.terms(window)) & asked)
            key = (near >= 2, _PRECISION[m.precision], near)
            if best is None or key > best[0]:
                best = (key, m, k)
    return (best[1], best[2]) if best else None


def _lead_date(pool: list[Candidate], chosen: list[int], asked: set[str]) -> Lead | None:
    """The date that answers the question, spelled out, and where it is stated."""
    found = _lead_mention(pool, chosen, asked)
    if found is None:
        return None
    m, k = found
    value = m.value
    return Lead(dates.human(value, m.precision, m.part), k, m.from_anchor) if value else None


def event_date(
    question: str,
    query_vector: np.ndarray,
    passages: list[Passage],
    embedder: Embedder,
    idf: IdfFn,
    tagger: Tagger,
    known: Callable[[str], bool] | None = None,
    word_vectors: WordVectorsFn | None = None,
) -> tuple[dates.DateMention, list[Citation]] | None:
    """The date that answers a "when" question and citations of the sentence that states it; None when the
    passages don't date the event."""
    r = rank(question, query_vector, passages, embedder, idf, tagger, word_vectors)
    if r.question.kind != "when" or refused(r, known):
        return None
    chosen = [r.order[0]]
    _refine_date(r.pool, r.order, chosen, r.pool[chosen[0]])
    found = _lead_mention(r.pool, chosen, set(r.question.essential))
    if found is None or found[0].value is None:
        return None
    m, k = found
    c = r.pool[chosen[k]]
    anchor = _anchor_citation(c, 2) if m.from_anchor else None
    return m, [_citation(c, 1), *([anchor] if anchor else [])]


def _citation(c: Candidate, n: int, start: int | None = None, end: int | None = None, quote: str | None = None) -> Citation:
    chunk = c.passage.chunk
    return Citation(
        n=n,
        source=chunk.source,
        quote=c.text if quote is None else quote,
        start=c.start if start is None else start,
        end=c.end if end is None else end,
        title=chunk.title,
        date=chunk.date,
    )


def _anchor_citation(c: Candidate, n: int) -> Citation | None:
    """The citation of the earlier sentence whose date "a day earlier" in ``c`` counts from, if there is one."""
    if not c.anchor:
        return None
    start, end, quote = c.anchor
    return _citation(c, n, start, end, quote)


def _lead_answers(pool: list[Candidate], chosen: list[int], plural: bool) -> tuple[str, list[int]] | None:
    """The short answer to open with ("Saad al-Hadithi", "2,000 IS fighters") and the citation numbers of the
    sentences that give it; None unless the best sentence gives one clearly."""
    if not pool[chosen[0]].lead:
        return None
    if plural:
        return None  # several answers: the cited sentences list them
    return " ".join(pool[chosen[0]].lead.split()), [1]  # on one line, however the file wrapped it


def compose(
    pool: list[Candidate],
    chosen: list[int],
    vectors: np.ndarray,
    lead_with_date: bool = False,
    asked: set[str] | None = None,
    lead_with_answer: bool = False,
    plural: bool = False,
    labelled: str = "",
    labels: dict[int, str] | None = None,
    text_of: Callable[[str], str] | None = None,
) -> tuple[str, list[Citation], bool]:
    """Join the chosen sentences; sentences stating the same fact share one line with several markers.
    ``labelled``: the term the text before this answer (an earlier part's) last named; ``labels``: what to label a
    chosen sentence's line with when it names no term (the release its heading names); ``text_of``: a source's
    text, to quote a sentence and the block it runs on into as one span.

    The answer opens with the short answer itself when there is a clear one, cited to the sentence that states
    it: the date for "when" questions, the name or number for "who", "where", "which" and "how many".
    """
    lead = _lead_date(pool, chosen, asked or set()) if lead_with_date else None
    if lead and lead.index:
        chosen = [chosen[lead.index], *(i for k, i in enumerate(chosen) if k != lead.index)]
    citations: list[Citation] = []
    lines: list[tuple[str, list[int]]] = []
    firsts: list[int] = []  # the chosen sentence each citation starts with
    # a short answer's markers count the chosen sentences one by one
    joined = text_of is not None and not lead and not lead_with_answer
    for k, i in enumerate(chosen):
        c = pool[i]
        alone = bool(lines) and lines[-1][1] == [len(citations)]  # the last citation has a line of its own
        if joined and alone and firsts[-1] == chosen[k - 1] and (run := run_on(pool[chosen[k - 1]], c, text_of)):
            whole, closing = run  # "the packages in main" + "- must not require ...": one quote, one sentence
            last = citations[-1]
            citations[-1] = _citation(pool[chosen[k - 1]], last.n, last.start, c.end, whole)
            text, marks = lines[-1]
            lines[-1] = (text + whole[len(pool[chosen[k - 1]].text) :] + closing, marks)
            continue
        n = len(citations) + 1
        citations.append(_citation(c, n))
        firsts.append(i)
        for _, marks in lines:
            if float(vectors[i] @ vectors[firsts[marks[0] - 1]]) >= SAME_FACT:
                marks.append(n)
                break
        else:
            term = described_term(c) or (labels or {}).get(i, "")
            text = readable(annotate_dates(c), c.passage.chunk.source)
            lines.append((f"{term}: {text}" if term and term != labelled else text, [n]))
            labelled = term
    text = " ".join(f"{t} {''.join(f'[{m}]' for m in marks)}" for t, marks in lines)
    if lead:
        lead_marks = "[1]"
        first = pool[chosen[0]]
        anchor = _anchor_citation(first, len(citations) + 1) if lead.anchored else None
        if anchor:
            citations.append(anchor)
            lead_marks += f"[{anchor.n}]"
        text = f"{lead.text[:1].upper()}{lead.text[1:]} {lead_marks}. {text}"
    elif lead_with_answer and (short := _lead_answers(pool, chosen, plural)):
        said, ns = short
        text = f"{said[:1].upper()}{said[1:]} {''.join(f'[{n}]' for n in ns)}. {text}"
    return text, citations, False


class ExtractiveAnswerer:
    """The offline answerer: the best supporting sentences, cited exactly; time between events worked out."""

    name = "extractive"

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.refusal = REFUSAL

    def condense(self, history: History, question: str) -> str:
        """Carry the conversation's names into a follow-up."""
        from rag.search import followup

        return followup.condense(history, question)

    def start(
        self, question: str, query: str, vector: np.ndarray, passages: list[Passage], filters: Filters | None
    ) -> Draft:
        """Answer at once (the answer is chosen, not generated), then stream it word by word."""
        from rag.answer import intervals
        from rag.text import entities
        from rag.text.dates import DateMention

        ctx = self.ctx
        if ctx.text_of is not None:  # a source's text is read once per question, however many quotes join in it
            ctx = replace(ctx, text_of=functools.lru_cache(maxsize=4)(ctx.text_of))
        tagger = entities.tagger(ctx.settings.spacy_model_path)
        word_vectors = _remembering(ctx.word_vectors)  # the parts of a question share most of their words

        def date_of(when: str) -> tuple[DateMention, list[Citation]] | None:
            found, when_vector = ctx.search(when, filters)
            return event_date(when, when_vector, found, ctx.embedder, ctx.idf, tagger, ctx.knows, word_vectors)

        interval = intervals.parse(query)
        worked_out = intervals.answer(interval, date_of) if interval else None
        if worked_out:
            text, citations = worked_out
            refused = False
        elif len(parts := sub_questions(query)) > 1 or len(compared(query)) > 1:
            # a thing compared is searched for alone; another part with the first part (its subject), or, the
            # second of two, with the whole question
            # a later part of a few words asks about what the question first told ("... fails saying the file does
            # not exist. What is going on, and what should I use instead?"): it is read with that
            told = scenario(parts[0])
            items = [
                compared(
                    f"{told} {p[:1].upper()}{p[1:]}" if k and told and len(lexical.terms(p)) <= ELLIPTICAL else p
                )
                for k, p in enumerate(parts)
            ]
            plan: list[tuple[str, str | None]] = [
                (p, p if k == 0 or len(c) > 1 else f"{parts[0]} {parts[k]}") for k, c in enumerate(items) for p in c
            ]
            if len(plan) == 2 and len(parts) == 2:
                plan[1] = (plan[1][0], f"+{plan[1][0]}")  # the whole question's passages and the part's own
            text, citations, refused = _answer_parts(plan, (passages, vector), ctx, tagger, filters, word_vectors)
        else:
            text, citations, refused = answer(
                query, vector, passages, ctx.embedder, ctx.idf, tagger, ctx.knows, word_vectors, text_of=ctx.text_of
            )
        done: Finished = (text, citations, refused, [])
        return Draft(words(text), lambda _raw: done)


def _remembering(read: WordVectorsFn | None) -> WordVectorsFn | None:
    """``read``, remembering what it was asked and found, for one question's several rankings."""
    if read is None:
        return None
    asked: set[str] = set()
    found: dict[str, np.ndarray] = {}

    def remembered(stems: list[str]) -> dict[str, np.ndarray]:
        new = [s for s in stems if s not in asked]
        if new:
            found.update(read(new))
            asked.update(new)
        return {s: found[s] for s in stems if s in found}

    return remembered


_REFERS_BACK = re.compile(r"\b(?:it|its|they|them|their|this|that|these|those)\b", re.I)


def _with_scene(k: int, part: str, searched: str | None, first: str) -> tuple[str, str | None]:
    """What part ``k`` of a compound question asks and searches for: "how can I make it reject them?" asks about
    what the first part named, so it is searched and read with that."""
    if k and _REFERS_BACK.search(part) and (scene := scene_of(first, ASKS_DEFAULT)):
        asked = f"{scene} {part[:1].upper()}{part[1:]}"
        return asked, None if searched is None else ("+" if searched.startswith("+") else "") + asked
    return part, searched


def _answer_parts(
    plan: list[tuple[str, str | None]],
    whole: tuple[list[Passage], np.ndarray],
    ctx: Context,
    tagger: Tagger,
    filters: Filters | None,
    word_vectors: WordVectorsFn | None,
) -> tuple[str, list[Citation], bool]:
    """One answer per sub-question, in order, citations numbered across them; refused only if every part is.

    ``plan``: each part and what to search for it (None: the whole question again, whose passages and vector are
    ``whole``; "+" and a text: the passages of ``whole`` and then those found for the text).
    """
    texts: list[str] = []
    citations: list[Citation] = []
    numbers: dict[tuple[str, int, int], int] = {}  # a span cited by several parts keeps one number
    labelled = ""  # the term the last part's last line named
    passages = whole[0]
    first_absent = False
    steps = [(part, *_with_scene(k, part, searched, plan[0][0])) for k, (part, searched) in enumerate(plan)]
    if isinstance(ctx.embedder, CachedEmbedder):  # each part's search then finds its vector made
        ctx.embedder.embed(list(dict.fromkeys(s.removeprefix("+") for _p, _a, s in steps if s is not None)))
    tagger.analyse(list(dict.fromkeys(a for _p, a, _s in steps)))  # the parts read in one batch, not one run apiece
    for k, (part, asked, searched) in enumerate(steps):
        if k and first_absent and _REFERS_BACK.search(part):
            continue  # "copy.replace() ..., and which method supports it?": the first part's subject isn't there
        found, vector = whole if searched is None else ctx.search(searched.removeprefix("+"), filters)
        if searched is not None and searched.startswith("+"):
            held = {p.chunk.id for p in whole[0]}
            found = [*whole[0], *(p for p in found if p.chunk.id not in held)]
        ranked = rank(asked, vector, found or passages, ctx.embedder, ctx.idf, tagger, word_vectors)
        if numbers:  # a later part answers with what an earlier part has not quoted
            pool = ranked.pool
            fresh = [i for i in ranked.order if not quoted(numbers, pool[i].passage.chunk.source, pool[i].start, pool[i].end)]
            ranked = replace(ranked, order=fresh)
        text, cites, refused = answer(
            part, vector, found or passages, ctx.embedder, ctx.idf, tagger, ctx.knows, word_vectors, labelled, ranked,
            ctx.text_of,
        )
        if k == 0:
            first_absent = refused and absent(ranked, ctx.knows)
        if refused:
            continue
        labelled = term_described(cites[-1].title, cites[-1].quote) if cites else ""  # no "-m:" twice in a row
        text, cites = without_repeats(text, cites, numbers)
        if not cites:
            continue  # every sentence of this part's answer is already in an earlier part's
        renumber: dict[int, int] = {}
        for c in cites:
            key = (c.source, c.start, c.end)
            if key not in numbers:
                numbers[key] = len(citations) + 1
                citations.append(Citation(numbers[key], c.source, c.quote, c.start, c.end, c.title, c.date))
            renumber[c.n] = numbers[key]
        texts.append(renumbered(text, renumber, [c.quote for c in cites]))
    if not texts:
        return REFUSAL, [], True
    return " ".join(texts), citations, False
