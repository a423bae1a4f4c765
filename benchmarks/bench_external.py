"""File-level hit@5 and MRR on the external datasets, ours vs the naive LlamaIndex pipeline, with wall times.

    python benchmarks/bench_external.py [--limit N] [--datasets paul_graham,solana] [--index-root DIR]

Ours = ``Assistant.build`` (hybrid retrieval, full ``ask``); naive = ``evals.naive.NaiveRAG`` (default
SentenceSplitter, top-5 dense, same embedder). Wall time of a run = ingest + all questions.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from evals.datasets import Dataset, load  # noqa: E402
from evals.naive import TOP_K, NaiveRAG  # noqa: E402
from evals.runner import evaluate, evaluate_naive, revision  # noqa: E402

SHARED = ROOT.parent / "shared" / "datasets"
DATASETS = {
    "paul_graham": SHARED / "paul_graham_essays_tonic" / "qa_pairs.json",
    "solana": SHARED / "blockchain_solana" / "rag_dataset.json",
}
SHOWN = (
    "hit_at_1",
    "hit_at_5",
    "mrr",
    "context_hit_at_5",
    "context_mrr",
    "answered",
    "gold_citation",
    "citation_validity",
)


def run_ours(dataset: Dataset, index_dir: Path, limit: int | None) -> dict[str, Any]:
    """Build (or update) our index and ask every question."""
    from rag import Assistant

    t0 = time.perf_counter()
    assistant = Assistant.build(dataset.docs_dir, index_dir)
    ingest_s = time.perf_counter() - t0
    result = evaluate(dataset, assistant, limit=limit)
    chunks = assistant.store.count()
    return {"metrics": result["metrics"], "ingest_s": ingest_s, "wall_s": time.perf_counter() - t0, "chunks": chunks}


def run_naive(dataset: Dataset, chunk_size: int | None, limit: int | None) -> dict[str, Any]:
    """Build the naive in-memory index and retrieve for every question."""
    from rag.index.embedders import make_embedder
    from rag.settings import Settings

    t0 = time.perf_counter()
    naive = NaiveRAG(dataset.docs_dir, make_embedder(Settings()), chunk_size=chunk_size)
    result = evaluate_naive(dataset, naive, limit=limit)
    return {
        "metrics": result["metrics"],
        "ingest_s": naive.ingest_s,
        "wall_s": time.perf_counter() - t0,
        "chunks": naive.chunks,
    }


def show(name: str, n: int, runs: dict[str, dict[str, Any]]) -> None:
    """Print one dataset's table: metric | each run | ours - naive."""
    labels = list(runs)
    print(f"\n## {name} ({n} questions)\n")
    print("| Metric | " + " | ".join(labels) + " | ours - naive |")
    print("|---" * (len(labels) + 2) + "|")
    for key in SHOWN:
        values = [runs[r]["metrics"].get(key) for r in labels]
        if all(v is None for v in values):
            continue
        cells = ["n/a" if v is None else f"{100 * v:.1f}%" for v in values]
        ours, naive = runs["ours"]["metrics"].get(key), runs["naive"]["metrics"].get(key)
        diff = f"{100 * (ours - naive):+.1f} pts" if ours is not None and naive is not None else ""
        print(f"| {key} | " + " | ".join(cells) + f" | {diff} |")
    for key in ("chunks", "ingest_s", "wall_s"):
        cells = [f"{runs[r][key]:.1f}" if isinstance(runs[r][key], float) else str(runs[r][key]) for r in labels]
        print(f"| {key} | " + " | ".join(cells) + " | |")


def main() -> int:
    """Run the benchmark and print the tables; write them as JSON to --out."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--limit", type=int, help="only the first N questions of each dataset")
    p.add_argument("--datasets", default="paul_graham,solana", help=f"comma-separated, of {', '.join(DATASETS)}")
    p.add_argument("--index-root", type=Path, help="keep our indexes here and reuse them (default: temporary)")
    p.add_argument("--naive-chunk-size", type=int, help="also run naive with this SentenceSplitter chunk size")
    p.add_argument("--out", type=Path, default=ROOT / "evals" / "reports" / "bench_external.json")
    args = p.parse_args()
    if not SHARED.is_dir():
        print(f"No datasets at {SHARED}", file=sys.stderr)
        return 2
    report: dict[str, Any] = {"revision": revision(), "top_k": TOP_K, "limit": args.limit, "datasets": {}}
    print(f"revision {report['revision']}, top-{TOP_K}", flush=True)
    for name in args.datasets.split(","):
        dataset = load(DATASETS[name])
        n = min(len(dataset.items), args.limit or len(dataset.items))
        with tempfile.TemporaryDirectory(prefix="bench-", ignore_cleanup_errors=True) as tmp:
            index_dir = args.index_root / name if args.index_root else Path(tmp)
            runs = {"ours": run_ours(dataset, index_dir, args.limit)}
        runs["naive"] = run_naive(dataset, None, args.limit)
        if args.naive_chunk_size:
            runs[f"naive@{args.naive_chunk_size}"] = run_naive(dataset, args.naive_chunk_size, args.limit)
        show(name, n, runs)
        report["datasets"][name] = {"n": n, "unresolved": dataset.unresolved, "runs": runs}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1), encoding="utf-8")
    print(f"\nWritten: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
