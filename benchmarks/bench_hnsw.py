"""Chroma's HNSW settings: how many of the true nearest chunks a search finds, whether two builds agree, and cost.

    .venv/bin/python benchmarks/bench_hnsw.py --index /tmp/idx_essays            # an index of the 212 essays
    .venv/bin/python benchmarks/bench_hnsw.py --synthetic 100000                   # random unit vectors, at scale

Reads the chunk vectors of an index (paged, as the store does) or makes ``--synthetic N`` random unit vectors,
then for each (ef_construction, ef_search) builds two fresh Chroma collections of the same vectors in the same
order and asks the essays gold questions (or, synthetic, perturbed vectors) for the ``--k`` nearest. Reports
recall against exact search, how many questions the two builds answer differently, build time and query time.
The defaults of Chroma are (100, 100); the index uses (200, ``RAG_SEARCH_EF`` = 500).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CONFIGS = [(100, 100), (100, 500), (200, 200), (200, 500)]


def index_vectors(index: Path, collection: str) -> tuple[list[str], np.ndarray]:
    """The ids and vectors of an index's chunk collection, read a page at a time."""
    import chromadb

    col = chromadb.PersistentClient(str(index / "chroma")).get_collection(collection)
    ids: list[str] = []
    pages = []
    for offset in range(0, col.count(), 5000):
        page = col.get(include=["embeddings"], limit=5000, offset=offset)
        ids += page["ids"]
        pages.append(np.asarray(page["embeddings"], dtype=np.float32))
    return ids, np.concatenate(pages)


def gold_questions() -> np.ndarray:
    """The essays gold sets' questions, embedded by the default embedder."""
    from rag.index.embedders import OnnxEmbedder

    texts = [
        json.loads(line)["question"]
        for name in ("essays", "essays_blind")
        for line in (ROOT / "evals" / "gold" / f"{name}.jsonl").open()
        if line.strip()
    ]
    return OnnxEmbedder().embed(texts)


def build(ids: list[str], vectors: np.ndarray, ef_construction: int, ef_search: int) -> tuple[Any, float]:
    """A fresh embedded collection of the vectors, and the seconds its build took."""
    import chromadb

    client = chromadb.PersistentClient(tempfile.mkdtemp(prefix="bench-hnsw-"))
    started = time.perf_counter()
    col = client.create_collection(
        "bench", metadata={"hnsw:space": "cosine", "hnsw:construction_ef": ef_construction, "hnsw:search_ef": ef_search}
    )
    for b in range(0, len(ids), 5000):
        col.add(ids=ids[b : b + 5000], embeddings=vectors[b : b + 5000])
    col.query(query_embeddings=vectors[:1], n_results=1)  # so any indexing left for the first search is counted
    return col, time.perf_counter() - started


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", help="an index whose chunk vectors to use")
    ap.add_argument("--collection", default="documents")
    ap.add_argument("--synthetic", type=int, default=0, help="N random unit vectors instead (384 dimensions)")
    ap.add_argument("--k", type=int, default=30, help="nearest chunks asked for (RAG_CANDIDATES)")
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    if args.synthetic:
        vectors = rng.normal(size=(args.synthetic, 384)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        ids = [str(i) for i in range(args.synthetic)]
        queries = vectors[rng.choice(len(vectors), 100, replace=False)] + rng.normal(0, 0.005, (100, 384)).astype(
            np.float32
        )
    elif args.index:
        ids, vectors = index_vectors(Path(args.index), args.collection)
        queries = gold_questions()
    else:
        ap.error("give --index or --synthetic")
    exact = [set(np.asarray(ids)[np.argsort(-(vectors @ q))[: args.k]]) for q in queries]
    print(f"{len(ids)} vectors, {len(queries)} questions, k = {args.k}\n")
    print("| ef_construction | ef_search | recall@k | questions the two builds answer differently | build s | query ms |")
    print("|---|---|---|---|---|---|")
    for construction, search in CONFIGS:
        runs = []
        for _ in range(2):
            col, seconds = build(ids, vectors, construction, search)
            started = time.perf_counter()
            found = col.query(query_embeddings=queries, n_results=args.k, include=[])["ids"]
            runs.append((found, seconds, (time.perf_counter() - started) / len(queries) * 1000))
        (first, build_s, query_ms), (second, _, _) = runs
        recall = np.mean([len(set(f) & e) / args.k for f, e in zip(first, exact, strict=True)])
        differ = sum(a != b for a, b in zip(first, second, strict=True))
        print(f"| {construction} | {search} | {recall:.2%} | {differ} of {len(queries)} | {build_s:.1f} | {query_ms:.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
