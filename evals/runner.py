"""Run a dataset through the assistant (or the naive baseline) and score every question."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import metrics
from .datasets import Dataset, Item, load

if TYPE_CHECKING:
    from rag import Answer, Assistant, Citation

    from .judge import Judge
    from .naive import NaiveRAG

Progress = Callable[[int, int], None]
SupportFn = Callable[[str, "list[Citation]"], bool]


def offline_support(assistant: Assistant) -> SupportFn:
    """The engine's own support check (lexical coverage + embedding similarity), as a judge-free checker.

    The cited quotes of one file are read together, in file order, and with the file's date: "on September 1"
    in a 2018 article supports "1 September 2018", and "a day earlier" counts from the date cited beside it.
    """
    from datetime import date

    from rag.answer import intervals
    from rag.answer.support import best_support
    from rag.text import dates

    def mentions(c: Citation) -> list[dates.DateMention]:
        return dates.mentions(c.quote, date.fromisoformat(c.date) if c.date else None)

    def supported(claim: str, cites: list[Citation]) -> bool:
        if intervals.supports(claim, [m for c in cites for m in mentions(c)]):
            return True  # "About 3 years": worked out from the dates the citations give
        by_source: dict[str, list[Citation]] = {}
        for c in sorted(cites, key=lambda c: (c.source, c.start)):
            by_source.setdefault(c.source, []).append(c)
        for group in by_source.values():
            doc_date = date.fromisoformat(group[0].date) if group[0].date else None
            text = " ".join(_with_term(claim, c) for c in group)
            found = best_support(claim, [text], assistant.embedder, assistant.store.idf, doc_date)
            if found and found.ok:
                return True
        return False

    return supported


def _with_term(claim: str, c: Citation) -> str:
    """The quote, led by the term its section describes when the claim names it the way the answerer does
    ("--keep-going: This option makes ..."): the citation carries its section path, which the reader sees."""
    from rag.ingest.structure import SEPARATOR

    head = c.title.split(SEPARATOR)[-1] if SEPARATOR in c.title else ""
    label = claim.split(": ", 1)[0].removesuffix("()") if ": " in claim else ""
    return f"{head}: {c.quote}" if head and label and label in head else c.quote


def score(item: Item, answer: Answer, assistant: Assistant, supported: SupportFn, latency_ms: float) -> dict[str, Any]:
    """A JSON-ready record of one question: the answer, its citations and every per-question measure."""
    texts: dict[str, str] = {}

    def source_text(source: str) -> str:
        if source not in texts:
            try:
                texts[source] = assistant.source_text(source)
            except Exception:  # noqa: BLE001 - a missing source makes the citation invalid, not the run fail
                texts[source] = ""
        return texts[source]

    by_n = {c.n: c for c in answer.citations}
    cites = [
        {
            "n": c.n,
            "source": c.source,
            "quote": c.quote,
            "start": c.start,
            "end": c.end,
            "valid": metrics.quote_valid(c.quote, source_text(c.source), c.start, c.end),
            "whole": metrics.quote_whole(c.quote, source_text(c.source), c.start),
        }
        for c in answer.citations
    ]
    sentences = [] if answer.refused else metrics.cited_sentences(answer.text, [c.quote for c in answer.citations])
    good_pairs: set[tuple[int, int]] = set()
    bad_pairs: list[dict[str, Any]] = []
    backed: set[int] = set()
    for i, (sentence, marks) in enumerate(sentences):
        # ALCE: a sentence is supported when its citations together support it; a citation is precise when it
        # supports the sentence alone, or the others don't without it.
        found = [by_n[n] for n in marks if n in by_n]
        together = bool(found) and len(found) == len(marks) and supported(sentence, found)
        if together:
            backed.add(i)
        for n in marks:
            cite = by_n.get(n)
            others = [c for c in found if c.n != n]
            precise = cite is not None and (
                supported(sentence, [cite]) or (together and not (others and supported(sentence, others)))
            )
            if precise:
                good_pairs.add((i, n))
            else:
                bad_pairs.append({"n": n, "sentence": sentence})
    used = {n for _, marks in sentences for n in marks}
    for c in cites:  # supported = cited in the text, and backing every sentence that cites it
        c["supported"] = c["n"] in used and all(b["n"] != c["n"] for b in bad_pairs)
    retrieved = [p.chunk.source for p in answer.passages]
    files = metrics.distinct(retrieved)
    gold = item.sources
    record: dict[str, Any] = {
        "id": item.id,
        "question": item.question,
        "reference": item.answer,
        "tags": item.tags,
        "answerable": item.answerable,
        "gold": gold,
        "facts": item.facts,
        "refused": answer.refused,
        "answer": answer.text,
        "citations": cites,
        "retrieved": retrieved,
        "hit_at_1": metrics.hit_at(files, gold, 1),
        "hit_at_5": metrics.hit_at(files, gold, 5),
        "rr": metrics.reciprocal_rank(files, gold),
        "gold_recall": metrics.gold_recall(files, gold),
        "facts_ok": not answer.refused and metrics.facts_match(answer.text, item.facts),
        "lead_ok": not answer.refused and metrics.facts_match(metrics.first_sentence(answer.text), item.facts),
        "cites_gold": not answer.refused and any(c.source in set(gold) for c in answer.citations),
        "sentences": len(sentences),
        "sentences_supported": len(backed),
        "cite_pairs": len(good_pairs) + len(bad_pairs),
        "cite_supported": len(good_pairs),
        "unsupported": bad_pairs,
        "latency_ms": latency_ms,
        "judge_score": None,
        "has_context": bool(item.contexts),
        "context_rank": metrics.context_rank([p.chunk.text for p in answer.passages], item.contexts)
        if item.contexts
        else None,
    }
    return record


def revision() -> str:
    """The git commit of the working tree, with ``+dirty`` when rag/ has uncommitted changes ("" without git)."""
    import subprocess

    root = Path(__file__).resolve().parent.parent
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True)
        dirty = subprocess.run(["git", "status", "--porcelain", "rag"], cwd=root, capture_output=True, text=True)
    except OSError:
        return ""
    return head.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")


def failures(r: dict[str, Any]) -> list[str]:
    """Why a record counts as failed (empty list = passed)."""
    out = []
    if r.get("error"):
        out.append(f"error: {r['error']}")
    if r["answerable"]:
        if r["refused"]:
            out.append("refused an answerable question")
        elif r["facts"] and not r["facts_ok"]:
            missing = [f for f in r["facts"] if not metrics.facts_match(r["answer"], [f])]
            out.append(f"key facts missing: {', '.join(missing)}")
        if r["gold"] and not r["refused"] and not r["cites_gold"]:
            out.append("cites no gold file")
        if r["gold"] and not r["hit_at_5"]:
            out.append("no gold file in the top 5 retrieved files")
    elif not r["refused"]:
        out.append("answered a question the documents don't answer")
    out += [f"invalid citation [{c['n']}]" for c in r["citations"] if not c["valid"]]
    for bad in r.get("unsupported", []):
        sentence = bad["sentence"] if len(bad["sentence"]) <= 80 else bad["sentence"][:77] + "..."
        out.append(f"citation [{bad['n']}] does not support “{sentence}”")
    used = {b["n"] for b in r.get("unsupported", [])}
    out += [
        f"citation [{c['n']}] not cited in the text"
        for c in r["citations"]
        if not c["supported"] and c["n"] not in used
    ]
    if r.get("judge_score") is not None and r["judge_score"] < 3:
        out.append(f"judge score {r['judge_score']:.1f}")
    return out


def _items(dataset: Dataset, limit: int | None) -> list[Item]:
    return dataset.items[:limit] if limit else dataset.items


def evaluate(
    dataset: Dataset,
    assistant: Assistant,
    progress: Progress | None = None,
    *,
    limit: int | None = None,
    judge: Judge | None = None,
) -> dict[str, Any]:
    """Ask every question of ``dataset`` and return metrics plus per-question records."""
    from rag import Answer, RagError

    items = _items(dataset, limit)
    supported = judge.supports if judge else offline_support(assistant)
    records = []
    started = time.perf_counter()
    for done, item in enumerate(items, 1):
        t0 = time.perf_counter()
        error = None
        try:
            answer = assistant.ask(item.question)
        except RagError as e:
            answer, error = Answer(item.question, str(e), True), str(e)
        record = score(item, answer, assistant, supported, (time.perf_counter() - t0) * 1000)
        record["error"] = error
        if judge and item.answer:
            refused_answerable = answer.refused and item.answerable  # not relevant to the query: the lowest score
            score_ = 1.0 if refused_answerable else judge.correctness(item.question, item.answer, answer.text)
            record["judge_score"] = score_
        record["failures"] = failures(record)
        records.append(record)
        if progress:
            progress(done, len(items))
    return {
        "dataset": dataset.name,
        "kind": dataset.kind,
        "docs_dir": str(dataset.docs_dir),
        "n": len(records),
        "unresolved": dataset.unresolved,
        "backend": assistant.settings.backend,
        "embedder": assistant.embedder.name,
        "judge": judge.model if judge else None,
        "created": datetime.now().isoformat(timespec="seconds"),
        "revision": revision(),
        "wall_s": time.perf_counter() - started,
        "metrics": metrics.aggregate(records),
        "records": records,
    }


def run_eval(
    dataset_path: str,
    assistant: Assistant,
    progress: Progress | None = None,
    *,
    docs: str | None = None,
    limit: int | None = None,
    judge: Judge | None = None,
) -> dict[str, Any]:
    """Load ``dataset_path`` (any supported format) and evaluate ``assistant`` on it.

    Gold files of LlamaIndex datasets are resolved over ``docs`` (default: the folder the assistant ingested).
    """
    if docs is None and not str(dataset_path).endswith(".jsonl"):
        root = assistant.store.docs_root
        docs = str(root) if root else None
    dataset = load(dataset_path, docs)
    result = evaluate(dataset, assistant, progress, limit=limit, judge=judge)
    result["path"] = str(Path(dataset_path))
    return result


def evaluate_naive(
    dataset: Dataset, naive: NaiveRAG, progress: Progress | None = None, *, limit: int | None = None
) -> dict[str, Any]:
    """Retrieval-only metrics and latency of the naive baseline on ``dataset``."""
    items = _items(dataset, limit)
    rows, latencies, retrieved, ranks = [], [], [], []
    started = time.perf_counter()
    for done, item in enumerate(items, 1):
        t0 = time.perf_counter()
        hits = naive.retrieve_nodes(item.question)
        latencies.append((time.perf_counter() - t0) * 1000)
        files = [f for f, _ in hits]
        if item.contexts:
            ranks.append(metrics.context_rank([t for _, t in hits], item.contexts))
        retrieved.append({"id": item.id, "retrieved": files})
        if item.answerable:
            rows.append((files, item.sources))
        if progress:
            progress(done, len(items))
    found = metrics.retrieval_metrics(rows)
    if ranks:
        found.update(metrics.context_metrics(ranks))
    found.update(
        latency_p50_ms=metrics.percentile(latencies, 50) if latencies else None,
        latency_p95_ms=metrics.percentile(latencies, 95) if latencies else None,
        latency_mean_ms=metrics.mean(latencies),
        total_s=sum(latencies) / 1000 if latencies else None,
        ingest_s=naive.ingest_s,
    )
    return {"n": len(items), "wall_s": time.perf_counter() - started, "metrics": found, "records": retrieved}
