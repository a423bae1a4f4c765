"""Loading, cleaning, dates and chunking on the real seed files and on real HTML/PDF files."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from rag.errors import RagError
from rag.ingest.chunking import chunk_document
from rag.ingest.documents import load_file, scan_folder
from rag.text import tokens
from rag.text.dates import mentions
from rag.text.sentences import sentence_texts, split

from .helpers import SEEDS


def _load(name: str):
    return load_file(SEEDS / name, name, 10**7)


def _content(doc) -> str:
    return "\n".join(doc.text[b.start : b.end] for b in doc.blocks)


def test_boilerplate_is_removed_but_article_kept() -> None:
    doc = _load("002_c010ba6d17745c5d.txt")
    content = _content(doc)
    assert "Venezuela" not in content and "Related Stories" not in content and "Harvard" not in content
    assert "2,000 Daesh fighters" in content
    assert doc.title == "Iraq hosts military chiefs from Iran, Russia and Syria"
    assert doc.date == "2018-09-01" and not doc.date_inferred

    rfe = _content(_load("000_8df99752ee73bd4e.txt"))
    for furniture in (
        "Accessibility links",
        "Breaking News",
        "16x9 Image",
        "journalists report the news",
        "(file photo)",
    ):
        assert furniture not in rfe
    assert "Iraq's 329-seat parliament" in rfe


def test_inferred_date_and_unknown_date() -> None:
    trt = _load("003_a49d935d823246c6.txt")
    assert (trt.date, trt.date_inferred) == ("2015-09-19", True)
    assert _load("001_7ec61a1bb73bfddc.txt").date is None


def test_blocks_are_exact_spans_and_hash_is_of_bytes() -> None:
    import hashlib

    for path in SEEDS.glob("*.txt"):
        doc = load_file(path, path.name, 10**7)
        text = path.read_text(encoding="utf-8")
        assert doc.text == text
        assert doc.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
        for b in doc.blocks:
            assert text[b.start : b.end].strip() == text[b.start : b.end] != ""


def test_chunks_are_token_bounded_sentence_aligned_spans() -> None:
    for path in SEEDS.glob("*.txt"):
        doc = load_file(path, path.name, 10**7)
        chunks = chunk_document(doc, max_tokens=80)
        assert chunks
        for c in chunks:
            assert tokens.count(c.text) <= 80 + 2 * len(c.sentences)
            for span, text in zip(c.sentences, sentence_texts(c), strict=True):
                assert doc.text[span.start : span.end] == text
            assert c.start == c.sentences[0].start and c.end == c.sentences[-1].end


def test_a_block_keeps_the_sentence_that_introduces_it(tmp_path: Path) -> None:
    """ "The timer accepts these settings:" and the table after it land in one chunk, even where the two pass the
    chunk's budget a little: the table alone is found by no word of a question about it."""
    prose = " ".join(f"The grinder's burr number {i} is cleaned with the brush that comes in the box." for i in range(8))
    rows = "\n".join(f"| T{i} | {5 * i} seconds | for a {['fine', 'medium', 'coarse'][i % 3]} grind |" for i in range(1, 12))
    text = f"# Grinder\n\n## Timer\n\n{prose} The timer accepts these settings:\n\n| Code | Time | Use |\n|---|---|---|\n{rows}\n"
    path = tmp_path / "grinder.md"
    path.write_text(text, encoding="utf-8")
    doc = load_file(path, path.name, 10**7)
    limit = 160
    table = next(c for c in chunk_document(doc, max_tokens=limit) if "| T11 |" in c.text)
    assert "The timer accepts these settings:" in table.text
    assert tokens.count(table.text) <= 1.25 * limit + 2 * len(table.sentences)
    assert [doc.text[s.start : s.end] for s in table.sentences] == sentence_texts(table)


def test_a_list_item_too_long_for_a_chunk_is_cut_at_its_sentences(tmp_path: Path) -> None:
    """A list item written on one line is kept whole while it fits a chunk; one longer than a chunk is cut where its
    sentences end, never mid-sentence (it was cut into equal pieces: "... not found in the hash" / "table. If")."""
    said = [f"Step {i} looks for the grinder's burr number {i} in the cupboard beside the sink and the kettle." for i in range(14)]
    item = " ".join(said)
    path = tmp_path / "grinder.md"
    path.write_text(f"# Grinder\n\nCleaning goes like this:\n\n- {item}\n- A short item.\n", encoding="utf-8")
    doc = load_file(path, path.name, 10**7)
    limit = 80
    assert tokens.count(item) > limit
    chunks = chunk_document(doc, max_tokens=limit)
    pieces = [doc.text[s.start : s.end].removeprefix("- ") for c in chunks for s in c.sentences]
    assert set(said) <= set(pieces)  # every sentence of the item whole in some chunk
    assert all(p in said or p in ("Cleaning goes like this:", "A short item.") for p in pieces)


def test_sentence_splitter_keeps_abbreviations() -> None:
    text = 'Critics have urged U.S. President Barack Obama to act. Mr. Smith said "no." Then it ended.'
    parts = [text[s.start : s.end] for s in split(text)]
    assert parts == ["Critics have urged U.S. President Barack Obama to act.", 'Mr. Smith said "no."', "Then it ended."]


def test_sentence_splitter_handles_text_that_lost_its_spaces() -> None:
    text = "Could it be done elsewhere?It wouldn't be easy.[1]That's new. Mr.Smith agreed, e.g.Apple did."
    parts = [text[s.start : s.end] for s in split(text)]
    assert parts == ["Could it be done elsewhere?", "It wouldn't be easy.", "[1]That's new.", "Mr.Smith agreed, e.g.Apple did."]


def test_relative_dates_resolve_against_document_date() -> None:
    found = {m.text: m for m in mentions("On Saturday, a day after September 26, and last month", date(2018, 9, 1))}
    assert found["Saturday"].value == date(2018, 9, 1)
    assert found["September 26"].value == date(2018, 9, 26)
    assert found["last month"].value == date(2018, 8, 1)
    inferred = {m.text: m for m in mentions("on Saturday", date(2015, 9, 19), exact_date=False)}
    assert inferred["Saturday"].value is None


def test_html_readable_text(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(
        "<html><head><title>Treaty of Qasr signed</title></head><body><nav>Home | World | Sport</nav>"
        "<article><h1>Treaty of Qasr signed</h1><p>The Treaty of Qasr was signed on 3 March 2020 by four states "
        "after long talks in the desert town.</p><p>It created a joint water authority that meets every spring in "
        "the town hall, officials said on Tuesday.</p></article><footer>Copyright 2020 Example News</footer></body></html>",
        encoding="utf-8",
    )
    doc = load_file(page, "page.html", 10**7)
    content = _content(doc)
    assert "Treaty of Qasr was signed on 3 March 2020" in content
    assert "Home | World" not in content and "Copyright" not in content


def _minimal_pdf(text: str) -> bytes:
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, obj in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def test_pdf_text(tmp_path: Path) -> None:
    pdf = tmp_path / "memo.pdf"
    pdf.write_bytes(_minimal_pdf("The water authority of Qasr was founded in 2020 by four neighbouring states."))
    doc = load_file(pdf, "memo.pdf", 10**7)
    assert "water authority of Qasr was founded in 2020" in doc.text


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("binary.txt", b"\x00\x01\x02binary", "binary"),
        ("latin1.txt", "caf\xe9 au lait, a long enough line of text here.".encode("latin-1"), "UTF-8"),
        ("empty.md", b"", "empty"),
        ("fake.pdf", b"not a pdf at all", "not a PDF"),
    ],
)
def test_bad_files_raise_clear_errors(tmp_path: Path, name: str, data: bytes, reason: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(RagError, match=reason):
        load_file(path, name, 10**7)


def test_huge_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    path.write_bytes(b"Some sentence of text. " * 50_000)
    with pytest.raises(RagError, match="too large"):
        load_file(path, "huge.txt", 100_000)


def test_scan_reports_unsupported_and_skips_hidden(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("x", encoding="utf-8")
    (tmp_path / "b.docx").write_bytes(b"PK")
    (tmp_path / ".hidden.txt").write_text("x", encoding="utf-8")
    (tmp_path / ".env").write_text("OPENAI_API_KEY=sk-secret", encoding="utf-8")
    (tmp_path / "README").write_text("x", encoding="utf-8")  # no extension: found, read if it is text
    found, skipped = scan_folder(tmp_path)
    assert list(found) == ["README", "a.txt"]
    assert [s.source for s in skipped] == ["b.docx"]
    with pytest.raises(RagError, match="not found"):
        scan_folder(tmp_path / "missing")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I didn't. Then it ended.", ["I didn't.", "Then it ended."]),  # an apostrophe word is no initial
        ("Use argparse.ArgumentParser here. See www.Python.org now.",
         ["Use argparse.ArgumentParser here.", "See www.Python.org now."]),  # dotted names stay whole
        ('He said. "(Assad) is here." Next.', ["He said.", '"(Assad) is here."', "Next."]),
        ("told Agence F... US to leave", ["told Agence F...", "US to leave"]),  # a letter before "..." ends it
        ("about it?It wouldn't work.Really.", ["about it?", "It wouldn't work.", "Really."]),  # lost spaces
        # an essay's footnote marks glued to the full stop end the sentence with it
        ("It is their project.[2] In fact it grew.[3][4] Then.", ["It is their project.[2]", "In fact it grew.[3][4]",
                                                                 "Then."]),
        # a heading's number is no sentence of its own
        ("8.4. How can I find the package? Use apt-file.", ["8.4. How can I find the package?", "Use apt-file."]),
        ("IX.2. Video environment. It rose 5. Then it fell.", ["IX.2. Video environment.", "It rose 5.", "Then it fell."]),
        # an option's name opens a sentence (a PDF's reflow may leave a term at the end of the paragraph before)
        ("set by R_VSIZE. --max-ppsize=N\n\nSpecify the size.", ["set by R_VSIZE.", "--max-ppsize=N\n\nSpecify the size."]),
        ("It shows staged changes. --staged is a synonym.", ["It shows staged changes.", "--staged is a synonym."]),
        ("It was -5 degrees. Use e.g. -x too.", ["It was -5 degrees.", "Use e.g. -x too."]),
    ],
)
def test_sentence_splitter_edge_cases(text: str, expected: list[str]) -> None:
    from rag.text.sentences import split

    assert [text[s.start : s.end] for s in split(text)] == expected
