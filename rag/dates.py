"""Finding, parsing and resolving date mentions in article text (English)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ]
    )
    for m in names
}
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]

_MON = r"(?P<mon>Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
_FULL_PATTERNS = [
    re.compile(r"\b(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})\b"),
    re.compile(r"\b(?P<d>\d{1,2})(?:st|nd|rd|th)?\s+" + _MON + r",?\s+(?P<y>\d{4})\b", re.I),
    re.compile(r"\b" + _MON + r"\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y>\d{4})\b", re.I),
]
_MONTH_DAY = re.compile(r"\b" + _MON + r"\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?\b(?!,?\s+\d{4})", re.I)
_DAY_MONTH = re.compile(r"\b(?P<d>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MON + r"\b(?!,?\s+\d{4})", re.I)
_MONTH_YEAR = re.compile(r"\b" + _MON + r",?\s+(?P<y>\d{4})\b", re.I)
_WEEKDAY = re.compile(r"\b(?:on|last|this)?\s*(?P<wd>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b", re.I)
_BARE_MONTH = re.compile(
    r"\b(?:in|since|until|by|early|late|mid|end of|beginning of)\s+(?P<mon>January|February|March|April|May|June|July|"
    r"August|September|October|November|December)\b(?!,?\s+\d{4})",
    re.I,
)
_RELATIVE = re.compile(
    r"\b(?P<rel>last|next|this|previous) (?P<unit>week|month|year)\b|\b(?P<ly>late|early) last year\b", re.I
)
_YEAR = re.compile(r"\b(?:19[5-9]\d|20\d\d)\b")
DATE_WORDS = re.compile(
    r"\b(?:19[5-9]\d|20\d\d|Jan(?:uary)?|Feb(?:ruary)?|March|April|May|June|July|Aug(?:ust)?|Sept?(?:ember)?|"
    r"Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|"
    r"yesterday|today|last (?:week|month|year)|earlier|later)\b",
    re.I,
)


@dataclass(frozen=True)
class DateMention:
    """A date expression found in text, with what it resolves to when known."""

    start: int
    end: int
    text: str
    value: date | None
    precision: str  # "day", "month" or "year"


def _mk(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def full_dates(text: str) -> list[DateMention]:
    """Every complete day-month-year date in ``text``."""
    out: list[DateMention] = []
    for pat in _FULL_PATTERNS:
        for m in pat.finditer(text):
            g = m.groupdict()
            month = int(g["m"]) if g.get("m") else MONTHS[g["mon"].lower().rstrip(".")]
            value = _mk(int(g["y"]), month, int(g["d"]))
            if value:
                out.append(DateMention(m.start(), m.end(), m.group(0), value, "day"))
    return sorted(out, key=lambda d: d.start)


def parse_timestamp_line(line: str) -> date | None:
    """The date of a line that is only a timestamp (``Sat, 2018-09-01 16:07``), else None."""
    found = full_dates(line)
    if not found:
        m = _MONTH_YEAR.fullmatch(line.strip())
        if m:  # "July 2010" alone on a line: a dateline to the month
            return _mk(int(m.group("y")), MONTHS[m.group("mon").lower().rstrip(".")], 1)
        return None
    rest = line
    for d in found:
        rest = rest.replace(d.text, " ")
    rest = re.sub(
        r"\b(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\b|\d{1,2}:\d{2}(?::\d{2})?|[,•|\-\s]|\b(?:am|pm|utc|gmt)\b",
        "",
        rest,
        flags=re.I,
    )
    rest = re.sub(r"\b(?:published|updated|posted|last|on|at)\b:?", "", rest, flags=re.I)
    return found[0].value if len(rest) <= 3 else None


def mentions(text: str, doc_date: date | None, exact_date: bool = True) -> list[DateMention]:
    """Date mentions in ``text``, resolved against the document's date where they lack a year.

    Weekdays ("on Saturday") resolve only when ``exact_date``: an inferred date only bounds the year.
    """
    found = full_dates(text)
    taken = [(d.start, d.end) for d in found]

    def free(a: int, b: int) -> bool:
        return all(b <= s or a >= e for s, e in taken)

    out = list(found)
    for pat in (_MONTH_DAY, _DAY_MONTH):
        for m in pat.finditer(text):
            if not free(m.start(), m.end()):
                continue
            month = MONTHS[m.group("mon").lower().rstrip(".")]
            value = None
            if doc_date:
                value = _mk(doc_date.year, month, int(m.group("d")))
                if value and value > doc_date + timedelta(days=31):
                    value = _mk(doc_date.year - 1, month, int(m.group("d")))
            out.append(DateMention(m.start(), m.end(), m.group(0), value, "day"))
            taken.append((m.start(), m.end()))
    for m in _MONTH_YEAR.finditer(text):
        if free(m.start(), m.end()):
            month = MONTHS[m.group("mon").lower().rstrip(".")]
            out.append(DateMention(m.start(), m.end(), m.group(0), _mk(int(m.group("y")), month, 1), "month"))
            taken.append((m.start(), m.end()))
    for m in _WEEKDAY.finditer(text):
        if free(m.start("wd"), m.end("wd")):
            value = None
            if doc_date and exact_date:
                back = (doc_date.weekday() - WEEKDAYS.index(m.group("wd").lower())) % 7
                value = doc_date - timedelta(days=back)
            out.append(DateMention(m.start("wd"), m.end("wd"), m.group("wd"), value, "day"))
            taken.append((m.start("wd"), m.end("wd")))
    for m in _BARE_MONTH.finditer(text):
        if free(m.start("mon"), m.end("mon")):
            month = MONTHS[m.group("mon").lower()]
            value = None
            if doc_date:
                year = doc_date.year if month <= doc_date.month else doc_date.year - 1
                value = _mk(year, month, 1)
            out.append(DateMention(m.start("mon"), m.end("mon"), m.group("mon"), value, "month"))
            taken.append((m.start("mon"), m.end("mon")))
    for m in _RELATIVE.finditer(text):
        if not free(m.start(), m.end()):
            continue
        value, precision = None, "year"
        if doc_date:
            unit = (m.group("unit") or "year").lower()
            step = {"last": -1, "previous": -1, "next": 1, "this": 0}.get((m.group("rel") or "last").lower(), -1)
            if unit == "month":
                month_index = doc_date.year * 12 + doc_date.month - 1 + step
                value, precision = _mk(month_index // 12, month_index % 12 + 1, 1), "month"
            elif unit == "week":
                value, precision = doc_date + timedelta(weeks=step), "week"
            else:
                value = _mk(doc_date.year + step, 1, 1)
        out.append(DateMention(m.start(), m.end(), m.group(0), value, precision))
        taken.append((m.start(), m.end()))
    for m in _YEAR.finditer(text):
        if free(m.start(), m.end()):
            out.append(DateMention(m.start(), m.end(), m.group(0), _mk(int(m.group(0)), 1, 1), "year"))
    return sorted(out, key=lambda d: d.start)


def human(value: date, precision: str = "day") -> str:
    """``26 September 2015``, ``September 2015`` or ``2015``."""
    if precision == "year":
        return str(value.year)
    if precision == "week":
        return f"the week of {value.day} {value.strftime('%B %Y')}"
    if precision == "month":
        return value.strftime("%B %Y")
    return f"{value.day} {value.strftime('%B %Y')}"


def infer_date(texts: list[str]) -> date | None:
    """A publication date for undated text: the latest full date mentioned, moved forward to the latest
    year-less day ("on September 1") that falls after it. Month-year mentions only anchor such days.
    """
    full = [d.value for t in texts for d in full_dates(t) if d.value]
    months = [
        _mk(int(m.group("y")), MONTHS[m.group("mon").lower().rstrip(".")], 1)
        for t in texts
        for m in _MONTH_YEAR.finditer(t)
    ]
    days = [
        (MONTHS[m.group("mon").lower().rstrip(".")], int(m.group("d")))
        for t in texts
        for pat in (_MONTH_DAY, _DAY_MONTH)
        for m in pat.finditer(t)
    ]
    anchors = [d for d in [*full, *months] if d]
    if not anchors or (not full and not days):
        return None
    anchor = max(anchors)
    best = max(full) if full else None
    for month, day in days:
        for year in (anchor.year, anchor.year + 1):
            candidate = _mk(year, month, day)
            if candidate and candidate >= anchor:
                best = max(best, candidate) if best else candidate
                break
    return best
