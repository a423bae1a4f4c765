"""Time between two events ("How many years passed between the pact and the meeting?"), worked out from the
dates the documents give for each event. Used by the offline answerer; an LLM does its own arithmetic."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date

from rag.records import Citation
from rag.text import dates

_BETWEEN = re.compile(
    r"^\s*(?:how\s+(?:many|much)\s+(?P<unit>years?|months?|weeks?|days?|time)|how\s+long)\b"
    r"(?P<verb>[^?]*?)\bbetween\s+(?P<a>.+?)\s+and\s+(?P<b>.+?)\s*\??\s*$",
    re.I,
)
# "How many years passed between A and B" asks for elapsed time; "How many days of talks were there between A
# and B" does not.
_ELAPSED = re.compile(r"^\s*(?:(?:have|has|had)\s+)?(?:passed|elapsed|gone\s+by|went\s+by|lapsed|separated?|"
                      r"(?:was|were|is|are)\s+(?:there|it))?\s*$", re.I)
_DAYS = {"year": 365.25, "month": 30.44, "week": 7.0, "day": 1.0}

DateOf = Callable[[str], "tuple[dates.DateMention, list[Citation]] | None"]


@dataclass(frozen=True)
class Interval:
    """A question about the time between two events: the unit asked for (or "" for "how long") and the events."""

    unit: str
    first: str
    second: str


def parse(question: str) -> Interval | None:
    """The two events of "how long/how many years ... between A and B", or None for any other question."""
    m = _BETWEEN.match(question)
    if not m or not _ELAPSED.match(m.group("verb")):
        return None
    unit = (m.group("unit") or "").lower().rstrip("s")
    return Interval("" if unit == "time" else unit, m.group("a").strip(" ,"), m.group("b").strip(" ,"))


def _middle(m: dates.DateMention) -> date:
    """The date a mention stands for, taken in the middle of its span ("2015" -> 1 July 2015)."""
    assert m.value is not None
    if m.precision == "year":
        return date(m.value.year, 7, 1)
    if m.precision == "month" and not m.part:
        return m.value.replace(day=15)
    return m.value


def _amount(days: float, unit: str, exact: bool) -> str:
    """"3 years", "about 3 years", "about 2.5 years", "7 days"."""
    chosen = unit
    if not unit:  # "how long": in the largest unit that fits, rounded to whole ones
        unit = "day" if exact and days < 60 else "year" if days >= 330 else "month" if days >= 60 else "week"
    value = days / _DAYS[unit]
    whole = round(value)
    if exact and unit == "day":
        text = str(whole)
    elif (abs(value - whole) <= 0.25 and whole >= 1) or value >= 10 or not chosen:
        text = f"about {whole}"
    else:
        text = f"about {value:.1f}".replace(".0", "")
    plural = "" if text.endswith(" 1") or text == "1" else "s"
    return f"{text} {unit}{plural}"


def answer(interval: Interval, date_of: DateOf) -> tuple[str, list[Citation]] | None:
    """The time between the two events, with the dates and the sentences that give them; None unless the
    documents date both events."""
    found = [date_of(f"When was {event}?") for event in (interval.first, interval.second)]
    if any(f is None for f in found):
        return None
    (m1, c1), (m2, c2) = found  # type: ignore[misc]
    same = (c1[0].source, c1[0].start, m1.start) == (c2[0].source, c2[0].start, m2.start)
    if m1.value is None or m2.value is None or same:
        return None  # one date for both events: the question's two events were not told apart
    days = abs((_middle(m2) - _middle(m1)).days)
    exact = m1.precision == m2.precision == "day"
    cited: list[Citation] = []
    marks: list[str] = []
    for group in (c1, c2):  # a sentence that dates both events is cited once
        numbers = []
        for c in group:
            twin = next((d for d in cited if (d.source, d.start, d.end) == (c.source, c.start, c.end)), None)
            if twin is None:
                twin = replace(c, n=len(cited) + 1)
                cited.append(twin)
            numbers.append(twin.n)
        marks.append("".join(f"[{n}]" for n in numbers))
    marks1, marks2 = marks
    both = "".join(f"[{c.n}]" for c in cited)
    amount = _amount(days, interval.unit, exact)
    text = (
        f"{_capital(amount)} {both}. "
        f"{_capital(interval.first)}: {dates.human(m1.value, m1.precision, m1.part)} {marks1}. "
        f"{_capital(interval.second)}: {dates.human(m2.value, m2.precision, m2.part)} {marks2}."
    )
    return text, cited


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


_AMOUNT = re.compile(r"^(?P<about>about\s+)?(?P<n>\d+(?:\.\d)?)\s+(?P<unit>year|month|week|day)s?\W*$", re.I)


def supports(claim: str, mentions: list[dates.DateMention]) -> bool:
    """Whether dates of the cited text lie the claimed time apart ("About 3 years": late September 2015 and
    1 September 2018), allowing for the rounding that "about" admits."""
    m = _AMOUNT.match(claim.strip())
    if not m:
        return False
    wanted, unit = float(m.group("n")), m.group("unit").lower()
    slack = 0.5 if m.group("about") else 0.01
    found = [x for x in mentions if x.value]
    for i, a in enumerate(found):
        for b in found[i + 1 :]:
            apart = abs((_middle(b) - _middle(a)).days) / _DAYS[unit]
            if abs(apart - wanted) <= slack:
                return True
    return False
