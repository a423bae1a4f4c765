"""Dataset adapters: our gold JSONL, LlamaIndex ``rag_dataset.json`` and Tonic Validate Q&A files."""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
GOLD = REPO / "evals" / "gold" / "seeds.jsonl"
SEEDS = REPO / "seeds"

_SPACE = re.compile(r"\s+")


@dataclass
class Item:
    """One question with its reference answer and the files that state it."""

    id: str
    question: str
    answer: str = ""
    facts: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    expect_refusal: bool = False
    contexts: list[str] = field(default_factory=list)  # reference passages, when the dataset has them

    @property
    def answerable(self) -> bool:
        """Whether the question has an answer in the documents."""
        return not self.expect_refusal


@dataclass
class Dataset:
    """Questions plus where the documents they are about live."""

    name: str
    kind: str  # "gold", "llamaindex" or "tonic"
    items: list[Item]
    docs_dir: Path
    unresolved: list[str] = field(default_factory=list)  # ids whose gold file was not found


def squash(text: str) -> str:
    """``text`` with all whitespace removed and lower-cased, for whitespace-blind matching."""
    return _SPACE.sub("", text).lower()


def read_docs(docs_dir: Path) -> dict[str, str]:
    """Text of every supported file under ``docs_dir``, keyed by the source name the engine uses."""
    from rag.errors import RagError
    from rag.files import decode_text
    from rag.ingest.documents import load_file, scan_folder

    files, _ = scan_folder(docs_dir)
    texts: dict[str, str] = {}
    for source, path in files.items():
        try:
            if path.suffix.lower() in {".txt", ".md", ".markdown"}:
                texts[source] = decode_text(path.read_bytes())
            else:
                texts[source] = load_file(path, source, 1 << 30).text
        except RagError:
            continue
    return texts


def shingles(text: str, n: int = 8) -> set[str]:
    """The lower-cased runs of ``n`` consecutive words of ``text``."""
    words = re.findall(r"\w+", text.lower())
    return {" ".join(words[i : i + n]) for i in range(max(0, len(words) - n + 1))}


def find_source(context: str, squashed: dict[str, str]) -> str | None:
    """The file whose text contains ``context`` (ignoring whitespace), else the one sharing most 8-word runs."""
    needle = squash(context)
    if not needle:
        return None
    hits = [s for s, text in squashed.items() if needle in text]
    if hits:
        return hits[0]
    probe = shingles(context)
    if not probe:
        return None
    best, share = None, 0.0
    for source, text in squashed.items():
        found = sum(1 for s in probe if squash(s) in text) / len(probe)
        if found > share:
            best, share = source, found
    return best if share >= 0.5 else None


def gold_docs(path: Path) -> Path:
    """The documents a gold set was written over: named on its ``docs`` line in ``evals/gold/DOCS.toml``
    (relative to the repository), else the seeds."""
    table = path.parent / "DOCS.toml"
    if table.is_file():
        entry = tomllib.loads(table.read_text(encoding="utf-8")).get(path.stem)
        if entry:
            return (path.resolve().parent.parent.parent / entry).resolve()
    return SEEDS


def _gold(path: Path, docs: Path | None) -> Dataset:
    items = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        d = json.loads(line)
        items.append(
            Item(
                id=str(d.get("id") or f"q{n:02d}"),
                question=d["question"],
                answer=d.get("answer", ""),
                facts=list(d.get("facts", [])),
                sources=list(d.get("sources", [])),
                tags=list(d.get("tags", [])),
                contexts=list(d.get("contexts", [])),
                expect_refusal=not d.get("sources"),
            )
        )
    return Dataset(path.stem, "gold", items, docs or gold_docs(path))


def _llamaindex(path: Path, data: dict[str, Any], docs: Path | None) -> Dataset:
    docs = docs or path.parent / "source_files"
    squashed = {s: squash(t) for s, t in read_docs(docs).items()}
    items, unresolved = [], []
    for n, ex in enumerate(data["examples"], 1):
        sources = []
        for ctx in ex.get("reference_contexts") or []:
            source = find_source(ctx, squashed)
            if source and source not in sources:
                sources.append(source)
        contexts = list(ex.get("reference_contexts") or [])
        item = Item(f"li{n:03d}", ex["query"], ex.get("reference_answer") or "", sources=sources, contexts=contexts)
        if not sources:
            unresolved.append(item.id)
        items.append(item)
    return Dataset(path.parent.name, "llamaindex", items, docs, unresolved)


def _tonic(path: Path, data: list[dict[str, Any]], docs: Path | None) -> Dataset:
    docs = docs or path.parent / "source_files"
    texts = read_docs(docs)
    squashed = {s: squash(t) for s, t in texts.items()}
    by_name = {Path(s).name: s for s in texts}
    items, unresolved = [], []
    for n, d in enumerate(data, 1):
        source: str | None
        if "essay" in d:  # qa_pairs.json: the gold file is named
            source = by_name.get(d["essay"])
        else:  # question_and_answer_list.json: a title, sometimes a reference text
            source = find_source(d["reference_text"], squashed) if d.get("reference_text") else None
            source = source or _by_title(str(d.get("reference_article", "")), texts)
        context = d.get("quote") or d.get("reference_text")
        item = Item(
            f"t{n:03d}",
            d["question"],
            d.get("answer", ""),
            sources=[source] if source else [],
            contexts=[context] if context else [],
        )
        if not source:
            unresolved.append(item.id)
        items.append(item)
    return Dataset(path.parent.name, "tonic", items, docs, unresolved)


def _by_title(title: str, texts: dict[str, str]) -> str | None:
    want = squash(title)
    if not want:
        return None
    for source, text in texts.items():
        head = [ln for ln in text.splitlines()[:6] if ln.strip()]
        if any(squash(ln) == want for ln in head):
            return source
    return None


def load(path: str | Path, docs: str | Path | None = None) -> Dataset:
    """Load a dataset, detecting its format; ``docs`` overrides the folder of source documents."""
    path = Path(path)
    docs_dir = Path(docs) if docs is not None else None
    if path.suffix == ".jsonl":
        return _gold(path, docs_dir)
    data = json.loads(path.read_text(encoding="utf-8"))
    if isinstance(data, dict) and "examples" in data:
        return _llamaindex(path, data, docs_dir)
    if isinstance(data, list) and data and isinstance(data[0], dict) and "question" in data[0]:
        return _tonic(path, data, docs_dir)
    raise ValueError(f"Unknown dataset format: {path} (expected gold JSONL, rag_dataset.json or Tonic Q&A JSON)")
