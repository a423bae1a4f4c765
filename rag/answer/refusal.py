"""When the extractive answerer refuses: the question asks about something the documents never name, or the best
sentences match it too weakly or hold no answer of the kind it asks for."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from rag.answer.defaults import asks_default, asks_the_default, signature_default, states_default
from rag.answer.subjects import (
    asked_subjects,
    of_another_entry,
    of_another_page,
    of_subject,
    setting_names_written,
    tells_of_another,
    unheld_names,
    unknown_names,
)
from rag.answer.typed import (
    VERSION_NOTE,
    asks,
    asks_bound,
    asks_release,
    states_bound,
)

if TYPE_CHECKING:
    from rag.answer.candidates import Candidate
    from rag.answer.extractive import Ranking

MIN_SCORE = 0.39  # the best sentence's score must reach this
MIN_SIMILARITY = 0.35  # ... and its similarity in meaning to the question, unless it covers the question's
WEAK_MATCH = 0.75  # essential words at least this well ("Harbour master Varnholt said 42 ships waited")
MIN_ESSENTIAL = 0.1  # ... and it (with its context) must cover this share of the question's essential words
NOTE_MATCH = 0.5  # a release note answering "when" or "which version" must, with its context, cover this share
# "How do I write a callout that is collapsed by default?" asks for a way; its default is a description
TYPE_MISS = 0.7  # refuse when the best typed answer scores below this share of the best sentence overall
# ... and when the most relevant sentence stating a default is below this share of the most relevant one: on the
# dev sets' 75 default questions, the near-misses sit at 0-0.52, the answerable ones at 0.46 and up but for one
DEFAULT_MISS = 0.4


def absent(r: Ranking, known: Callable[[str], bool] | None) -> bool:
    """Whether what the question asks about is plainly not in the documents: a name they never use, a name from
    code no passage that matches writes (or not beside the function asked of), or a maximum or minimum that the
    document answering best states of nothing."""
    q, pool, shortlist, order = r.question, r.pool, r.shortlist, r.order
    if (known is not None and unknown_names(q, known)) or unheld_names(q, pool, shortlist):
        return True
    if order and of_another_page(q, pool[order[0]], asked_subjects(q, [c.passage.chunk.title for c in pool])):
        return True  # the page of the command asked of has no sentence that could answer
    bound = asks_bound(q.text) if q.kind != "why" and order else ""
    if bound:  # "Is there a maximum file size?"
        source = pool[order[0]].passage.chunk.source
        return not any(states_bound(pool[i].text, bound) for i in shortlist if pool[i].passage.chunk.source == source)
    return False


def refused(r: Ranking, known: Callable[[str], bool] | None) -> bool:
    """Whether the ranked sentences fail to answer the question: too weak a match, no answer of the kind asked,
    a name the documents never use, or an answer that belongs to another event."""
    q, pool, shortlist, order = r.question, r.pool, r.shortlist, r.order
    if not order or absent(r, known):
        return True
    best = pool[order[0]]
    weak_match = best.similarity < MIN_SIMILARITY and best.context_essential < WEAK_MATCH
    if (q.kind == "when" or asks_release(q)) and VERSION_NOTE.search(best.text):
        # A release note says little in words ("Changed in version 3.10: Added the key parameter."): it is judged
        # by how much of the question it and its context (its section, the sentence before) cover.
        weak_match = best.context_essential < NOTE_MATCH
    if best.score < MIN_SCORE or weak_match or best.context_essential < MIN_ESSENTIAL:
        return True
    if best.fit < 0.5 and (q.kind not in ("other", "yesno", "why") or q.slot):
        return True  # only a weak stand-in for the asked-for answer (a number of something else)
    # The most relevant sentence that could answer: a question the documents ask (an FAQ's) only says the topic is
    # there, not that the answer is missing.
    # Nor does a sentence about another numbered thing or version ("... added in Python 3.3" for 3.4).
    top = max(
        (pool[i] for i in shortlist if not asks(pool[i].text) and not tells_of_another(q, pool[i])),
        key=lambda c: c.relevance,
        default=best,
    )
    if q.kind == "yesno" and top.fit == 0 and best.relevance <= top.relevance:
        return True  # the most relevant sentence says it is not known
    # "Which version ...?" is typed too, but a release note ("Changed in version 3.10: Added the key parameter.")
    # says little in words, so its low relevance is no sign of a miss.
    typed = (
        q.kind not in ("when", "other")
        or bool(q.slot)
        or (asks_release(q) and not VERSION_NOTE.search(best.text))
        or asks_default(q.text)  # a default nobody states ("the default salt") is a fact not given
    )
    if asks_the_default(q.text):
        # "What fillfactor does a hash index get by default?": no sentence anywhere near the most relevant one in
        # relevance states a default (the one that does is about another thing)
        asked = set(q.terms)
        subjects = asked_subjects(q, [c.passage.chunk.title for c in pool])
        # ... of the function asked of, if one is: vcovHC's default is no answer for hccm()'s
        stated = (
            pool[i].relevance
            for i in shortlist
            if (states_default(pool[i].text) or signature_default(pool[i].passage.chunk.title, asked))
            and of_subject(q, pool[i])
            and setting_names_written(q, pool[i])  # "What does ServerTokens default to?": not a cache's default
            and not of_another_entry(q, pool[i])  # nor another option's, for "the default ... without -b"
            and not of_another_page(q, pool[i], subjects)  # nor another command's
        )
        if max(stated, default=0.0) < DEFAULT_MISS * top.relevance:
            return True
    if typed and top.fit < 0.5 and best.relevance < TYPE_MISS * top.relevance and not _goes_on(best, top):
        # The sentence that matches the question best lacks the kind of answer asked for (a number, a name,
        # a reason), and the sentences that have one are far less relevant: the fact isn't stated. Not for
        # dates, which articles often give in a sentence apart from the one naming the event, nor for the sentence
        # right after it that goes on with what it describes (see _goes_on)
        return True
    # The sentence that tells of the asked event ("the U.S. downplayed the pact") gives no answer of the kind
    # asked ("which official"), and the sentences that have one tell of something else.
    return bool(top.fit < 0.5 and top.tells_event and best.tells_event is False and q.kind not in ("when", "why"))


# "If you do this, ...", "To do so, ...", "In that case, ...": a sentence that goes on with the action the one before
# it describes
_GOES_ON = re.compile(
    r"\W*(?:(?:if|when|before|after|once|to)\s+(?:you\s+|we\s+|one\s+)?(?:do|does|did|doing)\s+(?:this|that|so)|"
    r"in\s+(?:this|that|such\s+a)\s+case)\b",
    re.I,
)


def _goes_on(c: Candidate, before: Candidate) -> bool:
    """Whether ``c`` is the sentence right after ``before`` and goes on with what it describes ("You only need
    configure.ac if you want to regenerate configure using a newer version of Autoconf." / "If you do this, make
    sure you are using Autoconf version 2.69 or newer."): the two are one statement, whatever each matches alone."""
    return bool(c.previous) and c.previous == before.text and _GOES_ON.match(c.text) is not None
