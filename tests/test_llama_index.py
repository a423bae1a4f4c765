"""rag.llama_index: the assistant as LlamaIndex retriever, query engine and embedder, checked with LlamaIndex's own
evaluators, a real ONNX model behind LlamaIndex's embedding interface, and the local llama.cpp server as judge."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from llama_index.core.base.embeddings.base import BaseEmbedding
from llama_index.core.base.llms.types import CompletionResponse, CompletionResponseGen, LLMMetadata
from llama_index.core.base.response.schema import Response
from llama_index.core.bridge.pydantic import PrivateAttr
from llama_index.core.evaluation import EvaluationResult, FaithfulnessEvaluator, RetrieverEvaluator
from llama_index.core.llms import CustomLLM
from llama_index.core.llms.callbacks import llm_completion_callback
from llama_index.core.retrievers import BaseRetriever
from llama_index.core.schema import NodeWithScore, TextNode

from rag import Assistant, Filters, RagError
from rag.index.embedders import OnnxEmbedder
from rag.llama_index import (
    AssistantQueryEngine,
    AssistantRetriever,
    CitedStreamingResponse,
    LlamaIndexEmbedder,
    assistant_with_embedder,
)

from .helpers import BAGHDAD, POPULATION, REPO, copy_seeds
from .servers import TEST_GGUF, LlamaServer

BAGHDAD_SOURCE = "004_11c8f2f87e1597f2.txt"


# --- a real model behind LlamaIndex's embedding interface -----------------------------------------------------
# llama-index-core ships no offline embedding model of its own (only MockEmbedding, a fake), and no LlamaIndex
# embedding integration is installed. So this subclass exposes rag's ONNX all-MiniLM-L6-v2, a real model, through
# BaseEmbedding: the adapter under test only ever talks to it through LlamaIndex's public interface.


class OnnxLlamaEmbedding(BaseEmbedding):
    """all-MiniLM-L6-v2 (ONNX) as a LlamaIndex BaseEmbedding."""

    _onnx: OnnxEmbedder = PrivateAttr()

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("model_name", "all-MiniLM-L6-v2-onnx")
        kwargs.setdefault("embed_batch_size", 16)
        super().__init__(**kwargs)
        self._onnx = OnnxEmbedder()

    @classmethod
    def class_name(cls) -> str:
        return "OnnxLlamaEmbedding"

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return [[float(x) for x in row] for row in self._onnx.embed(texts)]

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._get_text_embeddings([text])[0]

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._get_text_embedding(query)

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)


@pytest.fixture(scope="module")
def embed_model() -> OnnxLlamaEmbedding:
    return OnnxLlamaEmbedding()


def _readme_blocks() -> list[str]:
    """The ```python blocks of the README's LlamaIndex section."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## LlamaIndex\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, re.S)


def _markers(text: str) -> set[int]:
    return {int(n) for n in re.findall(r"\[(\d+)\]", text)}


# --- import cost ------------------------------------------------------------------------------------------------


def test_import_rag_does_not_import_llama_index() -> None:
    code = "import sys, rag; print(sorted(m for m in sys.modules if m.startswith('llama_index')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO)
    assert out.stdout.strip() == "[]"


# --- AssistantRetriever ---------------------------------------------------------------------------------------


def test_retriever_returns_the_hybrid_results_as_nodes(seed_assistant: Assistant) -> None:
    retriever = AssistantRetriever(seed_assistant, top_k=4)
    assert isinstance(retriever, BaseRetriever)
    hits = retriever.retrieve(BAGHDAD)
    passages, _ = seed_assistant.search(BAGHDAD, top_k=4)
    assert [h.node.node_id for h in hits] == [p.chunk.id for p in passages] and len(hits) == 4
    assert [h.score for h in hits] == pytest.approx([p.score for p in passages])
    assert BAGHDAD_SOURCE in {h.node.metadata["source"] for h in hits}
    for hit, passage in zip(hits, passages, strict=True):
        assert isinstance(hit, NodeWithScore) and isinstance(hit.node, TextNode)
        meta = hit.node.metadata
        assert hit.node.text == passage.chunk.text
        assert (meta["source"], meta["start"], meta["end"]) == (
            passage.chunk.source,
            passage.chunk.start,
            passage.chunk.end,
        )
        assert meta["title"] == passage.chunk.title and meta["date"] == passage.chunk.date
        assert (hit.node.start_char_idx, hit.node.end_char_idx) == (meta["start"], meta["end"])
        assert hit.node.ref_doc_id == meta["source"]
        # The sentence spans index the source text; the chunk text is its sentences joined by spaces.
        source_text = seed_assistant.source_text(meta["source"])
        spans = json.loads(meta["sentences"])
        assert spans[0][0] == meta["start"] and spans[-1][1] == meta["end"]
        assert " ".join(source_text[s:e] for s, e in spans) == hit.node.text
        # Offsets and spans are for programs: the text an LLM sees carries the source and title only.
        llm_text = hit.node.get_content(metadata_mode="llm")
        assert meta["source"] in llm_text and "sentences" not in llm_text and "start:" not in llm_text


def test_retriever_honours_top_k_and_filters(seed_assistant: Assistant) -> None:
    assert len(AssistantRetriever(seed_assistant, top_k=2).retrieve(BAGHDAD)) == 2
    assert len(AssistantRetriever(seed_assistant).retrieve(BAGHDAD)) == seed_assistant.settings.top_k
    only = "002_c010ba6d17745c5d.txt"
    hits = AssistantRetriever(seed_assistant, top_k=5, filters=Filters(sources=(only,))).retrieve(BAGHDAD)
    assert hits and {h.node.metadata["source"] for h in hits} == {only}
    dated = AssistantRetriever(seed_assistant, top_k=5, filters=Filters(date_from="2018-01-01")).retrieve(BAGHDAD)
    assert dated and all(h.node.metadata["date"] and h.node.metadata["date"] >= "2018-01-01" for h in dated)
    with pytest.raises(RagError):
        AssistantRetriever(seed_assistant, top_k=0)


def test_retriever_aretrieve(seed_assistant: Assistant) -> None:
    import asyncio

    retriever = AssistantRetriever(seed_assistant, top_k=3)
    hits = asyncio.run(retriever.aretrieve(BAGHDAD))
    assert [h.node.node_id for h in hits] == [h.node.node_id for h in retriever.retrieve(BAGHDAD)]


# --- LlamaIndex's RetrieverEvaluator on AssistantRetriever ----------------------------------------------------

# (question, source, a phrase of the answer): the expected ids are that source's chunks holding the phrase.
RETRIEVAL_PAIRS = [
    (BAGHDAD, BAGHDAD_SOURCE, "agreement reached in 2015"),
    ("How many seats did Muqtada al-Sadr's bloc take in parliament?", "000_8df99752ee73bd4e.txt", "won 54 seats"),
    (
        "Which Iraqi foreign minister insisted his country hadn't taken in any Russian military advisers?",
        "001_7ec61a1bb73bfddc.txt",
        "Ibrahim al-Jafaari",
    ),
    (
        "When did the Daesh leader Abu Bakr al-Baghdadi make the rare speech telling his followers to keep fighting?",
        "002_c010ba6d17745c5d.txt",
        "In a rare address last month",
    ),
    (
        "Whom did French Foreign Minister Laurent Fabius hold responsible for the chaos in Syria?",
        "003_a49d935d823246c6.txt",
        "said on Saturday that Syrian President",
    ),
    (
        "Name the Kurdish media outlet that reported Nouri al-Maliki's remarks to Sergey Lavrov.",
        BAGHDAD_SOURCE,
        "Rudaw",
    ),
]


def test_llama_index_retriever_evaluator(seed_assistant: Assistant) -> None:
    evaluator = RetrieverEvaluator.from_metric_names(
        ["hit_rate", "mrr"], retriever=AssistantRetriever(seed_assistant, top_k=5)
    )
    results = []
    for question, source, phrase in RETRIEVAL_PAIRS:
        expected = [c.id for c in seed_assistant.store.source_chunks(source) if phrase in c.text]
        assert expected, f"no chunk of {source} holds {phrase!r}"
        result = evaluator.evaluate(query=question, expected_ids=expected)
        assert set(result.metric_vals_dict) == {"hit_rate", "mrr"}
        assert len(result.retrieved_ids) == 5
        results.append(result.metric_vals_dict)
    hit_rate = sum(r["hit_rate"] for r in results) / len(results)
    mrr = sum(r["mrr"] for r in results) / len(results)
    print(f"hit rate {hit_rate:.2f}, MRR {mrr:.2f} over {len(results)} questions")
    assert hit_rate > 0 and mrr > 0
    assert hit_rate >= 0.5  # the seed evals' retrieval finds nearly all of these; half is a loose floor


# --- AssistantQueryEngine -------------------------------------------------------------------------------------


def test_query_engine_returns_the_cited_spans(seed_assistant: Assistant) -> None:
    engine = AssistantQueryEngine(assistant=seed_assistant)
    response = engine.query(BAGHDAD)
    answer = seed_assistant.ask(BAGHDAD)
    assert isinstance(response, Response)
    assert response.response == answer.text and "2015" in response.response
    meta = response.metadata or {}
    assert meta["refused"] is False and meta["backend"] == "extractive"
    assert meta["timings_ms"]["total_ms"] > 0 and "retrieve_ms" in meta["timings_ms"]
    assert meta["retrieved"] == [p.chunk.id for p in answer.passages]
    assert len(response.source_nodes) == len(answer.citations) >= 1
    assert _markers(response.response) == {n.node.metadata["n"] for n in response.source_nodes}
    assert BAGHDAD_SOURCE in {n.node.metadata["source"] for n in response.source_nodes}
    for node, citation in zip(response.source_nodes, answer.citations, strict=True):
        m = node.node.metadata
        assert node.node.text == citation.quote
        assert (m["n"], m["source"], m["start"], m["end"]) == (
            citation.n,
            citation.source,
            citation.start,
            citation.end,
        )
        assert m["title"] == citation.title and m["date"] == citation.date
        assert seed_assistant.source_text(m["source"])[m["start"] : m["end"]] == node.node.text
        assert node.score is not None and node.score > 0  # the fused score of the passage holding the quote


def test_query_engine_refusal_and_filters(seed_assistant: Assistant) -> None:
    refused = AssistantQueryEngine(assistant=seed_assistant).query(POPULATION)
    assert (refused.metadata or {})["refused"] is True and refused.source_nodes == []
    only = "002_c010ba6d17745c5d.txt"
    engine = AssistantQueryEngine(assistant=seed_assistant, filters=Filters(sources=(only,)), top_k=3)
    response = engine.query("Who led the Russian, Iranian and Syrian delegations at the 2018 Baghdad security meeting?")
    assert {n.node.metadata["source"] for n in response.source_nodes} <= {only}
    assert len((response.metadata or {})["retrieved"]) <= 3


def test_query_engine_streaming(seed_assistant: Assistant) -> None:
    response = AssistantQueryEngine(assistant=seed_assistant, streaming=True).query(BAGHDAD)
    assert isinstance(response, CitedStreamingResponse)
    assert response.source_nodes == [] and response.answer is None  # filled once the stream ends
    pieces = list(response.response_gen)
    assert len(pieces) > 2 and response.answer is not None
    plain = AssistantQueryEngine(assistant=seed_assistant).query(BAGHDAD)
    assert "".join(pieces) == str(response) == plain.response
    assert [n.node.text for n in response.source_nodes] == [n.node.text for n in plain.source_nodes]
    assert (response.metadata or {})["refused"] is False
    final = response.get_response()
    assert final.response == plain.response and len(final.source_nodes) == len(plain.source_nodes)
    # str() alone drains the stream and gives the verified text.
    assert str(AssistantQueryEngine(assistant=seed_assistant, streaming=True).query(BAGHDAD)) == plain.response


# --- LlamaIndexEmbedder ---------------------------------------------------------------------------------------


def test_embedder_adapter_matches_the_model(embed_model: OnnxLlamaEmbedding) -> None:
    embedder = LlamaIndexEmbedder(embed_model, batch_size=2)
    assert embedder.name == "llamaindex:OnnxLlamaEmbedding:all-MiniLM-L6-v2-onnx" and embedder.dim == 0
    texts = ["Baghdad coordination centre", "The population of Baghdad", "Russian air strikes", "", "Ürümqi"]
    calls: list[int] = []
    vectors = embedder.embed(texts, calls.append)
    assert calls == [2, 2, 1]
    assert vectors.dtype == np.float32 and vectors.shape == (5, 384) and embedder.dim == 384
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    direct = np.asarray(embed_model.get_text_embedding_batch(texts), dtype=np.float32)
    assert np.allclose(vectors, direct / np.linalg.norm(direct, axis=1, keepdims=True), atol=1e-6)
    assert embedder.embed([]).shape == (0, 384)
    assert LlamaIndexEmbedder(embed_model).batch_size == 16  # the model's embed_batch_size


class _Broken(BaseEmbedding):
    """An embedding model whose service fails, or answers with vectors of varying size."""

    mode: str = "fail"

    def _vector(self, text: str) -> list[float]:
        if self.mode == "fail":
            raise ConnectionError("embedding service unreachable")
        return [1.0] * (3 + len(text) % 2)

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._vector(text)

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._vector(query)

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._vector(query)


def test_embedder_adapter_errors_are_rag_errors() -> None:
    with pytest.raises(RagError, match="failed: embedding service unreachable"):
        LlamaIndexEmbedder(_Broken()).embed(["a"])
    with pytest.raises(RagError, match="mixed sizes"):
        LlamaIndexEmbedder(_Broken(mode="vary")).embed(["a", "ab"])
    varying = LlamaIndexEmbedder(_Broken(mode="vary"))
    varying.embed(["a"])
    with pytest.raises(RagError, match="changed its vector size from 4 to 3"):
        varying.embed(["ab"])
    assert LlamaIndexEmbedder(_Broken()).name == "llamaindex:_Broken"


# --- the README's LlamaIndex section, run as written ----------------------------------------------------------


def test_readme_retriever_and_query_engine_example(
    seed_assistant: Assistant, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    block = _readme_blocks()[0]
    assert 'Assistant.open(".rag")' in block
    (tmp_path / ".rag").symlink_to(seed_assistant.store.index_dir, target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, Any] = {}
    exec(compile(block, "README.md (LlamaIndex)", "exec"), namespace)
    out = capsys.readouterr().out
    assert isinstance(namespace["response"], Response) and namespace["response"].source_nodes
    assert BAGHDAD_SOURCE in out and "[1]" in out and "2015" in out


def test_readme_embedder_example_builds_a_real_index(
    embed_model: OnnxLlamaEmbedding, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    block = _readme_blocks()[1]
    assert "assistant_with_embedder" in block and "embed_model" in block
    copy_seeds(tmp_path / "seeds")
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, Any] = {"embed_model": embed_model}  # the one name the README leaves to the reader
    exec(compile(block, "README.md (LlamaIndex embedder)", "exec"), namespace)
    assert BAGHDAD_SOURCE in capsys.readouterr().out
    assistant: Assistant = namespace["assistant"]
    assert assistant.store.count() > 0 and assistant.embedder.dim == 384
    hits = AssistantRetriever(assistant, top_k=5).retrieve(BAGHDAD)
    assert BAGHDAD_SOURCE in {h.node.metadata["source"] for h in hits}
    # The index remembers its embedder: reopening needs the same LlamaIndex model.
    again = assistant_with_embedder(tmp_path / ".rag-custom", embed_model)
    assert [h.node.node_id for h in AssistantRetriever(again, top_k=5).retrieve(BAGHDAD)] == [
        h.node.node_id for h in hits
    ]
    with pytest.raises(RagError):
        Assistant.open(tmp_path / ".rag-custom").ingest(tmp_path / "seeds")


# --- FaithfulnessEvaluator with the local SmolLM2 server as the judge -----------------------------------------


class LocalServerLLM(CustomLLM):
    """A LlamaIndex LLM that calls an OpenAI-compatible server through the ``openai`` package.

    (No llama-index-llms-openai or -openai-like is installed, so this small CustomLLM stands in for them.)
    """

    base_url: str
    model: str = "local"
    max_tokens: int = 24
    context_window: int = 4096

    @property
    def metadata(self) -> LLMMetadata:
        return LLMMetadata(
            context_window=self.context_window, num_output=self.max_tokens, model_name="SmolLM2-135M-Instruct"
        )

    def _client(self) -> Any:
        import openai

        return openai.OpenAI(base_url=self.base_url, api_key="unused", timeout=60, max_retries=0)

    @llm_completion_callback()
    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        reply = self._client().chat.completions.create(
            model=self.model,
            messages=[{"role": "user", "content": prompt}],
            max_tokens=self.max_tokens,
            temperature=0,
        )
        return CompletionResponse(text=reply.choices[0].message.content or "")

    @llm_completion_callback()
    def stream_complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponseGen:
        def gen() -> Iterator[CompletionResponse]:
            text = ""
            for event in self._client().chat.completions.create(
                model=self.model,
                messages=[{"role": "user", "content": prompt}],
                max_tokens=self.max_tokens,
                temperature=0,
                stream=True,
            ):
                delta = event.choices[0].delta.content if event.choices else None
                if delta:
                    text += delta
                    yield CompletionResponse(text=text, delta=delta)

        return gen()


@pytest.mark.llm
def test_faithfulness_evaluator_with_the_local_llm(seed_assistant: Assistant) -> None:
    if not TEST_GGUF.exists():
        pytest.skip(f"test model missing: {TEST_GGUF} (make test fetches it)")
    response = AssistantQueryEngine(assistant=seed_assistant).query(BAGHDAD)
    assert response.source_nodes
    with LlamaServer(TEST_GGUF) as server:
        llm = LocalServerLLM(base_url=server.base_url)
        assert llm.complete("Say YES.").text  # the judge answers at all
        result = FaithfulnessEvaluator(llm=llm).evaluate_response(query=BAGHDAD, response=response)
    print(f"faithfulness: passing={result.passing} feedback={result.feedback!r}")
    assert isinstance(result, EvaluationResult)
    assert result.query == BAGHDAD and result.response == response.response
    assert result.contexts == [n.node.text for n in response.source_nodes]
    assert isinstance(result.passing, bool) and result.score in (0.0, 1.0)
    assert isinstance(result.feedback, str) and result.feedback.strip()
