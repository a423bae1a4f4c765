"""GNU Info manuals saved as text (``zcat grep.info.gz > grep.txt``): their navigation masked out and their
underlined headings the section paths.

An Info file is plain, hard-wrapped text cut into nodes by a 0x1F byte. Each node opens with a header line
("File: time.info,  Node: Redirecting,  Next: Examples,  Up: Top") and may end with a menu ("* Menu:" and lines of
"* Examples::  Examples of using 'time'."); an index node's entries are menu lines too, and the file ends with a
tag table of byte offsets. None of that is text of the manual. Headings are underlined by a row of ``*`` (a
chapter), ``=`` (a section), ``-`` (a subsection) or ``.`` (below that).

The reader keeps offsets: :func:`read` returns the text with the navigation, the headings and their underlines
blanked out (each character a space, each line end kept), so the plain-text reader's spans of it are spans of
the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.ingest import wrapped
from rag.records import SEPARATOR

_NODE = re.compile(r"^\x1f\r?\n(?=File: [^,\n]+,\s+Node: )", re.M)  # the separator a node opens with
_HEADER = re.compile(r"File: [^,\n]+,\s+Node: ")  # "File: time.info,  Node: Top,  Next: ..."
_UNDERLINE = re.compile(r"([*=\-.])\1{2,}")
LEVELS = "*=-."  # the underline of a chapter, a section, a subsection, a subsubsection


@dataclass(frozen=True)
class Info:
    """An Info file read: ``text`` with its navigation blanked out (same length, same line ends), its title, and
    (offset, "Title › Chapter › Section") where each section starts."""

    text: str
    title: str
    sections: list[tuple[int, str]]


def is_info(text: str) -> bool:
    """Whether ``text`` is a GNU Info file: nodes opened by 0x1F and a "File: ...,  Node: ..." line."""
    return _NODE.search(text) is not None


def _blank(chars: list[str], start: int, end: int) -> None:
    for i in range(start, end):
        if chars[i] not in "\r\n":
            chars[i] = " "


def _lines(text: str, start: int, end: int) -> list[tuple[int, str]]:
    out, pos = [], start
    for line in text[start:end].split("\n"):
        out.append((pos, line))
        pos += len(line) + 1
    return out


def _heading(line: str, under: str) -> int | None:
    """The level (0 for a chapter) of ``line`` when ``under`` underlines it, else None."""
    bare, rule = line.strip(), under.strip()
    if not bare or not _UNDERLINE.fullmatch(rule) or abs(len(rule) - len(line.rstrip())) > 1:
        return None
    return LEVELS.index(rule[0])


def read(text: str, fallback: str) -> Info:
    """Blank out an Info file's navigation (the front matter before the first node, node headers, menus, index
    entries, the tag table and local variables) and its headings, and read the headings as section paths under
    the manual's title (its Top node's heading, else ``fallback``)."""
    chars = list(text)
    separators = list(_NODE.finditer(text))
    if not separators:
        return Info(text, "", [])
    _blank(chars, 0, separators[0].end())  # "This is time.info, produced by makeinfo ...", the permission notice
    headings: list[tuple[int, int, str]] = []  # (offset, level, heading)
    for k, node in enumerate(separators):
        _blank(chars, node.start(), node.end())
        end = separators[k + 1].start() if k + 1 < len(separators) else len(text)
        lines = _lines(text, node.end(), end)
        in_menu = False
        for i, (pos, line) in enumerate(lines):
            if not line.strip():
                continue
            if i == 0 or in_menu or line.startswith("* Menu:") or "\x00" in line or "\x08" in line:
                in_menu = in_menu or line.startswith("* Menu:")  # a menu (an index's too) ends its node
                _blank(chars, pos, pos + len(line))
            elif i + 1 < len(lines) and (level := _heading(line, lines[i + 1][1])) is not None:
                headings.append((pos, level, line.strip()))
                _blank(chars, pos, lines[i + 1][0] + len(lines[i + 1][1]))
        if "\x1f" in text[node.end() : end]:  # the tag table and "Local Variables:" after the last node
            tail = text.index("\x1f", node.end(), end)
            _blank(chars, tail, end)
    top = headings[0] if headings and headings[0][1] == 0 and not headings[0][2][:1].isdigit() else None
    title = top[2] if top else fallback
    masked = "".join(chars)
    # the described terms (an option, a variable over its description) sit under the heading before them
    terms = [(at, path[len(title) :]) for at, path in wrapped.sections(masked, title, body=0)] if wrapped.paragraphs(masked) else []
    events = sorted([(pos, level, heading) for pos, level, heading in headings if (pos, level, heading) != top] +
                    [(at, -1, term) for at, term in terms])
    sections: list[tuple[int, str]] = []
    opened: list[tuple[int, str]] = []
    term = ""
    for pos, level, text_ in events:
        if level >= 0:
            opened, term = [h for h in opened if h[0] < level] + [(level, text_)], ""
        else:
            term = text_  # " › '-p', '--portability'", or "" where a term's description ends
        path = SEPARATOR.join([title, *(h for _, h in opened)]) + term
        if not sections or sections[-1][1] != path:
            sections.append((pos, path))
    return Info(masked, title, sections)
