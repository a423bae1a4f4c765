"""Candidate sentences for the offline answerer: every distinct sentence of the retrieved passages, with
the features that rank it and its dates resolved against the document's date."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import PurePosixPath
from typing import Any

import numpy as np

from rag.index.embedders import Embedder
from rag.records import Passage
from rag.text import dates, lexical
from rag.text.dates import DateMention
from rag.text.sentences import sentence_texts, together, without_footnote_marks
from rag.text.terms import term_described

_YARDSTICK = re.compile(
    r"(?:\b(?:\w{2,}est|first|most|least|best|worst|only)\b(?:\s+[\w-]+){0,4}\s+since|\bthan(?:\s+(?:in|on|at))?)\s*$",
    re.I,
)


@dataclass
class Candidate:
    """A source sentence considered for the answer, with the features that rank it."""

    passage: Passage
    rank: int
    start: int
    end: int
    text: str
    context: str = ""
    similarity: float = 0.0
    coverage: float = 0.0
    essential: float = 0.0
    context_essential: float = 0.0
    passage_coverage: float = 0.0
    in_named_section: float = 0.0  # 1 when the section's title holds a name from code the question asks about (see names_section)
    fit: float = 1.0
    fit_weight: float = 0.12
    answers: set[str] = field(default_factory=set)
    tells_event: bool | None = None  # names the question's own verb ("downplayed"); None when not examined
    lead: str = ""  # the short answer this sentence gives ("Saad al-Hadithi", "2,000 IS fighters"), when clear
    previous: str = ""
    following: str = ""  # the sentence or block this one introduces ("... would have the fields" + a code block)
    introduces_block: bool = False  # ... running on into it unfinished: a block (of code, a table, a list)
    standalone: bool = False  # a paragraph of its own (a blank line or the chunk's edge before and after it)
    earlier: list[tuple[int, int, str]] = field(default_factory=list)  # the chunk's sentences before this one
    anchor: tuple[int, int, str] | None = None  # the earlier sentence whose date "a week earlier" counts from
    anchor_date: date | None = None  # ... and that date
    vector: Any = None  # the sentence's vector stored at ingest, when it is a whole stored sentence
    pair_vector: Any = None  # ... and that of ``previous`` and this sentence read together, when stored
    _dates: list[dates.DateMention] | None = None

    def dates(self) -> list[dates.DateMention]:
        """Date mentions of the sentence, resolved against the document's date and the latest day named in the
        sentences before it ("a week earlier" than the Monday two sentences back)."""
        if self._dates is None:
            doc_date, exact = _doc_date(self.passage), not self.passage.chunk.date_inferred
            for start, end, text in reversed(self.earlier):
                days = [m.value for m in dates.mentions(text, doc_date, exact) if m.value and m.precision == "day"]
                if days:
                    self.anchor, self.anchor_date = (start, end, text), days[-1]
                    break
            self._dates = dates.mentions(self.text, doc_date, exact, self.anchor_date)
        return self._dates

    def event_dates(self) -> list[DateMention]:
        """The date mentions that can date an event: not the yardstick of a comparison ("the worst storm since
        1987", "more than in 2014")."""
        return [m for m in self.dates() if not _YARDSTICK.search(self.text[max(0, m.start - 60) : m.start])]

    @property
    def score(self) -> float:
        return self.relevance + self.fit_weight * self.fit

    @property
    def relevance(self) -> float:
        """How well the sentence matches the question, whatever kind of answer it holds."""
        return (
            0.40 * self.similarity
            + 0.20 * self.essential
            + 0.10 * self.coverage
            + 0.15 * self.context_essential
            + 0.15 * self.passage_coverage
            + 0.10 * self.in_named_section
            - 0.01 * self.rank
        )


def _doc_date(p: Passage) -> date | None:
    return date.fromisoformat(p.chunk.date) if p.chunk.date else None


def annotate_dates(c: Candidate) -> str:
    """The sentence with the dates it leaves relative spelled out ("on September 26 (26 September 2015)")."""
    c.dates()  # finds the anchor date
    return dates.spell_out(c.text, _doc_date(c.passage), not c.passage.chunk.date_inferred, c.anchor_date)


PLAIN_SUFFIXES = frozenset({".txt", ".info", ""})  # plain text, whose paragraphs keep the file's line breaks
PROSE_WORDS = 4  # a wrapped paragraph's lines hold at least this many words on average
_SET_IN = re.compile(r"[ \t]*\n[ \t]*|(?<=\S) {2,}(?=\S)")
_CODE_LINE = re.compile(r"^\s*(?:[$#>{}]|```)|[{}]\s*$")


def readable(text: str, source: str) -> str:
    """A sentence of a plain-text file as an answer shows it: a paragraph the file hard-wrapped (its further lines
    set in alike, none blank, read as prose) on one line, with the words a typesetter hyphenated across lines
    joined and the gaps of justified lines closed. Code, tables and other files' text are shown as written; the
    citation quotes the file exactly either way."""
    if "\n" not in text or PurePosixPath(source).suffix.lower() not in PLAIN_SUFFIXES:
        return text
    lines = text.split("\n")
    indents = {len(line) - len(line.lstrip()) for line in lines[1:]}
    if len(indents) > 1 or not all(line.strip() for line in lines) or any(_CODE_LINE.search(line) for line in lines):
        return text
    if sum(len(line.split()) for line in lines) < PROSE_WORDS * len(lines):
        return text  # short lines: a list of names or commands, not a wrapped paragraph
    return _SET_IN.sub(" ", lexical.unbroken(text))



# "See also: dblist, dbwhere, dbstop." (a list of names, no statement)
_SEE_ALSO = re.compile(r"\s*see also\b:?\s*[\w.:()/-]+(?:\s*,\s*(?:and\s+)?[\w.:()/-]+)*\s*\.?\s*$", re.I)


def described_term(c: Candidate) -> str:
    """The term from code that the sentence's section describes, when the sentence doesn't name it: a reference
    page's option or function ("--allow-unrelated-histories") whose description ("This option can be used to
    override this safety ...") says "this option" or nothing at all of what it describes. "" otherwise."""
    return term_described(c.passage.chunk.title, c.text)


_OPEN_END = re.compile(r"[^.!?;)\]\"”]\s*$")
# a manual's entry, whole without a full stop: an option and its description ("-k, --keep-edge" / "leave ..."), a
# tagged paragraph ("3      if the wheel stopped ...")
_ENTRY = re.compile(r"--?[A-Za-z]|\S{1,12} {3,}\S")


def runs_on_into(text: str, after: str, gap: int) -> bool:
    """Whether ``text`` stops unfinished and runs on into the block ``after`` it, ``gap`` characters on: not when it
    is a manual's entry, complete as it is."""
    return (
        _OPEN_END.search(text) is not None
        and not _ENTRY.match(text)
        and runs_into_block(after, gap)
    )


def introduces(text: str, after: str, gap: int) -> bool:
    """Whether ``text`` introduces what comes ``after`` it, ``gap`` characters on: it ends with a colon ("For
    example:"), or it runs on, unfinished, into a block ("foo-data would have the fields" before a code block
    "Replaces: foo (<< 1.2-3)"): one of several lines, or one set off by more than a paragraph break (a fence)."""
    end = text.rstrip()
    return bool(after) and (end.endswith(":") or runs_on_into(end, after, gap))


_ITEM = re.compile(r"(?:[-*•]|\d{1,3}[.)])\s")  # "- must not require ...", "1. Install ..."


def runs_into_block(after: str, gap: int) -> bool:
    """Whether what comes ``after`` a sentence, ``gap`` characters on, is a block: of several lines, a list item,
    or set off by markup (a code fence) beyond a space or a paragraph break."""
    return "\n" in after or gap > 3 or (gap > 1 and _ITEM.match(after) is not None)


def candidates(passages: list[Passage]) -> list[Candidate]:
    """Every distinct sentence of the passages, in retrieval order, with its title and previous sentence."""
    seen: dict[tuple[str, int], Candidate] = {}
    out = []
    for rank, p in enumerate(passages):
        stored, pairs = p.chunk.vectors, p.chunk.pair_vectors or {}
        pieces = [
            (start, text, stored[k] if stored is not None and text == sentence else pairs.get(text))
            for k, (span, sentence) in enumerate(zip(p.chunk.sentences, sentence_texts(p.chunk), strict=True))
            for start, text in without_footnote_marks(span.start, sentence)
        ]
        texts = [text for _, text, _ in pieces]
        year = p.chunk.date[:4] if p.chunk.date else ""  # "according to the 2018 coverage"
        for k, (start, text, vector) in enumerate(pieces):
            key = (p.chunk.source, start)
            previous = texts[k - 1] if k else ""
            after, gap = (texts[k + 1], pieces[k + 1][0] - start - len(text)) if k + 1 < len(pieces) else ("", 0)
            apart = (k == 0 or start - pieces[k - 1][0] - len(texts[k - 1]) >= 2) and (not after or gap >= 2)
            earlier = [(s, s + len(t), t) for s, t, _ in pieces[:k]]
            if _SEE_ALSO.fullmatch(text):
                continue  # "See also: dblist, dbwhere." points elsewhere and states nothing
            if key in seen:
                first = seen[key]
                if not first.following and introduces(text, after, gap):  # it closed the first chunk
                    first.following = after
                    first.introduces_block = runs_on_into(text, after, gap)
                if previous and not first.previous:  # it opened the first chunk; this one has the sentence before
                    first.previous, first.earlier = previous, earlier
                    first.pair_vector = pairs.get(together(previous, text))
                    first.context = f"{p.chunk.title} {year} {previous}"
                continue
            seen[key] = Candidate(
                p, rank, start, start + len(text), text, f"{p.chunk.title} {year} {previous}", previous=previous,
                following=after if introduces(text, after, gap) else "",
                introduces_block=bool(after) and runs_on_into(text, after, gap),
                earlier=earlier,
                standalone=apart,
                vector=vector,
                pair_vector=pairs.get(together(previous, text)) if previous else None,
            )
            out.append(seen[key])
    return out


def names_term(term: str, asked: set[str]) -> bool:
    """Whether the question names the described term itself ("deblank" of "deblank (s)", "Map" of
    "containers.Map ()"), not only its module ("hashlib" of "hashlib.scrypt()")."""
    name = re.split(r"[.:]", term.split("(")[0].strip())[-1]
    return bool(set(lexical.terms(name)) & asked)


def new_term(term: str, question: str) -> bool:
    """Whether a described term ("orderfields (s1)") names something the question doesn't."""
    name = term.split("(")[0].strip().lower()
    return bool(name) and name not in question.lower()


def stored_or_embedded(texts: list[str], stored: list[Any], embedder: Embedder) -> np.ndarray:
    """Vectors of ``texts``: the ``stored`` one (from ingest) where there is one, the rest embedded now in one batch."""
    missing = [i for i, v in enumerate(stored) if v is None]
    if len(missing) == len(texts):
        return embedder.embed(texts)
    vectors = np.zeros((len(texts), len(next(v for v in stored if v is not None))), dtype=np.float32)
    for i, v in enumerate(stored):
        if v is not None:
            vectors[i] = v
    if missing:
        vectors[missing] = embedder.embed([texts[i] for i in missing])
    return vectors
