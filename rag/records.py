"""Plain data records that flow between the stages."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

SEPARATOR = " › "  # between the headings of a section path: "Title › Section › Subsection"


@dataclass(frozen=True)
class Span:
    """A half-open character range ``[start, end)`` of a source file's text."""

    start: int
    end: int


@dataclass
class Document:
    """A loaded source file: original text, the spans that hold article content, and metadata."""

    source: str
    text: str
    title: str
    sha256: str
    date: str | None = None
    date_inferred: bool = False
    blocks: list[Span] = field(default_factory=list)
    whole: list[bool] = field(default_factory=list)  # per block: a code block, table or list item, kept whole
    sections: list[tuple[int, str]] = field(default_factory=list)  # (offset, "Title › Section") where each starts


@dataclass
class Chunk:
    """A token-bounded run of sentences from one document."""

    id: str
    source: str
    text: str
    start: int
    end: int
    sentences: list[Span]
    title: str = ""
    date: str | None = None
    date_inferred: bool = False
    sha256: str = ""
    vectors: Any = field(default=None, compare=False, repr=False)  # its sentences' vectors, when the index has them
    # the vectors of its sentences' further readings (rag.text.sentences.vector_texts), by text: a sentence read with
    # the one before, or with the term it describes
    pair_vectors: Any = field(default=None, compare=False, repr=False)


@dataclass
class Passage:
    """A retrieved chunk with its fused score and rank."""

    chunk: Chunk
    score: float
    dense_rank: int | None = None
    bm25_rank: int | None = None


@dataclass
class Citation:
    """One verified citation: an exact quote of ``source`` at ``[start, end)``."""

    n: int
    source: str
    quote: str
    start: int
    end: int
    title: str = ""
    date: str | None = None


@dataclass
class Answer:
    """The result of a question: text with ``[n]`` markers, citations, and timings."""

    question: str
    text: str
    refused: bool
    citations: list[Citation] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)
    timings_ms: dict[str, float] = field(default_factory=dict)
    backend: str = "extractive"
    flagged: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract of ``python -m rag ask --json``."""
        return {
            "question": self.question,
            "answer": self.text,
            "refused": self.refused,
            "citations": [
                {"n": c.n, "source": c.source, "quote": c.quote, "start": c.start, "end": c.end} for c in self.citations
            ],
            "timings_ms": {k: round(v, 1) for k, v in self.timings_ms.items()},
            "backend": self.backend,
            "retrieved": [p.chunk.source for p in self.passages],
            "flagged": self.flagged,
        }


@dataclass
class IngestReport:
    """What an ingest run did."""

    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    chunks: int = 0
    embedded: int = 0
    seconds: float = 0.0
    skipped: list[tuple[str, str]] = field(default_factory=list)

    def summary(self) -> str:
        """One line for the end of a run."""
        line = (
            f"{self.added} added, {self.updated} updated, {self.removed} removed, {self.unchanged} unchanged; "
            f"{self.chunks} chunks in index, {self.embedded} embedded; {self.seconds:.1f}s"
        )
        if self.skipped:
            line += f"; {len(self.skipped)} skipped"
        return line

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready copy."""
        return asdict(self)
