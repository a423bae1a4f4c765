"""Reports: markdown, JSON and a PNG chart in evals/reports/, compared with the previous run of the same dataset."""

from __future__ import annotations

import json
import shutil
from datetime import datetime
from pathlib import Path
from typing import Any

from .metrics import LOWER_IS_BETTER

BASELINE = Path(__file__).resolve().parent / "reports" / "baseline.json"

# Display order and labels; metrics missing from a run are shown as n/a.
LABELS = {
    "hit_at_1": "File hit@1",
    "hit_at_5": "File hit@5",
    "mrr": "MRR (files)",
    "gold_recall": "Gold-file recall",
    "context_hit_at_5": "Context hit@5 (chunks)",
    "context_mrr": "Context MRR (chunks)",
    "key_fact_accuracy": "Key-fact accuracy",
    "first_sentence_accuracy": "Key facts in the first sentence",
    "answered": "Answered (answerable)",
    "judge_correctness": "Judge correctness (1-5)",
    "citation_validity": "Citation validity",
    "whole_quotes": "Quotes that are whole sentences or blocks",
    "citation_precision": "Citation precision",
    "citation_recall": "Citation recall",
    "gold_citation": "Gold citation",
    "refusal_precision": "Refusal precision",
    "refusal_recall": "Refusal recall",
    "latency_p50_ms": "Latency p50 (ms)",
    "latency_p95_ms": "Latency p95 (ms)",
    "latency_mean_ms": "Latency mean (ms)",
    "total_s": "Question time total (s)",
    "ingest_s": "Ingest time (s)",
}
UNITLESS = {"judge_correctness"}


def fmt(name: str, value: float | None) -> str:
    """A metric value for display: percentages for rates, plain numbers for times and scores."""
    if value is None:
        return "n/a"
    if name.endswith("_ms"):
        return f"{value:.1f}"
    if name.endswith("_s") or name in UNITLESS:
        return f"{value:.2f}"
    return f"{100 * value:.1f}%"


def delta(name: str, new: float | None, old: float | None) -> str:
    """The change from ``old`` to ``new``, in points for rates; marked when it is a regression."""
    if new is None or old is None:
        return ""
    diff = new - old
    worse = diff > 1e-9 if name in LOWER_IS_BETTER else diff < -1e-9
    if name.endswith(("_ms", "_s")) or name in UNITLESS:
        text = f"{diff:+.2f}" if name not in LOWER_IS_BETTER or not name.endswith("_ms") else f"{diff:+.1f}"
    else:
        text = f"{100 * diff:+.1f} pts"
    return text + (" ▼" if worse and abs(diff) > 1e-9 else "")


def table(columns: list[str], rows: dict[str, list[float | None]], against: int | None = 1) -> str:
    """A markdown table: metric | one column per run | delta of the first column vs column ``against``."""
    against = against if against is not None and against < len(columns) else None
    head = ["Metric", *columns] + ([f"Delta vs {columns[against]}"] if against else [])
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for name, values in rows.items():
        cells = [LABELS.get(name, name), *(fmt(name, v) for v in values)]
        if against:
            cells.append(delta(name, values[0], values[against]))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def metric_rows(*runs: dict[str, float | None], keep_empty: bool = False) -> dict[str, list[float | None]]:
    """Rows of the known metrics present in any of ``runs`` (all of them with ``keep_empty``)."""
    names = [n for n in LABELS if keep_empty or any(r.get(n) is not None for r in runs)]
    return {n: [r.get(n) for r in runs] for n in names}


def side_by_side(result: dict[str, Any]) -> str:
    """Ours vs the naive baseline on the metrics both measure."""
    ours, naive = result["metrics"], result["naive"]["metrics"]
    rows = {n: [ours.get(n), naive.get(n)] for n in LABELS if naive.get(n) is not None}
    return table(["ours", "naive"], rows)


def backends_table(by_backend: dict[str, dict[str, float | None]]) -> str:
    """The same questions and index answered by each backend, side by side (delta: first vs second)."""
    names = list(by_backend)
    return table(names, metric_rows(*(by_backend[n] for n in names)))


def summary(result: dict[str, Any], previous: dict[str, Any] | None, baseline: dict[str, Any] | None = None) -> str:
    """The metrics tables (vs the previous run and the committed baseline, and vs naive when present)."""
    runs = [("now", result)] + [(label, r) for label, r in (("previous", previous), ("baseline", baseline)) if r]
    text = table([label for label, _ in runs], metric_rows(*(r["metrics"] for _, r in runs)))
    if len(runs) > 1:
        text += "\n\n" + ", ".join(f"{label}: run of {r.get('created', '?')}" for label, r in runs[1:])
    if len(result.get("by_backend") or {}) > 1:
        text += "\n\n### Backends on the same index and questions\n\n" + backends_table(result["by_backend"])
    if result.get("naive"):
        naive = result["naive"]
        text += (
            f"\n\n### Ours vs naive LlamaIndex ({naive['chunks']} chunks of the default SentenceSplitter, "
            f"top-{naive['top_k']}, retrieval only)\n\n" + side_by_side(result)
        )
    return text


def _failure(r: dict[str, Any]) -> str:
    lines = [f"### {r['id']}: {r['question']}", "", "- **Why:** " + "; ".join(r["failures"])]
    lines.append(f"- **Answer{' (refused)' if r['refused'] else ''}:** {r['answer']}")
    for c in r["citations"]:
        flags = ("valid" if c["valid"] else "INVALID") + (", supported" if c["supported"] else ", UNSUPPORTED")
        quote = c["quote"] if len(c["quote"]) <= 300 else c["quote"][:297] + "..."
        lines.append(f"  - [{c['n']}] `{c['source']}` [{c['start']}:{c['end']}] ({flags}): “{quote}”")
    lines.append(f"- **Retrieved:** {', '.join(f'`{s}`' for s in r['retrieved']) or '(nothing)'}")
    if r["reference"]:
        lines.append(f"- **Reference:** {r['reference']}")
    lines.append(f"- **Gold files:** {', '.join(f'`{s}`' for s in r['gold']) or '(none: should refuse)'}")
    if r.get("judge_score") is not None:
        lines.append(f"- **Judge:** {r['judge_score']:.1f}")
    return "\n".join(lines)


def markdown(
    result: dict[str, Any], previous: dict[str, Any] | None = None, baseline: dict[str, Any] | None = None
) -> str:
    """The full report: run details, metrics tables and every failed question."""
    failed = [r for r in result["records"] if r["failures"]]
    meta = [
        f"- Dataset: `{result.get('path', result['dataset'])}` ({result['kind']}, {result['n']} questions)",
        f"- Documents: `{result['docs_dir']}`",
        f"- Backend: {result['backend']}; embedder: {result['embedder']}; judge: {result['judge'] or 'offline'}",
        f"- Run: {result['created']}, {result['wall_s']:.1f}s, revision {result.get('revision') or 'unknown'}",
    ]
    if result.get("unresolved"):
        meta.append(f"- Gold file not found for: {', '.join(result['unresolved'])}")
    parts = [
        f"# Evaluation: {result['dataset']}",
        "\n".join(meta),
        "## Metrics",
        summary(result, previous, baseline),
        f"## Failed questions ({len(failed)} of {result['n']})",
        *(_failure(r) for r in failed),
    ]
    return "\n\n".join(parts) + "\n"


def chart(
    result: dict[str, Any], previous: dict[str, Any] | None, path: Path, baseline: dict[str, Any] | None = None
) -> None:
    """Bar chart of every metric now vs the previous run (and the committed baseline and naive, when present)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    series = [("now", result["metrics"])]
    if previous:
        series.append(("previous", previous["metrics"]))
    if baseline:
        series.append(("baseline", baseline["metrics"]))
    if result.get("naive"):
        series.append(("naive", result["naive"]["metrics"]))
    groups = [
        [n for n in LABELS if not n.endswith(("_ms", "_s")) and n not in UNITLESS],
        [n for n in LABELS if n.endswith("_ms")],
    ]
    fig, axes = plt.subplots(1, 2, figsize=(13, 6), gridspec_kw={"width_ratios": [3, 1]})
    for ax, names, unit in zip(axes, groups, ("share", "ms"), strict=True):
        names = [n for n in names if any(m.get(n) is not None for _, m in series)]
        x = np.arange(len(names))
        width = 0.8 / len(series)
        for i, (label, m) in enumerate(series):
            values = [np.nan if m.get(n) is None else m.get(n) for n in names]
            ax.bar(x + i * width - 0.4 + width / 2, values, width, label=label)
        ax.set_xticks(x, [LABELS[n] for n in names], rotation=45, ha="right", fontsize=8)
        ax.set_ylabel(unit)
        if unit == "share":
            ax.set_ylim(0, 1.05)
        ax.grid(axis="y", alpha=0.3)
    axes[0].legend(loc="upper center", bbox_to_anchor=(0.5, -0.32), ncol=3, frameon=False)
    fig.suptitle(f"Evaluation: {result['dataset']} ({result['n']} questions, {result['created']})")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def previous_run(out: Path, dataset: str, n: int | None = None) -> dict[str, Any] | None:
    """The newest timestamped run of ``dataset`` in ``out`` (with ``n`` questions, when given)."""
    for path in sorted(out.glob(f"run-*-{dataset}.json"), reverse=True):
        try:
            data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if n is None or data.get("n") == n:
            return data
    return None


def baseline_run(dataset: str, n: int, path: Path = BASELINE) -> dict[str, Any] | None:
    """The committed baseline run, when it is of ``dataset`` with ``n`` questions."""
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if data.get("dataset") == dataset and data.get("n") == n else None


def write(
    result: dict[str, Any],
    out: str | Path,
    previous: dict[str, Any] | None = None,
    baseline: dict[str, Any] | None = None,
) -> dict[str, Path]:
    """Write latest.{md,json,png}, previous.json (the run compared against) and timestamped copies.

    Returns the paths written.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    if previous:
        (out / "previous.json").write_text(json.dumps(previous, indent=1), encoding="utf-8")
    else:
        (out / "previous.json").unlink(missing_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    # Each run writes its own timestamped files first and copies them to latest.*: two runs sharing ``out`` in
    # the same second then never copy each other's report under their own name.
    copies = {kind: out / f"run-{stamp}-{result['dataset']}.{kind}" for kind in ("md", "json", "png")}
    copies["md"].write_text(markdown(result, previous, baseline), encoding="utf-8")
    copies["json"].write_text(json.dumps(result, indent=1), encoding="utf-8")
    chart(result, previous, copies["png"], baseline)
    paths: dict[str, Path] = {}
    for kind, copy in copies.items():
        paths[kind] = out / f"latest.{kind}"
        shutil.copyfile(copy, paths[kind])
        paths[f"{kind}_copy"] = copy
    return paths
