"""Typed answers: whether a sentence holds the kind of answer a question asks for (a date for "when", a
number beside the counted noun for "how many", a person for "who", a place for "where") and how well."""

from __future__ import annotations

import re

from rag.answer.amounts import number_fit
from rag.answer.candidates import Candidate
from rag.answer.matching import TermMatcher
from rag.answer.question import Question, possessives
from rag.answer.subjects import DEFINITION_UNSTATED, about_another, defines, novel, of_subject, tells_of_another
from rag.records import SEPARATOR
from rag.text import entities, lexical
from rag.text.entities import Analysis
from rag.text.words import content_words

EVENT_FREE_SIM = 0.55  # a sentence this close in meaning to a "when" question ...
EVENT_FREE_WORDS = 0.6  # ... and covering this much of its words needs not repeat its verb
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


_ROLE = frozenset(
    lexical.stems(
        """official minister leader spokesman spokeswoman president commander general expert analyst ambassador envoy
        secretary chief chiefs head king cleric diplomat officer deputy commanders officials forces coalition""".split()
    )
)


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


def _ungendered(term: str) -> str:
    """"spokesperson", "spokeswoman" and "spokesman" as one word ("spokes")."""
    return re.sub(r"(?<=\w{4})(?:person|peopl|woman|women|man|men)$", "", term)


VERSION_NOTE = re.compile(r"\b(New|Added|Changed|Deprecated|Removed)\s+(?:in|since)\s+version\s+\d+(?:\.\d+)*", re.I)
_NOTE_VERBS = {
    "new": {"add", "introduce", "new"},
    "added": {"add", "introduce", "new"},
    "changed": {"change", "chang"},
    "deprecated": {"deprecate", "deprec"},
    "removed": {"remove", "remov"},
}


def _echoes(text: str, asked: set[str]) -> bool:
    """Whether a sentence restates the question and adds little else (under 30% of its words are new)."""
    own = set(lexical.terms(text))
    return bool(own) and len(own - asked) / len(own) < 0.3


_RELEASE_FOCUS = frozenset({"version", "releas"})
_RELEASE = re.compile(r"\b\d+(?:\.\d+)+\b|\b(?:version|release|v)\s*(\d+(?:\.\d+)*)\b|\b(?:19|20)\d{2}\b", re.I)


# A short line with no closing punctuation, no colon and no markup of a list, a table or code, nor a tag set off
# by a wide gap ("124    if COMMAND times out": a manual's tagged paragraph): a title
_HEADING_LIKE = re.compile(r"(?![-*•|`>#])(?!\S{1,12} {3,}\S)[^\n:\\{}=<>$]{1,80}(?<![.!?;:)\]\"”’])")


# "(2) Which kind of bias adjustment is done by default.": a question listed as an item, ended with a full stop
# (not "2. When prompted, enter ...": a step)
_LISTED_QUESTION = re.compile(r"\s*(?:\(\d{1,2}\)|\d{1,2}[.)])\s+(?:which|what|how|why|whether)\b[^,;:]*$", re.I)


def asks(sentence: str) -> bool:
    """Whether a sentence of the documents is itself a question (an FAQ's, an essay's, one listed as an item), not a
    block of code."""
    return "\n" not in sentence and (sentence.rstrip().endswith("?") or bool(_LISTED_QUESTION.match(sentence)))


def asks_release(q: Question) -> bool:
    """Whether the question asks "which version" or "which release" (of no other kind: not "when")."""
    return q.kind == "other" and bool(set(q.focus) & _RELEASE_FOCUS)


_ASKS_BOUND = re.compile(  # "max" and "min" as words, not the names max() or max-heap
    r"(?<![\w.-])(?:(?P<upper>maximum|max|at most|upper limit)|(?P<lower>minimum|min|at least|lower limit))(?![\w(/-])",
    re.I,
)
_UPPER_BOUND = re.compile(
    r"\b(?:maximum|max|at most|up to|no more than|not more than|(?:not|never) exceed\w*|limit\w*|or (?:fewer|less|"
    r"lower|earlier)|cap(?:ped|s)?|upper bound|largest|highest)\b",
    re.I,
)
_LOWER_BOUND = re.compile(
    r"\b(?:minimum|min|at least|no (?:fewer|less) than|not (?:fewer|less) than|limit\w*|or (?:more|greater|higher|"
    r"later|newer|above)|lower bound|smallest|lowest)\b",
    re.I,
)


def asks_bound(question: str) -> str:
    """"upper" when the question asks for a most ("the maximum number of keywords", "how many at most"), "lower"
    for a least ("what minimum version"), "" otherwise."""
    m = _ASKS_BOUND.search(question)
    return "" if m is None else "upper" if m.group("upper") else "lower"


def states_bound(sentence: str, bound: str) -> bool:
    """Whether the sentence states a bound of that side ("up to 10", "at most six", "3.9 or later"): "zero or
    more worktrees" gives no maximum."""
    return (_UPPER_BOUND if bound == "upper" else _LOWER_BOUND).search(sentence) is not None


def _names_release(text: str, asked: set[str]) -> bool:
    """Whether ``text`` names a version, a release or a year other than those of the question ("REVTeX 4.2" in
    "Which version of AMS-LaTeX does REVTeX 4.2 require?" is not an answer)."""
    return any(not set(lexical.terms(m.group(1) or m.group(0))) <= asked for m in _RELEASE.finditer(text))


# A heading that names a release: "Version 4.0.1" (of "10.18. Version 4.0.1"), "Release 3.44.0", "v2.1", "2.1.0 (2021)";
# not a section's number ("2.5")
_RELEASE_HEADING = re.compile(
    r"^(?:\d+(?:\.\d+)*\.?\s+)?(?P<release>(?:version|release)\s+v?\d+(?:\.\d+)*|v\d+(?:\.\d+)+|\d+\.\d+\.\d+)(?![\w.])",
    re.I,
)


# A release-notes document's title: "What's New In Python 3.8", "Django 4.2 release notes", "Changes in Foo 2.1"
_NOTES_TITLE = re.compile(
    r"\b(?:what[’']?s\s+new|changes|news)\s+(?:in|for)\s+(?P<a>[A-Z][\w+-]*\s+v?\d+(?:\.\d+)+)(?![\w.])|"
    r"(?P<b>[A-Z][\w+-]*\s+v?\d+(?:\.\d+)+)\s+(?:release\s+notes|changelog|changes)\b",
    re.I,
)


def heading_release(title: str) -> str:
    """The release that the innermost heading naming one in the section path ``title`` names: "Version 4.0.1" of
    "Upgrading checklist › 10.18. Version 4.0.1 › 2.5" (a release-notes page dates what each section says), or
    the release a release-notes document's title names ("Python 3.8" of "What's New In Python 3.8"); "" when
    none does."""
    parts = title.split(SEPARATOR)
    for heading in reversed(parts[1:]):
        m = _RELEASE_HEADING.match(heading.strip())
        if m:
            return m.group("release")
    notes = _NOTES_TITLE.search(parts[0])
    return (notes.group("a") or notes.group("b")) if notes else ""


def release_label(q: Question, c: Candidate) -> str:
    """For a question asking "which version", the release that the heading of a sentence naming none names: the
    line quoting it is labelled with it ("Version 4.0.1: The extra priority has been deprecated ...")."""
    if not asks_release(q) or _names_release(c.text, set(q.terms)):
        return ""
    release = heading_release(c.passage.chunk.title)
    return release if release and _names_release(release, set(q.terms)) else ""


# a command's usage line: its name, then only placeholders, options and ellipses ("wc [OPTION]...", "[FILE]...")
_USAGE = re.compile(
    r"\s*(?:[a-z][\w.+-]*\s+)?(?:--?\w[\w-]*\s+)*(?:\[[^\]\n]*\]|[A-Z][A-Z_]{2,})(?:\.\.\.)?"
    r"(?:\s*(?:\[[^\]\n]*\]|[A-Z][A-Z_]{2,}|--?\w[\w-]*)(?:\.\.\.)?)*\s*$"
)
# only links or images, in a list item or not: "- [How to style the tabs?](../tabbed.md#styling)", "![Preview](a.png)"
_LINKS_ONLY = re.compile(r"^\s*(?:[-*+]\s+|\d{1,3}[.)]\s+)?(?:!?\[[^\]]*\](?:\([^)]*\)|\[[^\]]*\])[\s,;.]*)+$")


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
    if about_another(q, c, analysis):
        return 0.0  # "12 years" of Alfred Brown is no answer about Willingham, nor 87% in 1960 one about 1968
    if tells_of_another(q, c):
        # MPL 1.1's terms are no answer about the Apache License 2.0, nor "ipaddress was added in Python 3.3" one
        # about Python 3.4, whatever the question asks
        return 0.0
    if _LINKS_ONLY.match(c.text):
        return 0.0  # a table of contents' "- [What is the alternate style?](tabbed.md#alternate-style)" says nothing
    if _USAGE.match(c.text):
        return 0.0  # a manual's synopsis ("wc [OPTION]... [FILE]...") shows how to call, and says nothing
    if asks(c.text):
        return 0.0  # a question the text asks ("How to explain the time he spent on alchemy?") answers nothing
    if c.standalone and _HEADING_LIKE.fullmatch(c.text) and not VERSION_NOTE.search(c.text):
        return 0.0  # a heading the reader took for a paragraph ("IX.2. video environment") states nothing
    asked = set(q.terms)
    kind = q.kind
    if kind == "when" or "version" in q.focus:
        if not of_subject(q, c):
            return 0.0  # "natbib (version 8.31a)" is no version of hyperref, nor the foreign keys' release of iif()
        notes = VERSION_NOTE.findall(c.text)
        if notes:  # "New in version 3.9.": software documents date a change by its release
            wanted = set(q.verb_lemmas) | asked
            return 1.0 if any(_NOTE_VERBS[n.lower()] & wanted for n in notes) else 0.5
    if asks_release(q) and not _names_release(c.text, asked) and not release_label(q, c):
        return 0.0  # "which release added the trigram tokenizer": a sentence naming no release can't answer it
    if kind == "when":
        found = c.event_dates()
        if q.exact_day and not any(m.precision == "day" and (m.value or not q.calendar_date) for m in found):
            return 0.0  # "when exactly": "later this year" is no answer, nor "on Sunday" for "on what date"
        if require_event and q.verbs and not event_matched(q, c, analysis, matcher):
            return 0.0  # the date must be of the asked event ("agreed"), not of another one in the same passage
        if any(m.value for m in found):
            return 1.0
        if found:
            return 0.5
        return 0.3 if any(e.label in entities.TIME for e in analysis.entities) else 0.0
    if kind == "number":
        return number_fit(q, c, analysis, matcher)
    if kind == "why":
        if _BECAUSE.search(c.text):
            return 1.0
        if _purpose(analysis):
            return 0.8
        if _WEAK_CAUSE.search(c.text):
            return 0.5
        # A reason is often given without "because" ("Exceptional performance can't be trained"): the marks rank
        # a sentence higher, their absence doesn't rule it out; but a sentence that only restates the question
        # ("the ministry declined to comment" for "why did it refuse to comment") gives no reason.
        return 0.0 if _echoes(c.text, asked) else 0.3
    if kind == "yesno":
        if q.alternatives:  # "audio or video?": the sentence must name one of them
            have = set(lexical.terms(c.text))
            return 1.0 if any(alt and set(alt) <= have for alt in q.alternatives) else 0.0
        return 0.0 if _UNKNOWN.search(c.text) else 1.0
    if kind == "other":
        if _echoes(c.text, asked) and not (c.following and c.text.rstrip().endswith(":")):
            return 0.3  # restates the question, unless it introduces what answers it ("The order of merging is:")
        return 1.0 if not q.defined or defines(c.text, q.defined) else DEFINITION_UNSTATED
    best = 0.0
    leads: list[str] = []
    if _asks_speaker(q):  # "who put out the account": whoever the sentence has saying it ("..., the Kremlin said")
        for speaker in _speakers(c.text, analysis):
            if set(lexical.terms(speaker)) - set(q.terms) - _SAYING:
                c.answers.add(speaker)
                leads.append(speaker)
                best = 1.5
    for e in analysis.entities:
        if not novel(e.text, q):
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
        e.label == "PERSON" and novel(e.text, q) and _beside(analysis, e, roles, matcher, apposed=True)
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
        if not novel(run.text, q) or any(e.start <= run.start and run.end <= e.end for e in analysis.entities):
            continue
        before = c.text[max(0, run.start - 40) : run.start]
        if q.kind == "where":
            weight = 0.9 if _LOCATIVE.search(before) else 0.0
        elif q.kind == "who":  # two names or more, each shaped as one ("\\documentclass[...]{revtex4 -" is code)
            named = len(run.text.split()) >= 2 and all(map(_name_shaped, run.text.split()))
            weight = 0.8 if named and not _LOCATIVE.search(before) else 0.0
        else:
            weight = 0.8
        if weight:
            c.answers.add(run.text)
            best = max(best, weight)
    return best


def _name_shaped(word: str) -> bool:
    """Whether a word could be part of a person's name: capitalised letters, with an apostrophe, a hyphen or a
    closing full stop ("O'Brien", "Al-Hashemi", "J."), not code ("{revtex4")."""
    parts = [p for p in re.split(r"['’-]", word.removesuffix(".")) if p]
    return bool(parts) and word[0].isupper() and all(p.isalpha() for p in parts)


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


def event_matched(q: Question, c: Candidate, analysis: Analysis, matcher: TermMatcher) -> bool:
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
