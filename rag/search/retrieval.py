"""Hybrid retrieval: dense (Chroma) and BM25 results fused by reciprocal rank, with source and date filters."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from rag.errors import RagError
from rag.index.store import Store, date_number
from rag.records import SEPARATOR, Chunk, Passage
from rag.text import lexical, versions
from rag.text.terms import entry_of, names_subject, option_names

RRF_K = 60
BM25_FLOOR = 0.1  # BM25 hits scoring under this share of the best one don't count
BM25_WEIGHT = 1.25  # a rank on the BM25 side counts this much more than the same rank on the dense side
OTHER_VERSION = 0.5  # the score of a passage from another version of a document than the query asks about
NAMED_SUBJECT = 1.25  # ... and of one from the reference page of a command or module the query names
ASKED_ENTRY = 2.0  # ... and of a reference entry of an option the query writes ("‘-m’, ‘--mirror’" for "--mirror")


@dataclass(frozen=True)
class Filters:
    """Optional restrictions: sources (relative paths) and an inclusive ISO date range."""

    sources: tuple[str, ...] = ()
    date_from: str | None = None
    date_to: str | None = None

    def __post_init__(self) -> None:
        from datetime import date

        for label, value in (("date_from", self.date_from), ("date_to", self.date_to)):
            if value is None:
                continue
            try:
                date.fromisoformat(value)
            except (TypeError, ValueError):
                raise RagError(f"{label} must be a date as YYYY-MM-DD, not {str(value)[:40]!r}.") from None
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise RagError(f"date_from ({self.date_from}) is after date_to ({self.date_to}).")

    def where(self) -> dict[str, Any] | None:
        """The Chroma ``where`` clause."""
        clauses: list[dict[str, Any]] = []
        if self.sources:
            clauses.append({"source": {"$in": list(self.sources)}})
        if self.date_from:
            clauses.append({"date_num": {"$gte": date_number(self.date_from)}})
        if self.date_to:
            clauses.append({"date_num": {"$lte": date_number(self.date_to)}})
            clauses.append({"date_num": {"$gt": 0}})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}

    def admits(self, chunk: Chunk) -> bool:
        """Whether ``chunk`` passes the filters (used on the BM25 side)."""
        if self.sources and chunk.source not in self.sources:
            return False
        num = date_number(chunk.date)
        if self.date_from and num < date_number(self.date_from):
            return False
        return not (self.date_to and (num == 0 or num > date_number(self.date_to)))


def retrieve(
    store: Store,
    query: str,
    vector: np.ndarray,
    top_k: int,
    candidates: int,
    filters: Filters | None = None,
    extra: list[str] | None = None,
) -> list[Passage]:
    """The ``top_k`` passages for ``query`` by reciprocal-rank fusion of dense and BM25 rankings.

    ``extra`` stems join the BM25 query: the documents' words for the query's paraphrases.
    """
    filters = filters or Filters()
    dense = store.dense_filtered(
        vector, candidates, filters.where(), filters.sources, filters.date_from, filters.date_to
    )
    lexical = store.bm25(query, candidates, extra, filters.sources, filters.date_from, filters.date_to)
    if lexical:  # a hit far below the best matched only common words: no lexical evidence, leave it out
        floor = BM25_FLOOR * lexical[0][1]
        lexical = [(cid, s) for cid, s in lexical if s >= floor]
    chunks = store.chunks([cid for cid, _ in dense] + [cid for cid, _ in lexical])  # committed ones only
    fused: dict[str, Passage] = {}
    for rank, (cid, _sim) in enumerate(dense):
        chunk = chunks.get(cid)
        if chunk is None:
            continue
        fused[cid] = Passage(chunk=chunk, score=1.0 / (RRF_K + rank + 1), dense_rank=rank + 1)
    for rank, (cid, _score) in enumerate(lexical):
        if cid not in chunks:
            continue
        p = fused.setdefault(cid, Passage(chunk=chunks[cid], score=0.0))
        p.score += BM25_WEIGHT / (RRF_K + rank + 1)
        p.bm25_rank = rank + 1
    _prefer_asked_version(query, list(fused.values()))
    _prefer_named_subject(query, list(fused.values()))
    _prefer_asked_entry(query, list(fused.values()))
    ranked = sorted(fused.values(), key=lambda p: -p.score)
    return with_continuations(store, diversify(ranked, top_k))


def _prefer_asked_version(query: str, passages: list[Passage]) -> None:
    """Near-copies of a document in several versions (GPL 2 and 3, MPL 1.1 and 2.0): when the query asks about a
    version that some passages' titles name, the passages of other versions rank below them."""
    asked = versions.asked_versions(query)
    if asked and any(versions.title_versions(p.chunk.title) & asked for p in passages):
        for p in passages:
            if versions.of_other_version(p.chunk.title, asked):
                p.score *= OTHER_VERSION


def _prefer_named_subject(query: str, passages: list[Passage]) -> None:
    """A passage from the reference page of a command or module the query names ("What do diff's exit codes
    mean?": diff's manual page, not tar's "--diff") ranks higher."""
    named: dict[str, bool] = {}
    for p in passages:
        title = p.chunk.title.split(SEPARATOR, 1)[0]
        if title not in named:
            named[title] = names_subject(title, query)
        if named[title]:
            p.score *= NAMED_SUBJECT


def _prefer_asked_entry(query: str, passages: list[Passage]) -> None:
    """A passage of the reference entry of an option the query writes ("What does wget --mirror switch on?": the
    entry "‘-m’, ‘--mirror’" of the Wget manual) ranks higher than prose that only uses its words ("mirroring")."""
    options = option_names(query)
    if options:
        asked = set(lexical.terms(query))
        named: dict[str, bool] = {}  # per manual or page: whether the query names it ("wget" of "Wget 1.21.3")
        for p in passages:
            if not entry_of(p.chunk.title, options):
                continue
            root = p.chunk.title.split(SEPARATOR, 1)[0]
            if root not in named:
                named[root] = bool(asked & set(lexical.terms(root)))
            if named[root]:  # not another command's entry of the same option
                p.score *= ASKED_ENTRY


def with_continuations(store: Store, passages: list[Passage]) -> list[Passage]:
    """``passages``, then the chunk after each one that ends introducing what follows ("..., use this approach:"):
    the code, table or list it introduces, which a chunk boundary put in the next chunk. One batch read."""
    have = {p.chunk.id for p in passages}
    wanted: dict[str, Passage] = {}
    for p in passages:
        key, _, number = p.chunk.id.rpartition("-")
        if p.chunk.text.rstrip().endswith(":") and number.isdigit():
            following = f"{key}-{int(number) + 1:0{len(number)}d}"
            if following not in have:
                wanted.setdefault(following, p)
    if not wanted:
        return passages
    found = store.chunks(list(wanted))
    return passages + [
        Passage(chunk=found[cid], score=p.score / 2) for cid, p in wanted.items() if cid in found
    ]


def diversify(ranked: list[Passage], top_k: int, per_source: int | None = None) -> list[Passage]:
    """The best ``top_k`` passages, taking at most ``per_source`` from one file while others remain.

    Several articles often state the same fact; one long article should not crowd them out.
    """
    per_source = per_source or max(2, (top_k + 1) // 2)
    picked: list[Passage] = []
    counts: dict[str, int] = {}
    for p in ranked:
        if counts.get(p.chunk.source, 0) < per_source:
            picked.append(p)
            counts[p.chunk.source] = counts.get(p.chunk.source, 0) + 1
        if len(picked) == top_k:
            return picked
    rest = [p for p in ranked if p not in picked]
    return sorted(picked + rest[: top_k - len(picked)], key=lambda p: -p.score)
