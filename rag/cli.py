"""Command line: ``python -m rag ask|ingest|docs``. ``ingest.py`` at the top level calls the same code."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from .errors import RagError
from .settings import Settings


def _settings(args: argparse.Namespace) -> Settings:
    updates: dict[str, Any] = {}
    if getattr(args, "index", None):
        updates["index_dir"] = Path(args.index)
    if getattr(args, "backend", None):
        updates["backend"] = args.backend
    if getattr(args, "top_k", None):
        updates["top_k"] = args.top_k
    return Settings().model_copy(update=updates)


def _print_answer(answer: Any) -> None:
    print(answer.text)
    if answer.citations:
        print()
        for c in answer.citations:
            quote = c.quote if len(c.quote) <= 240 else c.quote[:237] + "..."
            print(f"[{c.n}] {c.source} ({c.start}-{c.end}) {c.title}")
            print(f'    "{quote}"')
    for f in answer.flagged:
        print(f"(dropped, unsupported by its citation: {f})", file=sys.stderr)


def cmd_ask(args: argparse.Namespace) -> int:
    """Answer one question, or one per stdin line."""
    from .assistant import Assistant
    from .retrieval import Filters

    settings = _settings(args)
    assistant = Assistant.open(settings=settings)
    filters = Filters(tuple(args.source or ()), args.date_from, args.date_to)
    questions = [args.question] if args.question is not None else (line.rstrip("\n") for line in sys.stdin)
    status = 0
    for question in questions:
        if args.question is None and not question.strip():
            continue
        try:
            answer = assistant.ask(question, filters=filters)
        except RagError as e:
            if args.json:
                print(json.dumps({"question": question, "error": str(e)}, ensure_ascii=False), flush=True)
            else:
                print(f"error: {e}", file=sys.stderr)
            status = 1
            continue
        if args.json:
            print(json.dumps(answer.to_dict(), ensure_ascii=False), flush=True)
        else:
            _print_answer(answer)
            if args.question is None:
                print()
    return status


def cmd_ingest(args: argparse.Namespace) -> int:
    """Ingest a folder incrementally and print a one-line summary."""
    from .assistant import Assistant

    settings = _settings(args)
    folder = Path(args.docs_dir) if args.docs_dir else settings.docs_dir
    assistant = Assistant.open(settings=settings, create=True)
    report = assistant.ingest(folder, replace=args.replace, show_bar=not args.quiet)
    for source, reason in report.skipped:
        print(f"skipped {source}: {reason}", file=sys.stderr)
    print(json.dumps(report.as_dict()) if args.json else report.summary())
    return 0


def cmd_docs(args: argparse.Namespace) -> int:
    """List the ingested documents."""
    from .assistant import Assistant

    assistant = Assistant.open(settings=_settings(args))
    for d in assistant.documents():
        date = d["date"] + (" (inferred)" if d["date_inferred"] else "") if d["date"] else "undated"
        print(f"{d['source']}\t{date}\t{d['chunks']} chunks\t{d['title']}")
    return 0


def parser() -> argparse.ArgumentParser:
    """The argument parser for ``python -m rag``."""
    p = argparse.ArgumentParser(prog="python -m rag", description="Cited answers from your documents, offline.")
    sub = p.add_subparsers(dest="command", required=True)

    ask = sub.add_parser("ask", help="answer a question (or one per stdin line)")
    ask.add_argument("question", nargs="?", help="the question; omit to read one per line from stdin")
    ask.add_argument("--index", help="index directory (RAG_INDEX_DIR, default .rag)")
    ask.add_argument("--json", action="store_true", help="print one JSON object per question")
    ask.add_argument("--backend", choices=["extractive", "openai"], help="override RAG_BACKEND")
    ask.add_argument("--top-k", type=int, help="passages to retrieve (RAG_TOP_K)")
    ask.add_argument("--source", action="append", help="only search this source (repeatable)")
    ask.add_argument("--date-from", help="only documents dated on or after YYYY-MM-DD")
    ask.add_argument("--date-to", help="only documents dated on or before YYYY-MM-DD")
    ask.set_defaults(func=cmd_ask)

    ing = sub.add_parser("ingest", help="ingest a folder incrementally")
    add_ingest_arguments(ing)

    docs = sub.add_parser("docs", help="list ingested documents")
    docs.add_argument("--index", help="index directory")
    docs.set_defaults(func=cmd_docs)
    return p


def add_ingest_arguments(p: argparse.ArgumentParser) -> None:
    """Arguments shared by ``python -m rag ingest`` and ``python ingest.py``."""
    p.add_argument("docs_dir", nargs="?", help="folder of documents (RAG_DOCS_DIR, default seeds/)")
    p.add_argument("--index", help="index directory (RAG_INDEX_DIR, default .rag)")
    p.add_argument("--replace", action="store_true", help="let the index mirror a different folder than before")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_ingest)


def run(args: argparse.Namespace) -> int:
    """Run a parsed command, turning RagError into a one-line message and exit code 2."""
    try:
        return int(args.func(args))
    except RagError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted; the index keeps its last complete state.", file=sys.stderr)
        return 130


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m rag``."""
    return run(parser().parse_args(argv))
