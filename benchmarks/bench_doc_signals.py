"""Document-level signals for retrieval among many similar documents (the 212 Paul Graham essays), tried on top
of the shipped ranking: file hit@1, hit@5 and MRR for the shared set (55 questions) and the blind essays gold set.

    .venv/bin/python benchmarks/bench_doc_signals.py --index /tmp/idx_essays   # built there when missing

Each variant re-ranks the same fused candidates (dense + BM25, up to 60 chunks) before the per-file cap:
- ``sum``: a chunk gains ``w`` x the fused scores of the other candidate chunks of its file;
- ``top2``: a chunk gains ``w`` x the best other chunk of its file;
- ``count``: a chunk gains ``w`` x 0.01 per other candidate chunk of its file;
- ``title``: a chunk gains ``w`` x the IDF-weighted share of the question's terms in its file's title.
Skips (exit 0) when ``../shared`` is absent.
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rag import Assistant  # noqa: E402
from rag.records import Passage  # noqa: E402
from rag.search.expansion import expand_query  # noqa: E402
from rag.search.retrieval import diversify, retrieve  # noqa: E402
from rag.text import lexical  # noqa: E402

ESSAYS = ROOT.parent / "shared" / "datasets" / "paul_graham_essays_tonic"
VARIANTS = [("none", 0.0)] + [(m, w) for m in ("sum", "top2") for w in (0.05, 0.1, 0.25)]
VARIANTS += [("count", w) for w in (0.2, 0.5)] + [("title", w) for w in (0.002, 0.005, 0.01)]


def rerank(assistant: Assistant, question: str, pool: list[Passage], mode: str, w: float) -> list[Passage]:
    """``pool`` re-ranked with one document-level signal."""
    by_file: dict[str, list[Passage]] = collections.defaultdict(list)
    for p in pool:
        by_file[p.chunk.source].append(p)
    asked = set(lexical.terms(question))
    total = sum(assistant.store.idf(t) for t in asked) or 1.0
    scored = []
    for p in pool:
        others = sorted((o.score for o in by_file[p.chunk.source] if o is not p), reverse=True)
        bonus = 0.0
        if mode == "sum":
            bonus = w * sum(others)
        elif mode == "top2":
            bonus = w * (others[0] if others else 0.0)
        elif mode == "count":
            bonus = w * 0.01 * len(others)
        elif mode == "title":
            bonus = w * sum(assistant.store.idf(t) for t in asked & set(lexical.terms(p.chunk.title))) / total
        scored.append((p.score + bonus, p))
    scored.sort(key=lambda x: -x[0])
    return [p for _, p in scored]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", help="an index of the 212 essays to reuse (built there when missing)")
    args = ap.parse_args()
    if not (ESSAYS / "source_files").is_dir():
        print("skipped: ../shared/datasets/paul_graham_essays_tonic is absent")
        return 0
    index = Path(args.index) if args.index else Path(tempfile.mkdtemp(prefix="bench-docsig-")) / "index"
    assistant = Assistant.build(ESSAYS / "source_files", index)
    sets = {
        "shared (55)": [(p["question"], {p["essay"]}) for p in json.loads((ESSAYS / "qa_pairs.json").read_text())],
        "essays gold (68)": [
            (r["question"], set(r["sources"]))
            for r in map(json.loads, (ROOT / "evals" / "gold" / "essays.jsonl").open())
            if r.get("sources")
        ],
    }
    pools: dict[str, list[Passage]] = {}
    for questions in sets.values():
        for q, _ in questions:
            vector = assistant.embedder.embed([q])[0]
            extra = expand_query(q, assistant.store, assistant.embedder)
            pools[q] = retrieve(assistant.store, q, vector, 200, assistant.settings.candidates, None, extra)
    print("| variant | " + " | ".join(f"{name} hit@1 / hit@5 / MRR" for name in sets) + " |")
    print("|---" * (len(sets) + 1) + "|")
    for mode, w in VARIANTS:
        cells = []
        for questions in sets.values():
            h1 = h5 = rr = 0.0
            for q, gold in questions:
                ranked = diversify(rerank(assistant, q, pools[q], mode, w), assistant.settings.top_k)
                files = list(dict.fromkeys(p.chunk.source for p in ranked))
                h1 += bool(files) and files[0] in gold
                h5 += any(f in gold for f in files[:5])
                rr += next((1 / (i + 1) for i, f in enumerate(files) if f in gold), 0.0)
            n = len(questions)
            cells.append(f"{100 * h1 / n:.1f} / {100 * h5 / n:.1f} / {100 * rr / n:.1f}")
        print(f"| {mode} {w:g} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
