"""Finding, parsing and resolving date mentions in article text (English)."""

from __future__ import annotations

import re
from collections.abc import Callable
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
_ANY_MON = _MON.replace("(?P<mon>", "(?:")
# "from 23 June to 9 July 2016", "June 23-25, 2016": the day that opens a range takes the year that closes it
_RANGE_END = re.compile(
    r"\s*(?:to|until|till|through|and|[-–—])\s*(?:\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?" + _ANY_MON + r"|" + _ANY_MON
    + r"\s+\d{1,2}(?:st|nd|rd|th)?|\d{1,2}(?:st|nd|rd|th)?),?\s+(?P<y>\d{4})\b",
    re.I,
)
_NAMED_MONTH = re.compile(r"\b" + _MON, re.I)
_MONTH_YEAR = re.compile(r"\b" + _MON + r",?\s+(?:of\s+)?(?P<y>\d{4})\b", re.I)  # "May 1998", "May of 1998"
_WEEKDAY = re.compile(r"\b(?:on|last|this)?\s*(?P<wd>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b", re.I)
_BARE_MONTH = re.compile(
    r"\b(?:in|since|until|by|early|late|mid|end of|beginning of)\s+(?P<mon>January|February|March|April|May|June|July|"
    r"August|September|October|November|December)\b(?!,?\s+(?:of\s+)?\d{4})",
    re.I,
)
_RELATIVE = re.compile(
    r"\b(?P<rel>last|next|this|previous) (?P<unit>week|month|year)\b|\b(?P<ly>late|early) last year\b", re.I
)
_YEAR = re.compile(r"\b(?:19[5-9]\d|20\d\d)\b")
_PART = re.compile(
    r"\b(?P<part>(?:at |by |towards? )?the (?:end|beginning|start|middle) of|late|early|mid-?)\s*$", re.I
)
_COUNT = (
    r"(?P<n>a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|\d{1,3}|a couple of|a few|several)"
)
_OFFSET = re.compile(
    r"\b" + _COUNT + r"\s+(?P<unit>day|week|month|year)s?\s+(?P<dir>earlier|later|ago|before|after|previously)\b",
    re.I,
)
_NEIGHBOUR = re.compile(
    r"\bthe (?P<which>following|next|previous|preceding) (?P<unit>day|week|month|year)\b|"
    r"\bthe (?P<unit2>day|week) (?P<dir>before|after)\b(?!\s+(?:the|a|an|his|her|its|their)\b)",
    re.I,
)
_NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "a couple of": 2, "a few": 3, "several": 3,
}
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
    precision: str  # "day", "week", "month" or "year"
    part: str = ""  # "early", "mid" or "late" for a part of a month ("at the end of September 2015")
    from_anchor: bool = False  # counted from a date outside the text ("a day earlier" than the one before)


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


def _part(text: str, start: int) -> tuple[str, int]:
    """The part of a month named just before ``start`` ("at the end of", "late"...) and where it begins."""
    m = _PART.search(text[max(0, start - 30) : start])
    if not m:
        return "", start
    word = m.group("part").lower()
    part = "late" if ("end" in word or "late" in word) else "early" if re.search(r"beginning|start|early", word) else "mid"
    return part, max(0, start - 30) + m.start()


_PART_DAY = {"early": 5, "mid": 15, "late": 28}


def _shift(value: date, n: int, unit: str) -> date | None:
    if unit in ("day", "week"):
        return value + timedelta(days=n * (7 if unit == "week" else 1))
    months = value.year * 12 + value.month - 1 + n * (12 if unit == "year" else 1)
    return _mk(months // 12, months % 12 + 1, min(value.day, 28))


def _offset_mention(
    m: re.Match[str], n: int, unit: str, base: DateMention | None, sign: int, approximate: bool
) -> DateMention:
    """A date stated as an offset from ``base`` ("a day earlier" than September 26)."""
    if base is None or base.value is None:
        return DateMention(m.start(), m.end(), m.group(0), None, "day")
    value = _shift(base.value, sign * n, unit)
    precision = {"day": "day", "week": "day", "month": "month", "year": "year"}[unit]
    if precision == "day" and base.precision != "day":
        precision = base.precision  # "days before the end of September 2015": still late September
    part = base.part if precision == "month" else ""
    if value and precision == "day" and approximate:
        precision, part = "month", "early" if value.day <= 10 else "mid" if value.day <= 20 else "late"
    elif value and precision == "month" and unit == "day" and not part:
        part = "early" if value.day <= 10 else "mid" if value.day <= 20 else "late"
    return DateMention(m.start(), m.end(), m.group(0), value, precision, part, base.from_anchor)


def _offsets(text: str, out: list[DateMention], doc_date: date | None, anchor: date | None, free: Callable[[int, int], bool]) -> list[DateMention]:
    """Dates given relative to another: "a day earlier", "two days before the address", "the following day".

    "Earlier"/"later" count from the latest date stated before them (in the text, else ``anchor``); "ago" from
    the document's date. "N days before <event>" dates the event N days after a date stated before it, or the
    main clause N days before a date stated after it.
    """
    found: list[DateMention] = []
    known = [d for d in out if d.value]
    anchor_mention = DateMention(0, 0, "", anchor, "day", from_anchor=True) if anchor else None
    doc_mention = DateMention(0, 0, "", doc_date, "day") if doc_date else None

    def before(pos: int) -> DateMention | None:
        earlier = [d for d in known if d.end <= pos]
        return earlier[-1] if earlier else anchor_mention

    for m in _OFFSET.finditer(text):
        if not free(m.start(), m.end()):
            continue
        word = m.group("n").lower()
        n = int(word) if word.isdigit() else _NUMBERS[word]
        approximate = word in ("a couple of", "a few", "several")
        unit, direction = m.group("unit").lower(), m.group("dir").lower()
        if direction == "ago":
            found.append(_offset_mention(m, n, unit, doc_mention, -1, approximate))
        elif direction in ("earlier", "previously", "later"):
            found.append(_offset_mention(m, n, unit, before(m.start()), 1 if direction == "later" else -1, approximate))
        else:
            later = [d for d in known if d.start >= m.end()]
            sign = -1 if direction == "before" else 1
            if later:
                found.append(_offset_mention(m, n, unit, later[0], sign, approximate))
            else:
                found.append(_offset_mention(m, n, unit, before(m.start()), -sign, approximate))
    for m in _NEIGHBOUR.finditer(text):
        if not free(m.start(), m.end()):
            continue
        unit = (m.group("unit") or m.group("unit2")).lower()
        which = (m.group("which") or m.group("dir")).lower()
        sign = 1 if which in ("following", "next", "after") else -1
        found.append(_offset_mention(m, 1, unit, before(m.start()), sign, False))
    return found


def mentions(
    text: str, doc_date: date | None, exact_date: bool = True, anchor: date | None = None
) -> list[DateMention]:
    """Date mentions in ``text``, resolved against the document's date where they lack a year.

    Weekdays ("on Saturday") resolve only when ``exact_date``: an inferred date only bounds the year.
    ``anchor`` is the latest date stated just before ``text`` (in the previous sentence), from which "a day
    earlier" or "the following day" count.
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
            if end := _RANGE_END.match(text, m.end()):
                named = _NAMED_MONTH.search(end.group(0))
                closing = MONTHS[named.group("mon").lower().rstrip(".")] if named else month
                year = int(end.group("y"))
                value = _mk(year - 1 if month > closing else year, month, int(m.group("d")))
            elif doc_date:
                value = _mk(doc_date.year, month, int(m.group("d")))
                if value and value > doc_date + timedelta(days=31):
                    value = _mk(doc_date.year - 1, month, int(m.group("d")))
            out.append(DateMention(m.start(), m.end(), m.group(0), value, "day"))
            taken.append((m.start(), m.end()))
    for m in _MONTH_YEAR.finditer(text):
        if free(m.start(), m.end()):
            month = MONTHS[m.group("mon").lower().rstrip(".")]
            part, begin = _part(text, m.start())
            value = _mk(int(m.group("y")), month, _PART_DAY.get(part, 1))
            out.append(DateMention(begin, m.end(), text[begin : m.end()], value, "month", part))
            taken.append((begin, m.end()))
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
            taken.append((m.start(), m.end()))
    out.sort(key=lambda d: d.start)
    out += _offsets(text, out, doc_date if exact_date else None, anchor, free)
    return sorted(out, key=lambda d: d.start)


def resolved(text: str, doc_date: date | None, exact_date: bool = True, anchor: date | None = None) -> list[str]:
    """Every date of ``text`` that resolves, spelled out ("late September 2015", "26 September 2015")."""
    return [human(m.value, m.precision, m.part) for m in mentions(text, doc_date, exact_date, anchor) if m.value]


def spell_out(text: str, doc_date: date | None, exact_date: bool = True, anchor: date | None = None) -> str:
    """``text`` with the dates it leaves relative spelled out: "on September 26" -> "... (26 September 2015)"."""
    out, last = [], 0
    for m in mentions(text, doc_date, exact_date, anchor):
        if m.value is None or (m.precision == "year" and m.text.isdigit()) or full_dates(m.text):
            continue
        spelled = human(m.value, m.precision, m.part)
        if m.precision in ("month", "year") and spelled.split(" ", 1)[-1] in text:
            continue  # "a couple of days before ... the end of September 2015" already says when
        out.append(text[last : m.end] + f" ({spelled})")
        last = m.end
    out.append(text[last:])
    return "".join(out)


def human(value: date, precision: str = "day", part: str = "") -> str:
    """``26 September 2015``, ``late September 2015``, ``September 2015`` or ``2015``."""
    if part:
        return f"{part} {value.strftime('%B %Y')}"
    if precision == "year":
        return str(value.year)
    if precision == "week":
        return f"the week of {value.day} {value.strftime('%B %Y')}"
    if precision == "month":
        return value.strftime("%B %Y")
    return f"{value.day} {value.strftime('%B %Y')}"


TIMELINE_DATES = 4  # a text stating at least this many dates ...
TIMELINE_SPAN_DAYS = 3 * 365  # ... over more than this many days tells events over years: no date of its own


def infer_date(texts: list[str]) -> date | None:
    """A publication date for undated text: the latest full date mentioned, moved forward to the latest
    year-less day ("on September 1") that falls after it. Month-year mentions only anchor such days. A text
    whose dates run over years (a history, a changelog) has none.
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
    if len(anchors) >= TIMELINE_DATES and (max(anchors) - min(anchors)).days > TIMELINE_SPAN_DAYS:
        return None  # a history, a changelog: dates over many years tell no one date the text was written
    anchor = max(anchors)
    best = max(full) if full else None
    for month, day in days:
        for year in (anchor.year, anchor.year + 1):
            candidate = _mk(year, month, day)
            if candidate and candidate >= anchor:
                best = max(best, candidate) if best else candidate
                break
    return best
