"""Token-bounded chunks on sentence boundaries, each with its character span in the original file."""

from __future__ import annotations

import hashlib

from rag.ingest.structure import section_at, trim
from rag.records import SEPARATOR, Chunk, Document, Span
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


def _split_lines(text: str, span: Span, limit: int) -> list[Span]:
    """Break a whole block (code, table) longer than ``limit`` tokens at line ends, keeping whole lines."""
    out: list[Span] = []
    pos, start = span.start, span.start
    used = 0
    while pos < span.end:
        stop = text.find("\n", pos, span.end)
        stop = span.end if stop < 0 else stop
        n = tokens.counts([text[pos:stop]])[0]
        if used and used + n > limit:
            out.append(Span(start, pos - 1))
            start, used = pos, 0
        used += n
        pos = stop + 1
    out.append(Span(start, span.end))
    return [piece for s in out if (piece := trim(text, s.start, s.end))]


INTRODUCED = 1.25  # a block may bring its introducing sentence into its chunk up to this share of max_tokens


def _units(doc: Document, limit: int) -> list[tuple[Span, bool]]:
    """All sentence spans of a document's content blocks, none longer than ``limit`` tokens, each with whether it
    is (part of) a block kept whole. Such a block (code, a table, a list item) is one "sentence", cut only at line
    ends when it is too long; one written on a single line (a long list item) is cut at its sentences instead."""
    whole = doc.whole or [False] * len(doc.blocks)
    kept = [doc.text[b.start : b.end] for b, keep in zip(doc.blocks, whole, strict=True) if keep]
    kept_sizes = iter(tokens.counts(kept))
    spans: list[tuple[Span, bool, int | None]] = []  # a kept block's size is known; a sentence's is counted below
    for block, keep in zip(doc.blocks, whole, strict=True):
        n = next(kept_sizes) if keep else 0
        if keep and (n <= limit or "\n" in doc.text[block.start : block.end]):
            spans.append((block, True, n))
        else:
            # prose, or a list item too long for one chunk written on one line: cut at its sentences, not mid-sentence
            spans.extend((s, False, None) for s in sentences.split(doc.text, block.start, block.end))
    counted = iter(tokens.counts([doc.text[s.start : s.end] for s, _, n in spans if n is None]))
    sizes = [next(counted) if n is None else n for _, _, n in spans]
    out: list[tuple[Span, bool]] = []
    for (s, keep, _), n in zip(spans, sizes, strict=True):
        if n <= limit:
            out.append((s, keep))
        elif keep and "\n" in doc.text[s.start : s.end]:
            for piece in _split_lines(doc.text, s, limit):
                m = tokens.counts([doc.text[piece.start : piece.end]])[0]
                out.extend((p, True) for p in (_split_long(doc.text, piece, m, limit) if m > limit else [piece]))
        else:
            out.extend((p, keep) for p in _split_long(doc.text, s, n, limit))
    return out


def chunk_document(doc: Document, max_tokens: int = 160, overlap: int = 1) -> list[Chunk]:
    """Group a document's sentences into chunks of at most ``max_tokens`` tokens.

    Consecutive chunks share ``overlap`` sentences so an answer split across a boundary is still found whole.
    In a structured document a chunk stays within one section, and its title is the section path.
    """
    units = _units(doc, max_tokens)
    spans = [s for s, _block in units]
    sizes = tokens.counts([doc.text[s.start : s.end] for s in spans])
    sections = [section_at(doc.sections, s.start) for s in spans] if doc.sections else [""] * len(spans)
    groups: list[list[int]] = []
    current: list[int] = []
    used = 0
    for i, n in enumerate(sizes):
        if current and sections[i] != sections[current[-1]]:
            groups.append(current)
            current, used = [], 0
        elif current and used + n > max_tokens:
            groups.append(current)
            # A table, list or code block keeps the sentence that introduces it ("... the valid substitutions:"),
            # a little over the budget if need be: without it the block is found by no word of the question.
            room = max_tokens * INTRODUCED if units[i][1] and _introduces(doc.text, spans[current[-1]]) else max_tokens
            current = current[-overlap:] if overlap and sizes[current[-1]] + n <= room else []
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
                title=_titled(doc.title, sections[group[0]]),
                date=doc.date,
                date_inferred=doc.date_inferred,
                sha256=doc.sha256,
            )
        )
    return chunks


def _titled(title: str, section: str) -> str:
    """The chunk's title: the section path, led by the document title when the path doesn't start with it."""
    if not section:
        return title
    return section if section.startswith(title) else f"{title}{SEPARATOR}{section}"


def _introduces(text: str, span: Span) -> bool:
    """Whether the sentence at ``span`` ends with a colon: it introduces what follows."""
    return text[span.start : span.end].rstrip().endswith(":")
