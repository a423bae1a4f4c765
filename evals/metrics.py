"""Metric functions: pure, small, and tested on hand-made inputs in tests/test_evals.py."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from typing import Any

# Citation markers: "[1]", "[1][2]", after a space or punctuation; "heap[0]" or "x[1]" in quoted code is no marker.
_MARKS = re.compile(r"(\s*(?<![\w\]])\[\d+\](?:\s*\[\d+\])*)")
_NUM = re.compile(r"\[(\d+)\]")

# Metrics where smaller is better (everything else: larger is better).
LOWER_IS_BETTER = {"latency_p50_ms", "latency_p95_ms", "latency_mean_ms", "total_s", "ingest_s"}


def distinct(sources: Iterable[str]) -> list[str]:
    """``sources`` without repeats, first occurrence first (retrieved chunks -> ranked files)."""
    return list(dict.fromkeys(sources))


def hit_at(files: Sequence[str], gold: Iterable[str], k: int) -> float:
    """1.0 when a gold file is among the first ``k`` distinct retrieved ``files``."""
    wanted = set(gold)
    return 1.0 if any(f in wanted for f in distinct(files)[:k]) else 0.0


def reciprocal_rank(files: Sequence[str], gold: Iterable[str]) -> float:
    """1 / rank of the first gold file among the distinct retrieved ``files`` (0 when absent)."""
    wanted = set(gold)
    for rank, f in enumerate(distinct(files), 1):
        if f in wanted:
            return 1.0 / rank
    return 0.0


def gold_recall(files: Sequence[str], gold: Sequence[str]) -> float:
    """Share of the gold files present among the retrieved ``files``."""
    if not gold:
        return 0.0
    got = set(files)
    return sum(1 for g in set(gold) if g in got) / len(set(gold))


def overlaps(passage: str, context: str) -> bool:
    """Whether a retrieved passage and a reference context share text: one contains the other (ignoring
    whitespace), or at least half of the shorter one's 5-word runs occur in the other.
    """
    from .datasets import shingles, squash

    a, b = squash(passage), squash(context)
    if not a or not b:
        return False
    if a in b or b in a:
        return True
    sa, sb = shingles(passage, 5), shingles(context, 5)
    return bool(sa and sb) and len(sa & sb) / min(len(sa), len(sb)) >= 0.5


def context_rank(passages: Sequence[str], contexts: Sequence[str]) -> int | None:
    """1-based rank of the first retrieved passage that overlaps a reference context (None when none does)."""
    for rank, text in enumerate(passages, 1):
        if any(overlaps(text, c) for c in contexts):
            return rank
    return None


def facts_match(text: str, facts: Sequence[str]) -> bool:
    """Whether every fact regex matches ``text`` (case-insensitive)."""
    return all(re.search(f, text, re.I) for f in facts)


def quote_valid(quote: str, source_text: str, start: int, end: int) -> bool:
    """Whether ``quote`` is exactly ``source_text[start:end]`` (a non-empty, in-range span)."""
    return 0 <= start < end <= len(source_text) and source_text[start:end] == quote


_CLOSED = re.compile(r"[.!?:;…\"”’)\]]$")
_FENCE_OPENS = re.compile(r"(?:^|\n)(?:```|~~~)[^\n`]*\n[ \t]*$")  # a fenced code block opens just before
_FENCE_CLOSES = re.compile(r"[ \t]*\n(?:```|~~~)[ \t]*(?:\n|$)")  # ... and closes just after
_ENDED = re.compile(r"[.!?…][\"'”’)\]]*$")  # where the sentence splitter ends a sentence


def quote_whole(quote: str, source_text: str = "", start: int = -1) -> bool:
    """Whether a cited quote reads as a whole: a block (code, a table: several lines) or a sentence that starts
    where a sentence starts and ends with closing punctuation. A printed line of a PDF ("concept of gradient
    descent:" aside) or a cut-off clause fails.

    Given the text it was quoted from and its offset, a quote may also start in lower case where a sentence does
    start ("git switch refuses ..." after a full stop or at the head of a block), and a list item end without
    punctuation where its block ends; a block starts and ends at a blank line.
    """
    text = quote.strip()
    if "\n" in text:
        return True
    if not text:
        return False
    if 0 <= start <= len(source_text) and source_text[start : start + len(quote)] == quote:
        before = source_text[:start].rstrip(" \t")
        after = source_text[start + len(quote) :].lstrip(" \t")
        starts = not before or before.endswith("\n\n") or bool(_ENDED.search(before)) or not text[:1].islower()
        item = text.startswith(("- ", "* ", "| ", "• ", "▪ "))  # a list item (a PDF's too) or a table row, quoted whole
        ends = bool(_CLOSED.search(text)) or (item and (not after or after.startswith("\n\n") or after == "\n"))
        # a one-line code block quoted whole: all that is between its fences ("```\n$ git switch master\n```")
        opens = _FENCE_OPENS.search(source_text[:start]) is not None
        return (starts and ends) or (opens and _FENCE_CLOSES.match(source_text, start + len(quote)) is not None)
    return not text[:1].islower() and bool(_CLOSED.search(text))


def first_sentence(text: str) -> str:
    """The answer's first sentence: what a reader sees first ("Late September 2015 [1].")."""
    found = cited_sentences(text)
    return found[0][0] if found else ""


def cited_sentences(text: str, quotes: Sequence[str] = ()) -> list[tuple[str, list[int]]]:
    """Split an answer into sentences with the ``[n]`` markers that follow each one.

    Markers attach to the last sentence before them; sentences with no marker after them get ``[]``. A marker-like
    "[1]" inside one of the answer's ``quotes`` (an R session's output) is the quote's text.
    """
    from rag.answer.numbering import outside_quotes
    from rag.text.sentences import split

    out: list[tuple[str, list[int]]] = []
    parts, at = [], 0
    for m in outside_quotes(_MARKS, text, quotes):
        parts += [text[at : m.start()], m.group(0)]
        at = m.end()
    parts.append(text[at:])
    for i in range(0, len(parts), 2):
        piece = parts[i]
        marks = [int(n) for n in _NUM.findall(parts[i + 1])] if i + 1 < len(parts) else []
        spans = split(piece)
        sentences = [piece[s.start : s.end] for s in spans if re.search(r"\w", piece[s.start : s.end])]
        if not sentences:
            if marks and out:  # markers with no text of their own belong to the previous sentence
                out[-1][1].extend(marks)
            continue
        out.extend((s, []) for s in sentences[:-1])
        out.append((sentences[-1], list(dict.fromkeys(marks))))
    return out


def refusal_scores(expected: Sequence[bool], refused: Sequence[bool]) -> tuple[float | None, float | None]:
    """(precision, recall) of refusing, where positives are the questions that should be refused.

    Either is None when undefined (nothing refused / nothing to refuse).
    """
    tp = sum(1 for e, r in zip(expected, refused, strict=True) if e and r)
    predicted = sum(1 for r in refused if r)
    positives = sum(1 for e in expected if e)
    precision = tp / predicted if predicted else (None if not positives else 0.0)
    recall = tp / positives if positives else None
    return precision, recall


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0-100) with linear interpolation; 0.0 for no values."""
    if not values:
        return 0.0
    xs = sorted(values)
    pos = (len(xs) - 1) * q / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def mean(values: Sequence[float]) -> float | None:
    """Arithmetic mean, or None for no values."""
    return sum(values) / len(values) if values else None


def _ratio(num: float, den: float) -> float | None:
    return num / den if den else None


def aggregate(records: Sequence[dict[str, Any]]) -> dict[str, float | None]:
    """Dataset-level metrics from per-question records (see ``runner.score``); None = not measurable here."""
    scored = [r for r in records if r["answerable"] and r["gold"]]
    answerable = [r for r in records if r["answerable"]]
    with_facts = [r for r in answerable if r["facts"]]
    cites = [c for r in records for c in r["citations"]]
    answered = [r for r in records if not r["refused"]]
    sentences = sum(r["sentences"] for r in answered)
    pairs = sum(r["cite_pairs"] for r in answered)
    precision, recall = refusal_scores([not r["answerable"] for r in records], [r["refused"] for r in records])
    latencies = [r["latency_ms"] for r in records]
    judged = [r["judge_score"] for r in records if r.get("judge_score") is not None]
    return {
        "hit_at_1": mean([r["hit_at_1"] for r in scored]),
        "hit_at_5": mean([r["hit_at_5"] for r in scored]),
        "mrr": mean([r["rr"] for r in scored]),
        "gold_recall": mean([r["gold_recall"] for r in scored]),
        **context_metrics([r.get("context_rank") for r in records if r.get("has_context")]),
        "key_fact_accuracy": mean([1.0 if r["facts_ok"] else 0.0 for r in with_facts]),
        "first_sentence_accuracy": mean([1.0 if r.get("lead_ok") else 0.0 for r in with_facts]),
        "answered": mean([0.0 if r["refused"] else 1.0 for r in answerable]),
        "gold_citation": mean([1.0 if r["cites_gold"] else 0.0 for r in scored]),
        "citation_validity": _ratio(sum(1 for c in cites if c["valid"]), len(cites)),
        "whole_quotes": _ratio(sum(1 for c in cites if c.get("whole", True)), len(cites)),
        "citation_precision": _ratio(sum(r["cite_supported"] for r in answered), pairs),
        "citation_recall": _ratio(sum(r["sentences_supported"] for r in answered), sentences),
        "refusal_precision": precision,
        "refusal_recall": recall,
        "judge_correctness": mean(judged),
        "latency_p50_ms": percentile(latencies, 50) if latencies else None,
        "latency_p95_ms": percentile(latencies, 95) if latencies else None,
        "latency_mean_ms": mean(latencies),
        "total_s": sum(latencies) / 1000 if latencies else None,
    }


def context_metrics(ranks: Sequence[int | None], k: int = 5) -> dict[str, float | None]:
    """Passage-level hit@k and MRR from the rank of the first passage overlapping the reference context."""
    return {
        "context_hit_at_5": mean([1.0 if r is not None and r <= k else 0.0 for r in ranks]),
        "context_mrr": mean([1.0 / r if r else 0.0 for r in ranks]),
    }


def retrieval_metrics(ranked: Sequence[tuple[Sequence[str], Sequence[str]]]) -> dict[str, float | None]:
    """hit@1, hit@5, MRR and gold recall over (retrieved files, gold files) pairs with gold files."""
    rows = [(f, g) for f, g in ranked if g]
    return {
        "hit_at_1": mean([hit_at(f, g, 1) for f, g in rows]),
        "hit_at_5": mean([hit_at(f, g, 5) for f, g in rows]),
        "mrr": mean([reciprocal_rank(f, g) for f, g in rows]),
        "gold_recall": mean([gold_recall(f, g) for f, g in rows]),
    }


def check(
    metrics: dict[str, float | None], minimum: dict[str, float], maximum: dict[str, float] | None = None
) -> list[str]:
    """Messages for every metric below its minimum (or above its maximum); metrics not measured are skipped."""
    problems = []
    for name, floor in sorted(minimum.items()):
        value = metrics.get(name)
        if value is not None and value < floor:
            problems.append(f"{name} = {value:.3f} < {floor:.3f}")
    for name, ceiling in sorted((maximum or {}).items()):
        value = metrics.get(name)
        if value is not None and value > ceiling:
            problems.append(f"{name} = {value:.1f} > {ceiling:.1f}")
    return problems


def load_thresholds(path: str) -> tuple[dict[str, float], dict[str, float]]:
    """(minimums, maximums) from a TOML file: top-level keys are minimums, a ``[max]`` table holds maximums."""
    import tomllib

    with open(path, "rb") as f:
        data = tomllib.load(f)
    maximum = {k: float(v) for k, v in data.pop("max", {}).items()}
    return {k: float(v) for k, v in data.items()}, maximum
