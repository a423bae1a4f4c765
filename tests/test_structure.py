"""Structured documents: headings become section paths; code, tables and list items stay whole."""

from __future__ import annotations

from pathlib import Path

from rag.errors import RagError
from rag.ingest.chunking import chunk_document
from rag.ingest.documents import _holds_article, load_file
from rag.ingest.markup import html_blocks
from rag.ingest.structure import parse

PYDOCS = Path(__file__).resolve().parent.parent / "evals" / "corpora" / "pydocs"
SQLITEDOCS = PYDOCS.parent / "sqlitedocs"

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


def test_html_without_a_main_element_reads_its_body_with_sections() -> None:
    """SQLite's pages have no <main>: menus, the search form and hidden syntax diagrams stay out, headings become
    sections and list items stay whole."""
    doc = load_file(SQLITEDOCS / "wal.html", "wal.html", 10**8)
    assert doc.title == "Write-Ahead Logging"
    for menu in ("Search Documentation", "Purchase", "toggle_div"):
        assert menu not in doc.text
    chunks = chunk_document(doc)
    assert "Write-Ahead Logging › 2. How WAL Works › 2.1. Checkpointing" in {c.title for c in chunks}
    items = [doc.text[s.start : s.end] for c in chunks for s in c.sentences]
    assert "- WAL is significantly faster in most scenarios." in items
    strict = load_file(SQLITEDOCS / "stricttables.html", "stricttables.html", 10**8).text
    order = ["- The datatype must be one of following:", "- BLOB", "No other datatype names are allowed"]
    assert [strict.index(t) for t in order] == sorted(strict.index(t) for t in order)  # as the page shows them
    hidden = load_file(SQLITEDOCS / "lang_upsert.html", "lang_upsert.html", 10**8)
    assert "display:none" in (SQLITEDOCS / "lang_upsert.html").read_text()
    assert "expr:" in hidden.text  # the diagram shown
    assert "window-defn:" not in hidden.text  # the sub-diagrams hidden with display:none are not text


def test_html_without_a_main_element_hides_nothing_it_shows(tmp_path: Path) -> None:
    page = tmp_path / "guide.html"
    page.write_text(
        "<html><head><title>Gadget Guide</title></head><body>"
        "<ul><li><a href='a.html'>Home</a><li><a href='b.html'>Download</a><li><a href='c.html'>Support</a></ul>"
        "<h1>Gadget Guide</h1><p>The gadget stores its settings in one file that is read once at start-up.</p>"
        "<h2>Resetting</h2><p>Hold the button for ten seconds to reset the gadget to its factory settings.</p>"
        "<ul><li>The light blinks twice when the reset begins.</li><li>All saved profiles are erased.</li></ul>"
        "<div style='display: none'>Secret diagram labels nobody sees.</div>"
        "<pre>gadget --reset --force</pre></body></html>",
        encoding="utf-8",
    )
    doc = load_file(page, "guide.html", 10**6)
    assert "Download" not in doc.text and "Secret diagram" not in doc.text
    chunks = chunk_document(doc)
    spans = {(c.title, doc.text[s.start : s.end]) for c in chunks for s in c.sentences}
    assert ("Gadget Guide › Resetting", "- All saved profiles are erased.") in spans
    assert ("Gadget Guide › Resetting", "gadget --reset --force") in spans



def test_xhtml_with_an_xml_declaration_is_read_with_its_structure(tmp_path: Path) -> None:
    """AsciiDoc's pages (Git's manual) open with an XML declaration and hard-wrap their paragraphs: they are read
    as structure, each paragraph one block whose sentences run across the source's line breaks, and the names of
    one option (consecutive terms of a description list) make one heading."""
    page = tmp_path / "tool-pull.html"
    page.write_bytes(
        b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.1//EN" '
        b'"http://www.w3.org/TR/xhtml11/DTD/xhtml11.dtd">\n<html xmlns="http://www.w3.org/1999/xhtml">\n'
        b"<head><title>tool-pull(1)</title></head><body><div id=\"header\"><h1>tool-pull(1) Manual Page</h1></div>"
        b"<div id=\"content\"><h2>DESCRIPTION</h2><div class=\"paragraph\"><p>Older scripts may depend on the\n"
        b"historical behaviour of not allowing the\nuser to edit the log message. They will see an editor\n"
        b"opened when they run <code>tool merge</code>.</p></div>"
        b"<h2>OPTIONS</h2><div class=\"dlist\"><dl><dt class=\"hdlist1\">-q</dt><dt class=\"hdlist1\">--quiet"
        b"</dt><dd><p>Operate quietly, reporting only errors, so that scripts\ncan read its output.</p></dd>"
        b"</dl></div></div><p>Caf\xc3\xa9 \xe2\x80\x94 last updated 2024-05-31.</p></body></html>"
    )
    doc = load_file(page, "tool-pull.html", 10**6)
    chunks = chunk_document(doc)
    spans = {(c.title, doc.text[s.start : s.end]) for c in chunks for s in c.sentences}
    wrapped = "Older scripts may depend on the historical behaviour of not allowing the user to edit the log message."
    assert ("tool-pull(1) Manual Page › DESCRIPTION", wrapped) in spans
    assert any(t.endswith("OPTIONS › -q, --quiet") and s.startswith("Operate quietly") for t, s in spans), spans
    assert "Café —" in doc.text  # read as UTF-8, as declared


def test_a_body_of_more_paragraphs_than_the_article_is_left_to_article_extraction() -> None:
    """Without a main element, the body is read only when its paragraphs are about those trafilatura found in the
    page: a body with many more (teasers, comments) is left to trafilatura."""
    article = (
        "Bridge reopens. The old stone bridge over the Lune reopened on Monday after two years of repairs, the "
        "county council said. Engineers replaced the cracked arches and widened the footpath so that prams and "
        "wheelchairs can pass each other safely."
    )
    teasers = "".join(f"<h3>Story {n}</h3><p>Teaser {n} tells of another town and its quarrels.</p>" for n in range(9))
    html = f"<html><body><h1>Bridge reopens</h1><p>{article[16:]}</p>{{}}</body></html>"

    def body(page: str) -> str:
        read = html_blocks(page)
        assert read is not None and read[1]  # read from <body>: there is no main element
        return read[0]

    assert _holds_article(body(html.format("")), article)
    assert not _holds_article(body(html.format(teasers)), article)
    assert not _holds_article(body(html.format("")), "A different article altogether, about a ferry.")


DOCS_SITE = """# Snippets

## Options

Option        | Type   | Default | Description
------------- | ------ | ------- | -----------
`check_paths` | bool   | `False` | Fail on a missing file. A missing file is removed otherwise.
`base_path`   | list   | `['.']` | Where to look.

!!! warning "Careful"
    Enabling downloads makes the renderer fetch URLs. Only do it for trusted input.

    A second paragraph of the warning.

=== "Output"
    The tab shows the rendered page. It is prose too.

/// tip | Indented content
Indented content should be separated from the header. It is read as prose.
///

```text
-8<- "file.md"
```

/// html | div.result
A. This is a list.
///

See [MkDocs][mkdocs] for more.

[mkdocs]: https://www.mkdocs.org
*[HTML]: Hyper Text Markup Language
--8<-- "links.md"
"""


def test_docs_site_markdown_keeps_tables_admonitions_and_blocks_apart() -> None:
    """A table without outer pipes stays one whole block; an admonition's indented body is prose, not code; the
    marker lines of a generic block and link definitions are no text; a rendered ``/// html`` example stays whole."""
    layout = parse(DOCS_SITE)
    blocks = [(DOCS_SITE[b.start : b.end], whole) for b, whole in zip(layout.blocks, layout.whole, strict=True)]
    tables = [t for t, whole in blocks if t.startswith("Option")]
    assert len(tables) == 1 and tables[0].rstrip().endswith("Where to look.")
    assert next(whole for t, whole in blocks if t.startswith("Option"))
    prose = [t for t, whole in blocks if not whole]
    assert "Enabling downloads makes the renderer fetch URLs. Only do it for trusted input." in prose
    assert "A second paragraph of the warning." in prose
    assert "The tab shows the rendered page. It is prose too." in prose
    assert "Indented content should be separated from the header. It is read as prose." in prose
    assert "See [MkDocs][mkdocs] for more." in prose
    assert ("A. This is a list.", True) in blocks
    texts = [t for t, _ in blocks]
    assert not any(t.startswith(("!!!", "///", "===", "[mkdocs]:", "*[HTML]", "--8<--")) for t in texts), texts
    assert '-8<- "file.md"' in texts  # inside a code fence it is code, kept


def test_a_code_fence_over_a_rule_is_code_not_a_heading() -> None:
    """ "```yaml" followed by "---" (an example that starts with front matter) opens a code block; it is no
    setext heading, which would leave the example's lines to be read as prose and its closing fence to open one."""
    text = "## Example\n\n```yaml\n---\ntitle: x\n---\nbody: y\n```\n\nThe example sets a title. It is read.\n"
    layout = parse(text)
    blocks = [(text[b.start : b.end], w) for b, w in zip(layout.blocks, layout.whole, strict=True)]
    assert blocks == [("---\ntitle: x\n---\nbody: y", True), ("The example sets a title. It is read.", False)]
    assert [name for _, name in layout.sections] == ["Example"]


def test_a_paragraph_with_a_pipe_is_no_table() -> None:
    """Only a header row followed by a rule of dashes starts a table without outer pipes."""
    text = "Pass `a | b` to combine them. It works.\nThe next line goes on.\n"
    layout = parse(text)
    assert [(text[b.start : b.end], w) for b, w in zip(layout.blocks, layout.whole, strict=True)] == [
        (text.strip(), False)
    ]


DOCBOOK_PAGE = """<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">
<html xmlns="http://www.w3.org/1999/xhtml"><head><title>9.5. syslog System Events</title></head><body>
<div id="banner"><a href="index.html">Download the ebook</a></div><p id="title">The Handbook</p>
<ul class="docnav top"><li class="previous"><a href="a.html"><strong>Prev</strong></a></li>
<li class="next"><a href="b.html"><strong>Next</strong></a></li></ul>
<div class="section"><div class="titlepage"><div><div><h2 class="title">9.5. <code class="command">syslog</code>
System Events</h2></div></div></div><div class="para">
  The <code class="command">rsyslogd</code> daemon is responsible for collecting service messages, then
  dispatching them into log files (usually stored in the <code class="filename">/var/log/</code> directory).
</div><div class="itemizedlist"><ul class="itemizedlist"><li class="listitem"><div class="para">
  <code class="literal">auth</code> and <code class="literal">authpriv</code>: for authentication;
</div></li><li class="listitem"><div class="para"><code class="literal">cron</code>: comes from task
scheduling services;</div></li></ul></div>
<div class="sidebar"><div class="titlepage"><div><div><p class="title"><strong><span class="emphasis"><em>TIP</em>
</span> Forwarding logs</strong></p></div></div></div><div class="para">
  It is a good idea to record the most important logs on a separate machine.</div></div>
</div><ul class="docnav"><li class="previous"><a href="a.html"><strong>Prev</strong></a></li></ul></body></html>
"""


def test_a_docbook_page_is_read_from_its_division(tmp_path: Path) -> None:
    """DocBook's HTML (Publican, docbook-xsl) has no main element: its content is the outermost division
    (``<div class="section">``), its paragraphs are ``<div class="para">`` with inline code that stays in the
    sentence, and its sidebars ("TIP ...") are content. The banner and the Prev/Next links are not."""
    page = tmp_path / "sect.syslog.html"
    page.write_text(DOCBOOK_PAGE, encoding="utf-8")
    doc = load_file(page, page.name, 10**6)
    assert (
        "The rsyslogd daemon is responsible for collecting service messages, then dispatching them into log files "
        "(usually stored in the /var/log/ directory)." in doc.text
    )
    assert "- auth and authpriv: for authentication;" in doc.text
    assert "- cron: comes from task scheduling services;" in doc.text
    assert "It is a good idea to record the most important logs on a separate machine." in doc.text
    assert "Download the ebook" not in doc.text and "Prev" not in doc.text
    chunks = chunk_document(doc)
    titles = {c.title for c in chunks}
    assert any(t.endswith("9.5. syslog System Events") for t in titles), titles


DOCBOOK_XSL_PAGE = """<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<html xmlns="http://www.w3.org/1999/xhtml"><head><title>vacuumdb</title></head><body>
<div class="navheader"><table width="100%" summary="Navigation header"><tr><th colspan="5">vacuumdb</th></tr>
<tr><td><a accesskey="p" href="app-reindexdb.html">Prev</a></td><td><a accesskey="u" href="apps.html">Up</a></td>
<th>PostgreSQL Client Applications</th><td><a accesskey="h" href="index.html">Home</a></td>
<td><a accesskey="n" href="app-pg-dumpall.html">Next</a></td></tr></table><hr /></div>
<div class="refentry" id="APP-VACUUMDB"><div class="refnamediv"><h2>vacuumdb</h2>
<p>vacuumdb — garbage-collect and analyze a PostgreSQL database</p></div>
<div class="refsect1"><h2>Options</h2><div class="variablelist"><dl class="variablelist">
<dt><span class="term"><code class="option">--no-process-toast</code></span></dt><dd><p>
 Skip the TOAST table associated with the table to vacuum, if any.
</p><div class="note"><h3 class="title">Note</h3><p>
 This option is only available for servers running <span class="productname">PostgreSQL</span> 14 and later.
</p></div></dd>
<dt><span class="term"><code class="option">--no-truncate</code></span></dt><dd><p>
 Do not truncate empty pages at the end of the table.</p></dd></dl></div></div></div>
<div class="navfooter"><hr /><table width="100%" summary="Navigation footer"><tr>
<td><a accesskey="p" href="app-reindexdb.html">Prev</a></td><td><a accesskey="u" href="apps.html">Up</a></td>
<td><a accesskey="n" href="app-pg-dumpall.html">Next</a></td></tr><tr><td>reindexdb</td>
<td><a accesskey="h" href="index.html">Home</a></td><td>pg_dumpall</td></tr></table></div></body></html>
"""


def test_a_docbook_xsl_page_leaves_out_its_navigation_and_labels_its_notes(tmp_path: Path) -> None:
    """docbook-xsl pages (PostgreSQL's manual) put a "Prev | Up | Home | Next" table above and below the content:
    no text of the page. A note's "Note" heading labels its paragraph, which stays in the option's section."""
    page = tmp_path / "app-vacuumdb.html"
    page.write_text(DOCBOOK_XSL_PAGE, encoding="utf-8")
    doc = load_file(page, page.name, 10**6)
    assert "Prev" not in doc.text and "Home" not in doc.text and "pg_dumpall" not in doc.text
    assert "|" not in doc.text
    note = "Note: This option is only available for servers running PostgreSQL 14 and later."
    assert note in doc.text
    assert "### Note" not in doc.text
    chunks = chunk_document(doc)
    holding = [c for c in chunks if note in c.text]
    assert holding and all("--no-process-toast" in c.title for c in holding), [c.title for c in holding]


RST_PAGE = """.. module:: widgets

.. _widget-guide:

Widget Guide
============

Widgets are configured with :func:`~widgets.config.load` and the
:class:`Widget` class. See :ref:`installing` and :ref:`the options <opts>`.

.. include:: ../CHANGES.rst

.. literalinclude:: ../../secret.txt

.. raw:: html

   <script>alert(1)</script>

.. _installing:

Installing
----------

Run the installer:

.. code-block:: bash
   :caption: in a terminal

   pip install widget
   widget --init

.. versionadded:: 2.1
   The ``--init`` option.

.. autoclass:: Widget
   :members:

.. function:: render(widget, strict=False)

   Render the widget. With ``strict`` a missing value raises an error.

   :param widget: the widget to render.
   :returns: the HTML.

.. _opts:

Options
-------

.. jinja:mystery:: something.generated

.. note::

   Options are read once, at start-up.
"""


def test_restructured_text_is_read_as_sphinx_shows_it(tmp_path: Path) -> None:
    """A Sphinx source reads as its built page would: roles as their text, code blocks whole, release notes as
    sentences, an object's signature as the heading of its description, field lists as items; nothing from
    another file ("include", "literalinclude") or raw HTML is read, and an unknown extension's directive with
    no content leaves no trace."""
    (tmp_path / "CHANGES.rst").write_text("Version 9\n=========\n\nLEAKED CHANGES\n", encoding="utf-8")
    (tmp_path.parent / "secret.txt").write_text("LEAKED SECRET", encoding="utf-8")
    folder = tmp_path / "docs"
    folder.mkdir()
    page = folder / "guide.rst"
    page.write_text(RST_PAGE, encoding="utf-8")
    doc = load_file(page, page.name, 10**6)
    text = doc.text
    assert doc.title == "Widget Guide"
    assert "Widgets are configured with load() and the Widget class." in text
    assert "See Installing and the options." in text
    assert "```\npip install widget\nwidget --init\n```" in text
    assert "Added in version 2.1: The --init option." in text
    assert "###### render(widget, strict=False)" in text
    assert "Render the widget. With strict a missing value raises an error." in text
    assert "- param widget: the widget to render." in text and "- returns: the HTML." in text
    assert "Options are read once, at start-up." in text
    for absent in ("LEAKED", "alert(1)", "autoclass", "Widget\n", ":members:", "something.generated", ".. ", ":func:"):
        assert absent not in text, absent
    titles = {c.title for c in chunk_document(doc)}
    assert any(t.endswith("Widget Guide › Installing") for t in titles), titles
    assert any(t.endswith("Widget Guide › Options") for t in titles), titles


def test_restructured_text_with_no_text_of_its_own_is_skipped_with_a_reason(tmp_path: Path) -> None:
    """A short file of prose is read; one holding only directives whose text lives elsewhere (autodoc, include)
    is skipped with that reason, not indexed as raw markup."""
    prose = tmp_path / "notes.rst"
    prose.write_text("Plain notes\n\nThe backup runs nightly at two in the morning and keeps seven copies.\n", encoding="utf-8")
    assert "The backup runs nightly" in load_file(prose, prose.name, 10**6).text
    only = tmp_path / "api.rst"
    only.write_text(".. automodule:: widgets\n   :members:\n\n.. autoclass:: Widget\n", encoding="utf-8")
    try:
        load_file(only, only.name, 10**6)
    except RagError as e:
        assert "no text of its own" in str(e)
    else:
        raise AssertionError("a file of autodoc directives has no text to index")


SPHINX_NOTE_PAGE = """<!DOCTYPE html><html><head><title>Fetching pages &#8212; Widget docs</title></head><body>
<div class="body" role="main"><section id="errors"><h1>Handling errors<a class="headerlink" href="#errors">¶</a></h1>
<p>Both exceptions are raised by <code>fetch()</code>; catch them in the order below.</p>
<div class="admonition note">
<p class="admonition-title">Note</p>
<p>The <code>except HTTPError</code> clause <em>must</em> come first, otherwise <code>except URLError</code> will also
catch an <code>HTTPError</code>.</p>
</div>
<div class="admonition seealso">
<p class="admonition-title">See also</p>
<ul><li><p>The section on redirects.</p></li></ul>
</div>
</section></div></body></html>
"""


def test_a_sphinx_admonition_title_labels_its_paragraph(tmp_path: Path) -> None:
    """Sphinx writes a note's title as a paragraph of its own ('<p class="admonition-title">Note</p>'): it leads
    the note's paragraph ("Note: The except HTTPError clause ..."), and "Note" is never a sentence alone."""
    page = tmp_path / "errors.html"
    page.write_text(SPHINX_NOTE_PAGE, encoding="utf-8")
    doc = load_file(page, page.name, 10**6)
    assert "Note: The except HTTPError clause must come first" in doc.text
    sentences = [doc.text[s.start : s.end].strip() for c in chunk_document(doc) for s in c.sentences]
    assert "Note" not in sentences and "See also" not in sentences, sentences
