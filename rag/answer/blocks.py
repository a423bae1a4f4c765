"""What a chosen sentence brings with it: the block it introduces ("For example:" and the code), the unfinished
sentence that runs on into a chosen block ("In addition, the packages in main" and its list), reading order, and
one exact span quoting a sentence with the block it runs on into."""

from __future__ import annotations

import re
from collections.abc import Callable
from itertools import pairwise, takewhile

from rag.answer.candidates import Candidate
from rag.errors import RagError
from rag.text.sentences import leans_on_previous


def _unfinished(c: Candidate) -> bool:
    """Whether ``c`` runs on into the block after it mid-sentence ("the packages in main" before a list), not as
    an introduction ending with a colon, which reads whole."""
    return c.introduces_block and not c.text.rstrip().endswith(":")


def with_introduced(pool: list[Candidate], chosen: list[int], text_of: Callable[[str], str] | None = None) -> list[int]:
    """Each chosen sentence that introduces what follows ("For example:") brings the sentence or block it
    introduces, and each chosen block brings the unfinished sentence that runs on into it, where the two can be
    quoted as one (``text_of``: a source's text)."""
    out: list[int] = []
    for i in chosen:
        c = pool[i]
        opener = next((j for j, d in enumerate(pool) if _unfinished(d) and d.following == c.text and d.end <= c.start
                       and d.passage.chunk.source == c.passage.chunk.source), None)
        if opener is not None and opener not in chosen + out and run_on(pool[opener], c, text_of):
            out.append(opener)  # the list alone lacks its subject: "In addition, the packages in main" / "- must ..."
        out.append(i)
        if c.following:  # the next sentence of its file, in this passage or the next (a chunk may end at "for example:")
            source = c.passage.chunk.source
            after = [j for j, d in enumerate(pool) if d.passage.chunk.source == source and d.start > c.start]
            after.sort(key=lambda j: pool[j].start)
            if after and pool[after[0]].text == c.following and after[0] not in chosen + out:
                out.append(after[0])
                if c.text.rstrip().endswith(":") and _ITEM.match(c.following):  # "The order of merging is:" and
                    items = takewhile(lambda j: _ITEM.match(pool[j].text), after[1:LIST_ITEMS])  # the rest of its list
                    out += [j for j in items if j not in chosen + out]
    return out


LIST_ITEMS = 8  # a chosen introduction brings at most this many items of the list it introduces


GAP = 2  # at most this many sentences or blocks between two chosen ones of a passage are brought in ...


def with_steps(pool: list[Candidate], chosen: list[int]) -> list[int]:
    """``chosen`` with what lies between two of its sentences of one passage when that is a step they skip: at most
    :data:`GAP` sentences or blocks, one of them introducing what follows ("After configuring the kernel, simply run
    the following command:" and its "make deb-pkg", between the sentences before and after)."""
    out = list(chosen)
    by_passage: dict[int, list[int]] = {}
    for i in chosen:
        by_passage.setdefault(id(pool[i].passage), []).append(i)
    for picked in by_passage.values():
        picked.sort(key=lambda i: pool[i].start)
        passage = pool[picked[0]].passage
        for a, b in pairwise(picked):
            between = [j for j, d in enumerate(pool) if d.passage is passage and pool[a].start < d.start < pool[b].start]
            if 0 < len(between) <= GAP and any(pool[j].text.rstrip().endswith(":") for j in between):
                out += [j for j in between if j not in out]
    return out


_SENTENCE_END = re.compile(r"[.!?:][\"'”’)\]]*$")
_ITEM = re.compile(r"\s*(?:[-*+•▪]|\d{1,3}[.)])\s")  # a list's item


# "this"/"these"/"those" and a noun a few words in ("Some clients don't interpret this field correctly"): the noun
# names what the sentence before told of (a pronoun at its very start is caught by ``leans_on_previous``). Not
# "this manual" or "this section" (the document itself), "this function" or "this module" (a reference entry's
# subject), nor "this year" (the present).
_DEMONSTRATIVE = re.compile(
    r"^\W*(?:[\w'’-]+\s+){1,5}?(?:this|these|those)\s+(?!(?:manual|document|documentation|page|section|chapter|guide"
    r"|book|tutorial|article|paper|specification|howto|appendix|appendices|function|method|class|module|program"
    r"|command|package|library|extension|tool|utility|year|month|week|day|time|morning|evening|weekend|decade"
    r"|century)s?\b)[a-z]\w*",
    re.I,
)


def refers_back(text: str) -> bool:
    """Whether the sentence refers back to the one before it: a pronoun in its first words, or "this" and a noun
    a few words in."""
    return leans_on_previous(text) or bool(_DEMONSTRATIVE.match(text))


def with_antecedents(pool: list[Candidate], chosen: list[int]) -> list[int]:
    """``chosen`` with the sentence before each chosen one that refers back to it ("'-c' '--continue' Continue
    getting a partially-downloaded file." before "This is useful when you want to finish up a download ..."), in the
    same passage and not already chosen: quoted alone, "This" or "It" would stand for nothing."""
    out = list(chosen)
    for i in chosen:
        k = i
        for step in range(ANTECEDENTS):  # the sentence before may lean on its own ("This causes ...")
            c = pool[k]
            if not c.previous or not refers_back(c.text):
                break
            before = [j for j, d in enumerate(pool) if d.passage is c.passage and d.text == c.previous and d.end <= c.start]
            if not before or before[-1] in out or not _SENTENCE_END.search(pool[before[-1]].text.rstrip()):
                break
            if step and c.start - pool[before[-1]].end > 1:
                break  # further back only within the paragraph, not into the list or paragraph before it
            k = before[-1]
            out.append(k)
    return out


ANTECEDENTS = 2  # at most this many sentences brought back for one chosen sentence


TERM_WORDS = 6  # a chosen sentence this short, or a list's item, may be a term that the next sentence describes


def with_dependants(pool: list[Candidate], chosen: list[int]) -> list[int]:
    """``chosen`` with the sentence after each chosen term that refers back to it ('• "webb" (or "wild-webb").' and
    "This implements the six-point distribution ..."), in the same passage and not already chosen: the term alone
    says nothing of what it is."""
    out = list(chosen)
    for i in chosen:
        c = pool[i]
        if len(c.text.split()) > TERM_WORDS and not _ITEM.match(c.text):
            continue
        after = [j for j, d in enumerate(pool) if d.passage is c.passage and d.previous == c.text and d.start >= c.end]
        if after and after[0] not in out and leans_on_previous(pool[after[0]].text):
            out.append(after[0])
    return out


def in_document_order(pool: list[Candidate], chosen: list[int]) -> list[int]:
    """The chosen sentences in reading order: documents in the order first chosen, sentences by position."""
    first: dict[str, int] = {}
    for k, i in enumerate(chosen):
        first.setdefault(pool[i].passage.chunk.source, k)
    return sorted(chosen, key=lambda i: (first[pool[i].passage.chunk.source], pool[i].start))


# between a sentence and the block it runs on into: space, and the fence that opens the block right before it
_FENCE_OR_SPACE = re.compile(r"\s*(?:(?:```|~~~)[^\n`]*\n[ \t]*)?")
_IN_CODE = re.compile(r"(?:^|\n)[ \t]*(?:```|~~~)[^\n`]*\n[ \t]*$")  # a fence opens right before: it is code
_CLOSING_FENCE = re.compile(r"[ \t]*\n(?:```|~~~)[ \t]*(?=\n|$)")  # ... and after the code, its fence closing


def run_on(first: Candidate, then: Candidate, text_of: Callable[[str], str] | None) -> tuple[str, str] | None:
    """When ``first`` runs on, unfinished, into ``then``, the block that follows it ("In addition, the packages in
    main" and the list "- must not require ..."; "For example," and a fenced code block), the exact text from one
    through the other, and the fence that closes ``then`` if it is fenced code (shown in the answer, not quoted:
    the indexed chunk ends with the code). Quoted apart, ``first`` is a fragment. Both must be in one indexed
    chunk, which citations are checked against. None otherwise."""
    chunk = first.passage.chunk
    if text_of is None or not _unfinished(first) or first.following != then.text or chunk.source != then.passage.chunk.source:
        return None
    if not any(ch.start <= first.start and then.end <= ch.end for ch in (chunk, then.passage.chunk)):
        return None
    try:
        text = text_of(chunk.source)
    except (RagError, OSError):
        return None  # the source went away since it was retrieved: quote the two apart
    if _IN_CODE.search(text, max(0, first.start - 80), first.start):
        return None  # code that ends without a full stop runs on into nothing
    whole = text[first.start : then.end]
    between = whole[len(first.text) : len(whole) - len(then.text)]
    if not (whole.startswith(first.text) and whole.endswith(then.text) and _FENCE_OR_SPACE.fullmatch(between)):
        return None
    closing = _CLOSING_FENCE.match(text, then.end) if "`" in between or "~" in between else None
    return whole, closing.group(0) if closing else ""
