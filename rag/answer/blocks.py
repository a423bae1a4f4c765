"""What a chosen sentence brings with it: the block it introduces ("For example:" and the code), the unfinished
sentence that runs on into a chosen block ("In addition, the packages in main" and its list), reading order, and
one exact span quoting a sentence with the block it runs on into."""

from __future__ import annotations

from collections.abc import Callable

from rag.answer.candidates import Candidate
from rag.errors import RagError


def with_introduced(pool: list[Candidate], chosen: list[int]) -> list[int]:
    """Each chosen sentence that introduces what follows ("For example:") brings the sentence or block it
    introduces, and each chosen block brings the unfinished sentence that runs on into it."""
    out: list[int] = []
    for i in chosen:
        c = pool[i]
        opener = next((j for j, d in enumerate(pool) if d.introduces_block and d.following == c.text and d.end <= c.start
                       and d.passage.chunk.source == c.passage.chunk.source), None)
        if opener is not None and opener not in chosen + out:
            out.append(opener)  # the list alone lacks its subject: "In addition, the packages in main" / "- must ..."
        out.append(i)
        if c.following:  # the next sentence of its file, in this passage or the next (a chunk may end at "for example:")
            source = c.passage.chunk.source
            after = [j for j, d in enumerate(pool) if d.passage.chunk.source == source and d.start > c.start]
            following = min(after, key=lambda j: pool[j].start, default=None)
            if following is not None and pool[following].text == c.following and following not in chosen + out:
                out.append(following)
    return out


def in_document_order(pool: list[Candidate], chosen: list[int]) -> list[int]:
    """The chosen sentences in reading order: documents in the order first chosen, sentences by position."""
    first: dict[str, int] = {}
    for k, i in enumerate(chosen):
        first.setdefault(pool[i].passage.chunk.source, k)
    return sorted(chosen, key=lambda i: (first[pool[i].passage.chunk.source], pool[i].start))


def run_on(first: Candidate, then: Candidate, text_of: Callable[[str], str] | None) -> str | None:
    """The exact text from ``first`` through ``then`` when ``first`` runs on, unfinished, into ``then``, the block
    that follows it ("In addition, the packages in main" and the list "- must not require ..."): quoted apart, the
    first is a fragment. Both must be in one indexed chunk, which citations are checked against. None otherwise."""
    chunk = first.passage.chunk
    if text_of is None or not first.introduces_block or first.following != then.text or chunk.source != then.passage.chunk.source:
        return None
    if not any(ch.start <= first.start and then.end <= ch.end for ch in (chunk, then.passage.chunk)):
        return None
    try:
        whole = text_of(chunk.source)[first.start : then.end]
    except (RagError, OSError):
        return None  # the source went away since it was retrieved: quote the two apart
    between = whole[len(first.text) : len(whole) - len(then.text)]
    return whole if whole.startswith(first.text) and whole.endswith(then.text) and not between.strip() else None
