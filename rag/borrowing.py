"""Dates borrowed between articles that quote the same statements, found through stored quote fingerprints.

Every dated document keeps a winnowed sample of its 8-word shingles in the index (about a third of them, and
at least one of any shared run of 12 words). An undated document looks up the files sharing its fingerprints,
then the best few candidates are checked exactly, so the cost follows the changed files, not the corpus.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

from .documents import MIN_SHARED, shingles
from .records import Document

WINDOW = 5  # winnowing window: any shared run of WINDOW shingles shares a fingerprint
CANDIDATES = 3  # stored documents checked exactly per undated document

SharedFn = Callable[[Sequence[int], str], list[tuple[str, int]]]
LoadFn = Callable[[str], Document | None]


def _hash(shingle: tuple[str, ...]) -> int:
    digest = hashlib.blake2b(" ".join(shingle).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def fingerprints(doc: Document) -> list[int]:
    """The winnowed shingle hashes of a document's article text, in no particular order."""
    words = [s for s in _ordered_shingles(doc)]
    hashes = [_hash(s) for s in words]
    if len(hashes) <= WINDOW:
        return sorted(set(hashes))
    picked: set[int] = set()
    for i in range(len(hashes) - WINDOW + 1):
        picked.add(min(hashes[i : i + WINDOW]))
    return sorted(picked)


def _ordered_shingles(doc: Document) -> list[tuple[str, ...]]:
    import re

    from .documents import SHINGLE_WORDS

    words = [w.lower() for b in doc.blocks for w in re.findall(r"\w+", doc.text[b.start : b.end])]
    return [tuple(words[i : i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1)]


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
