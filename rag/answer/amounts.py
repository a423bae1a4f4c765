"""Amounts: whether a sentence gives the number a "how many", "how much", "how long" or "how often" question asks
for, beside the noun it counts or the measure it gives ("more than 240,000 people", "3700 kbytes of memory",
"every 12 months")."""

from __future__ import annotations

import re

from rag.answer.candidates import Candidate
from rag.answer.matching import TermMatcher
from rag.answer.question import Question
from rag.text import entities, lexical
from rag.text.entities import Analysis, Word

COUNTED_NOUN = 0.6  # a counted noun this similar to the asked one may stand for it ("vessels" for "ships")


_LENGTH = re.compile(
    r"^how long (?:(?:is|are|was|were) (?!.*\b(?:last|lasted|take|took|go(?:ing)? on|been|held|run)\b)|"
    r"(?:may|can|must|should|could|might|will) (?!.*\b(?:last|take|wait|stay|remain|run)\b).*\bbe"
    r"(?:\W*$|\s+(?:under|in|according to|per)\b))",  # "How long may a cover text be under the licence?"
    re.I,
)
# A size counted in units ("76 bytes", "45 characters"), which the recogniser tags as a bare number.
_SIZE = re.compile(
    r"\b\d[\d,.]*[\s-]*(?:characters?|chars?|(?:[kmgt]i?)?bytes?|[kmgt]i?b|kilobytes?|megabytes?|gigabytes?|bits?|lines?|words?|"
    r"pages?|digits?|letters?|columns?|rows?|entries|items?|elements?|points?|pt|pixels?|px|mm|cm|inch(?:es)?|"
    r"feet|foot|ft|(?:kilo|centi|milli)?met(?:re|er)s?|km|miles?)\b",
    re.I,
)

# "How much disk space do I need?" answered by an amount given against another ("at least equal to the sum of the
# table size and the index sizes", "twice the size of the table"), with no number in it.
_HOW_MUCH = re.compile(r"\bhow much\b", re.I)
_RELATIVE_AMOUNT = re.compile(
    r"\b(?:equal to|the sum of|twice|double|triple|half (?:of|the|as)|the same (?:amount|size) as|as (?:much|large|"
    r"big) as|proportional to|\w+ times (?:as|the))\b",
    re.I,
)
RELATIVE_FIT = 0.8  # below a sentence that gives the number itself


_DURATION = re.compile(
    r"\b(?:\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|several|few|couple|half|"
    r"following|next|previous|preceding)\b\)?(?:\s*\(\d+\))?[\w\s-]*?\b(?:second|minute|hour|day|week|month|year|decade|"
    r"centur)|"  # "twelve (12) months", as contracts write it
    r"\b\w+-(?:day|week|month|year)\b",
    re.I,
)


_NUMBER_OF = re.compile(r"\bnumber of ((?:[\w-]+\s+){0,3}[\w-]+)", re.I)


# "the last $HISTSIZE commands (default 500)", "print NUM lines (default 10)", "N lines of output (default 300)": a
# count written as a name, then its default
_COUNT_DEFAULT = re.compile(
    r"([\w-]+)(?:\s+of\s+[\w-]+)?\s+\(\s*(?:the\s+)?default(?:\s+is|\s+value|\s*:)?\s+\d", re.I
)


def _numbered_after(text: str, focus: str, counted: list[Word]) -> bool:
    """Whether the sentence gives "the number of" the asked-for things and then a number ("The number of
    simultaneously attached databases is limited to ..., which is set to 10 by default"), or counts them with a
    name and gives its default in brackets ("the last $HISTSIZE commands (default 500)")."""
    for m in _NUMBER_OF.finditer(text):
        if focus in lexical.terms(m.group(1)) and any(w.start >= m.end() for w in counted):
            return True
    return any(focus in lexical.terms(m.group(1)) for m in _COUNT_DEFAULT.finditer(text))


_NOT_A_YEAR = re.compile(r"\d{1,3}|\d{5,}|\d{1,3}(?:,\d{3})+")  # "10000", "350": numbers the tagger may read as dates


_RANGE = re.compile(r"\d+(?:[.,]\d+)?[–—]\d+(?:[.,]\d+)?")  # "50–100": one word to the tagger, which calls it a name


def _numeral(w: Word) -> bool:
    """Whether a word is a number: one the tagger calls a number, of digits ("42", "1.5") or a number word
    ("three"), not an option or a quote mark it mistook for one ("--warc", "'"); or a range set with a dash."""
    if _RANGE.fullmatch(w.text):
        return True
    return w.pos == "NUM" and (any(ch.isdigit() for ch in w.text) or w.text.isalpha())


# "How often ...?" asks for a frequency: "every 12 months", "twice a day", "daily", "3 times per hour"
_HOW_OFTEN = re.compile(r"\bhow often\b", re.I)
_FREQUENCY = re.compile(
    r"\b(?:every|each|per|a|an|once|twice|thrice|times)\s+(?:[\w-]+\s+)?(?:second|minute|hour|day|night|week|fortnight|"
    r"month|quarter|year|decade|release|cycle)s?\b|\b(?:hourly|daily|nightly|weekly|fortnightly|monthly|quarterly|"
    r"yearly|annually|annual|biannual)\b",
    re.I,
)


def number_fit(q: Question, c: Candidate, analysis: Analysis, matcher: TermMatcher) -> float:
    """How well the sentence gives the amount asked for: 1.0 for a number beside the counted noun or a measure, a
    duration for "how long", a frequency for "how often"; 0.25 for a number of something else; 0.0 for none."""
    if _HOW_OFTEN.search(q.text):
        return 1.0 if _FREQUENCY.search(c.text) else 0.0  # "release 11" tells no frequency
    asked = set(q.terms)
    numbers = [
        e for e in analysis.entities if e.label in entities.NUMBER and not set(lexical.terms(e.text)) <= asked
    ]
    durations = [e.text for e in analysis.entities if e.label in entities.TIME and _DURATION.search(e.text)]
    durations += [m.text for m in c.dates() if _DURATION.search(m.text)]
    words = analysis.words
    # "10000" tagged a date is a number: only a bare number of four digits can be a year
    in_dates = [(e.start, e.end) for e in analysis.entities if e.label in entities.TIME and not _NOT_A_YEAR.fullmatch(e.text)]
    counted = [
        w
        for w in words
        if (_numeral(w) or w.text.lower() in ("twice", "once", "thrice"))
        and w.text not in asked
        and not any(a <= w.start < b for a, b in in_dates)
    ]
    if not numbers and not counted and not durations and not re.search(r"\bhow (?:long|old)\b", q.text, re.I):
        return RELATIVE_FIT if _HOW_MUCH.search(q.text) and _RELATIVE_AMOUNT.search(c.text) else 0.0
    if _LENGTH.search(q.text):  # "how long is the border": a length, not a duration
        return 1.0 if any(e.label == "QUANTITY" for e in analysis.entities) or _SIZE.search(c.text) else 0.0
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
        if not _numeral(w) and w.text.lower() not in ("twice", "once", "thrice"):
            continue
        if set(lexical.terms(w.text)) & asked:
            continue  # "how many of the 2,000 fighters": the 2,000 is the question's, not the answer
        for k, nxt in enumerate(words[i + 1 : i + 5], i + 1):
            terms = lexical.terms(nxt.text)
            same = focus in terms
            if same and words[k - 1].tag == "HYPH" and k + 1 < len(words) and words[k + 1].pos == "NOUN":
                break  # "a 329-seat parliament" counts the parliament's seats, not the asked-for ones
            if not same and nxt.pos == "NOUN" and k + 2 < len(words) and words[k + 1].text.lower() == "of":
                same = focus in lexical.terms(words[k + 2].text)  # "3700 kbytes of memory": a measure of it
            if not same and nxt.pos == "NOUN" and terms and not distinguished:
                sims = matcher.embedder.embed([q.words.get(focus, focus), nxt.text.lower()])
                same = float(sims[0] @ sims[1]) >= COUNTED_NOUN
            if same:
                begin = next((e.start for e in numbers if e.start <= w.start < e.end), w.start)
                c.lead = c.text[begin : nxt.start + len(nxt.text)]  # "more than 240,000 people"
                return 1.0
            if nxt.pos == "NOUN" and not (k + 1 < len(words) and words[k + 1].pos == "NOUN"):
                break  # the counted noun is the last of a compound: "1000 software packages" counts packages
    if _numbered_after(c.text, focus, counted):
        return 1.0  # "the number of attached databases is limited to ..., which is set to 10 by default"
    return 0.25  # a number, but not of the thing asked about


_MEASURES = frozenset(
    lexical.stems(
        "toll tally total number figure count amount sum size level rate share cost price value budget uid gid status code".split()
    )
)
