"""Command line: ``python -m rag ask|ingest|docs``. ``ingest.py`` at the top level calls the same code."""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

from rag.errors import RagError, display_name
from rag.settings import Settings

ECHO_CHARS = 200  # an error echoes at most this much of the question
_FLAGS = {"index_dir": "--index", "backend": "--backend", "top_k": "--top-k"}


def _settings(args: argparse.Namespace) -> Settings:
    """Settings from the environment with the command line's overrides, validated; RagError when invalid."""
    from pydantic import ValidationError

    updates: dict[str, Any] = {}
    if getattr(args, "index", None) is not None:
        updates["index_dir"] = Path(args.index)
    if getattr(args, "backend", None) is not None:
        updates["backend"] = args.backend
    if getattr(args, "top_k", None) is not None:
        updates["top_k"] = args.top_k
    try:
        settings = Settings(**updates)
    except ValidationError as e:
        problems = []
        for err in e.errors():
            name = str(err["loc"][0]) if err["loc"] else "?"
            flag = _FLAGS[name] if name in updates else f"RAG_{name.upper()}"
            problems.append(f"{flag}: {err['msg'].lower()}")
        raise RagError("Invalid setting " + "; ".join(problems) + ".") from None
    index = settings.index_dir
    for path in (index, *index.parents):  # the index, or the nearest of its parents that exists, must be a folder
        if path.exists():
            if not path.is_dir():
                where = "" if path == index else f" ({display_name(str(path))} is a file)"
                raise RagError(f"The index path {display_name(str(index))} is a file, not a folder{where}.")
            break
    return settings


def _echo(question: str) -> str:
    """The question as an error repeats it: bytes that were not UTF-8 escaped, then cut to ``ECHO_CHARS``."""
    out = []
    for ch in question[: ECHO_CHARS + 1]:
        code = ord(ch)
        if 0xDC80 <= code <= 0xDCFF:
            out.append(f"\\x{code - 0xDC00:02x}")
        elif 0xD800 <= code <= 0xDFFF:
            out.append(f"\\u{code:04x}")
        else:
            out.append(ch)
    text = "".join(out)
    return text if len(text) <= ECHO_CHARS else text[:ECHO_CHARS] + "…"


def _date(value: str | None, flag: str) -> str | None:
    """``value`` when it is a real date written YYYY-MM-DD, else RagError."""
    if value is None:
        return None
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        raise RagError(f"{flag} takes a date as YYYY-MM-DD, not '{_echo(value)}'.")
    try:
        date.fromisoformat(value)
    except ValueError:
        raise RagError(f"{flag} {value} is not a real date.") from None
    return value


def _filters(args: argparse.Namespace) -> Any:
    from rag.search.retrieval import Filters

    date_from, date_to = _date(args.date_from, "--date-from"), _date(args.date_to, "--date-to")
    if date_from and date_to and date_from > date_to:
        raise RagError(f"--date-from {date_from} is after --date-to {date_to}; nothing can match.")
    sources = tuple(args.source or ())
    for source in sources:
        try:
            source.encode("utf-8")
        except UnicodeEncodeError:
            raise RagError(f"--source '{_echo(source)}' is not valid UTF-8; no document has such a name.") from None
    return Filters(sources, date_from, date_to)


def _stdin_questions() -> Iterator[str]:
    """One question per line of stdin, read as bytes: a line that is not UTF-8 keeps its bad bytes as lone
    surrogates, so that it is rejected on its own rather than stopping the batch."""
    for raw in sys.stdin.buffer:
        yield raw.rstrip(b"\n").rstrip(b"\r").decode("utf-8", "surrogateescape")


def _print_answer(answer: Any) -> None:
    print(answer.text)
    if answer.citations:
        print()
        for c in answer.citations:
            quote = c.quote if len(c.quote) <= 240 else c.quote[:237] + "..."
            print(f"[{c.n}] {display_name(c.source)} ({c.start}-{c.end}) {display_name(c.title)}")
            print(f'    "{quote}"')
    for f in answer.flagged:
        print(f"(dropped, unsupported by its citation: {f})", file=sys.stderr)


def cmd_ask(args: argparse.Namespace) -> int:
    """Answer one question, or one per stdin line."""
    from rag.assistant import Assistant

    settings = _settings(args)
    filters = _filters(args)
    assistant = Assistant.open(settings=settings)
    questions = [args.question] if args.question is not None else _stdin_questions()
    status = 0
    for question in questions:
        if args.question is None and not question.strip():
            continue
        try:
            answer = assistant.ask(question, filters=filters)
        except RagError as e:
            if args.json:
                print(json.dumps({"question": _echo(question), "error": str(e)}, ensure_ascii=False), flush=True)
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
    from rag.assistant import Assistant

    settings = _settings(args)
    folder = Path(args.docs_dir) if args.docs_dir else settings.docs_dir
    if args.rebuild:  # check the folder before the old index is deleted
        from rag.ingest.documents import scan_folder

        if not scan_folder(folder.resolve())[0]:
            raise RagError(f"No supported documents in {folder}; the index is unchanged.")
    assistant = Assistant.open(settings=settings, create=True, rebuild=args.rebuild)
    report = assistant.ingest(folder, replace=args.replace or args.rebuild, show_bar=not args.quiet)
    for source, reason in report.skipped:
        print(f"skipped {display_name(source)}: {reason}", file=sys.stderr)
    print(json.dumps(report.as_dict()) if args.json else report.summary())
    return 0


def cmd_docs(args: argparse.Namespace) -> int:
    """List the ingested documents."""
    from rag.assistant import Assistant

    assistant = Assistant.open(settings=_settings(args))
    documents = assistant.documents()
    if args.json:
        print(json.dumps(documents, ensure_ascii=False, default=str))
        return 0
    for d in documents:  # one line per document: names with control characters are shown escaped
        when = d["date"] + (" (inferred)" if d["date_inferred"] else "") if d["date"] else "undated"
        print(f"{display_name(d['source'])}\t{when}\t{d['chunks']} chunks\t{display_name(d['title'])}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve the OpenAI-compatible API until Ctrl-C."""
    from rag.serve import serve

    return serve(_settings(args), args.host, args.port)


def parser() -> argparse.ArgumentParser:
    """The argument parser for ``python -m rag``."""
    p = argparse.ArgumentParser(prog="python -m rag", description="Cited answers from your documents, offline.")
    sub = p.add_subparsers(dest="command", required=True)

    ask = sub.add_parser("ask", help="answer a question (or one per stdin line)")
    ask.add_argument("question", nargs="?", help="the question; omit to read one per line from stdin")
    ask.add_argument("--index", help="index directory (RAG_INDEX_DIR, default .rag)")
    ask.add_argument("--json", action="store_true", help="print one JSON object per question")
    ask.add_argument("--backend", help="override RAG_BACKEND: extractive, openai or package.module:Class")
    ask.add_argument("--top-k", type=int, help="passages to retrieve (RAG_TOP_K)")
    ask.add_argument("--source", action="append", help="only search this source (repeatable)")
    ask.add_argument("--date-from", help="only documents dated on or after YYYY-MM-DD")
    ask.add_argument("--date-to", help="only documents dated on or before YYYY-MM-DD")
    ask.set_defaults(func=cmd_ask)

    ing = sub.add_parser("ingest", help="ingest a folder incrementally")
    add_ingest_arguments(ing)

    docs = sub.add_parser("docs", help="list ingested documents")
    docs.add_argument("--index", help="index directory")
    docs.add_argument("--json", action="store_true", help="print the documents as a JSON array")
    docs.set_defaults(func=cmd_docs)

    srv = sub.add_parser("serve", help="serve an OpenAI-compatible API (/v1/chat/completions, /v1/models)")
    srv.add_argument("--index", help="index directory (RAG_INDEX_DIR, default .rag)")
    srv.add_argument(
        "--host", default="127.0.0.1", help="address to bind (default 127.0.0.1; others need RAG_SERVE_TOKEN)"
    )
    srv.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    srv.add_argument("--backend", help="override RAG_BACKEND (the default model): extractive, openai or package.module:Class")
    srv.set_defaults(func=cmd_serve)
    return p


def add_ingest_arguments(p: argparse.ArgumentParser) -> None:
    """Arguments shared by ``python -m rag ingest`` and ``python ingest.py``."""
    p.add_argument("docs_dir", nargs="?", help="folder of documents (RAG_DOCS_DIR, default seeds/)")
    p.add_argument("--index", help="index directory (RAG_INDEX_DIR, default .rag)")
    p.add_argument("--replace", action="store_true", help="let the index mirror a different folder than before")
    p.add_argument(
        "--rebuild", action="store_true", help="delete the index (e.g. one built by an older release) and ingest anew"
    )
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
    except OSError as e:  # a path that cannot be read or written: say which and why, in one line
        where = f": {display_name(str(e.filename))}" if e.filename else ""
        print(f"error: {e.strerror or e}{where}", file=sys.stderr)
        return 2
    except Exception as e:  # noqa: BLE001 - never a traceback: one line, and a distinct exit code
        detail = " ".join(str(e).split())[:200]
        print(f"error: unexpected {type(e).__name__}: {detail} (please report this)", file=sys.stderr)
        return 3


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m rag``."""
    return run(parser().parse_args(argv))
