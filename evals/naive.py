"""The naive LlamaIndex baseline: default SentenceSplitter, in-memory vector index, top-5 dense retrieval, no LLM."""

from __future__ import annotations

import os
import time
from importlib.util import find_spec
from pathlib import Path
from typing import Any

TOP_K = 5


def offline_tiktoken() -> None:
    """Point tiktoken at the cache llama-index ships, so nothing is downloaded (as rag/text/tokens.py does)."""
    if os.environ.get("TIKTOKEN_CACHE_DIR"):
        return
    spec = find_spec("llama_index.core")
    if spec and spec.submodule_search_locations:
        cache = Path(next(iter(spec.submodule_search_locations))) / "_static" / "tiktoken_cache"
        if cache.is_dir():
            os.environ["TIKTOKEN_CACHE_DIR"] = str(cache)


offline_tiktoken()

from llama_index.core import Settings, SimpleDirectoryReader, VectorStoreIndex  # noqa: E402
from llama_index.core.base.embeddings.base import BaseEmbedding  # noqa: E402
from llama_index.core.llms import MockLLM  # noqa: E402
from pydantic import PrivateAttr  # noqa: E402


class AssistantEmbedding(BaseEmbedding):
    """A llama-index embedding model backed by the assistant's own embedder (same model, same vectors)."""

    _embedder: Any = PrivateAttr()

    def __init__(self, embedder: Any, **kwargs: Any) -> None:
        super().__init__(model_name=str(getattr(embedder, "name", "assistant")), embed_batch_size=64, **kwargs)
        self._embedder = embedder

    def _get_query_embedding(self, query: str) -> list[float]:
        return [float(x) for x in self._embedder.embed([query])[0]]

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._get_query_embedding(text)

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return [[float(x) for x in row] for row in self._embedder.embed(list(texts))]


class NaiveRAG:
    """``VectorStoreIndex.from_documents`` over a folder; ``retrieve`` gives the source files of the top-k chunks."""

    def __init__(self, docs_dir: str | Path, embedder: Any, top_k: int = TOP_K, chunk_size: int | None = None) -> None:
        from llama_index.core.node_parser import SentenceSplitter

        embedder = getattr(embedder, "inner", embedder)  # the same model, minus the assistant's query cache
        Settings.llm = MockLLM()  # what Settings.llm = None resolves to, without the printed notice
        Settings.embed_model = AssistantEmbedding(embedder)
        root = Path(docs_dir).resolve()
        started = time.perf_counter()
        reader = SimpleDirectoryReader(
            str(root),
            recursive=True,
            required_exts=[".txt", ".md", ".markdown", ".rst", ".rest", ".html", ".htm", ".pdf"],
            file_metadata=lambda p: {"file_name": Path(p).resolve().relative_to(root).as_posix()},
        )
        documents = reader.load_data()
        splitter = SentenceSplitter() if chunk_size is None else SentenceSplitter(chunk_size=chunk_size)
        self.index = VectorStoreIndex.from_documents(
            documents, embed_model=Settings.embed_model, transformations=[splitter]
        )
        self.retriever = self.index.as_retriever(similarity_top_k=top_k)
        self.ingest_s = time.perf_counter() - started
        self.documents = len(documents)
        self.chunks = len(self.index.docstore.docs)

    def retrieve_nodes(self, question: str) -> list[tuple[str, str]]:
        """(source file, chunk text) of the top-k retrieved chunks, best first."""
        return [
            (str(n.node.metadata.get("file_name", "")), n.node.get_content()) for n in self.retriever.retrieve(question)
        ]

    def retrieve(self, question: str) -> list[str]:
        """Source files of the top-k retrieved chunks, best first (repeats kept)."""
        return [f for f, _ in self.retrieve_nodes(question)]
