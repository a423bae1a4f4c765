"""Token-bounded chunks on sentence boundaries, each with its character span in the original file."""

from __future__ import annotations

import hashlib

from rag.records import Chunk, Document, Span
from rag.text import sentences, tokens


def document_key(source: str, sha256: str) -> str:
    """The id prefix of a document's chunks: unique per (source, content), so identical copies never collide."""
    return hashlib.sha256(f"{source}\0{sha256}".encode()).hexdigest()[:24]


def _split_long(text: str, span: Span, n_tokens: int, limit: int) -> list[Span]:
    """Break a sentence longer than ``limit`` tokens at whitespace into roughly equal pieces."""
    pieces = -(-n_tokens // limit)
    width = (span.end - span.start) // pieces + 1
    out, pos = [], span.start
    while pos < span.end:
        stop = min(span.end, pos + width)
        if stop < span.end:
            cut = text.rfind(" ", pos + 1, stop)
            stop = cut if cut > pos else stop
        out.append(Span(pos, stop))
        pos = stop
        while pos < span.end and text[pos].isspace():
            pos += 1
    return out


def document_sentences(doc: Document, limit: int) -> list[Span]:
    """All sentence spans of a document's content blocks, none longer than ``limit`` tokens."""
    spans = [s for block in doc.blocks for s in sentences.split(doc.text, block.start, block.end)]
    sizes = tokens.counts([doc.text[s.start : s.end] for s in spans])
    out: list[Span] = []
    for s, n in zip(spans, sizes, strict=True):
        out.extend(_split_long(doc.text, s, n, limit) if n > limit else [s])
    return out


def chunk_document(doc: Document, max_tokens: int = 160, overlap: int = 1) -> list[Chunk]:
    """Group a document's sentences into chunks of at most ``max_tokens`` tokens.

    Consecutive chunks share ``overlap`` sentences so an answer split across a boundary is still found whole.
    """
    spans = document_sentences(doc, max_tokens)
    sizes = tokens.counts([doc.text[s.start : s.end] for s in spans])
    groups: list[list[int]] = []
    current: list[int] = []
    used = 0
    for i, n in enumerate(sizes):
        if current and used + n > max_tokens:
            groups.append(current)
            current = current[-overlap:] if overlap and sizes[current[-1]] + n <= max_tokens else []
            used = sum(sizes[j] for j in current)
        current.append(i)
        used += n
    if current:
        groups.append(current)
    chunks = []
    key = document_key(doc.source, doc.sha256)
    for k, group in enumerate(groups):
        sent = [spans[i] for i in group]
        chunks.append(
            Chunk(
                id=f"{key}-{k:05d}",
                source=doc.source,
                text=" ".join(doc.text[s.start : s.end] for s in sent),
                start=sent[0].start,
                end=sent[-1].end,
                sentences=sent,
                title=doc.title,
                date=doc.date,
                date_inferred=doc.date_inferred,
                sha256=doc.sha256,
            )
        )
    return chunks
