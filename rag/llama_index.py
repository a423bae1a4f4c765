"""LlamaIndex-native parts built from an :class:`~rag.Assistant`: a retriever, a query engine and an embedder adapter.

Importing this module imports ``llama_index.core``; ``import rag`` does not, so start-up stays light.

>>> from rag import Assistant
>>> from rag.llama_index import AssistantQueryEngine, AssistantRetriever
>>> assistant = Assistant.open(".rag")
>>> AssistantRetriever(assistant, top_k=3).retrieve("When was the Baghdad coordination centre agreed?")[0].node.metadata["source"]
'004_11c8f2f87e1597f2.txt'
>>> response = AssistantQueryEngine(assistant=assistant).query("When was the Baghdad coordination centre agreed?")
>>> response.source_nodes[0].node.text   # the exact quote of citation [1]
"""

from __future__ import annotations

import json
from collections.abc import Callable, Generator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from llama_index.core.base.embeddings.base import BaseEmbedding
from llama_index.core.base.response.schema import Response, StreamingResponse
from llama_index.core.callbacks import CallbackManager
from llama_index.core.query_engine import CustomQueryEngine
from llama_index.core.retrievers import BaseRetriever
from llama_index.core.schema import NodeRelationship, NodeWithScore, QueryBundle, RelatedNodeInfo, TextNode

from rag.assistant import AnswerStream, Assistant
from rag.errors import RagError
from rag.index.embedders import CachedEmbedder
from rag.index.store import Store
from rag.records import Answer, Citation, Passage
from rag.search.retrieval import Filters
from rag.settings import Settings

__all__ = [
    "AssistantQueryEngine",
    "AssistantRetriever",
    "CitedStreamingResponse",
    "LlamaIndexEmbedder",
    "assistant_with_embedder",
    "citation_node",
    "passage_node",
]

# Offsets, ranks and sentence spans are for programs; they stay out of the text an LLM or an embedding model sees.
_HIDDEN_KEYS = ["start", "end", "sentences", "dense_rank", "bm25_rank", "date_inferred", "n"]


def passage_node(passage: Passage) -> NodeWithScore:
    """A retrieved passage as a scored :class:`TextNode` (id = chunk id, text = chunk text).

    ``metadata`` holds source, start, end, title, date, date_inferred, dense_rank, bm25_rank and ``sentences``,
    the chunk's sentence spans in the source text as a JSON list of ``[start, end]`` pairs.
    """
    chunk = passage.chunk
    node = TextNode(
        id_=chunk.id,
        text=chunk.text,
        start_char_idx=chunk.start,
        end_char_idx=chunk.end,
        metadata={
            "source": chunk.source,
            "start": chunk.start,
            "end": chunk.end,
            "title": chunk.title,
            "date": chunk.date,
            "date_inferred": chunk.date_inferred,
            "sentences": json.dumps([[s.start, s.end] for s in chunk.sentences]),
            "dense_rank": passage.dense_rank,
            "bm25_rank": passage.bm25_rank,
        },
        excluded_llm_metadata_keys=list(_HIDDEN_KEYS),
        excluded_embed_metadata_keys=list(_HIDDEN_KEYS),
        relationships={NodeRelationship.SOURCE: RelatedNodeInfo(node_id=chunk.source)},
    )
    return NodeWithScore(node=node, score=passage.score)


def citation_node(citation: Citation, passages: list[Passage] | None = None) -> NodeWithScore:
    """One verified citation as a :class:`TextNode` whose text is the exact quote of ``source[start:end]``.

    The score is the fused score of the best retrieved passage that holds the quote (None if none does).
    """
    scores = [
        p.score
        for p in passages or []
        if p.chunk.source == citation.source and p.chunk.start < citation.end and citation.start < p.chunk.end
    ]
    node = TextNode(
        id_=f"{citation.source}:{citation.start}-{citation.end}",
        text=citation.quote,
        start_char_idx=citation.start,
        end_char_idx=citation.end,
        metadata={
            "n": citation.n,
            "source": citation.source,
            "start": citation.start,
            "end": citation.end,
            "title": citation.title,
            "date": citation.date,
        },
        excluded_llm_metadata_keys=list(_HIDDEN_KEYS),
        excluded_embed_metadata_keys=list(_HIDDEN_KEYS),
        relationships={NodeRelationship.SOURCE: RelatedNodeInfo(node_id=citation.source)},
    )
    return NodeWithScore(node=node, score=max(scores) if scores else None)


def _metadata(answer: Answer) -> dict[str, Any]:
    return {
        "question": answer.question,
        "refused": answer.refused,
        "backend": answer.backend,
        "timings_ms": dict(answer.timings_ms),
        "flagged": list(answer.flagged),
        "retrieved": [p.chunk.id for p in answer.passages],
    }


class AssistantRetriever(BaseRetriever):
    """The assistant's hybrid retrieval (dense + BM25, fused) as a LlamaIndex retriever.

    Each result is a :func:`passage_node`; ``top_k`` defaults to the ``RAG_TOP_K`` setting and ``filters``
    restricts sources and dates as in :meth:`Assistant.search`.
    """

    def __init__(
        self,
        assistant: Assistant,
        top_k: int | None = None,
        filters: Filters | None = None,
        callback_manager: CallbackManager | None = None,
        verbose: bool = False,
    ) -> None:
        if top_k is not None and top_k < 1:
            raise RagError("top_k must be at least 1.")
        self.assistant = assistant
        self.top_k = top_k
        self.filters = filters
        super().__init__(callback_manager=callback_manager, verbose=verbose)

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        passages, _ = self.assistant.search(query_bundle.query_str, top_k=self.top_k, filters=self.filters)
        return [passage_node(p) for p in passages]


@dataclass
class CitedStreamingResponse(StreamingResponse):
    """A streaming response whose final text is the verified answer.

    Iterate ``response_gen`` for the pieces as they are produced (with the ``openai`` backend these are the
    model's raw words). Once it ends, ``answer`` holds the verified :class:`Answer`, ``source_nodes`` the cited
    spans and ``metadata`` refused and timings; ``str(response)`` and :meth:`get_response` give the verified text,
    which may differ from the raw pieces when unsupported sentences were dropped.
    """

    answer: Answer | None = None

    def _drain(self) -> Answer:
        if self.answer is None:
            for _ in self.response_gen:
                pass
        assert self.answer is not None
        return self.answer

    def __str__(self) -> str:
        return self._drain().text

    def get_response(self) -> Response:
        answer = self._drain()
        return Response(answer.text, list(self.source_nodes), dict(self.metadata or {}))

    def print_response_stream(self) -> None:
        """Print the pieces as they come (or the verified text, if the stream was already read)."""
        if self.answer is None:
            for piece in self.response_gen:
                print(piece, end="", flush=True)
        else:
            print(self.answer.text, end="", flush=True)
        print()


class AssistantQueryEngine(CustomQueryEngine):
    """Cited answers as a LlamaIndex query engine.

    ``query(question)`` returns a :class:`Response` whose ``response`` is the answer text with ``[n]`` markers and
    whose ``source_nodes`` are the cited spans, one :func:`citation_node` per citation in ``n`` order (empty when
    the assistant refuses). ``metadata`` holds question, refused, backend, timings_ms, flagged and retrieved (the
    ids of the chunks the answer was drawn from). With ``streaming=True`` it returns a
    :class:`CitedStreamingResponse` instead.
    """

    assistant: Assistant
    backend: str | None = None
    top_k: int | None = None
    filters: Filters | None = None
    streaming: bool = False

    def custom_query(self, query_str: str) -> Response | CitedStreamingResponse:
        """Answer ``query_str`` with verified citations (or a refusal)."""
        if self.streaming:
            return self._stream(query_str)
        answer = self.assistant.ask(query_str, backend=self.backend, top_k=self.top_k, filters=self.filters)
        return Response(answer.text, [citation_node(c, answer.passages) for c in answer.citations], _metadata(answer))

    def _stream(self, query_str: str) -> CitedStreamingResponse:
        stream: AnswerStream = self.assistant.stream(
            query_str, backend=self.backend, top_k=self.top_k, filters=self.filters
        )
        nodes: list[NodeWithScore] = []
        metadata: dict[str, Any] = {}
        holder: list[CitedStreamingResponse] = []

        def pieces() -> Generator[str, None, None]:
            yield from stream
            answer = stream.answer
            assert answer is not None
            nodes.extend(citation_node(c, answer.passages) for c in answer.citations)
            metadata.update(_metadata(answer))
            holder[0].answer = answer
            holder[0].response_txt = answer.text

        response = CitedStreamingResponse(response_gen=pieces(), source_nodes=nodes, metadata=metadata)
        holder.append(response)
        return response


class LlamaIndexEmbedder:
    """Any LlamaIndex :class:`BaseEmbedding` as a rag embedder (the ``Embedder`` protocol).

    Texts go to ``get_text_embedding_batch`` in batches of ``batch_size`` (default: the model's
    ``embed_batch_size``); vectors come back L2-normalised as float32. ``dim`` is 0 until the first vector is
    seen. The name, stored with the index, is ``llamaindex:<class>:<model_name>`` unless given.

    rag embeds questions with the same call as passages, so a model with a separate query instruction (as some
    ``get_query_embedding`` implementations add) gets none.
    """

    def __init__(self, model: BaseEmbedding, name: str | None = None, batch_size: int | None = None) -> None:
        self.model = model
        model_name = getattr(model, "model_name", "") or ""
        label = type(model).__name__ if model_name in ("", "unknown") else f"{type(model).__name__}:{model_name}"
        self._name = name or f"llamaindex:{label}"
        self.batch_size = batch_size or int(getattr(model, "embed_batch_size", 0) or 32)
        if self.batch_size < 1:
            raise RagError("The embedding batch size must be at least 1.")
        self._dim = 0

    @property
    def name(self) -> str:
        """Identifies the model; stored with the index."""
        return self._name

    @property
    def dim(self) -> int:
        """Vector size, discovered from the first vector (0 before)."""
        return self._dim

    def embed(self, texts: list[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        """Vectors for ``texts``, shape (len(texts), dim); a failing or inconsistent model raises RagError."""
        rows: list[np.ndarray] = []
        for b in range(0, len(texts), self.batch_size):
            batch = texts[b : b + self.batch_size]
            try:
                vectors = self.model.get_text_embedding_batch(batch)
            except Exception as e:
                raise RagError(f"The LlamaIndex embedding model {self._name} failed: {str(e)[:200]}") from e
            if len(vectors) != len(batch):
                raise RagError(
                    f"The LlamaIndex embedding model {self._name} returned {len(vectors)} vectors for {len(batch)} texts."
                )
            try:
                block = np.asarray(vectors, dtype=np.float32)
            except ValueError:
                raise RagError(
                    f"The LlamaIndex embedding model {self._name} returned vectors of mixed sizes."
                ) from None
            if block.ndim != 2 or block.shape[1] == 0:
                raise RagError(f"The LlamaIndex embedding model {self._name} returned no usable vectors.")
            if self._dim and block.shape[1] != self._dim:
                raise RagError(
                    f"The LlamaIndex embedding model {self._name} changed its vector size "
                    f"from {self._dim} to {block.shape[1]}."
                )
            if not np.isfinite(block).all():
                raise RagError(f"The LlamaIndex embedding model {self._name} returned non-finite values.")
            self._dim = block.shape[1]
            rows.append(block)
            if progress:
                progress(len(batch))
        if not rows:
            return np.zeros((0, self._dim or 1), dtype=np.float32)
        stacked = np.concatenate(rows)
        norms = np.linalg.norm(stacked, axis=1, keepdims=True)
        out: np.ndarray = (stacked / np.maximum(norms, 1e-12)).astype(np.float32)
        return out


def assistant_with_embedder(
    index_dir: str | Path,
    embed_model: BaseEmbedding | LlamaIndexEmbedder,
    settings: Settings | None = None,
    create: bool = False,
    rebuild: bool = False,
) -> Assistant:
    """Open (with ``create``, or afresh with ``rebuild``) the index at ``index_dir`` embedded by a LlamaIndex model.

    Like :meth:`Assistant.open`, but the vectors come from ``embed_model``; an index built with another
    embedder raises RagError.
    """
    settings = (settings or Settings()).model_copy(update={"index_dir": Path(index_dir)})
    inner = embed_model if isinstance(embed_model, LlamaIndexEmbedder) else LlamaIndexEmbedder(embed_model)
    embedder = CachedEmbedder(inner)
    store = Store(settings.index_dir, settings, embedder.name, create=create or rebuild, rebuild=rebuild)
    return Assistant(settings, store, embedder)
