"""Citation numbers across the parts of a compound answer: a span quoted once keeps one number, and a later part
drops the sentences an earlier part already quoted."""

from __future__ import annotations

import re
from collections.abc import Iterable

from rag.records import Citation


def quoted(cited: dict[tuple[str, int, int], int], source: str, start: int, end: int) -> bool:
    """Whether an earlier part quoted any of ``source``'s text from ``start`` to ``end`` (a sentence alone, or with
    the block it runs on into)."""
    return any(s == source and a < end and start < b for s, a, b in cited)


def without_repeats(
    text: str, cites: list[Citation], cited: dict[tuple[str, int, int], int]
) -> tuple[str, list[Citation]]:
    """A part's answer without the sentences an earlier part already quoted ("... per second [1]" twice when both
    parts of a compound question find the same FAQ line), and the citations it still uses."""
    for c in cites:
        if quoted(cited, c.source, c.start, c.end):
            # with the markers beside its own: "... right. [1][2]" cites two spans for one sentence shown once
            text = re.sub(rf"\s*{re.escape(c.quote)}\s*(?:\[\d+\])*\[{c.n}\](?:\[\d+\])*", "", text, count=1).strip()
    used = {int(n) for m in outside_quotes(_MARKS, text, [c.quote for c in cites]) for n in re.findall(r"\d+", m[0])}
    return text, [c for c in cites if c.n in used]


_MARKS = re.compile(r"(?<=\s)(?:\[\d+\])+")  # " [1][2]": the markers follow a space; "heap[0]" is quoted code


def quoted_spans(text: str, quotes: Iterable[str]) -> list[tuple[int, int]]:
    """Where in ``text`` the answer writes its ``quotes``, each at its first place not already taken: text, not
    markers, whatever it holds (an R session's output lines open with "[1]")."""
    spans: list[tuple[int, int]] = []
    for quote in quotes:
        at = text.find(quote) if quote else -1
        while at >= 0 and any(a < at + len(quote) and at < b for a, b in spans):
            at = text.find(quote, at + 1)
        if at >= 0:
            spans.append((at, at + len(quote)))
    return sorted(spans)


def outside_quotes(pattern: re.Pattern[str], text: str, quotes: Iterable[str]) -> list[re.Match[str]]:
    """The matches of ``pattern`` in ``text`` that lie outside the quotes the answer writes."""
    spans = quoted_spans(text, quotes)
    return [m for m in pattern.finditer(text) if not any(a < m.end() and m.start() < b for a, b in spans)]


def renumbered(text: str, renumber: dict[int, int], quotes: Iterable[str] = ()) -> str:
    """``text`` with its citation markers renumbered (a part's [1] is the whole answer's [3]); a marker-like "[1]"
    inside one of its ``quotes`` is left as it is."""
    out, at = [], 0
    for m in outside_quotes(_MARKS, text, quotes):
        out += [text[at : m.start()], "".join(f"[{renumber.get(int(n), int(n))}]" for n in re.findall(r"\d+", m.group(0)))]
        at = m.end()
    return "".join([*out, text[at:]])
