"""Dates borrowed between articles that quote the same statements, found through stored quote fingerprints.

Every dated document keeps a winnowed sample of its 8-word shingles in the index (about a third of them, and
at least one of any shared run of 12 words). An undated document looks up the files sharing its fingerprints,
then the best few candidates are checked exactly, so the cost follows the changed files, not the corpus.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable, Sequence

import numpy as np

from rag.records import Document

_WORD = re.compile(r"\w+")
_BASE = np.uint64(1_000_003)

WINDOW = 5  # winnowing window: any shared run of WINDOW shingles shares a fingerprint
CANDIDATES = 3  # stored documents checked exactly per undated document

SHINGLE_WORDS = 8  # word runs this long shared by two articles mean they quote the same text
MIN_SHARED = 3


def shingles(doc: Document) -> set[tuple[str, ...]]:
    """The runs of ``SHINGLE_WORDS`` consecutive words of the article text (boilerplate excluded)."""
    words = [w.lower() for b in doc.blocks for w in re.findall(r"\w+", doc.text[b.start : b.end])]
    return {tuple(words[i : i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1)}


def borrow_dates(docs: list[Document], dated: list[Document]) -> None:
    """Give each undated document of ``docs`` the date of the dated article it shares the most quoted text with.

    Reports of one event quote the same statements; an article with no date of its own is dated like the
    article it quotes along with, and the date is marked inferred.
    """
    sources = [d for d in dated if d.date]
    if not sources:
        return
    cache = {id(d): shingles(d) for d in sources}
    for doc in docs:
        if doc.date:
            continue
        own = shingles(doc)
        shared = [(len(own & cache[id(d)]), d) for d in sources if d.source != doc.source]
        best = max(shared, key=lambda x: x[0], default=(0, None))
        if best[1] is not None and best[0] >= MIN_SHARED:
            doc.date, doc.date_inferred = best[1].date, True


SharedFn = Callable[[Sequence[int], str], list[tuple[str, int]]]
LoadFn = Callable[[str], Document | None]


def fingerprints(doc: Document) -> list[int]:
    """The winnowed hashes of a document's 8-word shingles (signed 64-bit), in no particular order.

    Word hashes (crc32) are combined by a polynomial rolling hash and winnowed by a sliding minimum, all in numpy.
    """
    words = [w.lower() for b in doc.blocks for w in _WORD.findall(doc.text[b.start : b.end])]
    if len(words) < SHINGLE_WORDS:
        return []
    wh = np.fromiter((zlib.crc32(w.encode()) for w in words), dtype=np.uint64, count=len(words))
    n = len(words) - SHINGLE_WORDS + 1
    h = np.zeros(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(SHINGLE_WORDS):
            h = h * _BASE + wh[j : j + n]
    signed = h.view(np.int64)
    if n > WINDOW:
        signed = np.lib.stride_tricks.sliding_window_view(signed, WINDOW).min(axis=1)
    return [int(x) for x in np.unique(signed)]


def borrow(docs: Sequence[Document], shared: SharedFn, load: LoadFn) -> None:
    """Date each undated document of ``docs`` like the dated article it shares the most quoted text with.

    Candidates come from the other documents of ``docs`` and from the index (``shared`` looks fingerprints up,
    ``load`` reloads a stored document); the date is marked inferred.
    """
    dated = [d for d in docs if d.date]
    for doc in docs:
        if doc.date:
            continue
        own = shingles(doc)
        prints = fingerprints(doc)
        best: tuple[int, Document | None] = (0, None)
        for other in dated:
            if other.source != doc.source:
                n = len(own & shingles(other))
                if n > best[0]:
                    best = (n, other)
        for source, _n in shared(prints, doc.source)[:CANDIDATES]:
            other_doc = load(source)
            if other_doc is None or not other_doc.date:
                continue
            n = len(own & shingles(other_doc))
            if n > best[0]:
                best = (n, other_doc)
        if best[1] is not None and best[0] >= MIN_SHARED:
            doc.date, doc.date_inferred = best[1].date, True
