"""The offline answerer: picks the source sentences that best answer the question and cites them exactly.

Each sentence of the retrieved passages is scored on how well it matches the question (meaning, the question's
essential words or near-synonyms of them, its context) and on whether it holds the kind of answer asked for: a
date for "when", a number next to the counted noun for "how many", a person's name for "who", a place for
"where". It refuses when no sentence both matches the question and holds such an answer.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from . import dates, entities, lexical
from .chunking import sentence_texts
from .dates import DateMention
from .embedding import Embedder
from .entities import Analysis, Tagger
from .matching import TermMatcher, content_words
from .question import Question, analyse, possessives
from .records import Citation, Passage
from .support import IdfFn, coverage

REFUSAL = "The documents don't answer this question."

MIN_SCORE = 0.39  # the best sentence's score must reach this
MIN_SIMILARITY = 0.35  # ... and its similarity in meaning to the question, unless it covers the question's
WEAK_MATCH = 0.75  # essential words at least this well ("Harbour master Varnholt said 42 ships waited")
MIN_ESSENTIAL = 0.1  # ... and it (with its context) must cover this share of the question's essential words
SECOND_SENTENCE = 0.75  # a further sentence must score this share of the best one
REFINE_DATE = 0.65  # a sentence that only refines the date may score this share of the best one
EVENT_FREE_SIM = 0.55  # a sentence this close in meaning to a "when" question ...
EVENT_FREE_WORDS = 0.6  # ... and covering this much of its words needs not repeat its verb
TYPE_MISS = 0.7  # refuse when the best typed answer scores below this share of the best sentence overall
SAME_FACT = 0.8  # similarity above which two sentences state the same fact
COUNTED_NOUN = 0.6  # a counted noun this similar to the asked one may stand for it ("vessels" for "ships")
TAGGED = 12  # sentences examined closely (entities, near-synonyms) per question

_YARDSTICK = re.compile(
    r"(?:\b(?:\w{2,}est|first|most|least|best|worst|only)\b(?:\s+[\w-]+){0,4}\s+since|\bthan(?:\s+(?:in|on|at))?)\s*$",
    re.I,
)
_BECAUSE = re.compile(
    r"\b(?:because|due to|owing to|as a result|in response to|concerns?|fears?|worr(?:y|ied|ies)|reasons?|motivated|"
    r"prompted|aims?|goals?|in order to|so that|so as to)\b",
    re.I,
)
_WEAK_CAUSE = re.compile(r"\b(?:since|after|amid|out of|following)\b", re.I)
_UNKNOWN = re.compile(
    r"\b(?:did not|didn't|would not|wouldn't|could not|couldn't) (?:say|confirm|specify|disclose|reveal) (?:whether|if)|"
    r"\b(?:it is|it was|it remains|it's) (?:not |un)clear (?:whether|if)|\bunclear (?:whether|if)\b|"
    r"\bno (?:word|details?|information) (?:on|about) whether\b",
    re.I,
)
_CONTROL = frozenset(
    lexical.stems(
        """allow allows allowed ask asked urge urged help helped enable enabled force forced want wanted tell told
        expect expected encourage encouraged invite invited permit permitted persuade persuaded require required
        refuse refused agree agreed decide decided plan planned try tried continue continued begin began""".split()
    )
)
_ANAPHOR = re.compile(r"^\W*(?:\w+\s+){0,2}?(?:they|their|them|he|his|him|she|her|it|its|this|these|those)\b", re.I)
_LENGTH = re.compile(
    r"^how long (?:is|are|was|were) (?!.*\b(?:last|lasted|take|took|go(?:ing)? on|been|held|run)\b)", re.I
)
_DURATION = re.compile(
    r"\b(?:\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|several|few|couple|half|"
    r"following|next|previous|preceding)\b[\w\s-]*?\b(?:second|minute|hour|day|week|month|year|decade|centur)|"
    r"\b\w+-(?:day|week|month|year)\b",
    re.I,
)
_ROLE = frozenset(
    lexical.stems(
        """official minister leader spokesman spokeswoman president commander general expert analyst ambassador envoy
        secretary chief chiefs head king cleric diplomat officer deputy commanders officials forces coalition""".split()
    )
)


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
    essential: float = 0.0
    context_essential: float = 0.0
    passage_coverage: float = 0.0
    fit: float = 1.0
    fit_weight: float = 0.12
    answers: set[str] = field(default_factory=set)
    tells_event: bool | None = None  # names the question's own verb ("downplayed"); None when not examined
    lead: str = ""  # the short answer this sentence gives ("Saad al-Hadithi", "2,000 IS fighters"), when clear
    previous: str = ""
    earlier: list[tuple[int, int, str]] = field(default_factory=list)  # the chunk's sentences before this one
    anchor: tuple[int, int, str] | None = None  # the earlier sentence whose date "a week earlier" counts from
    anchor_date: date | None = None  # ... and that date
    _dates: list[dates.DateMention] | None = None

    def dates(self) -> list[dates.DateMention]:
        """Date mentions of the sentence, resolved against the document's date and the latest day named in the
        sentences before it ("a week earlier" than the Monday two sentences back)."""
        if self._dates is None:
            doc_date, exact = _doc_date(self.passage), not self.passage.chunk.date_inferred
            for start, end, text in reversed(self.earlier):
                days = [m.value for m in dates.mentions(text, doc_date, exact) if m.value and m.precision == "day"]
                if days:
                    self.anchor, self.anchor_date = (start, end, text), days[-1]
                    break
            self._dates = dates.mentions(self.text, doc_date, exact, self.anchor_date)
        return self._dates

    def event_dates(self) -> list[DateMention]:
        """The date mentions that can date an event: not the yardstick of a comparison ("the worst storm since
        1987", "more than in 2014")."""
        return [m for m in self.dates() if not _YARDSTICK.search(self.text[max(0, m.start - 60) : m.start])]

    @property
    def score(self) -> float:
        return self.relevance + self.fit_weight * self.fit

    @property
    def relevance(self) -> float:
        """How well the sentence matches the question, whatever kind of answer it holds."""
        return (
            0.40 * self.similarity
            + 0.20 * self.essential
            + 0.10 * self.coverage
            + 0.15 * self.context_essential
            + 0.15 * self.passage_coverage
            - 0.01 * self.rank
        )


def _doc_date(p: Passage) -> date | None:
    return date.fromisoformat(p.chunk.date) if p.chunk.date else None


def _novel(text: str, question: Question) -> bool:
    """Whether an entity says something the question doesn't: "Brantor Dredging Company" for "which company"."""
    asked = set(question.terms) - set(question.focus)
    own = [t for t in lexical.terms(text) if len(t) > 2 or t.isdigit()]
    return bool(own) and not set(own) & asked


def _near(
    analysis: Analysis,
    start: int,
    end: int,
    asked: set[str] | frozenset[str],
    window: int = 40,
    matcher: TermMatcher | None = None,
) -> bool:
    """Whether a word of the question (or, with ``matcher``, a near-synonym: "conductor" for "conducts") occurs
    within ``window`` characters of ``[start, end)``."""
    close = [w for w in analysis.words if start - window <= w.start < start or end <= w.start <= end + window]
    if any(set(lexical.terms(w.text)) & asked for w in close):
        return True
    if matcher is None:
        return False
    return bool(set(matcher.credits(content_words(" ".join(w.text for w in close)))) & asked)


def _number_fit(q: Question, c: Candidate, analysis: Analysis, matcher: TermMatcher) -> float:
    asked = set(q.terms)
    numbers = [
        e for e in analysis.entities if e.label in entities.NUMBER and not set(lexical.terms(e.text)) <= asked
    ]
    durations = [e.text for e in analysis.entities if e.label in entities.TIME and _DURATION.search(e.text)]
    durations += [m.text for m in c.dates() if _DURATION.search(m.text)]
    words = analysis.words
    in_dates = [(e.start, e.end) for e in analysis.entities if e.label in entities.TIME]
    counted = [
        w
        for w in words
        if (w.pos == "NUM" or w.text.lower() in ("twice", "once", "thrice"))
        and w.text not in asked
        and not any(a <= w.start < b for a, b in in_dates)
    ]
    if not numbers and not counted and not durations and not re.search(r"\bhow (?:long|old)\b", q.text, re.I):
        return 0.0
    if _LENGTH.search(q.text):  # "how long is the border": a length, not a duration
        return 1.0 if any(e.label == "QUANTITY" for e in analysis.entities) else 0.0
    if re.search(r"\bhow (?:long|old)\b", q.text, re.I):
        return 1.0 if durations else 0.0
    if not q.focus or q.focus[-1] in _MEASURES:
        return 1.0  # "what death toll": the number measures the thing, it doesn't count "tolls"
    focus = q.focus[-1]
    if focus in ("time",) and any(w.text.lower() in ("twice", "once", "thrice") for w in counted):
        return 1.0
    # "one of those militias has threatened U.S. troops": the sentence names the asked noun apart from the
    # counted one, so the two differ however near in meaning.
    distinguished = focus in lexical.terms(c.text)
    for i, w in enumerate(words):
        if w.pos != "NUM" and w.text.lower() not in ("twice", "once", "thrice"):
            continue
        if set(lexical.terms(w.text)) & asked:
            continue  # "how many of the 2,000 fighters": the 2,000 is the question's, not the answer
        for k, nxt in enumerate(words[i + 1 : i + 5], i + 1):
            terms = lexical.terms(nxt.text)
            same = focus in terms
            if same and words[k - 1].tag == "HYPH" and k + 1 < len(words) and words[k + 1].pos == "NOUN":
                break  # "a 329-seat parliament" counts the parliament's seats, not the asked-for ones
            if not same and nxt.pos == "NOUN" and terms and not distinguished:
                sims = matcher.embedder.embed([q.words.get(focus, focus), nxt.text.lower()])
                same = float(sims[0] @ sims[1]) >= COUNTED_NOUN
            if same:
                begin = next((e.start for e in numbers if e.start <= w.start < e.end), w.start)
                c.lead = c.text[begin : nxt.start + len(nxt.text)]  # "more than 240,000 people"
                return 1.0
            if nxt.pos == "NOUN":
                break
    return 0.25  # a number, but not of the thing asked about


def _ungendered(term: str) -> str:
    """"spokesperson", "spokeswoman" and "spokesman" as one word ("spokes")."""
    return re.sub(r"(?<=\w{4})(?:person|peopl|woman|women|man|men)$", "", term)


def answer_fit(
    q: Question, c: Candidate, analysis: Analysis, matcher: TermMatcher, require_event: bool = True
) -> float:
    """How well the sentence carries the kind of answer asked for (0 = it cannot answer the question).

    ``require_event``: a date must come with the question's verb (or a near-synonym) unless no sentence has it.
    """
    if q.subject and not {_ungendered(t) for t in q.subject} <= {
        _ungendered(t) for t in lexical.terms(f"{c.text} {c.previous}")
    }:
        return 0.0  # "Who was Iraq's oil minister?" is not answered by a sentence that names no oil minister
    for owner, head in q.possessives:
        for owner2, head2 in possessives(analysis):
            if head2 == head and owner2 != owner and owner2 not in q.terms:
                return 0.0  # "Sadr's bloc" does not answer a question about "Abadi's bloc"
    asked = set(q.terms)
    kind = q.kind
    if kind == "when":
        found = c.event_dates()
        if q.exact_day and not any(m.precision == "day" and (m.value or not q.calendar_date) for m in found):
            return 0.0  # "when exactly": "later this year" is no answer, nor "on Sunday" for "on what date"
        if require_event and q.verbs and not _event_matched(q, c, analysis, matcher):
            return 0.0  # the date must be of the asked event ("agreed"), not of another one in the same passage
        if any(m.value for m in found):
            return 1.0
        if found:
            return 0.5
        return 0.3 if any(e.label in entities.TIME for e in analysis.entities) else 0.0
    if kind == "number":
        return _number_fit(q, c, analysis, matcher)
    if kind == "why":
        if _BECAUSE.search(c.text):
            return 1.0
        return 0.8 if _purpose(analysis) else 0.5 if _WEAK_CAUSE.search(c.text) else 0.0
    if kind == "yesno":
        if q.alternatives:  # "audio or video?": the sentence must name one of them
            have = set(lexical.terms(c.text))
            return 1.0 if any(alt and set(alt) <= have for alt in q.alternatives) else 0.0
        return 0.0 if _UNKNOWN.search(c.text) else 1.0
    if kind == "other":
        own = lexical.terms(c.text)
        echo = own and len(set(own) - asked) / len(set(own)) < 0.3  # restates the question, adds nothing
        return 0.3 if echo else 1.0
    best = 0.0
    leads: list[str] = []
    if _asks_speaker(q):  # "who put out the account": whoever the sentence has saying it ("..., the Kremlin said")
        for speaker in _speakers(c.text, analysis):
            if set(lexical.terms(speaker)) - set(q.terms) - _SAYING:
                c.answers.add(speaker)
                leads.append(speaker)
                best = 1.5
    for e in analysis.entities:
        if not _novel(e.text, q):
            continue
        titled = kind == "who" and _titled(analysis, e)  # "Harbour master Ilse Varnholt", whatever its label
        if e.label in q.wants or titled:
            weight = 1.5 if _near(analysis, e.start, e.end, asked, matcher=matcher) else 1.0
            if kind == "where":
                weight *= _place_weight(q, c.text, e)
            elif e.label == "PERSON" and _not_a_person(c.text, analysis, e):
                weight *= 0.4
        elif e.label in q.partly:
            weight = 0.4 if kind == "org" else 0.6  # "Shiite militias" describes a militia, doesn't name it
        else:
            continue
        c.answers.add(e.text)
        # A lead answer must sit right by the asked-for role when there is one ("Vice President Ayad Allawi"
        # for "which vice president"), not merely near some word of the question.
        if weight >= 1.5 and _beside(analysis, e, set(q.essential) | set(q.focus), matcher, apposed=kind == "who"):
            leads.append(re.sub(r"^the\s+|['’]s$", "", e.text))
        best = max(best, weight)
    longest = max(leads, key=len, default="")
    if leads and all(x in longest for x in leads):  # one named answer right beside the question's words
        c.lead = longest  # "Harbour master Ilse Varnholt" said it, whom the tagger names "Ilse Varnholt"
    if best < 1.0:
        best = max(best, _unlabelled_name_fit(q, c, analysis))
    if kind == "who" and best < 1.0 and not q.named:
        best = max(best, _role_fit(analysis, asked))
    if kind == "who" and not c.lead and _role_unfilled(q, c, analysis, matcher):
        best = min(best, 0.5)  # "spoke with the Iraqi prime minister": the asked role, but nobody new holds it
    return best


def _role_unfilled(q: Question, c: Candidate, analysis: Analysis, matcher: TermMatcher) -> bool:
    """Whether the sentence names the asked-for role ("prime minister") but gives it to nobody the question
    doesn't already name."""
    roles = set(q.essential) & _ROLE & set(lexical.terms(c.text))
    return bool(roles) and not any(
        e.label == "PERSON" and _novel(e.text, q) and _beside(analysis, e, roles, matcher, apposed=True)
        for e in analysis.entities
    )


def _purpose(analysis: Analysis) -> bool:
    """Whether the sentence states a purpose with an infinitive: "met in Baghdad to discuss", "to 'strengthen ...'".

    An infinitive after a verb ("refuses to cooperate") or after a verb of letting or asking ("allows the member
    states to share") completes that verb instead.
    """
    words = [w for w in analysis.words if w.pos != "PUNCT" or w.text not in ('"', "“", "'", "‘")]
    for i, w in enumerate(words[:-1]):
        if w.tag != "TO" or i == 0 or words[i + 1].tag != "VB" or words[i - 1].tag.startswith("VB"):
            continue
        if not any(set(lexical.terms(x.text)) & _CONTROL for x in words[max(0, i - 4) : i]):
            return True
    return False


def _beside(
    analysis: Analysis, e: entities.Entity, asked: set[str], matcher: TermMatcher, apposed: bool = False
) -> bool:
    """Whether a word of the question stands right by the entity (three words either side, past commas and
    articles): "Vice President Ayad Allawi", "Fareed Yasseen, the Iraqi ambassador", "carried out by X"."""
    words = [w for w in analysis.words if w.pos not in ("PUNCT", "DET")]
    inside = [i for i, w in enumerate(words) if e.start <= w.start < e.end]
    if not inside:
        return False
    around = words[max(0, inside[0] - 3) : inside[0]]
    after = [w for w in analysis.words if w.start >= e.end]
    if not apposed or (after and after[0].text == ","):  # a person's role stands before the name or after a comma
        around += words[inside[-1] + 1 : inside[-1] + 4]
    if any(set(lexical.terms(w.text)) & asked for w in around):
        return True
    return bool(set(matcher.credits(content_words(" ".join(w.text for w in around)))) & asked)


def proper_runs(analysis: Analysis) -> list[entities.Entity]:
    """Runs of proper nouns ("Orrin Vale", "Hisham Al-Hashemi"), whatever the entity tagger made of them."""
    runs: list[entities.Entity] = []
    words = analysis.words
    i = 0
    while i < len(words):
        if words[i].pos != "PROPN" or i == 0:
            i += 1
            continue
        j = i
        while j + 1 < len(words) and (words[j + 1].pos == "PROPN" or words[j + 1].tag == "HYPH"):
            j += 1
        end = words[j].start + len(words[j].text)
        runs.append(entities.Entity(" ".join(w.text for w in words[i : j + 1]), "PROPN", words[i].start, end))
        i = j + 1
    return runs


def _unlabelled_name_fit(q: Question, c: Candidate, analysis: Analysis) -> float:
    """A proper name the entity tagger missed or mislabelled, typed by its context: a place after "in", a person
    when two or more names run together. The small tagger misses unusual names ("in the town of Orrin Vale")."""
    if q.kind not in ("who", "where", "org", "name"):
        return 0.0
    best = 0.0
    for run in proper_runs(analysis):
        # Left to the tagger: a run inside an entity it labelled (wanted or not: "the Defense Ministry" is no
        # person); only runs it missed, or labelled in part ("Orrin" of "Orrin Vale"), fall back on context.
        if not _novel(run.text, q) or any(e.start <= run.start and run.end <= e.end for e in analysis.entities):
            continue
        before = c.text[max(0, run.start - 40) : run.start]
        if q.kind == "where":
            weight = 0.9 if _LOCATIVE.search(before) else 0.0
        elif q.kind == "who":
            weight = 0.8 if len(run.text.split()) >= 2 and not _LOCATIVE.search(before) else 0.0
        else:
            weight = 0.8
        if weight:
            c.answers.add(run.text)
            best = max(best, weight)
    return best


def _titled(analysis: Analysis, e: entities.Entity) -> bool:
    """A name of two or more proper nouns right after a common noun: a person with a title or role ("Harbour
    master Ilse Varnholt", "its conductor, Tomas Erlund")."""
    inside = [w for w in analysis.words if e.start <= w.start < e.end]
    if len(inside) < 2 or not all(w.pos == "PROPN" or w.tag == "HYPH" for w in inside):
        return False
    before = [w for w in analysis.words if w.start < e.start and w.text not in (",", "the")]
    return bool(before) and before[-1].pos == "NOUN" and before[-1].text.islower()


_SAYING = frozenset(
    lexical.stems("say said state stated announce announced release released issue issued publish published".split())
    + lexical.stems("declare declared tell told report reported note noted add added statement".split())
)
_SAID = re.compile(
    r"\b(?:said|says|say|stated|announced|released|issued|published|declared|told|reported|noted|added|statement)\b",
    re.I,
)


def _event_matched(q: Question, c: Candidate, analysis: Analysis, matcher: TermMatcher) -> bool:
    """Whether the sentence (or the one before) tells of the question's event: one of its verbs in any form
    ("spoke" for "spoken"), a near-synonym, or for verbs of saying ("release a statement") any verb of saying.
    A sentence that matches the question closely in meaning and words needs none ("may not play any role" for
    "rule out any role")."""
    if c.similarity >= EVENT_FREE_SIM and c.essential >= EVENT_FREE_WORDS:
        return True
    if set(q.verb_lemmas) & {w.lemma for w in analysis.words}:
        return True
    text = f"{c.text} {c.previous}"
    if set(q.verbs) & set(matcher.credits(content_words(text))):
        return True
    return bool(set(q.verbs) & _SAYING) and bool(_SAID.search(text))


_MEASURES = frozenset(
    lexical.stems("toll tally total number figure count amount sum size level rate share cost price value budget".split())
)
_SAYING_NOW = re.compile(r"\b(?:saying|telling|stating|announcing|reporting|claiming)\b", re.I)
_SAY_LEMMAS = frozenset("say report announce state tell declare add note write claim confirm deny quote".split())
_SAYING_NOUNS = frozenset(lexical.stems("account statement announcement report remarks comments claim".split()))
_SPEAKER_POS = frozenset({"PROPN", "NOUN", "ADJ", "DET", "PART", "NUM"})


def _asks_speaker(q: Question) -> bool:
    """Whether a who/which question asks who said or reported something ("which agency reported", "who put out
    the account")."""
    attributed = re.search(r"\b(?:according to|in|per)\s+(?:the|its|their)\b[^,?]*\b(?:report|account)", q.text, re.I)
    # The saying must be the question's own act, not told in a clause about its time ("... when the pact was
    # announced").
    main = re.split(r"\b(?:when|after|before|while|since|until|because|if|as soon as)\b", q.text, maxsplit=1, flags=re.I)[0]
    return q.kind in ("who", "org", "name") and not attributed and bool(
        set(lexical.terms(main)) & (_SAYING | _SAYING_NOUNS) or _SAID.search(main) or _SAYING_NOW.search(main)
    )


def _speakers(text: str, analysis: Analysis) -> list[str]:
    """Who the sentence has saying something: the noun phrase before a verb of saying ("the Iraqi military's
    joint operations command said"), after one that follows a quote (", said the Kremlin"), or after
    "according to"."""
    words = list(analysis.words)
    found: list[str] = []

    def run(indices: range) -> str:
        taken = []
        for k in indices:
            w = words[k]
            opening = k == 0 and w.text[:1].isupper()  # the tagger reads "Harbour master X said" as an order
            if w.pos not in _SPEAKER_POS and w.text not in ("'s", "’s") and w.tag != "HYPH" and not opening:
                break
            taken.append(k)
        if not taken:
            return ""
        a, b = min(taken), max(taken)
        start, end = words[a].start, words[b].start + len(words[b].text)
        if any(e.label in entities.TIME and e.start < end and start < e.end for e in analysis.entities):
            return ""  # "the State Department on September 1 said": a date, not who said it
        phrase = text[start:end]
        return "" if all(words[k].pos in ("DET", "PART", "ADJ") for k in taken) else phrase

    for i, w in enumerate(words):
        if w.lemma in _SAY_LEMMAS and w.pos == "VERB":
            before = run(range(i - 1, -1, -1))
            after = run(range(i + 1, len(words))) if i and words[i - 1].pos == "PUNCT" else ""
            found += [p for p in (before, after) if p]
        according = w.text.lower() == "according" and i + 1 < len(words) and words[i + 1].text.lower() == "to"
        if according and (phrase := run(range(i + 2, len(words)))):
            found.append(phrase)
    return found


def _not_a_person(text: str, analysis: Analysis, e: entities.Entity) -> bool:
    """Signs the small tagger took a place for a person: "in Lindholm", "the Kelsing secondary school"."""
    if _LOCATIVE.search(text[max(0, e.start - 25) : e.start]):
        return True
    if " " in e.text:
        return False
    following = [w for w in analysis.words if w.start >= e.end][:2]
    if following and following[0].pos == "NOUN":
        return True
    return len(following) == 2 and following[0].pos == "ADJ" and following[1].pos == "NOUN"


_LOCATIVE = re.compile(
    r"\b(?:in|at|near|inside|outside|across|into|from|to|towards?|around|throughout|on)\s+(?:the\s+)?"
    r"(?:(?:town|city|village|region|province|district|capital|port|island) of\s+)?$",
    re.I,
)


def _place_weight(q: Question, text: str, e: entities.Entity) -> float:
    """How well a place entity answers a "where"/"which place" question.

    "Which towns" wants no country and "which country" no town; a plain "where" wants a place the sentence
    puts something in ("in Tehran"), not one it merely mentions ("Iraq's sovereignty").
    """
    country = entities.is_country(e.text)
    if q.place_class == "local" and country:
        return 0.0
    if q.place_class == "country":
        return 1.0 if country else 0.4
    if not q.place_class and not q.focus:
        return 1.0 if _LOCATIVE.search(text[max(0, e.start - 25) : e.start]) or text[e.end : e.end + 8].startswith(", where") else 0.3
    return 1.0


def _role_fit(analysis: Analysis, asked: set[str]) -> float:
    """A role not named in the question ("the deputy chiefs of staff"): 1.0 as the agent of a passive verb
    ("led by their deputy chiefs"), else 0.5; 0 when there is none."""
    words = analysis.words
    best = 0.0
    for i, w in enumerate(words):
        terms = set(lexical.terms(w.text))
        if not terms & _ROLE or terms & asked or w.pos != "NOUN":
            continue
        best = max(best, 0.5)
        before = [x for x in words[max(0, i - 5) : i] if x.pos not in ("DET", "ADJ", "PRON", "PART", "NOUN", "PROPN")]
        if before and before[-1].text.lower() == "by":
            return 1.0
    return best


def annotate_dates(c: Candidate) -> str:
    """The sentence with the dates it leaves relative spelled out ("on September 26 (26 September 2015)")."""
    c.dates()  # finds the anchor date
    return dates.spell_out(c.text, _doc_date(c.passage), not c.passage.chunk.date_inferred, c.anchor_date)


def candidates(passages: list[Passage]) -> list[Candidate]:
    """Every distinct sentence of the passages, in retrieval order, with its title and previous sentence."""
    seen: dict[tuple[str, int], Candidate] = {}
    out = []
    for rank, p in enumerate(passages):
        texts = sentence_texts(p.chunk)
        year = p.chunk.date[:4] if p.chunk.date else ""  # "according to the 2018 coverage"
        for k, (span, text) in enumerate(zip(p.chunk.sentences, texts, strict=True)):
            key = (p.chunk.source, span.start)
            previous = texts[k - 1] if k else ""
            earlier = [(s.start, s.end, t) for s, t in zip(p.chunk.sentences[:k], texts[:k], strict=True)]
            if key in seen:
                first = seen[key]
                if previous and not first.previous:  # it opened the first chunk; this one has the sentence before
                    first.previous, first.earlier = previous, earlier
                    first.context = f"{p.chunk.title} {year} {previous}"
                continue
            seen[key] = Candidate(
                p, rank, span.start, span.end, text, f"{p.chunk.title} {year} {previous}", previous=previous,
                earlier=earlier,
            )
            out.append(seen[key])
    return out


@dataclass
class Ranking:
    """The question analysed and every candidate sentence scored; ``order`` lists the shortlisted ones that
    hold the kind of answer asked for, best first."""

    question: Question
    pool: list[Candidate]
    shortlist: list[int]
    order: list[int]
    vectors: np.ndarray


def rank(
    question: str,
    query_vector: np.ndarray,
    passages: list[Passage],
    embedder: Embedder,
    idf: IdfFn,
    tagger: Tagger,
) -> Ranking:
    """Score every sentence of ``passages`` as an answer to ``question``."""
    pool = candidates(passages)
    q = analyse(question, tagger.analyse([question])[0])
    if not pool:
        return Ranking(q, [], [], [], np.zeros((0, 1), dtype=np.float32))
    matcher = TermMatcher(q, embedder, idf)
    q_terms = set(q.terms)
    vectors = embedder.embed([c.text for c in pool])
    sims = vectors @ query_vector
    # A sentence that leans on the one before ("Their aim is revenge, he said.") is also read together with it.
    leaning = [i for i, c in enumerate(pool) if c.previous and _ANAPHOR.match(c.text)]
    if leaning:
        joined = embedder.embed([f"{pool[i].previous} {pool[i].text}" for i in leaning]) @ query_vector
        for i, s in zip(leaning, joined, strict=True):
            sims[i] = max(sims[i], s - 0.02)
    passage_cov = {
        id(p): coverage(q_terms, set(lexical.terms(f"{p.chunk.title} {p.chunk.text}")), idf) for p in passages
    }
    for c, s in zip(pool, sims, strict=True):
        own = matcher.credits(content_words(c.text))
        c.similarity = float(s)
        c.coverage = coverage(q_terms, set(lexical.terms(c.text)), idf)
        c.passage_coverage = passage_cov[id(c.passage)]
        c.essential = matcher.coverage(own)
        c.context_essential = matcher.coverage({**matcher.credits(content_words(c.context)), **own})
    shortlist = sorted(range(len(pool)), key=lambda i: -pool[i].relevance)[:TAGGED]
    analyses = dict(zip(shortlist, tagger.analyse([pool[i].text for i in shortlist]), strict=True))
    for i in shortlist:
        c = pool[i]
        c.fit = answer_fit(q, c, analyses[i], matcher)
        if q.verbs:
            c.tells_event = bool(set(q.verb_lemmas) & {w.lemma for w in analyses[i].words})
            if not c.tells_event and _event_matched(q, c, analyses[i], matcher):
                c.tells_event = None  # a near-synonym or a verb of saying: perhaps the same event
        c.fit_weight = 0.25 if q.kind in ("who", "where", "org", "name") else 0.2 if q.kind == "why" else 0.12
    if q.kind == "when" and q.verbs and all(pool[i].tells_event is False for i in shortlist):
        # No sentence tells of the question's verb in any form: it is a paraphrase the matcher can't see ("kick
        # off" for "begin"), so the dates are judged by relevance alone.
        for i in shortlist:
            pool[i].fit = answer_fit(q, pool[i], analyses[i], matcher, require_event=False)
    ranked = sorted(shortlist, key=lambda i: -pool[i].score)
    return Ranking(q, pool, shortlist, [i for i in ranked if pool[i].fit > 0], vectors)


def _unknown_names(q: Question, known: Callable[[str], bool]) -> list[str]:
    """Names in the question (people, organisations, places) that the documents never mention."""
    return [t for t in q.strict_names if not known(t)]


def _refused(r: Ranking, known: Callable[[str], bool] | None) -> bool:
    """Whether the ranked sentences fail to answer the question: too weak a match, no answer of the kind asked,
    a name the documents never use, or an answer that belongs to another event."""
    q, pool, shortlist, order = r.question, r.pool, r.shortlist, r.order
    if not order or (known is not None and _unknown_names(q, known)):
        return True
    best = pool[order[0]]
    weak_match = best.similarity < MIN_SIMILARITY and best.context_essential < WEAK_MATCH
    if best.score < MIN_SCORE or weak_match or best.context_essential < MIN_ESSENTIAL:
        return True
    if best.fit < 0.5 and q.kind not in ("other", "yesno"):
        return True  # only a weak stand-in for the asked-for answer (a number of something else)
    top = max((pool[i] for i in shortlist), key=lambda c: c.relevance)
    if q.kind == "yesno" and top.fit == 0 and best.relevance <= top.relevance:
        return True  # the most relevant sentence says it is not known
    if q.kind not in ("when", "other") and top.fit < 0.5 and best.relevance < TYPE_MISS * top.relevance:
        # The sentence that matches the question best lacks the kind of answer asked for (a number, a name,
        # a reason), and the sentences that have one are far less relevant: the fact isn't stated. Not for
        # dates, which articles often give in a sentence apart from the one naming the event.
        return True
    # The sentence that tells of the asked event ("the U.S. downplayed the pact") gives no answer of the kind
    # asked ("which official"), and the sentences that have one tell of something else.
    return bool(top.fit < 0.5 and top.tells_event and best.tells_event is False and q.kind != "when")


def answer(
    question: str,
    query_vector: np.ndarray,
    passages: list[Passage],
    embedder: Embedder,
    idf: IdfFn,
    tagger: Tagger,
    known: Callable[[str], bool] | None = None,
) -> tuple[str, list[Citation], bool]:
    """(answer text with [n] markers, citations, refused) for ``question`` from ``passages``.

    ``known`` tells whether the documents use a term at all; a question naming someone they never mention is
    refused.
    """
    r = rank(question, query_vector, passages, embedder, idf, tagger)
    if _refused(r, known):
        return REFUSAL, [], True
    q, pool, order, vectors = r.question, r.pool, r.order, r.vectors
    q_terms = set(q.terms)
    best = pool[order[0]]
    chosen = [order[0]]
    covered = set(lexical.terms(best.text))
    found = set(best.answers)
    for i in order[1:8]:
        c = pool[i]
        if len(chosen) >= 3 or c.score < SECOND_SENTENCE * best.score:
            break
        same_fact = any(float(vectors[i] @ vectors[j]) >= SAME_FACT for j in chosen)
        new_source = all(pool[j].passage.chunk.source != c.passage.chunk.source for j in chosen)
        adds_terms = bool((q_terms & set(lexical.terms(c.text))) - covered)
        adds_answer = (q.plural or c.fit > best.fit) and bool(c.answers - found)
        if (same_fact and new_source) or (not same_fact and (adds_terms or adds_answer)):
            chosen.append(i)
            covered |= set(lexical.terms(c.text))
            found |= c.answers
    if q.kind == "when":
        _refine_date(pool, order, chosen, best)
    return compose(
        pool,
        chosen,
        vectors,
        lead_with_date=q.kind == "when",
        asked=set(q.essential),
        lead_with_answer=q.kind in ("who", "where", "org", "name", "number"),
        plural=q.plural and q.kind != "number",
    )


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
) -> tuple[dates.DateMention, list[Citation]] | None:
    """The date that answers a "when" question and citations of the sentence that states it; None when the
    passages don't date the event."""
    r = rank(question, query_vector, passages, embedder, idf, tagger)
    if r.question.kind != "when" or _refused(r, known):
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
    return pool[chosen[0]].lead, [1]


def compose(
    pool: list[Candidate],
    chosen: list[int],
    vectors: np.ndarray,
    lead_with_date: bool = False,
    asked: set[str] | None = None,
    lead_with_answer: bool = False,
    plural: bool = False,
) -> tuple[str, list[Citation], bool]:
    """Join the chosen sentences; sentences stating the same fact share one line with several markers.

    The answer opens with the short answer itself when there is a clear one, cited to the sentence that states
    it: the date for "when" questions, the name or number for "who", "where", "which" and "how many".
    """
    lead = _lead_date(pool, chosen, asked or set()) if lead_with_date else None
    if lead and lead.index:
        chosen = [chosen[lead.index], *(i for k, i in enumerate(chosen) if k != lead.index)]
    citations: list[Citation] = []
    lines: list[tuple[str, list[int]]] = []
    for i in chosen:
        c = pool[i]
        n = len(citations) + 1
        citations.append(_citation(c, n))
        for _, marks in lines:
            if float(vectors[i] @ vectors[chosen[marks[0] - 1]]) >= SAME_FACT:
                marks.append(n)
                break
        else:
            lines.append((annotate_dates(c), [n]))
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
