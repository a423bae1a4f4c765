"""Structured documents: headings become section paths; code, tables and list items stay whole."""

from __future__ import annotations

from pathlib import Path

from rag.ingest.chunking import chunk_document
from rag.ingest.documents import load_file
from rag.ingest.structure import parse

PYDOCS = Path(__file__).resolve().parent.parent / "evals" / "corpora" / "pydocs"

MARKDOWN = """---
title: ignored front matter
---
# Widget Guide

Widgets are configured in one file. The file is read at start-up.

## Installing

Run the installer from a terminal:

```bash
pip install widget
widget --init
```

- Keep the config in version control. It changes rarely.
- Never store secrets in it.

### Tables

| option | default |
|---|---|
| colour | blue |
"""


def test_markdown_blocks_sections_and_whole_blocks(tmp_path: Path) -> None:
    layout = parse(MARKDOWN)
    assert layout.title == "Widget Guide"
    texts = [(MARKDOWN[b.start : b.end], w) for b, w in zip(layout.blocks, layout.whole, strict=True)]
    assert ("pip install widget\nwidget --init", True) in texts
    assert ("- Keep the config in version control. It changes rarely.", True) in texts
    assert any(t.startswith("| option | default |") and w for t, w in texts)
    assert [name for _, name in layout.sections] == [
        "Widget Guide", "Widget Guide › Installing", "Widget Guide › Installing › Tables"
    ]
    path = tmp_path / "guide.md"
    path.write_text(MARKDOWN)
    chunks = chunk_document(load_file(path, "guide.md", 10**6))
    by_title = {c.title: c for c in chunks}
    assert "Widget Guide › Installing" in by_title
    code = by_title["Widget Guide › Installing"]
    assert "pip install widget\nwidget --init" in [MARKDOWN[s.start : s.end] for s in code.sentences]
    for c in chunks:  # spans stay exact
        for s in c.sentences:
            assert MARKDOWN[s.start : s.end].strip() == MARKDOWN[s.start : s.end]


def test_documentation_html_reads_main_content_with_sections() -> None:
    page = PYDOCS / "library" / "functools.html"
    doc = load_file(page, "library/functools.html", 10**8)
    assert doc.title.startswith("functools")
    assert "Navigation" not in doc.text[:500] and "¶" not in doc.text
    chunks = chunk_document(doc)
    titles = {c.title for c in chunks}
    assert any("lru_cache" in t for t in titles), titles
    sentences = [doc.text[s.start : s.end] for c in chunks for s in c.sentences]
    assert any(s.startswith("@cache\ndef factorial(n):") for s in sentences)  # a code block, whole
