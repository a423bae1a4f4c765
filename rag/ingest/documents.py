"""Loading files: reading, boilerplate removal, title, date and hash. Keeps the original text for citations."""

from __future__ import annotations

import errno
import logging
import os
import re
import stat
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from rag.errors import RagError, display_name, short_reason
from rag.files import decode_text, sha256_bytes
from rag.ingest import info as info_text
from rag.ingest import wrapped as wrapped_text
from rag.ingest.markup import html_blocks
from rag.ingest.pdf import HEADING_SIZE, SECTION_NUMBER, Heading, Reflowed, page_texts, read_pages
from rag.ingest.restructured import rst_html
from rag.ingest.structure import parse as parse_structure
from rag.records import SEPARATOR, Document, Span
from rag.text.dates import infer_date, parse_timestamp_line

TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".info"}  # .info: a GNU Info manual, read as text
MARKDOWN_SUFFIXES = {".md", ".markdown"}
HTML_SUFFIXES = {".html", ".htm"}
RST_SUFFIXES = {".rst", ".rest"}
PDF_SUFFIXES = {".pdf"}
SUPPORTED = TEXT_SUFFIXES | HTML_SUFFIXES | RST_SUFFIXES | PDF_SUFFIXES
SECTION_TITLE_CHARS = 80  # a numbered heading of a PDF is at most this long

# Whole lines that are site furniture rather than article text.
_NAV = re.compile(
    r"^(?:accessibility links|breaking news|skip to (?:main )?content|main menu|menu|search|home|share( this)?( article)?|"
    r"print|email|advertisement|sponsored( content)?|subscribe.*|sign up.*|newsletter.*|visit our new website:?|"
    r"follow us.*|read more.*|more from .*|see also:?|comments?|image|\d+x\d+ image|photo by:.*|.*\(file photo\)|"
    r"(?:ap|afp|reuters|getty images|epa)\b.{0,40}\bphoto.*|.*\bphoto/.*|to find out more, click here\.?|click here.*|"
    r"all rights reserved.*|©.*|copyright .*|(?:written |posted |words |story )?by [A-Z][\w.'-]+(?: [A-Z][\w.'-]+){0,3}|author:.*)$",
    re.I,
)
# A line that starts the trailing furniture: everything after it is not the article.
_END = re.compile(
    r"^(?:related (?:stories|articles|news|content|posts|coverage)|more stories|you may also like|main category:?.*|"
    r"with reporting by .*|reporting by .*|please let us know .*|recommended( for you)?|most (?:read|popular)|"
    r"latest news|trending( now)?|tags?:.*)$",
    re.I,
)
_BULLET = re.compile(r"^[•·▪■►|*\-–—]\s*")
_ITEMS = ("•", "·", "▪", "■", "►")  # the bullets that mark a list item in a PDF (not "-", "|" or "*", which start text too)
_TERMINAL = re.compile(r"[.!?:;\"”’)]$")
_WORD = re.compile(r"\w+")
BODY_RATIO = 1.5  # the paragraphs of a page read from its body may be this much longer than trafilatura's article
BODY_COVERAGE = 0.95  # ... and must hold this share of that article's words


@dataclass(frozen=True)
class Skipped:
    """A file that was not loaded, and why."""

    source: str
    reason: str


_OPEN = re.compile(r"[\w,]$")  # a paragraph that stops mid-sentence ("... please send mail to")
_NUMBERED = re.compile(r"\d+(?:\.\d+)*[.)]?\s")  # "4.1. Powers": a numbered heading, not a set-off line
_FIELD = re.compile(r"\s*\w[\w -]{0,30}:\s+\S+$")  # "Subscription: open": a field's line, complete as it is
_SHORT = 8  # words: a shorter line without closing punctuation is furniture in an article
# "Version 3, 29 June 2007", "Revision 1.1", "Second Edition": a line under the title that says which one it is
_EDITION = re.compile(
    r"(?:(?:version|release|revision|edition|draft)\s+v?\d+(?:\.\d+)*[a-z]?|(?:first|second|third|\d+(?:st|nd|rd|th))"
    r"\s+edition)\b[^.!?]{0,40}$",
    re.I,
)


# "LN(1)         User Commands         LN(1)", "GNU coreutils 9.1    September 2022    LN(1)": a manual's running
# header or footer, its fields set apart by wide gaps
_RUNNING = re.compile(r"\S+(?: \S+)*(?: {3,}\S+(?: \S+)*){2,}")


def _indent(text: str, start: int) -> int:
    return start - text.rfind("\n", 0, start) - 1


def _runs_on(text: str, before: Span, line: Span, set_off: bool) -> bool:
    """Whether ``line``, the paragraph after ``before`` in a hard-wrapped text, carries on the sentence ``before``
    leaves open: a short line indented further or not capitalised (an address or a command set off between the parts
    of a sentence: "please send mail to" / "<listname>-REQUEST@lists.debian.org"), or, after such a line (``set_off``), the
    sentence resuming in lower case ("with the word `subscribe' as subject.")."""
    bare = text[line.start : line.end]
    if not _OPEN.search(text[before.start : before.end]) or _NUMBERED.match(bare):
        return False
    if set_off and bare[:1].islower():
        return True
    last = text[before.start : before.end].rsplit("\n", 1)[-1]
    short = len(bare.split()) < _SHORT and not _TERMINAL.search(bare) and not bare.startswith(("#", *_ITEMS))
    set_apart = _indent(text, line.start) > _indent(text, before.start) or not bare[:1].isupper()
    return short and set_apart and not _FIELD.match(last)


def _lines(text: str) -> Iterator[Span]:
    pos = 0
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped:
            lead = len(line) - len(line.lstrip())
            yield Span(pos + lead, pos + lead + len(stripped))
        pos += len(line) + 1


def clean(text: str, rewrap: bool = True, lists: bool = False) -> tuple[str, list[Span], str | None, bool]:
    """Split ``text`` into article blocks, dropping boilerplate. A hard-wrapped text's blocks are its paragraphs
    (unless ``rewrap`` is false); otherwise each line is one. A bulleted line is boilerplate in a web article
    (sharing links) but content in a paper or a manual (``lists``: "• \\newcommand{command}[narg]{def}").

    Returns (title, content blocks as spans of ``text``, ISO date or None, whether the date is inferred).
    """
    wrapped = wrapped_text.paragraphs(text) if rewrap else None
    lines = wrapped if wrapped is not None else list(_lines(text))
    outdented = wrapped_text.headings(text) if wrapped is not None else set()
    words = {ln: text[ln.start : ln.end] for ln in lines}
    counts = Counter(w for w in words.values() if len(w) > 20)
    title = ""
    blocks: list[Span] = []
    page_lines: list[str] = []
    stamps = []
    in_footer = False
    kept, set_off = -1, False  # the line the last block ends with; whether it is a line set off in a sentence
    edition = ""
    introduced = -1  # the indent of a kept paragraph that ends with a colon, while what it introduces goes on
    for i, ln in enumerate(lines):
        s = words[ln]
        bare = _BULLET.sub("", s).strip()
        if title and not blocks and not edition and _EDITION.match(first := bare.split("\n")[0].strip()):
            # which version of the document this is belongs to its title: "GNU GENERAL PUBLIC LICENSE, Version 3,
            # 29 June 2007" is told apart from version 2 by retrieval, and its sections are of that version
            edition = first
            title = f"{title}, {first}"
        if i < 12 and (stamp := parse_timestamp_line(bare)):
            stamps.append(stamp)
            continue
        if in_footer:
            continue
        if _END.match(bare) and len(blocks) >= 2:
            in_footer = True
            continue
        page_lines.append(bare)  # everything above the footer may date the page, captions included
        if not bare or _NAV.match(bare) or ln.start in outdented:
            continue  # an outdented heading ("DESCRIPTION") names a section: see wrapped.sections
        if wrapped is not None and i in (0, len(lines) - 1) and _RUNNING.fullmatch(bare):
            continue  # a manual's running header or footer
        if wrapped is not None and introduced >= 0 and _indent(text, ln.start) > introduced:
            blocks.append(ln)  # an example set in under the line that introduces it ("use one of these commands:")
            kept, set_off = i, False
            continue
        introduced = -1
        if title and wrapped is not None and wrapped_text.described(s):
            blocks.append(ln)  # an option and its description, whole however short ("-f, --force" / "remove ...")
            kept, set_off = i, False
            continue
        if not title and not _BULLET.match(s):
            title = bare.lstrip("#").strip()
            if len(bare.split()) < 8 or not re.search(r"[.!?:][\"”’)]?$", bare):
                continue  # a headline, not a sentence of the article
        item = lists and s.startswith(_ITEMS) and bool(bare)
        if wrapped is not None and blocks and kept == i - 1 and _runs_on(text, blocks[-1], ln, set_off):
            blocks[-1] = Span(blocks[-1].start, ln.end)  # "please send mail to" / "<list>-REQUEST@..." / "with ..."
            kept, set_off = i, not set_off
            continue
        if counts[s] > 1 or (_BULLET.match(s) and not item and (wrapped is None or len(bare.split()) < 8)):
            continue  # a repeated line, or a bullet: in an article, sharing links and the like
        if len(bare.split()) < _SHORT and not _TERMINAL.search(bare) and not item:
            continue
        if s.startswith("#"):
            continue
        blocks.append(ln)
        kept, set_off = i, False
        if s.endswith(":"):
            introduced = _indent(text, ln.start)
    if stamps:
        return title, blocks, min(stamps).isoformat(), False
    inferred = infer_date(page_lines)
    return title, blocks, inferred.isoformat() if inferred else None, inferred is not None


def _html_text(data: bytes) -> tuple[str, str | None]:
    """The article text trafilatura finds in a page, led by the page's title and date, and that date (ISO)."""
    import trafilatura

    html = data.decode("utf-8", errors="replace")
    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)  # a page it cannot parse is reported as a skip
    try:
        text = trafilatura.extract(html, include_comments=False, include_tables=True, favor_precision=True)
        meta = trafilatura.extract_metadata(html) if text else None
    except Exception as e:  # noqa: BLE001 - any parser failure skips this one file
        raise RagError(f"unreadable HTML ({short_reason(e)})") from None
    if not text:
        raise RagError("no readable text found in the HTML")
    head = []
    stamp = None
    if meta is not None:
        if meta.title:
            head.append(meta.title)
        if meta.date:
            head.append(meta.date)
            stamp = meta.date if re.fullmatch(r"\d{4}-\d{2}-\d{2}", meta.date) else None
    return "\n\n".join([*head, text]), stamp


def _holds_article(page: str, article: str) -> bool:
    """Whether a page read from its body (see :func:`html_blocks`) holds what trafilatura's ``article`` holds and
    not many more paragraphs (trafilatura drops lists and code, not paragraphs): a page whose body is mostly
    boilerplate is left to trafilatura."""
    held = set(_WORD.findall(page.lower()))
    words = _WORD.findall(article.lower())
    prose = sum(len(b) for b in page.split("\n\n") if not b.startswith(("#", "- ", "|", "```")))
    if not words or prose > BODY_RATIO * len(article):
        return False
    return sum(w in held for w in words) >= BODY_COVERAGE * len(words)


def _pdf_text(path: Path) -> Reflowed:
    read = read_pages(page_texts(path))
    if not read.text:
        raise RagError("the PDF has no extractable text (scanned?)")
    return read


_CODE_BLOCK = re.compile(r"^```\n(.*?)\n```$", re.M | re.S)  # a PDF's code, fenced by :func:`reflow`


# A numbered section heading of a paper or a manual: "III.1. The documentclass line", "5.3 Index matrices",
# "C.2 Editing actions"; not a numbered step ("2. Start the R program"), a contents line ("Basics 3") or an address
_SECTION_NUMBER = re.compile(rf"^{SECTION_NUMBER}\s+[A-Z]")
_SECTION_TITLE = re.compile(r"[^.:;,!?\d]$")
_LARGE_NUMBER = re.compile(r"^(\d{1,2})\.\s+[A-Z]")


def _pdf_blocks(
    text: str, headings: list[Heading]
) -> tuple[str, list[Span], list[bool], list[tuple[int, str]], str | None, bool]:
    """A reflowed PDF's title, blocks, which of them are code kept whole, its sections and its date: the prose is
    read as any text is, with the code blanked out (so offsets hold); each code block is one whole block, fences
    left out. The title is the first page's largest heading, when one is set larger than the text. A heading
    starts a section: a numbered one ("III.1. The documentclass line") falls under the numbered headings whose
    numbers it extends, an unnumbered one ("APPENDIX A: JOURNAL ABBREVIATIONS", "Suggestions to the reader")
    under the headings in force set larger than it ("Title › III. THE DOCUMENT PREAMBLE › III.1. ...")."""
    code = [Span(m.start(1), m.end(1)) for m in _CODE_BLOCK.finditer(text)]
    masked = _CODE_BLOCK.sub(lambda m: re.sub(r"[^\n]", " ", m.group()), text)
    title, prose, iso, inferred = clean(masked, lists=True)
    first = [h for h in headings if h.page == 0 and h.size >= HEADING_SIZE]
    top = max(first, key=lambda h: h.size, default=None)  # max keeps the first of equals
    if top is not None:
        title = " ".join(text[top.start : top.end].split())
    blocks = sorted([*((b, False) for b in prose), *((b, True) for b in code)], key=lambda bw: bw[0].start)
    set_apart = {h.start: h for h in headings if h is not top}
    sections: list[tuple[int, str]] = []
    stack: list[tuple[list[str], float | None, str]] = []  # the headings in force: number's parts, size, text
    for m in re.finditer(r"[^\n]+", masked):
        line = " ".join(m.group().split())
        heading = set_apart.get(m.start())
        number = _SECTION_NUMBER.match(line) if len(line) <= SECTION_TITLE_CHARS else None
        if number is None and heading is not None and heading.size >= HEADING_SIZE:
            number = _LARGE_NUMBER.match(line)  # "1. Introduction" set large: a section, not a numbered step
        titled = number and (heading or (_SECTION_TITLE.search(line) and not re.search(r"\d{3}", line[number.end(1) :])))
        if number and titled:
            parts = re.findall(r"[\dIVXA-H]+", number.group(1))
            size = heading.size if heading else None
            stack = [*(e for e in stack if _contains(e[0], parts) if e[0] or _above(e[1], size)), (parts, size, line)]
        elif heading is not None:
            stack = [*(e for e in stack if _above(e[1], heading.size)), ([], heading.size, line)]
        else:
            continue
        sections.append((m.start(), SEPARATOR.join([title, *(t for _, _, t in stack)])))
    held = {at for at, _ in sections} | ({top.start} if top is not None else set())
    kept_blocks = [(b, w) for b, w in blocks if b.start not in held]  # a heading names its section, not its text
    return title, [b for b, _ in kept_blocks], [w for _, w in kept_blocks], sections, iso, inferred


def _contains(number: list[str], parts: list[str]) -> bool:
    """Whether a section numbered ``number`` holds one numbered ``parts`` ("III" holds "III.1"; none holds "II")."""
    return len(number) < len(parts) and parts[: len(number)] == number


def _above(size: float | None, than: float | None) -> bool:
    """Whether a heading of ``size`` is set larger than one of ``than`` (both known)."""
    return size is not None and than is not None and size > than + 0.05


def load_file(path: Path, source: str, max_bytes: int) -> Document:
    """Load one file as a :class:`Document`. Raises RagError with the reason when it can't."""
    size = path.stat().st_size
    if size > max_bytes:
        raise RagError(f"too large ({size / 1e6:.1f} MB > {max_bytes / 1e6:.1f} MB)")
    if size == 0:
        raise RagError("empty file")
    data = path.read_bytes()
    suffix = path.suffix.lower()
    structured = None
    stamp = None  # the date a page's metadata gives
    pdf_headings: list[Heading] = []
    if suffix in TEXT_SUFFIXES or not suffix:  # a name with no extension (README, FAQ) is read if it is text
        text = decode_text(data)
        if suffix in MARKDOWN_SUFFIXES:
            structured = parse_structure(text)
    elif suffix in RST_SUFFIXES:
        text = decode_text(data)
        html = rst_html(text)
        if html:  # docutils' reading is the file's, however short: autodoc lines alone leave no text
            read = html_blocks(html, min_text=0)
            text = read[0] if read else ""
            structured = parse_structure(text)
    elif suffix in HTML_SUFFIXES:
        decode_text(data)
        html = data.decode("utf-8", errors="replace")
        read = html_blocks(html)
        page = read[0] if read else None
        if read is None or read[1]:  # no main content element: trafilatura's article is the yardstick
            text, stamp = _html_text(data)
            if page is not None and not _holds_article(page, text):
                page = None
        if page is not None:
            text, structured = page, parse_structure(page)
    else:
        if not data.startswith(b"%PDF"):
            raise RagError("not a PDF file")
        reflowed = _pdf_text(path)
        text, pdf_headings = reflowed.text, reflowed.headings
    whole = structured.whole if structured else []
    sections = structured.sections if structured else []
    if structured is not None:
        title, blocks, iso, inferred = structured.title, structured.blocks, structured.date, structured.date_inferred
        if stamp:
            iso, inferred = stamp, False
    elif suffix == ".pdf":
        title, blocks, whole, sections, iso, inferred = _pdf_blocks(text, pdf_headings)
    elif info_text.is_info(text):  # a GNU Info manual: its text without the menus and node headers
        manual = info_text.read(text, path.stem)
        _, blocks, iso, inferred = clean(manual.text)
        title, sections = manual.title, manual.sections
    else:
        title, blocks, iso, inferred = clean(text)
        if wrapped_text.paragraphs(text) is not None:  # a manual page's "DESCRIPTION", its options' terms
            sections = wrapped_text.sections(text, title or path.stem)
    if not blocks:
        if suffix in RST_SUFFIXES:
            raise RagError("no text of its own (its directives include or document text kept elsewhere)")
        raise RagError("no article text after removing boilerplate")
    return Document(
        source=source,
        text=text,
        title=title or path.stem,
        sha256=sha256_bytes(data),
        date=iso,
        date_inferred=inferred,
        blocks=blocks,
        whole=whole,
        sections=sections,
    )


def _valid_utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _inside(target: str, root: str) -> bool:
    return target == root or target.startswith(root.rstrip(os.sep) + os.sep)


def scan_folder(folder: Path) -> tuple[dict[str, Path], list[Skipped]]:
    """Supported files under ``folder`` keyed by POSIX path relative to it, and the files skipped, with why
    (see :func:`scan_entries`)."""
    found, skipped = scan_entries(folder)
    return {rel: Path(f.path) for rel, f in found.items()}, skipped


@dataclass(frozen=True)
class Found:
    """A supported file found by a scan: its absolute path, size and modification time (of the link's target for
    a symbolic link), as the scan saw them."""

    path: str
    size: int
    mtime_ns: int


def scan_entries(folder: Path) -> tuple[dict[str, Found], list[Skipped]]:
    """Supported files under ``folder`` keyed by POSIX path relative to it, and the files skipped, with why.
    One ``stat`` per file, no path objects: a no-op ingest of 166k files is mostly this scan.

    Hidden files and folders (a name starting with ``.``) are ignored. A file with no extension ("README",
    "FAQ") is found like a ``.txt`` file; loading it skips it if it is not UTF-8 text. Symbolic links are never
    followed out of the folder: a link whose target lies outside it is skipped ("symlink leaves the folder"). A link to a file
    inside the folder is read like that file; a link to a folder is not descended into (its files, being inside,
    are scanned at their own path), so link cycles cannot loop. A name that is not valid UTF-8, a broken link,
    and anything that is not a regular file (a FIFO, a socket, a device) are skipped with the reason.
    """
    if not folder.exists():
        raise RagError(f"Folder not found: {folder}")
    if not folder.is_dir():
        raise RagError(f"Not a folder: {folder}")
    root = os.path.realpath(folder)
    found: dict[str, Found] = {}
    skipped: list[Skipped] = []

    def skip(rel: str, reason: str) -> None:
        skipped.append(Skipped(display_name(rel), reason))

    pending = [""]
    while pending:
        rel_dir = pending.pop()
        try:
            with os.scandir(os.path.join(root, rel_dir)) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as e:
            skip(rel_dir or ".", f"unreadable folder ({e.strerror})")
            continue
        subdirs = []
        for entry in entries:
            if entry.name.startswith("."):
                continue
            rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
            if not _valid_utf8(entry.name):
                skip(rel, "file name is not valid UTF-8")
                continue
            try:
                if entry.is_symlink():
                    target = os.path.realpath(entry.path)
                    if not _inside(target, root):
                        skip(rel, "symlink leaves the folder")
                        continue
                    st = os.stat(target)
                    if stat.S_ISDIR(st.st_mode):
                        skip(rel, "symlink to a folder (not followed; its files are scanned where they are)")
                        continue
                else:
                    st = entry.stat(follow_symlinks=False)
                mode = st.st_mode
            except FileNotFoundError:
                skip(rel, "broken symlink")
                continue
            except OSError as e:
                if e.errno == errno.ELOOP:
                    skip(rel, "symlink loop")
                    continue
                skip(rel, f"unreadable ({e.strerror})")
                continue
            if stat.S_ISDIR(mode):
                subdirs.append(rel)
            elif not stat.S_ISREG(mode):
                skip(rel, "not a regular file")
            elif (suffix := os.path.splitext(entry.name)[1]).lower() in SUPPORTED or not suffix:
                found[rel] = Found(os.path.join(root, rel), st.st_size, st.st_mtime_ns)
            else:
                skip(rel, f"unsupported type '{display_name(suffix) or 'no extension'}'")
        pending.extend(reversed(subdirs))
    return dict(sorted(found.items())), sorted(skipped, key=lambda s: s.source)
