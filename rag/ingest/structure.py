"""Structured documents (Markdown, and HTML read by :mod:`rag.ingest.markup`): headings become section paths,
and code blocks, tables and list items stay whole blocks that are never cut into "sentences".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rag.records import Span
from rag.text.dates import infer_date

SEPARATOR = " › "

_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_SETEXT = re.compile(r"^(=+|-+)\s*$")
_FENCE = re.compile(r"^(`{3,}|~{3,})")
_LIST = re.compile(r"^\s*(?:[-*+•]|\d{1,3}[.)])\s+\S")
_TABLE = re.compile(r"^\s*\|")
_FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.S)
_INLINE_MARKS = re.compile(r"[*`]+|(?<!\w)_+|_+(?!\w)|\[([^\]]*)\]\([^)]*\)")


@dataclass
class Layout:
    """A structured document's title, content blocks (spans of its text), which blocks stay whole, and where
    each section starts (offset, "Title › Section › Subsection")."""

    title: str = ""
    blocks: list[Span] = field(default_factory=list)
    whole: list[bool] = field(default_factory=list)
    sections: list[tuple[int, str]] = field(default_factory=list)
    date: str | None = None
    date_inferred: bool = False


def _plain(heading: str) -> str:
    """A heading without Markdown emphasis or link syntax."""
    return " ".join(_INLINE_MARKS.sub(lambda m: m.group(1) or "", heading).split())


def _lines(text: str) -> list[tuple[int, int]]:
    out, pos = [], 0
    for line in text.split("\n"):
        out.append((pos, pos + len(line)))
        pos += len(line) + 1
    return out


def trim(text: str, start: int, end: int) -> Span | None:
    """``[start, end)`` without surrounding whitespace (None when nothing is left)."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span(start, end) if end > start else None


def parse(text: str) -> Layout:
    """Read ``text`` as Markdown-like blocks: headings, fenced or indented code, ``|`` tables, list items and
    paragraphs (blank-line separated)."""
    layout = Layout()
    lines = _lines(text)
    skip_to = m.end() if (m := _FRONT_MATTER.match(text)) else 0
    stack: list[tuple[int, str]] = []  # (level, heading) of the open sections
    i = 0

    def add(start: int, end: int, whole: bool) -> None:
        span = trim(text, start, end)
        if span:
            layout.blocks.append(span)
            layout.whole.append(whole)

    def heading(level: int, title: str, at: int) -> None:
        nonlocal stack
        title = _plain(title)
        if not title:
            return
        if not layout.title and level <= 2:
            layout.title = title
        stack = [(lv, t) for lv, t in stack if lv < level] + [(level, title)]
        layout.sections.append((at, SEPARATOR.join(t for _, t in stack)))

    while i < len(lines):
        start, end = lines[i]
        line = text[start:end]
        if end <= skip_to or not line.strip():
            i += 1
            continue
        if m := _HEADING.match(line):
            heading(len(m.group(1)), m.group(2), start)
            i += 1
            continue
        if i + 1 < len(lines) and _SETEXT.match(text[slice(*lines[i + 1])]) and not _LIST.match(line):
            heading(1 if text[lines[i + 1][0]] == "=" else 2, line, start)
            i += 2
            continue
        if m := _FENCE.match(line.lstrip()):
            fence, j = m.group(1), i + 1
            while j < len(lines) and not text[slice(*lines[j])].lstrip().startswith(fence):
                j += 1
            if j > i + 1:
                add(lines[i + 1][0], lines[j - 1][1], True)
            i = j + 1
            continue
        if line.startswith(("    ", "\t")):  # indented code
            j = i
            while j < len(lines) and (text[slice(*lines[j])].startswith(("    ", "\t")) or not text[slice(*lines[j])].strip()):
                j += 1
            add(start, lines[j - 1][1], True)
            i = j
            continue
        kind = "table" if _TABLE.match(line) else "item" if _LIST.match(line) else "text"
        j = i + 1
        while j < len(lines):
            nxt = text[slice(*lines[j])]
            if not nxt.strip() or _HEADING.match(nxt) or _FENCE.match(nxt.lstrip()):
                break
            if kind == "table" and not _TABLE.match(nxt):
                break
            if kind != "table" and (_LIST.match(nxt) or _TABLE.match(nxt)):
                break
            j += 1
        add(start, lines[j - 1][1], kind != "text")
        i = j
    prose = [text[b.start : b.end] for b, whole in zip(layout.blocks, layout.whole, strict=True) if not whole]
    inferred = infer_date(prose[:40])
    if inferred:
        layout.date, layout.date_inferred = inferred.isoformat(), True
    return layout


def section_at(sections: list[tuple[int, str]], offset: int) -> str:
    """The section path in force at ``offset`` ("" before the first heading)."""
    path = ""
    for at, name in sections:
        if at > offset:
            break
        path = name
    return path
