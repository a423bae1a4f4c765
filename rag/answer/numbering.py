"""Citation numbers across the parts of a compound answer: a span quoted once keeps one number, and a later part
drops the sentences an earlier part already quoted."""

from __future__ import annotations

import re

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
            text = re.sub(rf"\s*{re.escape(c.quote)}\s*\[{c.n}\]", "", text, count=1).strip()
    used = {int(n) for n in re.findall(r"\[(\d+)\]", text)}
    return text, [c for c in cites if c.n in used]


_MARKS = re.compile(r"(?<=\s)(?:\[\d+\])+")  # " [1][2]": the markers follow a space; "heap[0]" is quoted code


def renumbered(text: str, renumber: dict[int, int]) -> str:
    """``text`` with its citation markers renumbered (a part's [1] is the whole answer's [3])."""

    def marks(m: re.Match[str]) -> str:
        return "".join(f"[{renumber.get(int(n), int(n))}]" for n in re.findall(r"\d+", m.group(0)))

    return _MARKS.sub(marks, text)
