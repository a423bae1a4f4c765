"""HTML documentation as structured text: headings, paragraphs, list items, code blocks and tables of a page's
main content, written as Markdown-like blocks that :mod:`rag.ingest.structure` then reads.

Pages with a main content element (``<main>``, ``role="main"``, ``<article>``: documentation generators and
most modern sites) are read this way; others go to trafilatura's article extraction.
"""

from __future__ import annotations

import re
from typing import Any

MIN_TEXT = 200  # characters of main content below which the page is left to trafilatura

_SKIP_TAGS = frozenset(
    "script style nav header footer aside form button noscript svg iframe template select input textarea".split()
)
_SKIP_CLASS = re.compile(r"\b(?:sidebar|sphinxsidebar|related|footer|headerlink|breadcrumb|navigation|toc|skip)\b", re.I)
_HEADINGS = {f"h{n}": n for n in range(1, 7)}
_PARAGRAPHS = frozenset("p dd caption figcaption summary address".split())
_CONTAINERS = frozenset("div section article main body blockquote dl ul ol details figure span center".split())
_SPACE = re.compile(r"\s+")


def _skipped(el: Any) -> bool:
    tag = el.tag if isinstance(el.tag, str) else ""
    return tag in _SKIP_TAGS or bool(_SKIP_CLASS.search(el.get("class") or "")) or el.get("hidden") is not None


def _inline(el: Any) -> str:
    """An element's text on one line, skipping anchors like Sphinx's pilcrows and hidden parts."""
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
    return _SPACE.sub(" ", "".join(parts)).replace("¶", "").strip()


def _table(el: Any) -> str:
    rows = []
    for tr in el.iter("tr"):
        cells = [_inline(td).replace("|", "\\|") for td in tr if isinstance(td.tag, str) and td.tag in ("td", "th")]
        if any(cells):
            rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows)


def _blocks(el: Any, out: list[str]) -> None:
    for child in el:
        if not isinstance(child.tag, str) or _skipped(child):
            if child.tail and child.tail.strip():
                out.append(_SPACE.sub(" ", child.tail).strip())
            continue
        tag = child.tag
        if tag in _HEADINGS:
            text = _inline(child)
            if text:
                out.append("#" * _HEADINGS[tag] + " " + text)
        elif tag == "dt":  # a described term: an API signature, a glossary entry; its dd is its section
            text = _inline(child)
            if text:
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
            nested = [c for c in child if isinstance(c.tag, str) and (c.tag in ("ul", "ol", "pre", "table", "dl"))]
            for c in nested:
                child.remove(c)
            text = _inline(child)
            if text:
                out.append("- " + text)
            for c in nested:
                wrapper = child.makeelement("div", {})
                wrapper.append(c)
                _blocks(wrapper, out)
        elif tag in _PARAGRAPHS:
            if any(isinstance(c.tag, str) and c.tag in ("pre", "table", "ul", "ol", "dl", "div") for c in child):
                _blocks(child, out)
            else:
                text = _inline(child)
                if text:
                    out.append(text)
        else:  # containers and unknown tags: their own loose text, then their children
            if child.text and child.text.strip() and tag not in _CONTAINERS:
                out.append(_inline(child))
                continue
            if child.text and child.text.strip():
                out.append(_SPACE.sub(" ", child.text).strip())
            _blocks(child, out)
        if child.tail and child.tail.strip():
            out.append(_SPACE.sub(" ", child.tail).strip())


def html_blocks(html: str) -> str | None:
    """The page's main content as blank-line separated blocks (``#`` headings, fenced code, ``|`` tables,
    ``-`` list items), led by its title; None when the page has no main content element or too little text."""
    import lxml.html

    try:
        root = lxml.html.document_fromstring(html)
    except (ValueError, TypeError, lxml.etree.ParserError):
        return None
    main = next(iter(root.xpath("//main | //*[@role='main'] | //article")), None)
    if main is None:
        return None
    out: list[str] = []
    _blocks(main, out)
    text = "\n\n".join(b for b in out if b)
    if len(text) < MIN_TEXT:
        return None
    title = _SPACE.sub(" ", root.findtext(".//title") or "").strip()
    first = out[0] if out else ""
    if title and not first.startswith("# "):
        text = f"# {title}\n\n{text}"
    return text
