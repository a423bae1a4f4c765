"""Structured documents (Markdown, and HTML read by :mod:`rag.ingest.markup`): headings become section paths,
and code blocks, tables and list items stay whole blocks that are never cut into "sentences".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rag.records import SEPARATOR, Span
from rag.text.dates import infer_date

_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_SETEXT = re.compile(r"^(=+|-+)\s*$")
_FENCE = re.compile(r"^(`{3,}|~{3,})")
_LIST = re.compile(r"^\s*(?:[-*+•]|\d{1,3}[.)])\s+\S")
_TABLE = re.compile(r"^\s*\|")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)+\|?\s*$")  # "--- | :---:": a table without outer pipes
# "!!! note", '??? tip "Title"', "???+ warning", '=== "Tab"': an admonition or a content tab whose body is the
# indented lines that follow
_ADMONITION = re.compile(
    r"^(?:(?:!!!|\?\?\?\+?)[ \t]+[\w-]+(?:[ \t]+[\w-]+)*(?:[ \t]+\"[^\"]*\")?|===[!+]?[ \t]+\"[^\"]*\")[ \t]*$"
)
_BLOCK_OPEN = re.compile(r"^\s*/{3,}[ \t]*([\w-]+)(?:[ \t]*\|.*)?$")  # "/// tip | Title", "/// html | div.result"
_BLOCK_CLOSE = re.compile(r"^\s*/{3,}\s*$")
# a link reference definition ("[mkdocs]: https://..."), an abbreviation ("*[HTML]: ..."), an include ("--8<-- ...")
_NO_CONTENT = re.compile(r"^\s{0,3}(?:\[(?!\^)[^\]]+\]:\s*\S+(?:\s+[\"'(].*)?$|\*\[[^\]]+\]:|-{1,2}8<-{1,2})")
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
    """Read ``text`` as Markdown-like blocks: headings, fenced or indented code, tables, list items and paragraphs
    (blank-line separated).

    Extensions that docs sites use are read for what they hold: the body of an admonition (``!!! note``, indented)
    is prose, not code; the marker lines of a generic block (``/// tip | Title`` ... ``///``) are no text, and a
    ``/// html`` block (a rendered example) stays whole; link reference definitions, abbreviations and include
    lines (``[mkdocs]: https://...``, ``--8<-- "links.md"``) are no content.
    """
    layout = Layout()
    lines = _lines(text)
    skip_to = m.end() if (m := _FRONT_MATTER.match(text)) else 0
    stack: list[tuple[int, str]] = []  # (level, heading) of the open sections
    body = 0  # the indentation of the admonition body being read (0: none)
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

    def view(j: int) -> str:
        """Line ``j`` as the block it is in sees it: without the indentation of an admonition's body."""
        line = text[slice(*lines[j])]
        return line[body:] if body and _indent(line) >= body else line

    def inside(j: int) -> bool:
        """Whether line ``j`` still belongs to the admonition body being read (blank lines do)."""
        line = text[slice(*lines[j])]
        return not body or not line.strip() or _indent(line) >= body

    while i < len(lines):
        start, end = lines[i]
        if not inside(i):
            body = 0
        line = view(i)
        if end <= skip_to or not line.strip() or _NO_CONTENT.match(line):
            i += 1
            continue
        if _ADMONITION.match(line):  # the marker line goes; its body is read as prose
            body = _indent(text[start:end]) + 4
            i += 1
            continue
        if m := _BLOCK_OPEN.match(line):
            j, depth = i + 1, 1
            while j < len(lines) and depth:
                nxt = view(j)
                depth += 1 if _BLOCK_OPEN.match(nxt) else -1 if _BLOCK_CLOSE.match(nxt) else 0
                j += 1
            if m.group(1).lower() == "html":  # a rendered example: one whole block, like code
                add(lines[i + 1][0], lines[max(i + 1, j - 2)][1], True)
                i = j
            else:  # the marker line goes; the block's content is read as any other
                i += 1
            continue
        if _BLOCK_CLOSE.match(line):
            i += 1
            continue
        if m := _HEADING.match(line):
            heading(len(m.group(1)), m.group(2), start)
            i += 1
            continue
        if (
            i + 1 < len(lines)
            and _SETEXT.match(view(i + 1))
            and not _LIST.match(line)
            and "|" not in line
            and not _FENCE.match(line.lstrip())  # "```yaml" over a "---" opens code that starts with front matter
        ):
            heading(1 if view(i + 1).lstrip()[:1] == "=" else 2, line, start)
            i += 2
            continue
        if m := _FENCE.match(line.lstrip()):
            fence, j = m.group(1), i + 1
            while j < len(lines) and not view(j).lstrip().startswith(fence):
                j += 1
            if j > i + 1:
                add(lines[i + 1][0], lines[j - 1][1], True)
            i = j + 1
            continue
        if line.startswith(("    ", "\t")):  # indented code
            j = i
            while j < len(lines) and inside(j) and (view(j).startswith(("    ", "\t")) or not view(j).strip()):
                j += 1
            add(start, lines[j - 1][1], True)
            i = j
            continue
        table = _TABLE.match(line) or ("|" in line and i + 1 < len(lines) and _TABLE_RULE.match(view(i + 1)))
        kind = "table" if table else "item" if _LIST.match(line) else "text"
        j = i + 1
        while j < len(lines) and inside(j):
            nxt = view(j)
            if not nxt.strip() or _HEADING.match(nxt) or _FENCE.match(nxt.lstrip()) or _marker(nxt):
                break
            if kind == "table" and "|" not in nxt:
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


def _indent(line: str) -> int:
    """The width of ``line``'s leading whitespace (a tab counts four)."""
    stripped = line.lstrip(" \t")
    return len(line[: len(line) - len(stripped)].replace("\t", "    "))


def _marker(line: str) -> bool:
    """Whether ``line`` opens or closes an admonition or a generic block, or holds no content: it ends a paragraph."""
    return bool(_ADMONITION.match(line) or _BLOCK_OPEN.match(line) or _BLOCK_CLOSE.match(line) or _NO_CONTENT.match(line))


def section_at(sections: list[tuple[int, str]], offset: int) -> str:
    """The section path in force at ``offset`` ("" before the first heading)."""
    path = ""
    for at, name in sections:
        if at > offset:
            break
        path = name
    return path
