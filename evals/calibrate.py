"""Fit the answerer's refusal model across kinds of documents and report its precision/recall curve.

    python -m evals.calibrate                      # dev sets: news (seeds, blind*), docs, paper, essays
    python -m evals.calibrate --write FILE         # ... and write the fitted model as JSON

Each question's ranking is reduced to the scores in FEATURES; the label is whether the
documents answer it AND the best sentence comes from a gold document. Every dev set weighs the same, so no
genre dominates. The holdout set is never used here; it checks the result in the evals.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .datasets import load

if TYPE_CHECKING:
    from rag.answer.extractive import Ranking

GOLD = Path(__file__).resolve().parent / "gold"
DEV = ("seeds", "blind", "blind2", "blind3", "blind4", "blind5", "pydocs", "paper", "essays")
CACHE = Path(tempfile.gettempdir()) / "rag-calibration"


FEATURES = (
    "similarity",  # the best typed sentence's similarity in meaning to the question
    "essential",  # share of the question's essential words it matches (near-synonyms count part)
    "context_essential",  # ... with its title and previous sentence
    "coverage",  # idf-weighted share of the question's terms it holds
    "passage_coverage",  # ... that its passage holds
    "fit",  # whether it holds the kind of answer asked for (1 for questions of no particular kind)
    "top_similarity",  # the same for the most relevant sentence of any kind
    "top_context_essential",
    "typed",  # 1 when the question asks for a kind of answer (a date, a number, a person, a place)
    "unknown",  # share of the question's content words the documents never use at all ("delete_on_close")
)


def unknown_share(question: str, known: Callable[[str], bool]) -> float:
    """The share of a question's content terms (numbers aside) that no document uses."""
    from rag.text import lexical

    terms = [t for t in dict.fromkeys(lexical.terms(question)) if not t[:1].isdigit() and len(t) > 2]
    return sum(1 for t in terms if not known(t)) / len(terms) if terms else 0.0


def features(r: Ranking, known: Callable[[str], bool]) -> list[float]:
    """The ranking's evidence scores, in :data:`FEATURES` order (zeros when no sentence holds an answer)."""
    pool = r.pool
    if not r.order or not r.shortlist:
        return [0.0] * (len(FEATURES) - 1) + [unknown_share(r.question.text, known)]
    best = pool[r.order[0]]
    top = max((pool[i] for i in r.shortlist), key=lambda c: c.relevance)
    typed = r.question.kind not in ("other", "yesno")
    return [
        best.similarity,
        best.essential,
        best.context_essential,
        best.coverage,
        best.passage_coverage,
        best.fit if typed else 1.0,
        top.similarity,
        top.context_essential,
        1.0 if typed else 0.0,
        unknown_share(r.question.text, known),
    ]


_OPEN: dict[Path, Any] = {}


def _assistant(docs: Path, workdir: Path) -> Any:
    """One index per documents folder, shared by the gold sets written over it."""
    from rag import Assistant

    if docs not in _OPEN:
        _OPEN[docs] = Assistant.build(docs, workdir / f"index-{len(_OPEN)}")
    return _OPEN[docs]


def collect(name: str, workdir: Path) -> list[dict[str, Any]]:
    """Features and labels for every question of one gold set."""
    from rag.answer import extractive, subjects
    from rag.text import entities

    dataset = load(GOLD / f"{name}.jsonl")
    if not dataset.docs_dir.is_dir():
        print(f"skip {name}: {dataset.docs_dir} is missing", file=sys.stderr)
        return []
    assistant = _assistant(dataset.docs_dir, workdir)
    tagger = entities.tagger(assistant.settings.spacy_model_path)
    rows = []
    for item in dataset.items:
        passages, vector = assistant.search(item.question)
        r = extractive.rank(item.question, vector, passages, assistant.embedder, assistant.store.idf, tagger)
        best_source = r.pool[r.order[0]].passage.chunk.source if r.order else None
        rows.append(
            {
                "set": name,
                "id": item.id,
                "x": features(r, assistant.store.knows),
                "answerable": item.answerable,
                "y": int(item.answerable and best_source in item.sources),
                "unknown": bool(subjects.unknown_names(r.question, assistant.store.knows)),
            }
        )
    return rows


def fit(x: np.ndarray, y: np.ndarray, w: np.ndarray, l2: float = 1e-2, steps: int = 4000) -> tuple[np.ndarray, float]:
    """Weighted L2 logistic regression by gradient descent (features are scores in about [0, 1])."""
    coef, bias = np.zeros(x.shape[1]), 0.0
    lr = 0.5
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(x @ coef + bias)))
        g = w * (p - y)
        coef -= lr * (x.T @ g / w.sum() + l2 * coef)
        bias -= lr * g.sum() / w.sum()
    return coef, bias


def curve(p: np.ndarray, answerable: np.ndarray, unknown: np.ndarray) -> list[dict[str, float]]:
    """Refusal precision/recall and the answered share of answerable questions at each threshold."""
    out = []
    for t in np.arange(0.05, 0.96, 0.05):
        refused = (p < t) | unknown
        n_ref = refused.sum()
        precision = float((refused & ~answerable).sum() / n_ref) if n_ref else 1.0
        recall = float((refused & ~answerable).sum() / max(1, (~answerable).sum()))
        answered = float((~refused & answerable).sum() / max(1, answerable.sum()))
        out.append({"threshold": round(float(t), 2), "refusal_precision": precision, "refusal_recall": recall,
                    "answered": answered})
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sets", default=",".join(DEV), help="comma-separated gold sets (default: the dev sets)")
    ap.add_argument("--write", type=Path, metavar="FILE", help="write the fitted model (weights, threshold, curve) as JSON")
    ap.add_argument("--fresh", action="store_true", help="recompute cached features")
    args = ap.parse_args(argv)
    CACHE.mkdir(exist_ok=True)
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="calibrate-") as tmp:
        for name in args.sets.split(","):
            cached = CACHE / f"{name}.json"
            if cached.is_file() and not args.fresh:
                part = json.loads(cached.read_text())
            else:
                part = collect(name, Path(tmp))
                cached.write_text(json.dumps(part))
            print(f"{name}: {len(part)} questions", file=sys.stderr)
            rows += part
    x = np.array([r["x"] for r in rows], dtype=float)
    y = np.array([r["y"] for r in rows], dtype=float)
    per_set = {s: sum(1 for r in rows if r["set"] == s) for s in {r["set"] for r in rows}}
    w = np.array([1.0 / per_set[r["set"]] for r in rows])
    coef, bias = fit(x, y, w)
    p = 1 / (1 + np.exp(-(x @ coef + bias)))
    answerable = np.array([r["answerable"] for r in rows])
    unknown = np.array([r["unknown"] for r in rows])
    points = curve(p, answerable, unknown)
    print("threshold  refusal P  refusal R  answered")
    for pt in points:
        print(f"{pt['threshold']:9.2f}  {pt['refusal_precision']:9.3f}  {pt['refusal_recall']:9.3f}  {pt['answered']:8.3f}")
    # The threshold that maximises refusal recall + answered share (balanced), as refusing costs as much as
    # answering wrongly.
    best = max(points, key=lambda pt: pt["refusal_recall"] + pt["answered"])
    print(f"chosen threshold {best['threshold']}: " + ", ".join(f"{k} {v:.3f}" for k, v in best.items()))
    for s in per_set:
        mask = np.array([r["set"] == s for r in rows])
        pts = curve(p[mask], answerable[mask], unknown[mask])
        at = next(pt for pt in pts if pt["threshold"] == best["threshold"])
        print(f"  {s:8s} answered {at['answered']:.3f}  refusal P {at['refusal_precision']:.3f}  R {at['refusal_recall']:.3f}")
    print("weights:", dict(zip(FEATURES, np.round(coef, 3).tolist(), strict=True)), "bias", round(bias, 3))
    if args.write:
        args.write.write_text(json.dumps({
            "features": list(FEATURES), "weights": np.round(coef, 4).tolist(), "bias": round(bias, 4),
            "threshold": best["threshold"], "fit_on": sorted(per_set), "questions": len(rows), "curve": points,
        }, indent=1) + "\n")
        print(f"wrote {args.write}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
