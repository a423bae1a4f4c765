"""The hash stand-in embedder (RAG_EMBEDDER=hash): deterministic, unit vectors, word overlap means closeness."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time

import numpy as np

from rag import Settings
from rag.index.embedders import HashEmbedder, make_embedder

TEXTS = [
    "Iraqi commanders met their Russian and Iranian counterparts in Baghdad on Sunday.",
    "In Baghdad, Iraqi commanders met counterparts from Russia and Iran.",
    "Solana orders transactions with a proof of history before validators vote.",
    "",
    "!!! --- ...",
    "Ünïcode CAFÉ — naïve “quoted” words 😀 and more",
]


def test_shape_dtype_and_unit_length() -> None:
    v = HashEmbedder().embed(TEXTS)
    assert v.shape == (len(TEXTS), 384)
    assert v.dtype == np.float32
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)  # texts without words too
    assert HashEmbedder().embed([]).shape == (0, 384)


def test_deterministic_across_calls_batches_and_processes() -> None:
    e = HashEmbedder()
    whole = e.embed(TEXTS)
    one_by_one = np.stack([e.embed([t])[0] for t in TEXTS])
    assert np.array_equal(whole, one_by_one)
    code = (
        "import sys, numpy as np\n"
        "from rag.index.embedders import HashEmbedder\n"
        f"np.save(sys.stdout.buffer, HashEmbedder().embed({TEXTS!r}))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, check=True, env={**os.environ, "PYTHONHASHSEED": "123"}
    )
    assert np.array_equal(np.load(io.BytesIO(out.stdout)), whole)


def test_case_and_punctuation_do_not_matter() -> None:
    v = HashEmbedder().embed(["Proof of History, in Solana!", "proof of history in solana"])
    assert float(v[0] @ v[1]) > 0.999


def test_similar_texts_are_closer_than_unrelated_ones() -> None:
    v = HashEmbedder().embed(TEXTS[:3])
    assert float(v[0] @ v[1]) > 0.4
    assert float(v[0] @ v[1]) > float(v[0] @ v[2]) + 0.3
    assert float(v[1] @ v[1]) > float(v[1] @ v[2]) + 0.3


def test_selected_by_settings_and_labelled_as_not_semantic() -> None:
    e = make_embedder(Settings(embedder="hash"))
    assert isinstance(e, HashEmbedder)
    assert e.dim == 384 and "not semantic" in e.name


def test_fast() -> None:
    texts = [" ".join(f"word{(i * 7 + j) % 5000} sentence" for j in range(60)) for i in range(5000)]
    e = HashEmbedder()
    e.embed(texts[:10])
    t = time.perf_counter()
    e.embed(texts)
    assert len(texts) / (time.perf_counter() - t) > 2000  # ~30k/s on one core; loose for busy CI machines
