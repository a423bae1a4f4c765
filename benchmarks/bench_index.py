"""Measure an existing index (for example one that ``bench_scale.py --keep`` built, or left when it was stopped).

    RAG_EMBEDDER=hash python benchmarks/bench_index.py --index DIR [--docs DIR] [--prune] [--questions 50]

In this one fresh process: ``Assistant.open`` until the first answer (modules imported first), the first
ingest (it repairs an interrupted one), a no-op re-ingest, a one-file edit re-ingested and asked about,
``search`` and extractive ``ask`` p50/p95 with and without a +-180-day date filter over questions made from
random stored sentences, a cold ``python -m rag ask`` beside the same on the 5 seeds, peak RSS and disk.
``--prune`` first moves the docs folder's files that the index does not hold into a sibling folder, so that
re-ingesting measures the index as it is rather than adding the rest.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))], 1)


def du_mb(path: Path) -> float:
    return sum(p.stat().st_blocks * 512 for p in path.rglob("*") if p.is_file()) / 1e6


def cold_ask(index: Path, question: str) -> float:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "rag", "ask", question, "--index", str(index)], env=env,
                   capture_output=True, check=True, timeout=600)
    return time.perf_counter() - started


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index", type=Path, required=True)
    ap.add_argument("--docs", type=Path, help="the folder the index mirrors (default: the one it records)")
    ap.add_argument("--prune", action="store_true", help="move files the index lacks out of the docs folder")
    ap.add_argument("--questions", type=int, default=50)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    from rag import Assistant, Settings
    from rag.search.retrieval import Filters

    out: dict[str, Any] = {"index": str(args.index)}
    settings = Settings()
    t0 = time.perf_counter()
    assistant = Assistant.open(args.index, settings)
    t1 = time.perf_counter()
    assistant.ask("What did the committee decide about the harbour?")
    out["open_s"], out["open_until_first_answer_s"] = round(t1 - t0, 3), round(time.perf_counter() - t0, 3)
    store = assistant.store
    out["chunks"], out["files"] = store.count(), store.db.file_count()
    docs = (args.docs or store.docs_root or Path(".")).resolve()
    if args.prune:
        indexed = {f.source for f in store.files()}
        aside = docs.parent / (docs.name + "-not-indexed")
        moved = 0
        for path in sorted(docs.rglob("*.txt")):
            rel = path.relative_to(docs).as_posix()
            if rel not in indexed:
                target = aside / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                path.rename(target)
                moved += 1
        out["pruned_files"] = moved
    t = time.perf_counter()
    report = assistant.ingest(docs)
    out["first_ingest"] = {"seconds": round(time.perf_counter() - t, 2), "summary": report.summary()}
    t = time.perf_counter()
    report = assistant.ingest(docs)
    out["noop"] = {"seconds": round(time.perf_counter() - t, 2), "embedded": report.embedded}

    rng = random.Random(args.seed)
    top = store.db.conn.execute("SELECT max(id) FROM chunks").fetchone()[0]
    questions: list[tuple[str, str, tuple[str, str]]] = []
    while len(questions) < args.questions:
        row = store.db.conn.execute(
            "SELECT text, source, date FROM chunks WHERE state = 0 AND id >= ? LIMIT 1", (rng.randrange(top),)
        ).fetchone()
        if not row or not row[2]:
            continue
        sentence = max(row[0].split(". "), key=len)[:300]
        day = date.fromisoformat(row[2])
        window = ((day - timedelta(days=180)).isoformat(), (day + timedelta(days=180)).isoformat())
        questions.append(("What " + sentence[0].lower() + sentence[1:].rstrip(".!?") + "?", row[1], window))
    lat: dict[str, list[float]] = {"search": [], "search_filtered": [], "ask": [], "ask_filtered": []}
    for q, _source, window in questions:
        f = Filters(date_from=window[0], date_to=window[1])
        for name, kwargs in (("search", {}), ("search_filtered", {"filters": f})):
            t = time.perf_counter()
            assistant.search(q, **kwargs)  # type: ignore[arg-type]
            lat[name].append((time.perf_counter() - t) * 1000)
        for name, kwargs in (("ask", {}), ("ask_filtered", {"filters": f})):
            t = time.perf_counter()
            assistant.ask(q, **kwargs)  # type: ignore[arg-type]
            lat[name].append((time.perf_counter() - t) * 1000)
    out["latency_ms"] = {k: {"p50": pct(v, 0.5), "p95": pct(v, 0.95)} for k, v in lat.items()}

    target_source = questions[0][1]
    target = docs / target_source
    token = f"zq{rng.getrandbits(32):08x}"
    target.write_text(
        target.read_text(encoding="utf-8") + f"\nAuditor Velma Korhonen signed the ledger entry {token} in Tallinn.\n",
        encoding="utf-8",
    )
    t = time.perf_counter()
    report = assistant.ingest(docs)
    answer = assistant.ask(f"Who signed the ledger entry {token}?")
    out["edit"] = {
        "reingest_s": round(report.seconds, 2),
        "with_the_answer_s": round(time.perf_counter() - t, 2),
        "updated": report.updated,
        "cited_edited_file": bool(answer.citations) and answer.citations[0].source == target_source,
        "answer": answer.text[:160],
    }
    out["peak_rss_mb"] = round(peak_rss_mb(), 1)
    with tempfile.TemporaryDirectory() as tmp:
        seeds = Path(tmp) / "seeds"
        Assistant.build(REPO / "seeds", seeds, settings)
        q = questions[1][0]
        out["cold_cli"] = {"index_s": round(cold_ask(args.index, q), 2), "seeds_s": round(cold_ask(seeds, q), 2)}
        out["cold_cli"]["ratio"] = round(out["cold_cli"]["index_s"] / out["cold_cli"]["seeds_s"], 2)
    out["disk_mb"] = round(du_mb(args.index), 1)
    out["disk_mb_per_100k_chunks"] = round(out["disk_mb"] / max(1, out["chunks"]) * 100_000, 1)
    text = json.dumps(out, indent=1)
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
