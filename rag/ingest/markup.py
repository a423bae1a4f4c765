"""HTML documentation as structured text: headings, paragraphs, list items, code blocks and tables of a page's
main content, written as Markdown-like blocks that :mod:`rag.ingest.structure` then reads.

Pages with a main content element (``<main>``, ``role="main"``, ``<article>``: documentation generators and
most modern sites) are read this way. Pages without one (older generators: SQLite's, Javadoc's) are read from
``<body>`` with menus (link lists), hidden parts and navigation left out; :mod:`rag.ingest.documents` keeps that
reading only where it holds what trafilatura's article extraction finds and not much more.
"""

from __future__ import annotations

import re
from typing import Any

MIN_TEXT = 200  # characters of main content below which the page is left to trafilatura

_SKIP_TAGS = frozenset(
    "script style nav header footer aside form button noscript svg iframe template select input textarea".split()
)
_SKIP_CLASS = re.compile(
    r"(?:^|[\s_-])(?:sphinxsidebar|related|footer|headerlink|breadcrumb|navigation|navbar|nav|menu|"
    r"mainmenu|submenu|searchmenu|toc|skip)(?:$|[\s_\d-])",
    re.I,
)
# Texinfo's "Next: ..., Previous: ..., Up: ..." bar (makeinfo's HTML: GNU manuals) and DocBook XSL's
# "Prev | Up | Home | Next" tables (PostgreSQL's and many other manuals), by their exact classes.
_NAV_PANELS = frozenset({"header", "nav-panel", "navheader", "navfooter"})
# Ids that name a whole element as navigation ("<ul id="toc">": Apache's and MediaWiki's tables of contents). Whole
# ids only: ids made from headings ("_options_related_to_merging", "s-related") name sections.
_NAV_IDS = frozenset("toc nav navbar navigation menu sidebar breadcrumb breadcrumbs footer".split())
_HIDDEN = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
MENU_LINKS = 0.8  # in a page without a main element, a list or block whose text is this much link text is a menu
_HEADINGS = {f"h{n}": n for n in range(1, 7)}
_PARAGRAPHS = frozenset("p dd caption figcaption summary address".split())
_CONTAINERS = frozenset("div section article main body blockquote dl ul ol details figure span center".split())
_SPACE = re.compile(r"\s+")
_REOPEN = "\x00reopen "  # marks where a description list ended, to reopen the section that holds it
_LABEL = "\x00label "  # an admonition's title ("Note"), to lead the paragraph after it
# DocBook's and similar generators' admonitions: a box whose heading ("Note", "Tip") labels its text, no section
_ADMONITIONS = frozenset("note tip warning caution important admonition hint attention danger".split())
_ITEM_BLOCKS = frozenset("p div ul ol pre table dl blockquote".split())  # blocks a list item may hold
_BLOCK_TAGS = (
    frozenset(_HEADINGS) | _PARAGRAPHS | (_CONTAINERS - {"span"}) | frozenset("pre table li dt hr tr td th".split())
)
_INLINE_TAGS = frozenset(
    """a abbr acronym b bdi bdo big br cite code data del dfn em font i img ins kbd label mark q s samp small span
    strike strong sub sup time tt u var wbr""".split()
)


def _skipped(el: Any) -> bool:
    """Whether the element is navigation, a script or a form, or hidden from the reader."""
    tag = el.tag if isinstance(el.tag, str) else ""
    return (
        tag in _SKIP_TAGS
        or bool(_SKIP_CLASS.search(el.get("class") or ""))
        or (tag == "div" and el.get("class") in _NAV_PANELS)
        or (el.get("id") or "").lower() in _NAV_IDS
        or el.get("hidden") is not None
        or bool(_HIDDEN.search(el.get("style") or ""))
    )


def _prune_menus(body: Any) -> None:
    """Drop the lists and blocks of a page without a main element that are mostly links (menus, link bars), and
    those its ids mark as navigation."""
    for el in list(body.iter("ul", "ol", "div", "table", "td", "p")):
        if el.getparent() is None:
            continue
        if _SKIP_CLASS.search(el.get("id") or ""):
            el.drop_tree()
            continue
        text = _SPACE.sub(" ", el.text_content()).strip()
        links = sum(len(_SPACE.sub(" ", a.text_content()).strip()) for a in el.iter("a"))
        if text and len(list(el.iter("a"))) >= 3 and links >= MENU_LINKS * len(text):
            el.drop_tree()


def _inline(el: Any) -> str:
    """An element's text on one line, skipping anchors like Sphinx's pilcrows and hidden parts."""
    return _SPACE.sub(" ", _inline_raw(el)).replace("¶", "").strip()


def _inline_raw(el: Any) -> str:
    """An element's text (not its tail) as the page spaces it, without its hidden parts."""
    parts: list[str] = []

    def walk(node: Any) -> None:
        if node.text:
            parts.append(node.text)
        for child in node:
            if isinstance(child.tag, str) and not _skipped(child):
                if child.tag == "br":
                    parts.append(" ")
                walk(child)
            if child.tail:
                parts.append(child.tail)

    walk(el)
    return "".join(parts)


def _table(el: Any) -> str:
    rows = []
    for tr in el.iter("tr"):
        cells = [_inline(td).replace("|", "\\|") for td in tr if isinstance(td.tag, str) and td.tag in ("td", "th")]
        if any(cells):
            rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows)


def _list_item(li: Any, out: list[str]) -> None:
    """A list item as "- " and its text. Blocks inside it (a second paragraph, a nested list, code) follow as blocks
    of their own, in the order the page gives them ("one of the following:", the list, then "No other ...")."""
    pending: list[str] = [li.text or ""]
    first = True
    opened = False  # the item's first paragraph has been read

    def flush() -> None:
        nonlocal first
        text = _SPACE.sub(" ", "".join(pending)).replace("¶", "").strip()
        pending.clear()
        if text:
            out.append(("- " if first else "") + text)
            first = False

    for c in list(li):
        if not isinstance(c.tag, str) or _skipped(c):
            pending.append(c.tail or "")
        elif c.tag in _ITEM_BLOCKS:
            if c.tag in ("p", "div") and first and not opened and not _has_blocks(c):
                # the item's first paragraph is the item's own text (DocBook's "<li><div class="para">")
                pending.append(" " + _inline(c) + " ")
                opened = True
            else:
                flush()
                wrapper = li.makeelement("div", {})
                wrapper.append(c)  # moves c (and its tail) out of the item
                _blocks(wrapper, out)
                continue
            pending.append(c.tail or "")
        else:
            pending.append((" " if c.tag == "br" else "") + _inline_raw(c) + (c.tail or ""))
    flush()


def _has_blocks(el: Any) -> bool:
    """Whether the element holds a block (a paragraph, a list, a heading, code, a table) anywhere inside."""
    return any(isinstance(d.tag, str) and d.tag in _BLOCK_TAGS for d in el.iterdescendants())


def _blocks(el: Any, out: list[str], lead: str = "") -> None:
    """The blocks of ``el``'s children, in order (``lead``: ``el``'s own text before them). Loose text and inline
    elements between blocks join into one paragraph; a container holding no block is a paragraph (DocBook's
    ``<div class="para">``)."""
    run: list[str] = [lead]

    def flush() -> None:
        text = _SPACE.sub(" ", "".join(run)).replace("¶", "").strip()
        run.clear()
        if text:
            out.append(text)

    for child in el:
        if not isinstance(child.tag, str) or _skipped(child):
            run.append(child.tail or "")
            continue
        tag = child.tag
        blocks = _has_blocks(child)  # one look inside per child: it decides inline, paragraph or container
        if not blocks and (tag in _INLINE_TAGS or tag not in _BLOCK_TAGS):  # "<code>apt</code>" in a line of text
            run.append((" " if tag == "br" else "") + _inline_raw(child) + (child.tail or ""))
            continue
        flush()
        if tag in _HEADINGS:
            text = _inline(child)
            if text and _admonition_title(child, text):
                out.append(_LABEL + text.rstrip(":"))
            elif text:
                out.append("#" * _HEADINGS[tag] + " " + text)
        elif tag == "dt":  # a described term: an API signature, a glossary entry; its dd is its section
            for category in child.xpath(".//*[@class='category']"):
                category.drop_tree()  # Texinfo's "Function:" (or bare ": ") before a signature
            text = _inline(child)
            before = child.getprevious()
            if text and before is not None and before.tag == "dt" and out and out[-1].startswith("###### "):
                out[-1] += ", " + text  # "-q" then "--quiet": the names of one option, one heading
            elif text:
                out.append("###### " + text)
        elif tag == "pre":
            code = child.text_content().strip("\n")
            if code.strip():
                out.append("```\n" + code.replace("```", "``\u200b`") + "\n```")
        elif tag == "table":
            table = _table(child)
            if table:
                out.append(table)
        elif tag == "li":
            _list_item(child, out)
        elif tag in _PARAGRAPHS or not blocks:
            if not blocks and "admonition-title" in (child.get("class") or "").split():
                text = _inline(child)  # Sphinx's '<p class="admonition-title">Note</p>'
                if text:
                    out.append(_LABEL + text.rstrip(":"))
            elif blocks:
                _blocks(child, out, child.text or "")
            else:
                text = _inline(child)
                if text:
                    out.append(text)
        else:  # containers: their own loose text and inline parts, then their blocks
            # the section a description list sits in: the last heading that is not a term of an earlier list
            enclosing = (
                next((b for b in reversed(out) if b.startswith("#") and not b.startswith("###### ")), None)
                if tag == "dl"
                else None
            )
            terms = len(out)
            _blocks(child, out, child.text or "")
            if enclosing and any(b.startswith("###### ") for b in out[terms:]):
                out.append(_REOPEN + enclosing)  # what follows the list is the enclosing section's, not the last term's
        run.append(child.tail or "")
    flush()


def _admonition_title(heading: Any, text: str) -> bool:
    """Whether ``heading`` is the title of an admonition ("<div class="note"><h3>Note</h3>"): a few words, first in
    a box of that class."""
    box = heading.getparent()
    classes = set((box.get("class") or "").split()) if box is not None else set()
    return bool(classes & _ADMONITIONS) and len(text.split()) <= 3 and heading.getprevious() is None


def _reopened(out: list[str]) -> list[str]:
    """The blocks with each reopening mark left after a description list replaced by the heading it reopens, where
    text follows before the next heading, and dropped elsewhere; an admonition's title leads the paragraph after
    it ("Note: ...")."""
    kept: list[str] = []
    for i, b in enumerate(out):
        if b.startswith(_LABEL):
            labelled = out[i + 1] if i + 1 < len(out) else ""
            if labelled and labelled[0] not in "#`|-\x00" and not labelled[0].isdigit():
                out[i + 1] = f"{b.removeprefix(_LABEL)}: {labelled}"
            continue
        if b.startswith(_REOPEN):
            after = next((x for x in out[i + 1 :] if x and not x.startswith(_REOPEN)), None)
            if after is not None and not after.startswith("#"):
                kept.append(b.removeprefix(_REOPEN))
        else:
            kept.append(b)
    return kept


# The divisions DocBook's HTML (Publican, docbook-xsl: many manuals and handbooks) puts a page's content in.
_DIVISIONS = "book part chapter appendix preface article section refentry reference glossary".split()
_DIVISION = " or ".join(f"contains(concat(' ', normalize-space(@class), ' '), ' {d} ')" for d in _DIVISIONS)


DIVISION_SHARE = 0.5  # a page's DocBook divisions must hold at least this share of its text to be its content


def _length(el: Any) -> int:
    """The characters of text in ``el``, whitespace runs counted as one."""
    return len(_SPACE.sub(" ", el.text_content()))


def _docbook_division(root: Any) -> Any | None:
    """The element holding a DocBook page's content: its outermost division ("<div class="section">"), or the
    parent of several that share one; None for pages of other generators."""
    found = root.xpath(f"//div[{_DIVISION}][not(ancestor::div[{_DIVISION}])]")
    if not found:
        return None
    parent = found[0].getparent()
    if len(found) == 1:
        return found[0]
    return parent if parent is not None and all(d.getparent() is parent for d in found) else None


def html_blocks(html: str, min_text: int = MIN_TEXT) -> tuple[str, bool] | None:
    """The page's main content as blank-line separated blocks (``#`` headings, fenced code, ``|`` tables,
    ``-`` list items), led by its title, and whether it was read from ``<body>`` because the page has no main
    content element (its menus left out). None when there is too little text, or, read from the body, no heading
    (no structure to keep). ``min_text``: the characters of main content a page needs."""
    import lxml.html

    try:  # as bytes: lxml refuses a str that opens with an XML declaration (AsciiDoc's XHTML pages)
        root = lxml.html.document_fromstring(html.encode("utf-8"), parser=lxml.html.HTMLParser(encoding="utf-8"))
    except (ValueError, TypeError, lxml.etree.ParserError):
        return None
    main = next(iter(root.xpath("//main | //*[@role='main'] | //article")), None)
    if main is None:
        main = _docbook_division(root)
        body = root.find("body")
        if main is not None and body is not None and _length(main) < DIVISION_SHARE * _length(body):
            main = None  # one "section" of a page whose other parts are not (Apache's "directive-section"s)
    whole_body = main is None
    if whole_body:
        main = root.find("body")
        if main is None:
            return None
        _prune_menus(main)
    out: list[str] = []
    _blocks(main, out)
    out = _reopened(out)
    text = "\n\n".join(b for b in out if b)
    if len(text) < min_text or (whole_body and not any(b.startswith("#") for b in out)):
        return None
    title = _SPACE.sub(" ", root.findtext(".//title") or "").strip()
    first = out[0] if out else ""
    if title and not first.startswith("# ") and first.lstrip("#").strip() != title:
        text = f"# {title}\n\n{text}"
    return text, whole_body
