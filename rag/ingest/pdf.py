"""PDF text as a reader sees it: wrapped lines joined into paragraphs, end-of-line hyphenation undone, running
headers, footers, page numbers and the dotted lines of a table of contents dropped.

Text comes from PDFium (pypdf reads tightly justified lines as one word, "Ifapaperisaccepted,": measured in
``benchmarks/bench_pdf.py``); pypdf first checks the file, so a password, a broken file or a decompression bomb
is reported before PDFium reads it. Columns come in the content stream's order, the reading order of the
two-column papers measured.

Lines set in a typewriter font (LaTeX's ``\verb`` and ``verbatim``, an R session) are code: a run of them is kept
line by line as one fenced block, never reflowed into the prose around it ("Four levels of headings are available:
\\section{title}" was one "sentence").

Lines set wholly in bold or in a larger size than the page's body are headings: a run of at most
:data:`HEADING_LINES` of them, one size, is one heading of its own, however it wraps ("VIII.5. Multiple references
in a single bibliography" / "entry"), never the start of the paragraph after it ("REFERENCES" / "Author A. N.,
2013, ..."). :func:`read_pages` reports where each heading is, and its size, for the document's sections and title.

The stored text is this reflowed text, so citations are exact spans of what is shown, never of a printed line.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple

from rag.errors import RagError, short_reason

EDGE_LINES = 3  # lines at the top and bottom of a page that may be a running header or footer
REPEATED = 0.3  # a header/footer line recurs (digits aside) on at least this share of pages
MIN_PAGES = 3  # ... and on at least this many

_PAGE_NUMBER = re.compile(r"^(?:page\s*)?[-–—(\[]?\s*(?:\d{1,4}|[ivxlc]{1,6})\s*[-–—)\]]?(?:\s*(?:/|of)\s*\d{1,4})?$", re.I)
_FOLIO = re.compile(r"^\d{1,4}\s+\S|\S\s+\d{1,4}$")  # a page number that opens or ends a running head
# "5.3 Index matrices . . . . . . 21", "9 Grouping, loops and conditional execution . . 43": contents, an index
_LEADERS = re.compile(r"(?:(?:\.\s?){4,}|(?:\.\s){2,})\s*[\divxlc]{1,5}(?:,\s*[\divxlc]{1,5})*$", re.I)
_HYPHEN_END = re.compile(r"(\w+)[-\u00ad]$")
_WORD_START = re.compile(r"^([a-z]\w*)")
_SENTENCE_END = re.compile(r"[.!?:][\"”’)\]]*$")
_LIST_ITEM = re.compile(r"^(?:[•·▪■►*–—-]|\(?\d{1,3}[.)]|\(?[a-z][.)])\s+\S")
_PUNCTUATION_AFTER = frozenset(",;:.)]")  # joined to the word before without a space
_CARRIES_ON = frozenset(",;:.)](")
# A table's or figure's caption, which a column break may set inside a sentence ("so that" / "TABLE III. ...").
_CAPTION = re.compile(r"^(?:TABLE|Table|FIG\.|Fig\.|FIGURE|Figure)\s+(?:\d{1,3}|[IVXLC]{1,6})[.:]\s")
_WORD = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)*")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# A typewriter font: Computer Modern's CMTT10, txfonts' t1xtt, Latin Modern Mono, Courier, a "...Mono" or "...Code"
_MONOSPACE = re.compile(r"(?:^|\+)(?:[a-z0-9]*tt\d*(?:-\w+)?$|\w*(?:mono|courier|typewriter|consol|menlo|code))", re.I)
_FIXED_PITCH = 1  # PDFium's font flag for a fixed-pitch font
CODE_LINE = 0.9  # a printed line is code when at least this share of its characters is in a typewriter font
CODE_SHARE = 0.3  # ... or this share, with none in the page's body font (a placeholder set in italics)
CODE = "\x1a"  # marks a code line in :func:`page_texts`' output, for :func:`reflow`
NOTE = "\x19"  # opens a footnote's first line in :func:`page_texts`' output (its mark dropped), for :func:`reflow`
FOOT = "\x18"  # opens each further line of a footnote
FOOTNOTE_MARK = 0.8  # a footnote mark's digits are set at most this share of their line's commonest size
NOTES_BELOW = 0.25  # a footnote lies below this share of the lines in the page's body size, or more
_MARK_AFTER = re.compile(r"[.!?:;][\"”’)\]]*$")  # a mark after a sentence's or clause's end ("submitting.8")
_LETTER = re.compile(r"[^\W\d_]")  # ... or the mark on a line of its own, a letter opening the line after
_NOTE_OPENS = re.compile(r"\s?(?:[A-Z]|https?:)")  # ... or opening a footnote's first line ("5An alternate")
HEAD = "\x1b"  # opens a heading line's mark in :func:`page_texts`' output: HEAD, its size to the body's, HEAD
_HEAD_MARK = re.compile(r"^\x1b(\d+(?:\.\d+)?)\x1b")
HEADING_LINE = 0.9  # a printed line is a heading's when this share of its characters is bold or large ...
HEADING_SIZE = 1.15  # ... large meaning at least this many times the page's commonest size
HEADING_LINES = 3  # a heading wraps over at most this many lines; a longer bold run is emphasised prose
# A numbered section heading's number: "III.1.", "5.3", "C.2", "4"; not a numbered step ("2. Start the R program")
_DOTTED = r"\d{1,2}(?:\.\d{1,2})+\.?|[IVX]{1,5}(?:\.\d{1,2})*\.|[A-H](?:\.\d{1,2})+\.?"  # "5.3", "III.1.", "C.2"
SECTION_NUMBER = rf"({_DOTTED}|\d{{1,2}})"
# A numbered section heading ("4 CLASS OPTIONS", "2.1 Title page", "IX.2. video environment"), which a full last
# line of the paragraph before may leave unclosed; one number alone must open a capitalised title ("12 of them")
_HEADING = re.compile(rf"^(?:\d{{1,2}}\.?\s+[A-Z]|(?:{_DOTTED})\s+[A-Za-z])[\w ,:&'’()/-]{{0,60}}$")
_NUMBERED = re.compile(rf"^{SECTION_NUMBER}\s+\S")  # a line opening a numbered heading, so no wrapped heading's end
_BOLD = re.compile(r"bold|black|heavy|demi|cmbx|(?:^|\+|-)bx", re.I)
_BOLD_WEIGHT = 600  # PDFium's font weight from which a font is bold, unless its name says it is not:
_PLAIN = re.compile(r"regular|book|light|medium|italic|oblique|slant", re.I)  # PDFium gives LMRoman10-Regular 744
_RUNS_ON = re.compile(r"[.,;]$")  # a typewriter line ending so ends a sentence or a clause: a URL, a file name
_PAGE_REF = re.compile(r"[A-Za-z)]\s+(\d{1,4})$")  # a contents entry's page number after its title
CONTENTS_ENTRIES = 6  # ... and a contents list has at least this many entries
_PDFIUM = threading.Lock()  # PDFium is not thread-safe: one call at a time in this process
_CAPITALS = re.compile(r"(?=.*[A-Z].*[A-Z].*\s\S)[^a-z]+")  # a line of capitals, two words or more ("CHAPTER 3. …")
_LIGATURES = str.maketrans({"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st", "ﬆ": "st"})
# A TeX opening quote (`stable') some fonts draw as a grave accent on a no-break space: PDFium gives U+0300 with
# nothing to combine with, before the word it opens or strayed elsewhere on the line; a quote mark, or nothing.
_OPENING_ACCENT = re.compile(r"(?:(?<=[\s(\[])|^)(?:\xa0 ?\u0300 ?|\u0300)(?=\w)")
_STRAY_ACCENT = re.compile(r"\xa0?(?:(?<=[\s\xa0.,;:!?)(’'])|^)\u0300[ \xa0]?")
# ... or only the no-break space is left where the quote opens, and the accent strayed: "the \xa0stable’ one"
_OPENING_SPACE = re.compile(r"(?<=[\s(\[])\xa0(?=\w[^\n’‘]{0,80}’)")


def _accents_as_quotes(page: str) -> str:
    """``page`` with a grave accent that combines with no letter read as the opening quote it was typeset as."""
    if "\u0300" not in page:
        return page
    return _OPENING_SPACE.sub("‘", _STRAY_ACCENT.sub("", _OPENING_ACCENT.sub("‘", page))).replace("\xa0 ‘", "‘")


def _shape(line: str) -> str:
    """A line with its digits folded, so "Page 3" and "Page 4" of a running footer are the same line."""
    return re.sub(r"\d+", "#", " ".join(line.split())).lower()


def running_lines(pages: Sequence[list[str]]) -> set[str]:
    """Shapes of the lines that recur at the top or bottom of many pages: running headers and footers. A book's
    running head changes with its chapter ("Chapter 5: Arrays and matrices 26"), so the first or last line of two
    pages or more, the same but for the page number that opens or ends it, is one too."""
    seen: Counter[str] = Counter()
    numbered: Counter[str] = Counter()
    for lines in pages:
        body = [ln for ln in lines if ln.strip()]
        seen.update({_shape(ln) for ln in body[:EDGE_LINES] + body[-EDGE_LINES:]})
        numbered.update({_shape(ln) for ln in body[:1] + body[-1:] if _FOLIO.search(ln) and len(ln.split()) > 1})
    need = max(MIN_PAGES, int(REPEATED * len(pages) + 0.999))
    # A running head in capitals that names the chapter and the section ("CHAPTER 3. CHOOSING A DEBIAN… 3.1. WHICH
    # ...") changes every page or two; when at least half the pages open with a line in capitals, those lines are.
    tops = [body[0] for lines in pages if (body := [ln for ln in lines if ln.strip()])]
    capitals = {_shape(ln) for ln in tops if _CAPITALS.fullmatch(ln)}
    if len(capitals) < 2 or sum(bool(_CAPITALS.fullmatch(ln)) for ln in tops) < max(MIN_PAGES, len(pages) / 2):
        capitals = set()
    return (
        {shape for shape, n in seen.items() if n >= need and shape}
        | {s for s, n in numbered.items() if n >= 2}
        | capitals
    )


def _vocabulary(pages: Sequence[list[str]]) -> tuple[set[str], set[str]]:
    """Words written whole, and hyphenated compounds written inside a line, anywhere in the document."""
    whole: set[str] = set()
    compounds: set[str] = set()
    for lines in pages:
        for ln in lines:
            for w in _WORD.findall(ln[:-1] if ln.endswith("-") else ln):
                (compounds if "-" in w else whole).add(w.lower())
    return whole, compounds


def _join(left: str, right: str, whole: set[str], compounds: set[str]) -> str:
    """Join a wrapped line to the next, undoing end-of-line hyphenation unless the compound is real."""
    end, start = _HYPHEN_END.search(left), _WORD_START.match(right)
    if end and start:
        head, tail = end.group(1), start.group(1)
        joined = (head + tail).lower()
        if f"{head}-{tail}".lower() in compounds and joined not in whole:
            return left + right  # "two-" + "column": a real compound broken at its hyphen
        return left[:-1] + right  # "learn-" + "ing"
    return left + right if right[:1] in _PUNCTUATION_AFTER else f"{left} {right}"


class Heading(NamedTuple):
    """A heading in :func:`read_pages`' text: its span, its size relative to its page's body text and its page."""

    start: int
    end: int
    size: float
    page: int


class Reflowed(NamedTuple):
    """A PDF's reflowed text and the headings in it, in order."""

    text: str
    headings: list[Heading]


class _Line(NamedTuple):
    text: str
    code: bool
    head: float | None  # a heading line's size relative to its page's body text
    page: int
    note: bool = False  # the first line of a footnote
    foot: bool = False  # a further line of a footnote


def reflow(pages: Sequence[str]) -> str:
    """One string of paragraphs (separated by blank lines) from the pages' extracted text (see :func:`read_pages`)."""
    return read_pages(pages).text


def read_pages(pages: Sequence[str]) -> Reflowed:
    """The pages' extracted text as paragraphs separated by blank lines, and the headings among them.

    A wrapped line fills its column; a paragraph's last line, a heading or a caption usually doesn't. So a line
    shorter than most closes its paragraph, unless it breaks mid-word or mid-clause (a hyphen, comma or
    lower-case continuation); list items start their own paragraph. Lines marked as code (:data:`CODE`) make a
    fenced block of their own, line by line, unless they only carry a sentence on (a URL that ends it). Lines
    marked as a heading's (:data:`HEAD`) make a paragraph of their own when they look like one (see
    :func:`_heading_run`).
    """
    split = [
        [ln.strip() for ln in _accents_as_quotes(page.translate(_LIGATURES)).replace("\r\n", "\n").split("\n")]
        for page in pages
    ]
    code = [[ln.startswith(CODE) for ln in lines] for lines in split]
    notes = [[ln.startswith(NOTE) for ln in lines] for lines in split]
    feet = [[ln.startswith(FOOT) for ln in lines] for lines in split]
    split = [[ln.lstrip(CODE + NOTE + FOOT).strip() for ln in lines] for lines in split]
    heads = [[float(m.group(1)) if (m := _HEAD_MARK.match(ln)) else None for ln in lines] for lines in split]
    split = [[_HEAD_MARK.sub("", ln).strip() for ln in lines] for lines in split]
    running = running_lines(split)
    whole, compounds = _vocabulary(split)
    widths = sorted(len(ln) for lines in split for ln in lines if ln)
    full = widths[int(0.6 * len(widths))] if widths else 0  # a typical full line of a column
    kept: list[_Line] = []
    for page, (lines, marks, sizes, noted, footed) in enumerate(zip(split, code, heads, notes, feet, strict=True)):
        body = [ln for ln in lines if ln]
        edges = set(body[:EDGE_LINES] + body[-EDGE_LINES:])
        for ln, is_code, size, note, foot in zip(lines, marks, sizes, noted, footed, strict=True):
            if not ln or (ln in edges and _shape(ln) in running) or _LEADERS.search(ln):
                continue  # a running line, a table of contents' or an index's entry
            if _PAGE_NUMBER.match(ln) and not is_code:
                continue
            kept.append(_Line(ln, is_code, None if is_code else size, page, note, foot))
    kept = _without_contents(kept, len(pages))
    paragraphs: list[str] = []
    titles: dict[int, tuple[float, int]] = {}  # a heading paragraph's index: its size and page
    held: list[str] = []  # footnotes read inside a paragraph, which follow it

    def close(paragraph: str) -> None:
        paragraphs.append(paragraph)
        paragraphs.extend(held)
        held.clear()

    current, prev = "", ""
    k = 0
    while k < len(kept):
        ln, is_code, head, page, note, _ = kept[k]
        if note:  # a footnote, from its first line through the lines that carry it on
            last = k + 1
            while last < len(kept) and kept[last].foot:
                last += 1
            for more in kept[k + 1 : last]:
                ln = _join(ln, more.text, whole, compounds)
            (held if current else paragraphs).append(ln)  # the sentence it falls in carries on past it
            k = last
            continue
        if not is_code and _ornament(ln):  # a boxed example's corners ("☛ ✟"): a break, not text
            if current:
                close(current)
            current, prev, k = "", "", k + 1
            continue
        if head is not None:
            end = _heading_run(kept, k)
            if end is None:  # emphasised prose, not a heading: read again as any other line
                continue
            if current:
                close(current)
            heading = kept[k].text
            for wrapped in kept[k + 1 : end]:
                heading = _join(heading, wrapped.text, whole, compounds)
            titles[len(paragraphs)] = (head, page)
            paragraphs.append(heading)
            current, prev, k = "", "", end
            continue
        if is_code:
            end = k
            while end < len(kept) and kept[end].code:
                end += 1
            run = [line.text for line in kept[k:end]]
            after = kept[end].text if end < len(kept) else ""
            if current and len(run) > 1 and not _SENTENCE_END.search(prev) and _RUNS_ON.search(ln):
                kept[k] = kept[k]._replace(code=False)  # it ends the sentence before the block ("path.expand.")
                continue
            if _inline(run, prev if current else "", after):  # carried on in the sentence: no break before it
                for line in run:
                    current = _join(current, line, whole, compounds) if current else line
                prev, k = run[-1], end
                continue
            if current:
                close(current)
            paragraphs.append("```\n" + "\n".join(run).replace("```", "``\u200b`") + "\n```")
            current, prev, k = "", "", end
            continue
        opens = _LIST_ITEM.match(ln) or _CAPTION.match(ln) or (_HEADING.match(ln) and _SENTENCE_END.search(prev))
        if current and (opens or _closes(prev, ln, full)):
            close(current)
            current = ""
        current = _join(current, ln, whole, compounds) if current else ln
        prev = ln
        k += 1
    if current:
        close(current)
    paragraphs.extend(held)
    headings, at = [], 0
    for i, paragraph in enumerate(paragraphs):
        if i in titles:
            headings.append(Heading(at, at + len(paragraph), *titles[i]))
        at += len(paragraph) + 2
    return Reflowed("\n\n".join(paragraphs), headings)


def _ornament(line: str) -> bool:
    """Whether a line is only dingbats: the corners of a boxed example ("☛ ✟"), a pointing hand (not a table's
    "◦" or "⊕", which are content)."""
    return all("\u2600" <= c <= "\u27bf" for c in line if not c.isspace())


def _heading_run(lines: list[_Line], k: int) -> int | None:
    """The end of the heading that starts at ``lines[k]``: up to :data:`HEADING_LINES` heading lines of one size on
    one page, the first holding a word, none but the first numbered and the last ending no sentence or clause.
    None, with each line of the run set back to prose, when they are not one (a bold paragraph, a bold list)."""
    end = k + 1
    while (
        end < len(lines)
        and (size := lines[end].head) is not None
        and abs(size - (lines[k].head or 0.0)) < 0.05
        and lines[end].page == lines[k].page
        and not _NUMBERED.match(lines[end].text)
    ):
        end += 1
    run = lines[k:end]
    first, last = run[0].text, run[-1].text
    lettered = bool(re.search(r"[^\W\d_]{3}", first))  # a word: not a figure's labels ("A B")
    ends = bool(_RUNS_ON.search(last)) and not (len(run) == 1 and _NUMBERED.match(first))  # "1.8 ..., etc."
    # a numbered item ("1. Introduction") is a heading when set larger than the text, a list's item when not
    item = _LIST_ITEM.match(first) and (run[0].head or 0.0) < HEADING_SIZE
    if len(run) <= HEADING_LINES and lettered and not item and not ends:
        return end
    for i in range(k, end):
        lines[i] = lines[i]._replace(head=None)
    return None


def _without_contents(lines: list[_Line], pages: int) -> list[_Line]:
    """``lines`` without a table of contents set without dotted leaders: a run of at least
    :data:`CONTENTS_ENTRIES` lines ending in page numbers that never decrease ("I.2. REVTEX 4 Backwards
    Compatibility 2", "Fonts 3"), an entry wrapped over at most two lines."""
    numbers = [
        int(m.group(1)) if not line.code and (m := _PAGE_REF.search(line.text)) and int(m.group(1)) <= pages else None
        for line in lines
    ]
    drop: set[int] = set()
    k = 0
    while k < len(lines):
        if numbers[k] is None:
            k += 1
            continue
        run, last, j = [k], numbers[k] or 0, k + 1
        while j < len(lines) and j - run[-1] <= 3:
            n = numbers[j]
            if n is not None:
                if n < last:
                    break
                run.append(j)
                last = n
            j += 1
        if len(run) >= CONTENTS_ENTRIES:
            drop.update(range(run[0], run[-1] + 1))
        k = run[-1] + 1
    return [line for i, line in enumerate(lines) if i not in drop]


def _inline(run: list[str], before: str, after: str) -> bool:
    """Whether typewriter lines only carry a sentence on: the run ends it before a new one ("see" / "www.ctan.org." /
    "Full TEX ..."), or a single line sits inside a sentence that goes on in lower case ("For example" / "> e <-
    numeric()" / "makes e an empty vector"). A table's row ("\\fdg ." / "◦ fraction of a degree") does neither."""
    if _RUNS_ON.search(run[-1]) and (not after or after[:1].isupper()):
        return True
    return len(run) == 1 and bool(before) and not _SENTENCE_END.search(before) and after[:1].islower()


def _closes(prev: str, line: str, full: int) -> bool:
    """Whether ``prev`` ended its paragraph (or heading) before ``line``."""
    if len(prev) >= 0.75 * full or prev.endswith(("-", ",", "\u00ad")):
        return False
    # A lower-case word or a clause's punctuation carries on the sentence; so does a line after a footnote mark
    # that PDFium set on a line of its own ("JabRef6" / ", which works").
    return not ((line[:1].islower() or line[:1] in _CARRIES_ON) and not _SENTENCE_END.search(prev))


def check(path: Path) -> None:
    """Have pypdf open the PDF at ``path`` and inflate every page's content stream under its size limit. Raises
    RagError for a password, a broken file or a decompression bomb."""
    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError, LimitReachedError
    from pypdf.generic import ArrayObject

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # its warnings about damaged files are ours to report
    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted and not reader.decrypt(""):
            raise RagError("encrypted PDF (it needs a password)")
        for page in reader.pages:
            contents = page.get("/Contents")
            contents = contents.get_object() if contents is not None else None
            for stream in contents if isinstance(contents, ArrayObject) else [contents] if contents else []:
                stream.get_object().get_data()
    except RagError:
        raise
    except FileNotDecryptedError:
        raise RagError("encrypted PDF (it needs a password)") from None
    except LimitReachedError:
        raise RagError("PDF stream decompresses to more than the size limit (a decompression bomb?)") from None
    except Exception as e:  # noqa: BLE001 - any parser failure skips this one file
        raise RagError(f"unreadable PDF ({short_reason(e)})") from None


def page_texts(path: Path) -> list[str]:
    """Each page's text as PDFium reads it, one printed line a line; a hyphen PDFium marks as breaking a word at the
    line's end ("develop-/ment") is written as a hyphen and a line break, for :func:`reflow` to undo."""
    import pypdfium2 as pdfium

    check(path)
    with _PDFIUM:
        try:
            doc = pdfium.PdfDocument(str(path))
        except pdfium.PdfiumError as e:
            raise RagError(f"unreadable PDF ({short_reason(e)})") from None
        try:
            pages = []
            for i in range(len(doc)):
                page = doc[i]
                textpage = page.get_textpage()
                pages.append(_marked(textpage, textpage.get_text_range()))
                textpage.close()
                page.close()
        except pdfium.PdfiumError as e:
            raise RagError(f"unreadable PDF ({short_reason(e)})") from None
        finally:
            doc.close()
    return pages


def _marked(textpage: Any, text: str) -> str:
    """A page's text with PDFium's line-end hyphens written out, control characters dropped, and (when the text's
    characters line up with the page's) each line of code marked with :data:`CODE` and each heading line with
    :data:`HEAD` and its size. A code line is set in a typewriter font, or partly so and in no character of the
    page's body font ("\\section{<title text>}", the placeholder in italics); a heading line is set in bold or in
    a size larger than the page's commonest (see :data:`HEADING_LINE`)."""
    import ctypes

    import pypdfium2.raw as pdfium_c

    aligned = len(text) == textpage.count_chars()  # a character beyond 16 bits would shift every index after it
    name, flags = ctypes.create_string_buffer(128), ctypes.c_int()
    fonts: dict[bytes, tuple[bool, bool]] = {}  # a font's name: whether it is a typewriter font, whether bold
    # a line: its text, fonts, sizes, commonest size, small raised digit runs, height on the page
    lines: list[tuple[str, Counter[bytes], Counter[float], float, list[tuple[int, int]], float]] = []
    used: Counter[bytes] = Counter()
    sizes: Counter[float] = Counter()
    for m in re.finditer(r"[^\r\n]+", text):
        seen: Counter[bytes] = Counter()
        sized: Counter[float] = Counter()
        digits: dict[int, float] = {}  # a digit's offset in the line: its size
        for i in range(m.start(), m.end()) if aligned else ():
            if not text[i].isspace():
                pdfium_c.FPDFText_GetFontInfo(textpage.raw, i, name, len(name), ctypes.byref(flags))
                if name.value not in fonts:
                    font = name.value.decode("latin-1")
                    weight = pdfium_c.FPDFText_GetFontWeight(textpage.raw, i)
                    typewriter = bool(_MONOSPACE.search(font) or flags.value & _FIXED_PITCH)
                    bold = bool(_BOLD.search(font)) or (weight >= _BOLD_WEIGHT and not _PLAIN.search(font))
                    fonts[name.value] = (typewriter, bold)
                seen[name.value] += 1
                size = round(pdfium_c.FPDFText_GetFontSize(textpage.raw, i), 1)
                sized[size] += 1
                if text[i].isdigit():
                    digits[i - m.start()] = size
        common = sized.most_common(1)[0][0] if sized else 0.0
        small = [
            (d.start(), d.end())
            for d in re.finditer(r"\d+", m.group())
            if d.start() in digits
            and all(digits.get(j, common) <= FOOTNOTE_MARK * common for j in range(d.start(), d.end()))
            and _raised(textpage, m.start() + d.start(), m.start() + _neighbour(m.group(), d), common)
        ]
        lines.append((m.group(), seen, sized, common, small, _height(textpage, m) if aligned else 0.0))
        used.update(seen)
        sizes.update(sized)
    body = max(used, key=lambda f: (not fonts[f][0], used[f]), default=b"")  # the commonest font, typewriter last
    body_size = sizes.most_common(1)[0][0] if sizes else 0.0
    heights = sorted(y for _, _, sized, common, _, y in lines if sized and common == body_size)
    foot = heights[int(NOTES_BELOW * len(heights))] if heights and aligned else float("-inf")  # footnotes lie lower
    out = []
    in_note = False  # the line before is a footnote's
    mark_line = False  # the line before is a footnote's mark alone ("2", its text on the next line)
    for line, seen, sized, common, small, y in lines:
        total = sum(seen.values())
        typed = sum(n for f, n in seen.items() if fonts[f][0])
        large = sum(n for size, n in sized.items() if size >= HEADING_SIZE * body_size) if body_size else 0
        code = total > 0 and (typed >= CODE_LINE * total or (typed >= CODE_SHARE * total and not seen[body]))
        code = code and large < HEADING_LINE * total  # "5.4 The array() function", in a heading's size, is no code
        mark = CODE if code else ""
        if not code and total > 0 and body_size > 0:
            bold = sum(n for f, n in seen.items() if fonts[f][1])
            # a heading set larger than the text may name code in a typewriter font ("2.1. Creation of "zoo" objects")
            plain = total - typed if common > body_size and typed < total else total
            if max(bold, large) >= HEADING_LINE * plain:
                mark = f"{HEAD}{common / body_size:.2f}{HEAD}"
        low = y < foot
        if low and line.strip().isdigit() and len(line.strip()) <= 2 and common <= FOOTNOTE_MARK * body_size:
            mark_line = True  # a mark on a line of its own: left out, and the next line may open a footnote
            continue
        line, note = _without_marks(line, small, low and common < body_size)
        note = note or (mark_line and common < body_size and _LETTER.match(line.strip()) is not None)
        mark_line = False
        # a footnote runs on in its small size, up to a caption set as small ("Figure 1. An example figure.")
        in_note = note or (in_note and low and common < body_size and not _CAPTION.match(line.strip()))
        if in_note:  # a footnote's lines are its prose, whatever their font
            mark = FOOT
        out.append((NOTE if note else mark) + _CONTROL.sub("", line).replace("\ufffe", "-\n" + mark))
    return "\n".join(out)


def _baseline(textpage: Any, at: int) -> float:
    """How high on its page the character at ``at`` sits: its origin's y (PDF points, up from the bottom)."""
    import ctypes

    import pypdfium2.raw as pdfium_c

    x, y = ctypes.c_double(), ctypes.c_double()
    pdfium_c.FPDFText_GetCharOrigin(textpage.raw, at, ctypes.byref(x), ctypes.byref(y))
    return float(y.value)


def _height(textpage: Any, line: re.Match[str]) -> float:
    """How high on its page a line of the page's text sits: its first character's baseline."""
    return _baseline(textpage, line.start() + len(line.group()) - len(line.group().lstrip()))


def _neighbour(line: str, digits: re.Match[str]) -> int:
    """The offset in ``line`` of the character next to ``digits``: the one before, or at the line's start the first
    after them that is no space."""
    if digits.start() > 0:
        return digits.start() - 1
    after = len(line) - len(line[digits.end() :].lstrip())
    return min(after, len(line) - 1)


def _raised(textpage: Any, at: int, near: int, size: float) -> bool:
    """Whether the character at ``at`` sits above the baseline of the one at ``near`` (a superscript, not a
    subscript or small capitals), by a fifth of the line's ``size`` or more."""
    return _baseline(textpage, at) - _baseline(textpage, near) >= 0.2 * size


def _without_marks(line: str, small: list[tuple[int, int]], smaller: bool) -> tuple[str, bool]:
    """``line`` without the footnote marks among its ``small`` digit runs (set well below the line's size), and
    whether it opens a footnote. A mark is dropped where it follows a sentence's or clause's end ("... they are
    submitting.8"), or opens a line set ``smaller`` than the page's body that starts a footnote ("5An alternate
    set ..."); a small digit after a letter or another digit may be an exponent or an index ("mc2", "x1") and
    stays."""
    note = False
    for a, b in reversed(small):
        if _MARK_AFTER.search(line[:a]):
            line = line[:a] + line[b:]
        elif smaller and not line[:a].strip() and _NOTE_OPENS.match(line, b):
            line, note = line[b:].lstrip(), True
    return line, note
