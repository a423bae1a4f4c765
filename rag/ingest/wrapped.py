"""Hard-wrapped plain text (READMEs, FAQs, RFCs, mail, a page's text that kept its source's line breaks): the
lines a paragraph was wrapped into, joined back into one block.

A file is read as wrapped when most of its lines run close to one width of at most ``MAX_WIDTH`` characters.
Two lines of one paragraph are joined when the first is full: the next line's first word would not have fitted
on it. A short line (a heading, the end of a paragraph, a list item that fits on one line), a line of rule
characters, a new list item or a change of indentation starts a new block, so lists, headings and indented
code keep their lines.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from functools import lru_cache
from itertools import pairwise

from rag.records import SEPARATOR, Span

MAX_WIDTH = 100  # lines longer than this are paragraphs of their own (news, essays), not wrapped text
MIN_LINES = 8  # too few lines to tell a wrap width
FULL_SHARE = 0.4  # at least this share of the lines is close to the width ...
FULL = 0.75  # ... this close
SLACK = 2  # a line counts as full when the next word would overrun the width less this
RAGGED = 0.7  # ... or when it reaches this share of the width and does not end a sentence
CARRIED_SHARE = 0.1  # a text is also wrapped when this share of its lines carries a sentence on into the next

_ITEM = re.compile(r"\s*(?:[-*+•·▪]|\d{1,3}[.)]|[a-z][.)]|\[\d{1,3}\]|\([a-z]{1,4}\))\s+")
_CAPITAL_ITEM = re.compile(r"\s*[A-Z][.)]\s+")
_RULE = re.compile(r"\s*([-=_*~#+.])\1{2,}\s*$")
_ENDED = re.compile(r"[.!?:;][\"'”’)\]]*$")
_LOWER_WORD = re.compile(r"[a-z]+\b(?![(.=_\[])")  # a word of prose, not code ("means", not "foo(" or "x.y")
TERM_WORDS = 8  # a term defined on the lines under it is at most this long
QUESTION_WORDS = 16  # ... or, when it asks a question (an FAQ's), at most this long
_CODE_END = re.compile(r"[{(\\,]\s*$")  # "/var/log/dpkg {", "update-alternatives --install ... \\": code, not a term
HEADING_WORDS = 8  # an outdented heading ("EXIT STATUS", "   Simple find|xargs approach") is at most this long
_CAPITALS = re.compile(r"[A-Z][A-Z0-9 &/'-]*")  # "DESCRIPTION", "SEE ALSO": a heading, never a defined term
# "-D [bind_address:]port", "'--portability'", "‘-c’" (an Info manual's): its description may open a sentence
_OPTION_TERM = re.compile(r"\s*['‘`\"]?--?[A-Za-z]")
# " -- Function: void ffi_call (ffi_cif *CIF, void *FN, void *RVALUE, void" / "          **AVALUES)": a Texinfo
# definition's signature, its further lines set in deeper than its description
_DEFINITION = re.compile(r"\s*-- [A-Z][\w ]{0,24}: \S")
SIGNATURE_INDENT = 6  # ... by at least this much more than the signature's first line
# "'completion-query-items'", "‘C-w’", "'yank-last-arg (M-. or M-_)'": a name written as code, alone on its line
# (an Info manual's table entry); its description may open a sentence
_CODE_TERM = re.compile(r"\s*['‘`][^\s'’`][^'’`]*['’`]\s*$")
# "137    if COMMAND ... is sent the KILL (9) signal" / "              (128+9)": a tag, a wide gap, and the text whose
# further lines hang under its first word (a manual's tagged paragraph)
_TAGGED = re.compile(r"\s*\S{1,12}\s{3,}(?=\S)")
# "-b     like --backup but ...": an option's name, then its description on the same line past a wide gap
_OPTION_LINE = re.compile(r"\s*--?\w[\w-]*(?:[ =]\S+)?\s{2,}\S")


def _raw_lines(text: str) -> Iterator[tuple[int, str]]:
    pos = 0
    for line in text.split("\n"):
        yield pos, line.rstrip()
        pos += len(line) + 1


def _width(line: str) -> int:
    return len(line.expandtabs())


def _indent(line: str) -> int:
    expanded = line.expandtabs()
    return len(expanded) - len(expanded.lstrip())


def wrap_width(text: str) -> int | None:
    """The width the text is wrapped at, or None when it is not hard-wrapped."""
    lengths = sorted(_width(line) for _, line in _raw_lines(text) if line.strip())
    if len(lengths) < MIN_LINES:
        return None
    width = lengths[int(0.95 * (len(lengths) - 1))]
    if width > MAX_WIDTH:
        return None
    full = sum(1 for n in lengths if n >= FULL * width)
    if full >= FULL_SHARE * len(lengths):
        return width
    # Ragged text, or prose mixed with records and lists: wrapped if enough lines carry a sentence on into a
    # next line that starts in lower case.
    lines = [line for _, line in _raw_lines(text)]
    carried = sum(1 for a, b in pairwise(lines) if _carries_on(a, b) or _hangs_on(a, b) or _defines(a, b))
    return width if carried >= CARRIED_SHARE * len(lengths) else None


def _carries_on(previous: str, line: str) -> bool:
    """Whether ``previous`` stops mid-sentence and ``line``, at the same indent, goes on in lower case."""
    return (
        bool(previous.strip())
        and line.strip()[:1].islower()
        and _indent(previous) == _indent(line)
        and not _ENDED.search(previous)
    )


def _hangs_on(previous: str, line: str) -> bool:
    """Whether ``previous`` is a list item that stops mid-sentence and ``line`` goes on in lower case under its
    text ("* close bugnumber (deprecated - you must separately" / "  tell originator why ...")."""
    item = _ITEM.match(previous)
    return (
        item is not None
        and line.strip()[:1].islower()
        and _indent(line) == len(previous[: item.end()].expandtabs())
        and not _ENDED.search(previous)
    )


def _defines(term: str, line: str) -> bool:
    """Whether ``line`` starts the definition of a short ``term`` line above it, indented under it and going on in
    lower case (``1.2. "Contributor Version"`` / ``    means the combination of ...``), or in any case under an
    option (``-D [bind_address:]port`` / ``    Specifies a local ...``)."""
    return (
        0 < len(term.split()) <= TERM_WORDS
        and not _ENDED.search(term)
        and not _CAPITALS.fullmatch(term.strip())
        and _indent(line) > _indent(term)
        and (bool(_LOWER_WORD.match(line.strip())) or _OPTION_TERM.match(term) is not None or _CODE_TERM.match(term) is not None)
    )


def _stacked(previous: str, line: str) -> bool:
    """Whether ``line`` names the option that ``previous`` names, set under it at the same indent ("'-p'" /
    "'--portability'")."""
    return (
        _OPTION_TERM.match(previous) is not None
        and _OPTION_TERM.match(line) is not None
        and _indent(previous) == _indent(line)
        and len(previous.split()) <= TERM_WORDS // 2
        and len(line.split()) <= TERM_WORDS // 2
        and not _ENDED.search(previous)
    )


def _continues(previous: str, line: str, width: int, hanging: set[int]) -> bool:
    """Whether ``line`` carries on the paragraph whose last line so far is ``previous``; ``hanging`` holds the
    other indents its lines may have (a list item's text after its marker, the body under an indented first
    line)."""
    if not line.strip() or _RULE.match(line) or _RULE.match(previous) or _ITEM.match(line):
        return False
    if "\t" in previous.strip() or "\t" in line.strip():
        return False  # a tab inside a line separates columns: a table's rows
    if _indent(line) != _indent(previous) and _indent(line) not in hanging:
        return False  # a block quote, indented code, or the body under a heading
    used = _width(previous)
    if used + 1 + len(line.split()[0]) > width - SLACK:
        return True  # the next word would not have fitted: the line was wrapped
    # A long line that ends mid-sentence was wrapped early (ragged text), as was one whose sentence goes on in
    # lower case; one that ends a sentence may end its paragraph, and a short one (a list without markers, a
    # table's row) was broken on purpose.
    return not _ENDED.search(previous) and (used >= RAGGED * width or _carries_on(previous, line))


def paragraphs(text: str) -> list[Span] | None:
    """The blocks of a hard-wrapped ``text`` as spans (each paragraph's lines joined, stripped), or None when the
    text is not hard-wrapped."""
    found = _paragraphs(text)
    return None if found is None else list(found)


@lru_cache(maxsize=2)
def _paragraphs(text: str) -> tuple[Span, ...] | None:
    """:func:`paragraphs`, read once for the reader's two uses (its blocks, and whether it has an outline)."""
    width = wrap_width(text)
    if width is None:
        return None
    spans: list[Span] = []
    start = end = -1
    previous = ""
    hanging: set[int] = set()
    first = False  # whether ``previous`` is the first line of its block
    for pos, line in _raw_lines(text):
        if start >= 0 and first and _stacked(previous, line):
            end = pos + len(line)  # "'-p'" / "'--portability'": two names of one option, over its description
        elif start >= 0 and (_continues(previous, line, width, hanging) or (first and _defines(previous, line))):
            end = pos + len(line)
            hanging.add(_indent(line))  # after an indented first line, the body's indent holds
            first = False
        else:
            first = bool(line.strip())
            if start >= 0:
                spans.append(Span(start, end))
            if line.strip():
                start, end = pos + len(line) - len(line.lstrip()), pos + len(line)
                # the text of a list item's lines hangs under its first word ("B. List on the Title Page ..." /
                # "   responsible for ..."); a capital's marker only opens a block, as "J. Smith" may start a line
                item = _ITEM.match(line) or _CAPITAL_ITEM.match(line) or _TAGGED.match(line)
                hanging = {len(line[: item.end()].expandtabs())} if item else set(range(_indent(line)))
                if _DEFINITION.match(line):
                    hanging = set(range(_indent(line) + SIGNATURE_INDENT, width))
            else:
                start = end = -1
        previous = line
    if start >= 0:
        spans.append(Span(start, end))
    return tuple(spans)


def body_indent(text: str) -> int:
    """The indent most of the text's lines have: that of its body, under outdented headings."""
    counts = Counter(_indent(line) for _, line in _raw_lines(text) if line.strip())
    return counts.most_common(1)[0][0] if counts else 0


def described(block: str) -> bool:
    """Whether ``block`` is a described option, whole however short: an option or operand on its own line with its
    description indented under it ("-f, --force" / "    remove existing destination files", "bs=BYTES" / "..."),
    or an option's name and its description on one line ("-b     like --backup but does not accept an argument")."""
    first, _, rest = block.partition("\n")
    if _OPTION_LINE.match(first):
        return True
    named = _OPTION_TERM.match(first) is not None or "=" in first  # "-f, --force", "bs=BYTES"; not a title's lines
    lines = rest.split("\n")
    while lines and _stacked(first, lines[0]):  # "'-p'" / "'--portability'" / "     Use the following format"
        first, lines = lines[0], lines[1:]
    return named and bool(lines) and bool(lines[0].strip()) and _defines(first, lines[0])


def _heading(line: str, following: str, apart: bool, body: int) -> bool:
    """Whether ``line`` is an outdented heading: short, unpunctuated or a question, set left of the text's body and
    of the line ``following`` it, and in capitals ("DESCRIPTION") or set off from that line by a blank one
    (``apart``)."""
    words = line.split()
    asks = line.rstrip().endswith("?")  # an FAQ's question over its answer ("8.4. How do I display the files ...?")
    return (
        0 < len(words) <= (QUESTION_WORDS if asks else HEADING_WORDS)
        and (asks or not _ENDED.search(line))
        and not _ITEM.match(line)
        and not _RULE.match(line)
        and _indent(line) < body
        and _indent(following) > _indent(line)
        and (apart or bool(_CAPITALS.fullmatch(line.strip())))
    )


@lru_cache(maxsize=2)
def _outline(text: str, body: int | None = None) -> tuple[tuple[int, str, int, str], ...]:
    """The outdented headings and described terms of a hard-wrapped text, and the paragraphs that close a term's
    section, as (offset, "heading" | "term" | "text", indent, the line); read once for the reader's two uses."""
    return tuple(_outlined(text, body_indent(text) if body is None else body))


def _outlined(text: str, body: int) -> Iterator[tuple[int, str, int, str]]:
    lines = list(_raw_lines(text))
    term_indent = -1
    for k, (pos, line) in enumerate(lines):
        if not line.strip() or (k and lines[k - 1][1].strip()):
            continue  # headings and terms open a paragraph
        last = k  # the term's last line: "'-p'" / "'--portability'" / "     Use the POSIX format." names it twice
        while last + 1 < len(lines) and _stacked(lines[last][1], lines[last + 1][1]):
            last += 1
        j = next((j for j in range(last + 1, len(lines)) if lines[j][1].strip()), None)
        following = lines[j][1] if j is not None else ""
        indent, at = _indent(line), pos + len(line) - len(line.lstrip())
        if last == k and j is not None and _heading(line, following, j > k + 1, body):
            yield at, "heading", indent, line.strip()
            term_indent = -1
        elif j == last + 1 and indent >= body and _term(lines[last][1], following):
            yield at, "term", indent, ", ".join(lines[i][1].strip() for i in range(k, last + 1))
            term_indent = indent
        elif indent <= term_indent:
            yield at, "text", indent, line.strip()
            term_indent = -1


def _term(line: str, following: str) -> bool:
    """Whether ``line`` names a term that ``following`` starts describing: not a list item, nor a line of code."""
    return _defines(line, following) and not _ITEM.match(line) and not _CODE_END.search(line)


def headings(text: str) -> set[int]:
    """Where the outdented headings of a hard-wrapped text start ("NAME", "EXIT STATUS" left of the body)."""
    return {at for at, kind, _, _ in _outline(text) if kind == "heading"}


def sections(text: str, title: str, body: int | None = None) -> list[tuple[int, str]]:
    """The section paths of a hard-wrapped text with outdented headings and described terms (a manual page: "NAME",
    "DESCRIPTION", "   GLOBAL OPTIONS", then "-r, --relative" over its description), as (offset, "Title ›
    Heading › Term") where each starts; none when it has neither. A term's section ends at the next paragraph
    as far left as it that describes nothing."""
    out: list[tuple[int, str]] = []
    opened: list[tuple[int, str]] = []  # (indent, heading) of the open headings
    term = ""
    for at, kind, indent, line in _outline(text, body):
        if kind == "heading":
            opened = [h for h in opened if h[0] < indent] + [(indent, line)]
        term = line if kind == "term" else ""
        path = SEPARATOR.join([title, *(h for _, h in opened), *([term] if term else [])])
        if not out or out[-1][1] != path:
            out.append((at, path))
    return out if len(out) > 1 else []
