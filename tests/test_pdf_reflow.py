"""PDF text reflowed for reading: paragraphs, no hyphenation at line ends, no running headers or page numbers."""

from __future__ import annotations

import json
import re
from pathlib import Path

from rag.ingest.documents import load_file
from rag.ingest.pdf import CODE, FOOT, HEAD, NOTE, read_pages, reflow

REPO = Path(__file__).resolve().parent.parent
PAPER = REPO / "evals" / "corpora" / "paper"
GOLD = REPO / "evals" / "gold" / "paper.jsonl"


def test_reflow_joins_lines_undoes_hyphenation_and_drops_running_lines() -> None:
    topics = ["trees", "rivers", "stones", "clouds", "roads"]
    pages = [
        f"Journal of Things {n}\nThe survey of {topic} and learn-\ning about {topic} covers two-\ncolumn layouts of {topic} and\n"
        f"the whole of page {n} in print.\nShort {topic} line.\n{n}"
        for n, topic in enumerate(topics, 1)
    ]
    pages[0] += "\nA two-column page is common, and wrapping it is routine work for a reader."
    text = reflow(pages)
    assert "Journal of Things" not in text  # a running header: on every page, digits aside
    assert not re.search(r"^\d+$", text, re.M)  # page numbers
    assert "The survey of trees and learning about trees covers two-column layouts of trees and the whole of page 1 in print." in text
    assert "learn-" not in text and "learn ing" not in text


def test_real_two_column_pdf_reads_as_paragraphs() -> None:
    pdf = next(PAPER.glob("*.pdf"))
    doc = load_file(pdf, pdf.name, 10**8)
    flat = " ".join(doc.text.split())
    contexts = [c for line in GOLD.read_text().splitlines() for c in json.loads(line)["contexts"]]
    found = sum(" ".join(c.split()) in flat for c in contexts)
    assert found >= 0.95 * len(contexts), f"{found}/{len(contexts)} reference sentences intact"
    prose = re.sub(r"^```\n.*?\n```$", "", doc.text, flags=re.M | re.S)
    lines = [ln for ln in prose.split("\n") if ln.strip()]
    assert len(lines) < 600  # about 1,760 printed lines become about 500 paragraphs
    assert not re.search(r"\w-\n\w", doc.text)


def test_tightly_justified_pdf_keeps_its_word_spaces() -> None:
    """The MNRAS guide sets its lines so tight that pypdf read them as one word ("Ifapaperisaccepted,"): 108 such
    runs of 18+ letters. Its gold set's reference sentences must be found as written, spaces and all."""
    pdf = REPO / "evals" / "corpora" / "paper2" / "mnras_guide.pdf"
    doc = load_file(pdf, pdf.name, 10**8)
    glued = re.findall(r"[a-z]{18,}", doc.text)
    assert len(glued) <= 2, glued[:5]
    flat = " ".join(doc.text.split())
    gold = REPO / "evals" / "gold" / "paper2_blind.jsonl"
    contexts = [c for line in gold.read_text().splitlines() for c in json.loads(line)["contexts"]]
    found = sum(" ".join(c.split()) in flat for c in contexts)
    assert found >= 0.9 * len(contexts), f"{found}/{len(contexts)} reference sentences intact"
    assert "If a paper is accepted, it is professionally typeset" in flat


def test_a_pdfs_bulleted_list_items_are_content() -> None:
    """A web article's bulleted lines are sharing links; a paper's are content. The REVTeX guide lists the macros
    for new commands as bullets ("• \\newcommand{command}..."): they must be in the document's blocks, and so in
    its chunks, where a question about them finds them."""
    pdf = next(PAPER.glob("*.pdf"))
    doc = load_file(pdf, pdf.name, 10**8)
    blocks = [doc.text[b.start : b.end] for b in doc.blocks]
    assert any(b.startswith("• \\newcommand") for b in blocks)
    assert any("Physical Review X" in b and b.startswith("•") for b in blocks)


def test_a_books_chapter_heads_and_contents_lines_are_dropped() -> None:
    """A book's running head changes with its chapter, so it recurs on a few pages only ("Chapter 5: Arrays and
    matrices 26"); a table of contents' dotted lines are no text either. Neither may end up inside a sentence."""
    pages = [
        "Table of Contents\n1 Introduction . . . . . . . . . . . . 1\n2 Vectors . . . . . . . . . . . . . . 4\n"
        "9 Grouping, loops and conditional execution . . 43"  # a long title leaves room for two dots
    ]
    for n, (chapter, topic) in enumerate([(1, "loops"), (1, "loops"), (2, "vectors"), (2, "vectors")], start=5):
        pages.append(
            f"Chapter {chapter}: The {topic} chapter {n}\nThis page explains {topic} in some detail, and the sentence\n"
            f"on it runs on over the page break into the next page of {topic}"
        )
    text = reflow(pages)
    assert "Chapter 1:" not in text and "Chapter 2:" not in text
    assert ". . . ." not in text and "execution . . 43" not in text
    assert "This page explains loops in some detail, and the sentence on it runs on over the page break" in text


def test_a_running_head_in_capitals_that_changes_every_page_is_dropped() -> None:
    """A DocBook book's head names the chapter and the section ("CHAPTER 3. CHOOSING A DEBIAN… 3.1. WHICH ..."), so
    it differs from page to page; when most pages open with a line in capitals, those lines are running heads."""
    pages = [
        f"CHAPTER {n}. THE {topic.upper()} CHAPTER… {n}.{k}. WHAT ABOUT {topic.upper()}…\nThis page explains {topic}"
        f" in some detail, and the sentence\non it runs on over the page break into the next page of {topic}"
        for n, k, topic in [(1, 1, "loops"), (1, 2, "loops"), (2, 1, "vectors"), (2, 3, "vectors"), (3, 1, "lists")]
    ]
    text = reflow(pages)
    assert "CHAPTER" not in text and "WHAT ABOUT" not in text
    assert "This page explains vectors in some detail, and the sentence on it runs on over the page break" in text


def test_a_grave_accent_that_combines_with_nothing_is_the_opening_quote() -> None:
    """Some fonts draw TeX's opening quote (`stable') as a grave accent on a no-break space: PDFium gives U+0300
    before the word, or strayed to the end of the line. It reads as "‘" where it opens a word, else not at all."""
    pages = ["Packages are split in program (\xa0\u0300foo’) and data (\xa0\u0300foo-data’).\nThe \u0300 stable’ one is"
             " well tested. \u0300\nA word with an accent, cafe\u0300, keeps it. The \xa0testing’ one is \u0300 newer"
             " (\xa0main’, \xa0 \u0300 contrib’)."]
    text = reflow(pages)
    assert "(‘foo’) and data (‘foo-data’)" in text
    assert "The stable’ one is well tested." in text
    assert "cafe\u0300" in text  # an accent on a letter is that letter's
    assert "The ‘testing’ one is newer (‘main’, ‘contrib’)." in text  # the accent strayed, its no-break space marks the quote


def test_typewriter_lines_are_a_code_block_kept_whole() -> None:
    """LaTeX's verbatim lines are code: a run of them is one fenced block of its own lines, never reflowed into the
    sentence before ("Four levels of headings are available in REVTEX: \\section{title}" was one "sentence"). A URL
    that ends a sentence, or a command alone inside one, stays prose."""
    pages = [
        "Four levels of headings are available:\n"
        f"{CODE}\\section{{title}}\n{CODE}\\subsection{{title}}\n"
        "The starred form drops the number from the heading. The guide is at\n"
        f"{CODE}http://example.org/guide/.\n"
        "Graphics are loaded into the document with the\n"
        f"{CODE}\\usepackage{{graphics}}\n"
        "command before the document starts. For the tilde, see the help for\n"
        f"{CODE}path.expand.\n{CODE}--min-vsize=N\n{CODE}--min-nsize=N\n"
        "Set the initial trigger sizes.\n"
        "\\degr ◦ degrees\n"  # a table's rows: a code line of a row is no end of a sentence
        f"{CODE}\\fdg .\n"
        "◦ fraction of a degree"
    ]
    text = reflow(pages)
    assert "Four levels of headings are available:\n\n```\n\\section{title}\n\\subsection{title}\n```\n\n" in text
    assert "The guide is at http://example.org/guide/." in text
    assert "Graphics are loaded into the document with the \\usepackage{graphics} command before the document starts." in text
    assert "```\n\\fdg .\n```" in text
    assert "see the help for path.expand.\n\n```\n--min-vsize=N\n--min-nsize=N\n```\n\nSet the" in text
    assert CODE not in text


def test_a_papers_code_lines_are_whole_blocks() -> None:
    """Read from the PDF: the MNRAS guide's LaTeX examples (set in t1xtt) are whole blocks, and the sentence that
    introduces one ends before it."""
    pdf = REPO / "evals" / "corpora" / "paper2" / "mnras_guide.pdf"
    doc = load_file(pdf, pdf.name, 10**8)
    code = [doc.text[b.start : b.end] for b, whole in zip(doc.blocks, doc.whole, strict=True) if whole]
    assert "\\begin{keywords}\nkeyword 1 -- keyword 2 -- keyword 3\n\\end{keywords}" in code
    assert any(b.startswith("\\section{Main section}\n\\subsection{Subsection}") for b in code)
    prose = [doc.text[b.start : b.end] for b, whole in zip(doc.blocks, doc.whole, strict=True) if not whole]
    assert any(b.endswith("It is possible to nest up to four section levels:") for b in prose)
    assert not any("```" in b for b in prose)


def test_a_pdfs_numbered_headings_are_its_sections() -> None:
    """A paper's numbered headings give its sections, nested by their numbers, as a Markdown page's do: the chunk
    holding the keywords environment is titled with its section path, and the heading is no block of text. The
    contents list's lines are no headings' equal: the section a sentence falls in is the body's."""
    from rag.ingest.chunking import chunk_document

    pdf = REPO / "evals" / "corpora" / "paper2" / "mnras_guide.pdf"
    doc = load_file(pdf, pdf.name, 10**8)
    paths = [path.split(" › ", 1)[1] for _, path in doc.sections]
    assert "5 TITLE PAGE › 5.3 Abstract and keywords" in paths
    assert "7 MATHEMATICS AND SYMBOLS › 7.1 Equations" in paths
    blocks = [doc.text[b.start : b.end] for b in doc.blocks]
    assert "5.3 Abstract and keywords" not in blocks
    chunk = next(c for c in chunk_document(doc) if "a set of keywords is entered in a keywords environment" in c.text)
    assert chunk.title.endswith("5 TITLE PAGE › 5.3 Abstract and keywords")
    steps = REPO / "evals" / "corpora" / "manual" / "R-intro.pdf"
    manual = load_file(steps, steps.name, 10**8)
    assert not any(" › 2. " in path for _, path in manual.sections)  # "2. Start the R program ..." is a step


def test_a_contents_list_without_leaders_is_dropped() -> None:
    """The REVTeX guide's contents give each entry's page after its title, with no dotted leader ("I.2. REVTEX 4
    Backwards Compatibility 2"): read as text, they joined into "sentences" that answered questions. A run of
    entries whose page numbers never decrease is dropped; a sentence ending in a number is not."""
    entries = ["I. Introduction 2", "I.1. Changes in REVTEX 4.2 2", "I.2. REVTEX 4 Backwards Compatibility 2",
               "Fonts 3", "II.2. Using LATEX 2ε packages with", "REVTEX 4", "III. The Document Preamble 5",
               "III.1. The documentclass line 5"]
    body = "I. INTRODUCTION\nThis guide describes the macros of the class, which was first released in 2001 as version 4"
    pages = ["CONTENTS\n" + "\n".join(entries), body, "The class has grown since.", "Page four.", "Page five."]
    text = reflow(pages)
    assert "Backwards Compatibility" not in text and "documentclass line" not in text
    assert "which was first released in 2001 as version 4" in text

    pdf = next(PAPER.glob("*.pdf"))
    doc = load_file(pdf, pdf.name, 10**8)
    assert "REVTEX 4 Backwards Compatibility 2" not in doc.text
    assert "II.2. Using LATEX 2ε packages with REVTEX" in doc.text  # the section's own heading is kept


def test_bold_or_large_lines_are_headings_of_their_own() -> None:
    """A heading line (bold, or larger than the body: marked :data:`HEAD` with its size) is a paragraph of its own.
    A heading wrapped over two lines is one heading; a numbered line opens the next; a bold run longer than a
    heading, or a bold list, is prose."""
    head = f"{HEAD}1.00{HEAD}"
    body = "The class prints the references in the order given, and it may change the layout of the page as well."
    pages = [
        f"{body}\nsince the style was written long ago.\n{head}VIII.5. Multiple references in a single bibliography\n"
        f"{head}entry\nMany journals number the references, and a single entry may hold more than one of them.\n"
        f"{head}VI. MATH AND EQUATIONS\n{head}VI.1. Math in text\nMathematics is set with the usual commands.\n"
        f"{head}• Added support for the journals of one publisher,\n{head}and for the journals of another\n"
        f"{head}one as well, as the class grew\n{head}over the years.\nThe rest of the changes are small.\n"
        f"{head}REFERENCES\nAuthor A. N., 2013, Journal of Improbable Astronomy, 1, 1"
    ]
    read = read_pages(pages)
    headings = [read.text[h.start : h.end] for h in read.headings]
    assert headings == [
        "VIII.5. Multiple references in a single bibliography entry",
        "VI. MATH AND EQUATIONS",
        "VI.1. Math in text",
        "REFERENCES",
    ]
    paragraphs = read.text.split("\n\n")
    assert f"{body} since the style was written long ago." in paragraphs
    assert "Author A. N., 2013, Journal of Improbable Astronomy, 1, 1" in paragraphs
    assert any(p.startswith("• Added support") and p.endswith("over the years.") for p in paragraphs)
    # a numbered line set large is a heading; in the text's size and bold, a list's item
    large, bold = f"{HEAD}1.31{HEAD}", f"{HEAD}1.00{HEAD}"
    read = read_pages([f"{large}1. Introduction\n{body}\n{bold}1. Wash the brush.\n{bold}2. Dry it.\n{body}"])
    assert [read.text[h.start : h.end] for h in read.headings] == ["1. Introduction"]
    assert HEAD not in read.text


def test_a_pdfs_font_headings_give_its_title_and_sections() -> None:
    """Read from the PDFs: headings found by their font stand apart from the text around them, unnumbered ones
    ("REFERENCES", "Appendix B Invoking R") are sections too, and the title is the first page's largest heading,
    not the running head above it."""
    pdf = REPO / "evals" / "corpora" / "paper2" / "mnras_guide.pdf"
    doc = load_file(pdf, pdf.name, 10**8)
    assert doc.title == "Monthly Notices of the Royal Astronomical Society: LATEX guide for authors"
    paths = [path.split(" › ", 1)[1] for _, path in doc.sections]
    assert "APPENDIX A: JOURNAL ABBREVIATIONS" in paths
    assert any(p.endswith("APPENDIX C: ADDITIONAL COMMANDS FOR EDITORS ONLY") for p in paths)  # wrapped in print
    blocks = [doc.text[b.start : b.end] for b in doc.blocks]
    assert not any("APPENDIX A" in b for b in blocks)  # it ended the reference list's paragraph

    revtex = load_file(next(PAPER.glob("*.pdf")), "auguide4-2.pdf", 10**8)
    paths = [path.split(" › ", 1)[1] for _, path in revtex.sections]
    assert "VIII. CITATIONS AND REFERENCES › VIII.5. Multiple references in a single bibliography entry" in paths
    assert not any(revtex.text[b.start : b.end].endswith("I.3. Submitting to APS Journals") for b in revtex.blocks)

    steps = REPO / "evals" / "corpora" / "manual" / "R-intro.pdf"
    manual = load_file(steps, steps.name, 10**8)
    paths = [path.split(" › ", 1)[1] for _, path in manual.sections]
    assert "Appendix B Invoking R › B.1 Invoking R from the command line" in paths
    assert "5 Arrays and matrices › 5.4 The array() function" in paths  # a heading in part typewriter is no code


def test_a_statistics_papers_sections_are_its_numbered_headings() -> None:
    """JSS papers set in Latin Modern: PDFium gives the regular text font a bold weight (744), so the font's name
    decides; "1. Introduction" is a heading, set large, not a list item; a heading that names code in typewriter
    ("2.1. Creation of "zoo" objects") and one in a semibold ("Demi") font are headings too. The authors' names
    above the abstract are no section the paper's sections fall under."""
    folder = REPO / "evals" / "corpora" / "rpapers"
    sandwich = load_file(folder / "sandwich.pdf", "sandwich.pdf", 10**8)
    paths = [path.split(" › ", 1)[1] for _, path in sandwich.sections]
    assert "1. Introduction" in paths
    assert "3. Estimating the covariance matrix Ψ › 3.1. Dealing with heteroskedasticity" in paths
    assert not any("To fix notations" in p for p in paths)  # a line of the text before an equation
    zoo = load_file(folder / "zoo.pdf", "zoo.pdf", 10**8)
    paths = [path.split(" › ", 1)[1] for _, path in zoo.sections]
    assert '2. The class "zoo" and its methods › 2.1. Creation of "zoo" objects' in paths
    assert "3. Combining zoo with other packages › 3.1. strucchange: Empirical fluctuation processes" in paths
    assert not any(p.startswith(("Achim Zeileis", "Gabor Grothendieck")) and re.search(r"\d\. ", p) for p in paths)


def test_a_footnote_follows_the_paragraph_it_falls_in() -> None:
    """A footnote (its first line marked :data:`NOTE`, its mark dropped; further lines :data:`FOOT`) is a paragraph
    of its own, after the paragraph whose sentence it interrupts at the foot of the page."""
    pages = [
        "The class reads the options in the order they are given, and the last one typed is the one\nselected first"
        f" when two of them clash with each other on the page.\nThe main text goes on here and its sentence\n"
        f"{NOTE}Babel, like so many computer programs, believes that the last\n{FOOT}should be first.\n",
        "carries on past the foot of the page to its end.\nA new paragraph starts here, as the one before ends.",
    ]
    paragraphs = reflow(pages).split("\n\n")
    assert len(paragraphs) == 2
    assert "The main text goes on here and its sentence carries on past the foot of the page to its end." in paragraphs[0]
    assert paragraphs[1] == "Babel, like so many computer programs, believes that the last should be first."
    assert NOTE not in reflow(pages) and FOOT not in reflow(pages)


def test_a_pdfs_footnote_marks_are_dropped_and_its_footnotes_stand_apart() -> None:
    """Read from the PDFs: a raised footnote mark after a sentence's end or opening a footnote is dropped, so the
    sentence ends where it ends ("... they are submitting.", not "submitting.8"); a small digit that is an index
    or part of a version ("REVTEX 4.2", "x1") stays; a footnote no longer breaks the sentence it falls in."""
    nrc = REPO / "evals" / "corpora" / "paper3" / "userguide.pdf"
    paragraphs = load_file(nrc, nrc.name, 10**8).text.split("\n\n")
    assert any(p.endswith("to which they are submitting.") for p in paragraphs)
    assert "As yet, there is no nrc.bst file for the NRC." in paragraphs
    assert any(p.startswith("An alternate set of headings commands also exists:") for p in paragraphs)
    assert not any(re.search(r"[.:]\d+$", p) for p in paragraphs)

    revtex = load_file(next(PAPER.glob("*.pdf")), "auguide4-2.pdf", 10**8).text
    assert "REVTEX 4.2 automatically includes these symbols" in revtex

    steps = REPO / "evals" / "corpora" / "manual" / "R-intro.pdf"
    manual = load_file(steps, steps.name, 10**8).text.split("\n\n")
    assert any(
        "the only difference between ordered and unordered factors is that the former are printed" in p for p in manual
    )
    assert "Note that tapply() also works" not in " ".join(p for p in manual if "between ordered" in p)


def test_a_boxed_examples_corners_break_the_text_and_are_left_out() -> None:
    """A line of dingbats (the corners texinfo draws round an example, "☛ ✟") ends the paragraph before it and is
    no text of its own; a table's symbol ("◦") stays."""
    pages = ["The file may omit the row label column as in the following.\n☛ ✟\nPrice Floor Area\n✡ ✠\n\\degr ◦ degrees"]
    paragraphs = reflow(pages).split("\n\n")
    assert paragraphs[0] == "The file may omit the row label column as in the following."
    assert not any("☛" in p or "✠" in p for p in paragraphs)
    assert any("◦" in p for p in paragraphs)
