"""``python -m evals``: evaluate the assistant on a dataset, write reports, optionally gate on thresholds."""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from .datasets import GOLD, load


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    p = argparse.ArgumentParser(prog="python -m evals", description=__doc__)
    p.add_argument("--dataset", default=str(GOLD), help="gold JSONL, rag_dataset.json or Tonic qa_pairs.json")
    p.add_argument("--docs", help="folder of source documents (default: seeds/ or the dataset's source_files/)")
    p.add_argument("--index", help="index directory to build or reuse (default: a fresh temporary one)")
    p.add_argument("--baseline", choices=["naive"], help="also run the naive LlamaIndex pipeline side by side")
    p.add_argument(
        "--backend",
        action="append",
        metavar="NAME",
        help="answering backend (extractive, openai or package.module:Class); repeat to run several side by side "
        "on one index, the first being the main result (default: RAG_BACKEND)",
    )
    p.add_argument("--judge", action="store_true", help="LLM judge via OPENAI_BASE_URL/OPENAI_API_KEY/RAG_OPENAI_MODEL")
    p.add_argument("--limit", type=int, help="only the first N questions")
    p.add_argument("--out", default="evals/reports", help="report folder (default: evals/reports)")
    p.add_argument("--check", metavar="TOML", help="exit 1 when a metric is below its threshold in this file")
    return p.parse_args(argv)


def _progress(label: str) -> Callable[[int, int], None]:
    tty = sys.stderr.isatty()

    def show(done: int, total: int) -> None:
        if tty:
            print(f"\r{label} {done}/{total}", end="\n" if done == total else "", file=sys.stderr, flush=True)
        elif done == total or done % 25 == 0:
            print(f"{label} {done}/{total}", file=sys.stderr, flush=True)

    return show


def main(argv: list[str] | None = None) -> int:
    """Run the evaluation; return the exit code."""
    from rag import Assistant, RagError, Settings

    from . import metrics, report
    from .runner import evaluate, evaluate_naive

    args = parse(argv)
    dataset = load(args.dataset, args.docs)
    if dataset.unresolved:
        print(f"warning: gold file not found for {len(dataset.unresolved)} questions", file=sys.stderr)
    judge = None
    if args.judge:
        from .judge import Judge

        judge = Judge.from_settings()
    with tempfile.TemporaryDirectory(prefix="evals-index-", ignore_cleanup_errors=True) as tmp:
        t0 = time.perf_counter()
        try:
            settings = Settings(backend=args.backend[0]) if args.backend else None
            assistant = Assistant.build(dataset.docs_dir, args.index or tmp, settings)
        except (RagError, ValueError) as e:
            print(f"error: {e}", file=sys.stderr)
            return 2
        ingest_s = time.perf_counter() - t0
        result = evaluate(dataset, assistant, _progress("ours "), limit=args.limit, judge=judge)
        result["path"] = args.dataset
        result["metrics"]["ingest_s"] = ingest_s
        result["by_backend"] = {result["backend"]: result["metrics"]}
        for name in (args.backend or [])[1:]:
            other = Assistant(assistant.settings.model_copy(update={"backend": name}), assistant.store, assistant.embedder)
            found = evaluate(dataset, other, _progress(f"{name[:5]:5s}"), limit=args.limit, judge=judge)
            result["by_backend"][name] = found["metrics"]
        if args.baseline == "naive":
            from .naive import TOP_K, NaiveRAG

            naive = NaiveRAG(dataset.docs_dir, assistant.embedder)
            found = evaluate_naive(dataset, naive, _progress("naive"), limit=args.limit)
            result["naive"] = {**found, "chunks": naive.chunks, "top_k": TOP_K}
    previous = report.previous_run(Path(args.out), result["dataset"], result["n"])
    baseline = report.baseline_run(result["dataset"], result["n"])
    paths = report.write(result, args.out, previous, baseline)
    print(f"\n{result['dataset']}: {result['n']} questions, backend {result['backend']}\n")
    print(report.summary(result, previous, baseline))
    failed = [r for r in result["records"] if r["failures"]]
    print(f"\nFailed questions: {len(failed)} of {result['n']}")
    for r in failed:
        print(f"  {r['id']}: {'; '.join(r['failures'])}")
    print(f"\nReport: {paths['md']}  JSON: {paths['json']}  Chart: {paths['png']}")
    if args.check:
        minimum, maximum = metrics.load_thresholds(args.check)
        problems = metrics.check(result["metrics"], minimum, maximum)
        if problems:
            print("\nThresholds not met:\n  " + "\n  ".join(problems))
            return 1
        print(f"\nAll metrics meet {args.check}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
