"""The public entry point: :class:`Assistant` ties the store, retriever and answerers together."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from rag.answer.base import Answerer, Context, Finished, History, make_answerer
from rag.errors import RagError
from rag.index.embedders import CachedEmbedder, Embedder, make_embedder
from rag.index.store import Store
from rag.ingest.pipeline import ingest
from rag.records import Answer, Chunk, Citation, IngestReport, Passage
from rag.search.expansion import expand_query
from rag.search.retrieval import Filters, retrieve
from rag.settings import Settings
from rag.text import entities, scripts

__all__ = ["Answer", "AnswerStream", "Assistant", "History"]

_FENCE = re.compile(r"^[ \t]*(?:```|~~~)[^\n`]*$", re.M)  # a code block's fence: the reader's markup, no sentence's


def _words(text: str) -> str:
    """``text``'s words, one space apart, without code fences: what a quote and a chunk are compared by."""
    return " ".join(_FENCE.sub(" ", text).split())


class AnswerStream:
    """Iterate for text pieces as they are produced; ``.answer`` holds the verified :class:`Answer` at the end.

    >>> s = assistant.stream("When was the Baghdad coordination centre agreed?")
    >>> text = "".join(s)
    >>> s.answer.citations[0].quote
    """

    def __init__(self, pieces: Iterator[str], finish: Callable[[str], Answer]) -> None:
        self._pieces = pieces
        self._finish = finish
        self.answer: Answer | None = None

    def __iter__(self) -> Iterator[str]:
        raw: list[str] = []
        for piece in self._pieces:
            raw.append(piece)
            yield piece
        self.answer = self._finish("".join(raw))


class Assistant:
    """Question answering with exact citations over an index of documents.

    >>> from rag import Assistant
    >>> assistant = Assistant.open(".rag")
    >>> answer = assistant.ask("When was the Baghdad coordination centre agreed?")
    >>> answer.refused, answer.citations[0].source
    (False, '004_11c8f2f87e1597f2.txt')
    """

    def __init__(self, settings: Settings, store: Store, embedder: Embedder) -> None:
        self.settings = settings
        self.store = store
        self.embedder = embedder
        self._answerers: dict[str, Answerer] = {}

    @classmethod
    def open(
        cls,
        index_dir: str | Path | None = None,
        settings: Settings | None = None,
        create: bool = False,
        rebuild: bool = False,
    ) -> Assistant:
        """Open the index at ``index_dir`` (default: the ``RAG_INDEX_DIR`` setting).

        Raises RagError when there is no index (unless ``create``) or it was built with another embedder or an
        older release. ``rebuild`` deletes the index's own files first, so the next ingest starts afresh.
        """
        settings = settings or Settings()
        if index_dir is not None:
            settings = settings.model_copy(update={"index_dir": Path(index_dir)})
        embedder = CachedEmbedder(make_embedder(settings))
        store = Store(settings.index_dir, settings, embedder.name, create=create or rebuild, rebuild=rebuild)
        return cls(settings, store, embedder)

    @classmethod
    def build(
        cls, docs_dir: str | Path, index_dir: str | Path | None = None, settings: Settings | None = None
    ) -> Assistant:
        """Open (creating if needed) an index and ingest ``docs_dir`` into it."""
        assistant = cls.open(index_dir, settings, create=True)
        assistant.ingest(docs_dir)
        return assistant

    def warm_up(self) -> None:
        """Load the models now (embedder, and the language model of the offline answerer) rather than on the
        first question."""
        self.embedder.embed(["warm up"])
        if self.settings.backend == "extractive":
            entities.tagger(self.settings.spacy_model_path).analyse(["Warm up in Baghdad."])

    # --- ingestion --------------------------------------------------------------------
    def ingest(
        self,
        folder: str | Path | None = None,
        *,
        replace: bool = False,
        progress: Callable[[int, int], None] | None = None,
        show_bar: bool = False,
    ) -> IngestReport:
        """Incrementally ingest ``folder`` (default: the ``RAG_DOCS_DIR`` setting)."""
        target = Path(folder) if folder is not None else self.settings.docs_dir
        embedder = self.embedder.inner if isinstance(self.embedder, CachedEmbedder) else self.embedder
        return ingest(target, self.store, embedder, replace=replace, progress=progress, show_bar=show_bar)

    def counts(self) -> tuple[int, int]:
        """(documents, chunks) in the index, without listing them."""
        return (self.store.db.file_count() if self.store.exists else 0), self.store.count()

    def documents(self) -> list[dict[str, Any]]:
        """The ingested documents: source, title, date and number of chunks."""
        return self.store.describe()

    def remove(self, source: str, delete_file: bool = True) -> None:
        """Remove one document from the index and, with ``delete_file``, from the docs folder too.

        Deleting the file as well keeps the next ingest from bringing the document back.
        """
        from rag.ingest.pipeline import remove_document

        remove_document(self.store, source, delete_file)

    def source_text(self, source: str) -> str:
        """The text a citation's ``start``/``end`` index into."""
        return self.store.document_text(source)

    # --- questions --------------------------------------------------------------------
    def _check(self, question: str) -> str:
        question = (question or "").strip()
        if not question:
            raise RagError("The question is empty.")
        try:
            question.encode("utf-8")
        except UnicodeEncodeError:
            raise RagError("The question is not valid UTF-8 text; send it as UTF-8.") from None
        if len(question) > self.settings.max_question_chars:
            raise RagError(
                f"The question is too long ({len(question):,} characters; the limit is "
                f"{self.settings.max_question_chars:,}, RAG_MAX_QUESTION_CHARS)."
            )
        if not any(ch.isalnum() for ch in question):
            raise RagError("The question has no letters or digits; ask it in words.")
        return question

    def answerer(self, backend: str | None = None) -> Answerer:
        """The answerer for ``backend`` (default: the ``RAG_BACKEND`` setting), made once and kept."""
        name = backend or self.settings.backend
        if name not in self._answerers:
            ctx = Context(
                self.settings,
                self.embedder,
                self.store.idf,
                self.store.knows,
                lambda q, f: self.search(q, filters=f),
                self.store.word_vectors,
                self.store.document_text,
            )
            self._answerers[name] = make_answerer(name, ctx)
        return self._answerers[name]

    def _verified(self, finished: Finished, passages: list[Passage]) -> Finished:
        """Keep only citations whose quote is text of an indexed chunk of their source, within its span and as
        long as the span, whatever the backend; a dropped citation's ``[n]`` marker goes too and its quote is
        flagged. The passages the answer was made from are checked first, so an answer made while another process
        re-ingests keeps its citations of the version it read; then the source's current chunks (sub-questions
        and event dates search again)."""
        text, citations, refused, flagged = finished
        kept: list[Citation] = []
        dropped: list[Citation] = []
        for c in citations:
            quote = _words(c.quote)

            def holds(chunks: list[Chunk], c: Citation = c, quote: str = quote) -> bool:
                return any(
                    ch.source == c.source and ch.start <= c.start < c.end <= ch.end and quote in _words(ch.text)
                    for ch in chunks
                )

            exact = bool(quote) and c.end - c.start == len(c.quote)
            exact = exact and (holds([p.chunk for p in passages]) or holds(self.store.source_chunks(c.source)))
            (kept if exact else dropped).append(c)
        for c in dropped:
            text = text.replace(f" [{c.n}]", "").replace(f"[{c.n}]", "")
        return text, kept, refused, flagged + [c.quote for c in dropped]

    def search(
        self,
        query: str,
        *,
        top_k: int | None = None,
        filters: Filters | None = None,
        timings: dict[str, float] | None = None,
    ) -> tuple[list[Passage], Any]:
        """Hybrid retrieval for ``query``: (passages, query vector)."""
        t0 = time.perf_counter()
        vector = self.embedder.embed([query])[0]
        t1 = time.perf_counter()
        extra = expand_query(query, self.store, self.embedder)
        passages = retrieve(
            self.store,
            query,
            vector,
            top_k or self.settings.top_k,
            max(self.settings.candidates, top_k or 0),
            filters,
            extra,
        )
        self.store.attach_sentence_vectors([p.chunk for p in passages])
        if timings is not None:
            timings["embed_ms"] = (t1 - t0) * 1000
            timings["retrieve_ms"] = (time.perf_counter() - t1) * 1000
        return passages, vector

    def ask(
        self,
        question: str,
        *,
        backend: str | None = None,
        history: History | None = None,
        top_k: int | None = None,
        filters: Filters | None = None,
    ) -> Answer:
        """Answer ``question`` with verified citations, or refuse when the documents don't hold the answer."""
        stream = self.stream(question, backend=backend, history=history, top_k=top_k, filters=filters)
        for _ in stream:
            pass
        assert stream.answer is not None
        return stream.answer

    def stream(
        self,
        question: str,
        *,
        backend: str | None = None,
        history: History | None = None,
        top_k: int | None = None,
        filters: Filters | None = None,
    ) -> AnswerStream:
        """Like :meth:`ask`, but yields the answer text as it is produced."""
        started = time.perf_counter()
        question = self._check(question)
        answerer = self.answerer(backend)
        query = answerer.condense(history, question) if history else question
        timings: dict[str, float] = {}
        passages, vector = self.search(query, top_k=top_k, filters=filters, timings=timings)

        def result(finished: Finished, t_answer: float) -> Answer:
            text, citations, refused, flagged = self._verified(finished, passages)
            timings["answer_ms"] = (time.perf_counter() - t_answer) * 1000
            timings["total_ms"] = (time.perf_counter() - started) * 1000
            return Answer(question, text, refused, citations, passages, timings, answerer.name, flagged)

        t_answer = time.perf_counter()
        if passages and scripts.foreign(question, (p.chunk.text for p in passages)):
            # the question's letters are all in scripts that none of the retrieved passages uses
            refusal: Finished = (answerer.refusal, [], True, [])
            return AnswerStream(iter([answerer.refusal]), lambda _raw: result(refusal, t_answer))
        draft = answerer.start(question, query, vector, passages, filters)
        return AnswerStream(draft.pieces, lambda raw: result(draft.finish(raw), t_answer))
