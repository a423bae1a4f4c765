"""Smoke tests for the real local test servers in ``tests/servers.py``."""

from __future__ import annotations

import math
import socket
from collections.abc import Iterator
from typing import Any

import chromadb
import numpy as np
import openai
import pytest
from chromadb.config import Settings
from openai.types.chat import ChatCompletionMessageParam

from .servers import TEST_GGUF, ChromaServer, FaultServer, LlamaServer

MESSAGES: list[ChatCompletionMessageParam] = [{"role": "user", "content": "What is the capital of France?"}]
NO_MODEL = f"test model missing: {TEST_GGUF} (run scripts/fetch_test_model.sh)"


def _client(base_url: str, max_retries: int = 0, timeout: float = 60) -> openai.OpenAI:
    return openai.OpenAI(base_url=base_url, api_key="unused", max_retries=max_retries, timeout=timeout)


# --- LlamaServer -------------------------------------------------------------


@pytest.fixture(scope="module")
def llama() -> Iterator[LlamaServer]:
    if not TEST_GGUF.is_file():
        pytest.skip(NO_MODEL)
    with LlamaServer(TEST_GGUF) as server:
        yield server


@pytest.mark.llm
def test_llama_lists_its_model(llama: LlamaServer) -> None:
    ids = [m.id for m in _client(llama.base_url).models.list()]
    assert ids == [llama.model]


@pytest.mark.llm
def test_llama_chat_completion(llama: LlamaServer) -> None:
    resp = _client(llama.base_url).chat.completions.create(
        model=llama.model, messages=MESSAGES, max_tokens=16, temperature=0
    )
    text = resp.choices[0].message.content
    assert text and text.strip()
    assert resp.usage is not None and 0 < resp.usage.completion_tokens <= 16


@pytest.mark.llm
def test_llama_streaming_chat_completion(llama: LlamaServer) -> None:
    stream = _client(llama.base_url).chat.completions.create(
        model=llama.model, messages=MESSAGES, max_tokens=16, stream=True
    )
    deltas = [c.choices[0].delta.content for c in stream if c.choices]
    assert len([d for d in deltas if d]) >= 1


@pytest.mark.llm
def test_llama_chat_model_also_serves_embeddings() -> None:
    if not TEST_GGUF.is_file():
        pytest.skip(NO_MODEL)
    with LlamaServer(TEST_GGUF, embedding=True) as server:
        client = _client(server.base_url)
        emb = client.embeddings.create(model=server.model, input=["hello", "world"])
        vectors = [d.embedding for d in emb.data]
        assert len(vectors) == 2 and len(vectors[0]) == len(vectors[1]) > 0
        assert all(math.isfinite(x) for x in vectors[0])
        chat = client.chat.completions.create(model=server.model, messages=MESSAGES, max_tokens=4)
        assert chat.choices[0].message.content


# --- ChromaServer ------------------------------------------------------------


def test_chroma_server_add_and_query_by_vector() -> None:
    with ChromaServer() as srv:
        assert srv.url == f"http://127.0.0.1:{srv.port}"
        client = chromadb.HttpClient(
            host="127.0.0.1",
            port=srv.port,
            settings=Settings(anonymized_telemetry=False),
        )
        col = client.create_collection("smoke")
        col.add(
            ids=["east", "north"],
            embeddings=np.array([[1, 0, 0], [0, 1, 0]], dtype=np.float32),
            documents=["points east", "points north"],
        )
        res = col.query(
            query_embeddings=np.array([[0.1, 0.9, 0.0]], dtype=np.float32),
            n_results=1,
        )
        assert res["ids"] == [["north"]]
    with pytest.raises(OSError):  # stopped on exit
        socket.create_connection(("127.0.0.1", srv.port), timeout=2).close()


# --- FaultServer -------------------------------------------------------------


@pytest.fixture()
def fault() -> Iterator[FaultServer]:
    with FaultServer() as server:
        yield server


def _chat(fs: FaultServer, *, timeout: float = 5, stream: bool = False) -> Any:
    return _client(fs.base_url, timeout=timeout).chat.completions.create(model="m", messages=MESSAGES, stream=stream)


@pytest.mark.parametrize(
    ("mode", "error"),
    [("429", openai.RateLimitError), ("500", openai.InternalServerError)],
)
def test_fault_http_errors(fault: FaultServer, mode: str, error: type[Exception]) -> None:
    fault.mode = mode
    with pytest.raises(error):
        _chat(fault)
    assert fault.hits == 1


def test_fault_timeout(fault: FaultServer) -> None:
    fault.mode = "timeout"
    with pytest.raises(openai.APITimeoutError):
        _chat(fault, timeout=1)


def test_fault_cut_stream(fault: FaultServer) -> None:
    fault.mode = "cut_stream"
    got: list[str | None] = []
    with pytest.raises(openai.APIConnectionError):
        for chunk in _chat(fault, stream=True):
            got.append(chunk.choices[0].delta.content)
    assert got == ["Partial"]


def test_fault_garbage(fault: FaultServer) -> None:
    fault.mode = "garbage"
    with pytest.raises(ValueError):  # json.JSONDecodeError, not an openai error
        _chat(fault)


def test_fault_queue_then_ok_with_retries(fault: FaultServer) -> None:
    fault.queue = ["429", "429"]
    client = _client(fault.base_url, max_retries=2, timeout=5)
    resp = client.chat.completions.create(model="m", messages=MESSAGES)
    assert resp.choices[0].message.content == fault.reply
    assert fault.hits == 3


def test_fault_ok_embeddings_and_models(fault: FaultServer) -> None:
    client = _client(fault.base_url)
    emb = client.embeddings.create(model="m", input=["a", "b"])
    assert [len(d.embedding) for d in emb.data] == [8, 8]
    assert [m.id for m in client.models.list()] == ["fault"]
