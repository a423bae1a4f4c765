"""Extractive ``ask`` time on the 212 Paul Graham essays, split into retrieval and answering.

    .venv/bin/python benchmarks/bench_answer_time.py                      # builds a temporary index first
    .venv/bin/python benchmarks/bench_answer_time.py --index /tmp/idx_essays --profile 20

Asks every question of ``evals/gold/essays.jsonl`` (then the shared ``qa_pairs.json`` questions, up to
``--limit``) once after a warm-up, on an index of all 212 essays, and prints p50/p95 of the whole ``ask`` and of
its parts (question embedding, retrieval, answerer). The targets are p50 <= 100 ms and p95 <= 200 ms on 2 cores.
``--profile N`` asks N further questions under cProfile and prints the costliest functions.
Skips (exit 0) when ``../shared`` is absent.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rag import Assistant  # noqa: E402

ESSAYS = ROOT.parent / "shared" / "datasets" / "paul_graham_essays_tonic"
TARGETS = {"p50": 100.0, "p95": 200.0}


def questions(limit: int) -> list[str]:
    """The essays gold set's questions, then the shared set's, ``limit`` in all."""
    out = [json.loads(line)["question"] for line in (ROOT / "evals" / "gold" / "essays.jsonl").open() if line.strip()]
    shared = ESSAYS / "qa_pairs.json"
    if shared.exists():
        data = json.loads(shared.read_text())
        pairs = data if isinstance(data, list) else data.get("qa_pairs", data.get("examples", []))
        out += [p.get("question") or p.get("query") for p in pairs if isinstance(p, dict)]
    return [q for q in out if q][:limit]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", help="an index of the 212 essays to reuse (built there when missing)")
    ap.add_argument("--limit", type=int, default=150)
    ap.add_argument("--profile", type=int, default=0, help="profile the first N questions")
    args = ap.parse_args()
    if not (ESSAYS / "source_files").is_dir():
        print("skipped: ../shared/datasets/paul_graham_essays_tonic is absent")
        return 0
    index = Path(args.index) if args.index else Path(tempfile.mkdtemp(prefix="bench-answer-")) / "index"
    assistant = Assistant.build(ESSAYS / "source_files", index)
    assistant.warm_up()
    asked = questions(args.limit + args.profile)
    # the profiled questions are not among the timed ones, so nothing of theirs is cached
    split = min(args.limit, len(asked) - args.profile)
    asked, profiled = asked[:split], asked[split:]
    assistant.ask("What is this collection about?")
    parts: dict[str, list[float]] = {"total_ms": [], "embed_ms": [], "retrieve_ms": [], "answer_ms": []}
    refused = 0
    for q in asked:
        started = time.perf_counter()
        answer = assistant.ask(q)
        parts["total_ms"].append((time.perf_counter() - started) * 1000)
        refused += answer.refused
        for key in ("embed_ms", "retrieve_ms", "answer_ms"):
            parts[key].append(answer.timings_ms.get(key, 0.0))
    print(f"{len(asked)} questions over {assistant.counts()[0]} files ({refused} refused)")
    print(f"{'part':<12} {'p50 ms':>8} {'p95 ms':>8} {'mean ms':>8}")
    for key, values in parts.items():
        print(f"{key[:-3]:<12} {statistics.median(values):8.1f} {percentile(values, 0.95):8.1f} {statistics.mean(values):8.1f}")
    total = parts["total_ms"]
    verdict = {k: ("met" if percentile(total, 0.5 if k == "p50" else 0.95) <= v else "missed") for k, v in TARGETS.items()}
    print(f"targets p50 <= {TARGETS['p50']:.0f} ms: {verdict['p50']}; p95 <= {TARGETS['p95']:.0f} ms: {verdict['p95']}")
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for q in profiled:
            assistant.ask(q)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(35)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
