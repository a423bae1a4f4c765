"""Ingestion throughput beside the raw embedder, and extractive ask latency, measured side by side in one run.

    python benchmarks/bench_ingest_ask.py [--essays 40] [--questions evals/gold/seeds.jsonl]

Corpus: the first N Paul Graham essays from ../shared/datasets when present, else the seeds repeated.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from rag import Assistant, Settings  # noqa: E402
from rag.index.embedders import OnnxEmbedder  # noqa: E402
from rag.ingest.chunking import chunk_document  # noqa: E402
from rag.ingest.documents import load_file  # noqa: E402
from rag.ingest.pipeline import embedding_text  # noqa: E402

ESSAYS = REPO.parent / "shared" / "datasets" / "paul_graham_essays_tonic" / "source_files"


def corpus(tmp: Path, essays: int) -> tuple[Path, str]:
    docs = tmp / "docs"
    docs.mkdir()
    if ESSAYS.is_dir():
        for path in sorted(ESSAYS.glob("*.txt"))[:essays]:
            shutil.copy(path, docs / path.name)
        return docs, f"{essays} Paul Graham essays"
    for k in range(8):
        for path in (REPO / "seeds").glob("*.txt"):
            (docs / f"{k}_{path.name}").write_text(path.read_text(encoding="utf-8") + f"\nCopy {k}.\n", "utf-8")
    return docs, "seeds x8"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--essays", type=int, default=40)
    ap.add_argument("--questions", default=str(REPO / "evals" / "gold" / "seeds.jsonl"))
    args = ap.parse_args()
    settings = Settings()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        docs, label = corpus(tmp, args.essays)

        texts = []
        for path in sorted(docs.iterdir()):
            doc = load_file(path, path.name, 10**8)
            texts += [embedding_text(c) for c in chunk_document(doc, settings.chunk_tokens)]
        embedder = OnnxEmbedder(batch_size=settings.embed_batch_size)
        embedder.embed(texts[:8])  # warm-up
        t = time.perf_counter()
        embedder.embed(texts)
        raw_s = time.perf_counter() - t
        raw_rate = len(texts) / raw_s

        t = time.perf_counter()
        assistant = Assistant.build(docs, tmp / "index", settings)
        ingest_s = time.perf_counter() - t
        chunks = assistant.store.count()
        t = time.perf_counter()
        again = assistant.ingest(docs)
        reingest_s = time.perf_counter() - t

        seeds = Assistant.build(REPO / "seeds", tmp / "seed-index", settings)
        questions = [json.loads(line)["question"] for line in Path(args.questions).read_text().splitlines() if line]
        seeds.ask(questions[0])  # warm-up
        latencies = []
        for q in questions:
            t = time.perf_counter()
            seeds.ask(q)
            latencies.append((time.perf_counter() - t) * 1000)

    ingest_rate = chunks / ingest_s
    print(f"# Benchmark ({platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()})\n")
    print(f"Corpus: {label}, {len(texts)} chunks of <= {settings.chunk_tokens} tokens.\n")
    print("| measure | value |")
    print("|---|---|")
    print(f"| raw embedder (ONNX MiniLM int8, batch {settings.embed_batch_size}) | {raw_rate:.1f} texts/s |")
    print(f"| full ingest (load, clean, chunk, embed, Chroma, BM25) | {ingest_rate:.1f} chunks/s ({ingest_s:.1f} s) |")
    print(f"| ingest / raw embedder | {ingest_rate / raw_rate:.2f} |")
    print(f"| re-ingest unchanged ({again.unchanged} files, {again.embedded} embedded) | {reingest_s:.2f} s |")
    print(f"| ask, extractive, {len(latencies)} questions: p50 | {statistics.median(latencies):.0f} ms |")
    print(f"| ask, extractive: p95 | {percentile(latencies, 0.95):.0f} ms |")


if __name__ == "__main__":
    main()
