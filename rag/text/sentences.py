"""A small, fast English sentence splitter that reports character spans."""

from __future__ import annotations

import re
from itertools import pairwise

from rag.records import Chunk, Span
from rag.text.terms import described_readings

_ABBREV = frozenset(
    """u.s u.k u.n e.u mr mrs ms dr st jr sr gen col lt sgt capt maj rep sen gov prof rev vs etc e.g i.e inc ltd co corp jan feb aug sept sep oct nov dec fig approx dept est mt ft a.m p.m ph.d""".split()
)
# End punctuation (and any footnote marks glued to it: "project.[2] In fact") then space and a capital; or, in
# text that lost its spaces ("about it?It wouldn't"), a word of two or more lower-case letters, end punctuation
# and a capitalised word; or end punctuation before an option's name ("--max-ppsize=N", "-q"), which a PDF's
# reflow may leave at the end of the paragraph before its description.
_BOUNDARY = re.compile(
    r"[.!?…]+[\"'”’)\]]*(?:\[\d{1,3}\])*(?=\s+[\"'“‘(\[]{0,2}[A-Z0-9])"
    r"|(?<=[a-z]{2})[.!?]+[\"'”’)]*(?=(?:\[\d+\])?[\"“(\[]?[A-Z][a-z])"
    r"|[.!?]+[\"'”’)]*(?=\s+--?[A-Za-z][\w-]*(?:[=\s]|$))"  # "... R_VSIZE. --max-ppsize=N": an option's name
)


SECTION_NUMBER_CHARS = 24  # "  (19)." or "VIII.12.3." with the space before it: longer is a sentence
_SECTION_NUMBER = re.compile(r"(?:\(?\d{1,3}\)?|[IVXLC]{1,6})(?:\.\d{1,3})*\.$")
# After a period with no space: a CamelCase name or one followed by a call, attribute or underscore.
_NAME_AFTER_DOT = re.compile(r"[A-Z][a-z0-9]+[A-Z]|[A-Z]\w*(?:[(_/]|\.\w)")


def split(text: str, start: int = 0, end: int | None = None) -> list[Span]:
    """Sentence spans of ``text[start:end]``, as absolute offsets, stripped of surrounding space."""
    end = len(text) if end is None else end
    segment = text[start:end]
    spans: list[Span] = []
    cursor = 0
    for m in _BOUNDARY.finditer(segment):
        if m.end() < len(segment) and not segment[m.end()].isspace() and _NAME_AFTER_DOT.match(segment, m.end()):
            continue  # a dotted name or address, not two sentences run together: "argparse.ArgumentParser"
        if m.end() - cursor <= SECTION_NUMBER_CHARS and _SECTION_NUMBER.match(segment[cursor : m.end()].strip()):
            continue  # "8.4. How can I ...", "IX.2. video environment": a heading's number, not a sentence
        if m.group(0)[0] == ".":
            word = re.search(r"([\w.'’]+)$", segment[cursor : m.start()])
            token = (word.group(1) if word else "").lower()
            initial = len(token) == 1 and token.isalpha() and not m.group(0).startswith("...")
            if token in _ABBREV or initial:
                continue
        spans.append(Span(cursor, m.end()))
        cursor = m.end()
    spans.append(Span(cursor, len(segment)))
    out = []
    for s in spans:
        piece = segment[s.start : s.end]
        lead = len(piece) - len(piece.lstrip())
        trail = len(piece.rstrip())
        if trail > lead:
            out.append(Span(start + s.start + lead, start + s.start + trail))
    return out


def sentence_texts(chunk: Chunk) -> list[str]:
    """The text of each sentence of ``chunk``, in order (the chunk text joins them with single spaces)."""
    out, offset = [], 0
    for s in chunk.sentences:
        length = s.end - s.start
        out.append(chunk.text[offset : offset + length])
        offset += length + 1
    return out


# A sentence whose first words include a pronoun leans on the one before ("Their aim is revenge, he said.").
_LEANS = re.compile(r"^\W*(?:\w+\s+){0,2}?(?:they|their|them|he|his|him|she|her|it|its|this|these|those)\b", re.I)


def leans_on_previous(text: str) -> bool:
    """Whether the sentence refers back with a pronoun in its first words, so it is read with the one before."""
    return bool(_LEANS.match(text))


def together(previous: str, sentence: str) -> str:
    """A sentence read with the one before it: the text whose vector is stored and matched for it."""
    return f"{previous} {sentence}"


def read_with_previous(sentences: list[str]) -> list[str]:
    """For each sentence after the first that leans on the one before, the two read together ("A. It ..."), in
    order; the answerer matches these against the question as well as the sentence alone."""
    return [together(a, b) for a, b in pairwise(sentences) if leans_on_previous(b)]


def vector_texts(chunk: Chunk) -> tuple[list[str], list[str]]:
    """The texts whose vectors an index stores for ``chunk``: its sentences, then their further readings: those
    read with the one before, those of a reference entry read with the term they describe, and last those the
    answerer reads without footnote marks (:func:`unmarked_readings`)."""
    sentences = sentence_texts(chunk)
    return sentences, earlier_readings(chunk.title, sentences) + unmarked_readings(sentences)


def earlier_readings(title: str, sentences: list[str]) -> list[str]:
    """The further readings an index stored before it stored the unmarked ones (read with the one before, with
    the term described): the first rows of :func:`vector_texts`' readings."""
    return read_with_previous(sentences) + described_readings(title, sentences)


def unmarked_readings(sentences: list[str]) -> list[str]:
    """The sentences the answerer reads without their footnote marks ("[1] The rest ..." as "The rest ..."), and
    those read with the one before, where they differ from the marked ones; none for a text without marks."""
    if not any("[" in s for s in sentences):
        return []
    pieces = [text for s in sentences for _start, text in without_footnote_marks(0, s)]
    if pieces == sentences:
        return []
    marked = set(sentences) | set(read_with_previous(sentences))
    return [t for t in dict.fromkeys(pieces + read_with_previous(pieces)) if t not in marked]


# A footnote mark ("[2]") at a sentence's edge, or glued to the next sentence's first word ("63% [2]The reason").
_LEADING_MARK = re.compile(r"^(?:\[\d{1,3}\]\s*)+")
_AFTER = r"(?<=[\s.!?,;:%\"”’])"  # a mark follows a space or punctuation; "items[0]" is code, not a footnote
_TRAILING_MARK = re.compile(_AFTER + r"(?:\s*\[\d{1,3}\])+$")
_GLUED_MARK = re.compile(_AFTER + r"\s*\[\d{1,3}\](?=[\"“(]?[A-Z][a-z])")


def without_footnote_marks(start: int, text: str) -> list[tuple[int, str]]:
    """The sentence starting at offset ``start`` as (offset, text) pieces without the footnote marks at their edges,
    split where a mark runs into the next sentence. An essay's "[2]" is not one of the answer's citations."""
    pieces: list[tuple[int, str]] = []
    cursor = 0
    for m in [*_GLUED_MARK.finditer(text), None]:
        cut = len(text) if m is None else m.start()
        piece = text[cursor:cut]
        lead = _LEADING_MARK.match(piece)
        skip = lead.end() if lead else 0
        tail = _TRAILING_MARK.search(piece)
        stop = tail.start() if tail else len(piece)
        if stop > skip and piece[skip:stop].strip():
            pieces.append((start + cursor + skip, piece[skip:stop]))
        if m is not None:
            cursor = m.end()
    return pieces
