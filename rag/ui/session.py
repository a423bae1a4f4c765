"""The page's state and callbacks (:class:`RagUI`): plain methods, so tests call them directly."""

from __future__ import annotations

import contextlib
import copy
import functools
import html
import importlib
import inspect
import json
import logging
import math
import re
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import gradio as gr

from rag.errors import RagError
from rag.ingest.documents import scan_folder
from rag.search.retrieval import Filters
from rag.settings import Settings
from rag.ui import render as render

if TYPE_CHECKING:
    from rag.assistant import Assistant
from rag.ui.access import REPO_ROOT, allowed_models
from rag.ui.messages import UNEXPECTED, fail, public, shown, user_error, warn
from rag.ui.uploads import MB, UploadRejected, check_upload, store_upload

log = logging.getLogger(__name__)

Turn = render.Turn


Message = render.Message


TOP_K_MAX = 50
EVALS_DIR = REPO_ROOT / "evals"
SEED_DATASET = EVALS_DIR / "gold" / "seeds.jsonl"
REPORTS_DIR = EVALS_DIR / "reports"  # the command line's reports: read by the page, never written by it
KINDS = ("json", "md", "png")
EXAMPLES = [
    "When was the Baghdad coordination centre agreed?",
    "Who took part in the 2018 Baghdad security meeting?",
]


NOT_INGESTED = "not ingested yet; press Re-ingest to add it, or to see why it is skipped"


def _iso_date(value: str | None, label: str) -> str | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return date.fromisoformat(value).isoformat()
    except ValueError:
        pass
    raise fail(f"{label} '{value}' is not a date: use YYYY-MM-DD, e.g. 2015-09-26.")


def make_filters(sources: Sequence[str] | None, date_from: str | None, date_to: str | None) -> Filters | None:
    """The retrieval filters from the settings panel (None when nothing restricts)."""
    lo, hi = _iso_date(date_from, "From date"), _iso_date(date_to, "To date")
    if lo and hi and lo > hi:
        raise fail(f"The date range is empty: {lo} is after {hi}.")
    if not (sources or lo or hi):
        return None
    return Filters(sources=tuple(sources or ()), date_from=lo, date_to=hi)


class RagUI:
    """State shared by all sessions (the assistant) and every callback of the page."""

    def __init__(self, settings: Settings | None = None, assistant: Assistant | None = None) -> None:
        self.settings = settings or (assistant.settings if assistant else Settings())
        self.assistant = assistant
        self.error: str | None = None
        self.busy = "Opening the index…"
        self._ready = threading.Event()
        self._writing = threading.Lock()
        self.skipped: dict[str, str] = {}  # source -> why the last ingest skipped it (its report's ``skipped``)
        if assistant is not None:
            self._ready.set()

    # --- the assistant ---------------------------------------------------------------
    def start(self) -> threading.Thread:
        """Open (or build) the index in the background; the page is served meanwhile."""
        thread = threading.Thread(target=self.load, name="rag-open-index", daemon=True)
        thread.start()
        return thread

    def load(self) -> None:
        """Open the index at ``settings.index_dir``; when there is none, build it from ``settings.docs_dir``."""
        from rag.assistant import Assistant

        started = time.perf_counter()
        try:
            try:
                assistant = Assistant.open(settings=self.settings)
            except RagError as e:
                if not str(e).startswith("No index"):
                    raise
                self.busy = f"No index yet: building it from {Path(self.settings.docs_dir).name}…"
                try:  # Assistant.build, keeping the report's skipped files for the library panel
                    assistant = Assistant.open(settings=self.settings, create=True)
                    self.skipped = dict(assistant.ingest(self.settings.docs_dir).skipped)
                except RagError as built:
                    raise RagError(
                        f"No index at {self.settings.index_dir}, and building one from {self.settings.docs_dir} "
                        f"failed: {built} Upload documents in the Library tab and press Re-ingest, or set RAG_DOCS_DIR."
                    ) from None
            assistant.embedder.embed(["warm up"])  # load the model now rather than on the first question
            self.assistant = assistant
            took = time.perf_counter() - started
            print(f"index ready: {assistant.counts()[0]} documents ({took:.1f}s)", flush=True)
            assistant.warm_up()  # the answerer's language model, while the user types
            # Open the vector store's collections here, in one thread, before any question is let through (the
            # events wait for _ready): embedded Chroma fails when two threads create its client at once.
            with contextlib.suppress(RagError):
                assistant.search(EXAMPLES[0])
        except RagError as e:
            self.error = public(str(e))
            print(f"error: {e}", file=sys.stderr, flush=True)
        except Exception:  # shown in the page instead of killing the server
            log.exception("opening the index failed")
            self.error = f"Opening the index failed. {UNEXPECTED}"
        finally:
            self._ready.set()

    def wait(self, timeout: float = 900.0) -> Assistant:
        """The assistant once it is open; gr.Error with the reason when it could not be opened."""
        if not self._ready.wait(timeout):
            raise fail("The index is still loading; try again in a moment.")
        if self.assistant is None:
            raise fail(self.error or "No index is open.")
        return self.assistant

    def docs_root(self) -> Path:
        """The folder the index mirrors (uploads go here): the manifest's docs_root, else RAG_DOCS_DIR."""
        root = self.assistant.store.docs_root if self.assistant else None
        return Path(root or self.settings.docs_dir).resolve()

    def status(self) -> str:
        """The banner: loading, ready (with counts) or the error."""
        if not self._ready.is_set():
            return render.status_html("busy", self.busy)
        if self.assistant is None:
            return render.status_html("error", self.error or "No index is open.")
        n_docs, chunks = self.assistant.counts()  # two counts, not a listing of every file, on each refresh
        backend = "offline extractive answers" if self.settings.backend == "extractive" else "LLM answers"
        return render.status_html("ok", f"{n_docs} documents · {chunks} chunks · {backend}")

    def models(self) -> list[str]:
        """The chat models UI users may pick (RAG_OPENAI_MODEL and RAG_OPENAI_MODELS)."""
        return allowed_models(self.settings)

    def check_model(self, model: str | None) -> str:
        """The model asked for ("" for the default); gr.Error when it is not on the operator's allow-list."""
        model = (model or "").strip()
        if model and model not in self.models():
            log.warning("refused model %r: not in RAG_OPENAI_MODELS", model[:200])
            raise fail(f"The model '{shown(model)}' is not allowed here; pick one of: {', '.join(self.models())}.")
        return model

    def _for_model(self, assistant: Assistant, model: str | None) -> Assistant:
        """A per-request view of the assistant when the settings panel picks another allowed model."""
        model = self.check_model(model)
        if not model or model == assistant.settings.openai_model:
            return assistant
        view = copy.copy(assistant)
        view.settings = assistant.settings.model_copy(update={"openai_model": model})
        return view

    def _text_of(self, assistant: Assistant) -> Callable[[str], str | None]:
        cache: dict[str, str | None] = {}

        def text_of(source: str) -> str | None:
            if source not in cache:
                try:
                    cache[source] = assistant.source_text(source)
                except (RagError, OSError):
                    cache[source] = None
            return cache[source]

        return text_of

    # --- chat ------------------------------------------------------------------------
    def check(
        self,
        question: str,
        turns: list[Turn] | None = None,
        backend: str | None = None,
        model: str | None = None,
        top_k: float | None = None,
        sources: Sequence[str] | None = None,
        date_from: str | None = None,
        date_to: str | None = None,
    ) -> Filters | None:
        """Validate a question and the settings panel before anything is shown; gr.Error says what is wrong.

        The page runs this as its own event before :meth:`ask`, so a mistake shows as a message and leaves the
        chat as it was (an error raised by the streaming event itself would blank its outputs).
        """
        question = (question or "").strip()
        if not question:
            raise fail("Type a question first.")
        if len(question) > self.settings.max_question_chars:
            raise fail(f"The question is too long: the limit is {self.settings.max_question_chars:,} characters.")
        if backend and backend not in ("extractive", "openai", self.settings.backend):
            raise fail(f"Unknown backend '{shown(backend)}': use extractive or openai.")
        self.check_model(model)
        if top_k is not None and not (
            isinstance(top_k, int | float) and math.isfinite(top_k) and 1 <= top_k <= TOP_K_MAX
        ):
            raise fail(f"Passages retrieved must be a number from 1 to {TOP_K_MAX}.")
        return make_filters(sources, date_from, date_to)

    def ask(
        self,
        question: str,
        turns: list[Turn] | None,
        backend: str | None = None,
        model: str | None = None,
        top_k: float | None = None,
        sources: Sequence[str] | None = None,
        date_from: str | None = None,
        date_to: str | None = None,
    ) -> Iterator[tuple[list[Message], list[Turn], Any, Any, str]]:
        """Stream an answer: yields (chat messages, conversation state, sources panel, source viewer, question box).

        Failures after the question is accepted (index unavailable, LLM unreachable or slow) become an error
        bubble in the chat plus a warning, so the conversation stays usable.
        """
        filters = self.check(question, turns, backend, model, top_k, sources, date_from, date_to)
        question = question.strip()
        turns = list(turns or [])
        history = [(t["question"], t["text"]) for t in turns if not t.get("error")]
        n_turn = len(turns)
        chat = render.chat_messages(turns)
        chat += [
            {"role": "user", "content": render.user_html(question)},
            {"role": "assistant", "content": render.pending_html()},
        ]
        yield list(chat), turns, gr.skip(), gr.skip(), ""
        text = ""
        try:
            if not self._ready.wait(900) or self.assistant is None:
                raise RagError(self.error or "The index is still loading; try again in a moment.")
            assistant = self._for_model(self.assistant, model)
            stream = assistant.stream(
                question,
                backend=backend or None,
                history=history or None,
                top_k=int(top_k) if top_k else None,
                filters=filters,
            )
            for piece in stream:
                text += piece
                chat[-1] = {"role": "assistant", "content": render.streaming_html(text)}
                yield list(chat), turns, gr.skip(), gr.skip(), ""
            answer = stream.answer
            if answer is None:
                raise RagError("The answer stream ended without an answer.")
        except Exception as e:  # every failure becomes a message in the chat
            message = user_error(e)
            if isinstance(e, gr.Error):
                message = html.unescape(str(e.message))
            elif not isinstance(e, RagError):
                log.exception("answering failed")
            warn(message)
            turns.append({"question": question, "text": text, "refused": False, "citations": [], "error": message})
            yield render.chat_messages(turns), turns, gr.skip(), gr.skip(), ""
            return
        turn: Turn = {
            "question": question,
            "text": answer.text,
            "refused": answer.refused,
            "citations": [asdict(c) for c in answer.citations],
            "error": None,
        }
        turns.append(turn)
        panel = render.sources_html(turn["citations"], n_turn, self._text_of(assistant), answer.refused)
        yield render.chat_messages(turns), turns, panel, render.viewer_placeholder(), ""

    def clear(self) -> tuple[list[Message], list[Turn], str, str]:
        """Start a new conversation."""
        return [], [], render.sources_html([], None, lambda _s: None), render.viewer_placeholder()

    def show_citation(self, key: str, turns: list[Turn] | None) -> tuple[Any, str]:
        """(sources panel with the citation marked, full source viewer highlighted at its span) for key ``turn-n``."""
        match = re.fullmatch(r"(\d+)-(\d+)", key or "")
        turns = turns or []
        cite = None
        if match and int(match.group(1)) < len(turns):
            i, n = int(match.group(1)), int(match.group(2))
            turn = turns[i]
            cite = next((c for c in turn["citations"] if int(c["n"]) == n), None)
        if cite is None or self.assistant is None:
            message = "That citation belongs to a conversation that is gone; ask again."
            warn(message)
            return gr.skip(), render.notice_html("error", message)
        text_of = self._text_of(self.assistant)
        panel = render.sources_html(turn["citations"], i, text_of, turn["refused"], active=n)
        text = text_of(cite["source"])
        if text is None:
            message = f"The source {cite['source']} is no longer in the index."
            warn(message)
            return panel, render.notice_html("error", message)
        start, end, quote = int(cite["start"]), int(cite["end"]), str(cite["quote"])
        if text[start:end] != quote:  # the file changed since the answer: find the quote again
            found = text.find(quote)
            start, end = (found, found + len(quote)) if found >= 0 else (0, 0)
        viewer = render.source_view_html(cite["source"], cite.get("title") or "", cite.get("date"), text, start, end, n)
        return panel, viewer

    def on_cite(self, turns: list[Turn] | None, evt: gr.EventData) -> tuple[Any, str]:
        """The click event of the sources panel: its data carries the citation key."""
        key = getattr(evt, "_data", None) or {}
        return self.show_citation(str(key.get("cite", "")) if isinstance(key, dict) else "", turns)

    # --- library ---------------------------------------------------------------------
    def not_indexed(self, indexed: set[str] | None = None) -> list[tuple[str, str, bool]]:
        """The files of the docs folder that are not in the index: (name, why, deletable here), by name.

        Why: the reason the last ingest skipped the file, else the folder scan's (an unsupported type, a link out
        of the folder…), else :data:`NOT_INGESTED`. Deletable: a regular file (not a link) of that name in the
        folder; the delete flow offers only those. Hidden files are never listed (the scan ignores them).
        """
        if self.assistant is None:
            return []
        if indexed is None:
            indexed = {str(d["source"]) for d in self.assistant.documents()}
        root = self.docs_root()
        try:
            files, scanned = scan_folder(root)
        except (RagError, OSError) as e:
            log.info("cannot list the docs folder: %s", e)
            return []
        reasons = {s.source: s.reason for s in scanned}
        self.skipped = {k: v for k, v in self.skipped.items() if k in files or k in reasons}  # gone: forgotten
        out = []
        for name in sorted((files.keys() | reasons.keys()) - indexed):
            why = public(self.skipped.get(name) or reasons.get(name) or NOT_INGESTED)
            path = root / name
            out.append((name, why, path.is_file() and not path.is_symlink()))
        return out

    def library(self) -> tuple[str, Any, Any]:
        """(documents table, delete-choice update, source-filter update).

        The table and the delete choices also hold the folder's files that are not in the index (a binary, a
        broken PDF, an unsupported type…), marked "not indexed" with the reason, so they can be deleted here.
        """
        if self.assistant is None:
            empty = render.documents_html([], self.docs_root().name)
            return empty, gr.update(choices=[], value=None), gr.update(choices=[])
        docs = self.assistant.documents()
        names = [str(d["source"]) for d in docs]
        outside = self.not_indexed(set(names))
        choices: list[str | tuple[str, str]] = [*names]
        choices += [(f"{shown(name, 200)} (not indexed)", name) for name, _, deletable in outside if deletable]
        return (
            render.documents_html(docs, self.docs_root().name, [(name, why) for name, why, _ in outside]),
            gr.update(choices=choices, value=None),
            gr.update(choices=names),
        )

    def on_load(self) -> tuple[str, str, Any, Any]:
        """Page load: wait for the index, then fill the banner and the library."""
        self._ready.wait(900)
        return (self.status(), *self.library())

    def save_uploads(self, files: Sequence[str] | str | None) -> tuple[str, None]:
        """Validate uploaded files and copy the good ones into the docs folder. Returns (notice, cleared upload).

        A file never replaces another: when its name is taken (or two uploads sanitise to the same name) it is
        stored as ``name (2).txt``… and the notice says so.
        """
        paths = [files] if isinstance(files, str) else list(files or [])
        if not paths:
            return "", None
        root = self.docs_root()
        root.mkdir(parents=True, exist_ok=True)
        saved, rejected = [], []
        for raw in paths:
            path = Path(raw)
            try:
                name = check_upload(path, path.name, int(self.settings.max_upload_mb * MB))
                with self._writing:
                    stored = store_upload(path, root, name)
                if stored == path.name:
                    saved.append(stored)
                elif stored == name:
                    saved.append(f"'{shown(path.name)}' as {stored}")
                else:
                    saved.append(f"'{shown(path.name)}' as {stored} ({name} already exists)")
            except UploadRejected as e:
                rejected.append(str(e))
            except OSError:
                log.exception("saving the upload %r failed", path.name)
                rejected.append(f"'{shown(path.name)}' could not be saved. {UNEXPECTED}")
        parts = []
        if saved:
            parts.append(f"Saved {', '.join(saved)} into {root.name}. Press Re-ingest to add them to the index.")
        if rejected:
            warn("Upload rejected: " + " ".join(rejected))
            parts.append("Rejected: " + " ".join(rejected))
        kind = "ok" if saved and not rejected else "warn" if saved else "error"
        return render.notice_html(kind, " ".join(parts)), None

    def reingest(self, progress: gr.Progress = gr.Progress()) -> tuple[str, str, str, Any, Any]:
        """Ingest the docs folder again (new and changed files only), with a progress bar."""
        root = self.docs_root()

        def step(done: int, total: int) -> None:
            progress((done, total), desc="Embedding new and changed passages", unit="chunks")

        progress(0.0, desc="Scanning the folder")
        try:
            with self._writing:
                if self.assistant is None:
                    self._ready.wait(900)
                if self.assistant is None:  # no index could be opened at start: build one from the folder
                    from rag.assistant import Assistant

                    self.assistant = Assistant.open(settings=self.settings, create=True)
                    self.error = None
                report = self.assistant.ingest(root, progress=step)
        except RagError as e:
            message = public(str(e))
            warn(message)
            return (render.notice_html("error", message), self.status(), *self.library())
        self.skipped = dict(report.skipped)
        notice = f"Re-ingested {root.name}: {report.summary()}"
        kind = "warn" if report.skipped else "ok"
        if report.skipped:
            notice += ". Skipped: " + "; ".join(f"{s} ({why})" for s, why in report.skipped[:5])
        return (render.notice_html(kind, public(notice)), self.status(), *self.library())

    def deletable(self, source: str) -> tuple[dict[str, Any] | None, str | None]:
        """What deleting ``source`` would delete: (the indexed document, None), or (None, why it is not indexed) for
        a file of the docs folder the library lists as not indexed. RagError for anything else: the UI deletes
        only what it lists, whatever name a client sends."""
        if self.assistant is None:
            raise RagError("Pick a document to delete first.")
        docs = {str(d["source"]): d for d in self.assistant.documents()}
        if source in docs:
            return docs[source], None
        found = next((entry for entry in self.not_indexed(set(docs)) if entry[0] == source), None)
        if found is None:
            raise RagError(f"No document '{shown(source, 200)}' in the index.")
        if not found[2]:
            raise RagError(
                f"'{shown(source, 200)}' is not indexed ({found[1]}) and is not a regular file of "
                f"{self.docs_root().name}, so it cannot be deleted here."
            )
        return None, found[1]

    def ask_delete(self, source: str | None) -> tuple[Any, str]:
        """First step of a delete: show the confirmation (for a file that is not indexed: that only the file goes)."""
        if not source:
            warn("Pick a document to delete first.")
            return gr.update(visible=False), ""
        try:
            doc, why = self.deletable(source)
        except RagError as e:
            warn(public(str(e)))
            return gr.update(visible=False), ""
        folder = self.docs_root().name
        if doc is not None:
            rest = (
                f" ({doc['chunks']} chunks)? It is removed from the index and its file is deleted from {folder}. "
                "This cannot be undone."
            )
        else:
            rest = f"? It is not indexed ({why}); its file will be deleted from {folder}. This cannot be undone."
        return gr.update(visible=True), render.confirm_html(source, rest)

    def confirm_delete(self, source: str | None) -> tuple[Any, str, str, str, Any, Any]:
        """Second step: delete the chunks and the file (or only the file, when it is not indexed).
        Returns (confirm box, notice, banner, library…)."""
        try:
            if not source or self.assistant is None:
                raise RagError("Pick a document to delete first.")
            with self._writing:
                doc, _ = self.deletable(source)
                self.assistant.remove(source, delete_file=True)
                self.skipped.pop(source, None)
        except RagError as e:
            message = public(str(e))
            warn(message)
            return (gr.update(visible=False), render.notice_html("error", message), self.status(), *self.library())
        done = "its chunks and its file are gone" if doc is not None else "it was not indexed; its file is gone"
        notice = render.done_html(source, f": {done}.")
        return (gr.update(visible=False), notice, self.status(), *self.library())

    def cancel_delete(self) -> tuple[Any, str]:
        """Hide the confirmation."""
        return gr.update(visible=False), ""

    # --- evals -----------------------------------------------------------------------
    def reports_dir(self) -> Path:
        """Where "Run the seed evals" writes its report: ``<index>/reports``, never the repository."""
        return Path(self.settings.index_dir).resolve() / "reports"

    def eval_report(self) -> tuple[str, str, str]:
        """(metrics table, report markdown, chart) of the latest report: the UI's own run in ``<index>/reports``,
        else the repository's ``evals/reports`` (read only); "no report yet" when neither has one."""
        folder = next(
            (d for d in (self.reports_dir(), REPORTS_DIR) if any((d / f"latest.{k}").is_file() for k in KINDS)),
            None,
        )
        if folder is None:
            return render.metrics_html(None), "", ""
        result: dict[str, Any] | None = None
        try:
            loaded = json.loads((folder / "latest.json").read_text(encoding="utf-8"))
            result = loaded if isinstance(loaded, dict) else None
        except (OSError, ValueError):
            result = None
        try:
            md = public((folder / "latest.md").read_text(encoding="utf-8"))
        except OSError:
            md = ""
        try:
            png = (folder / "latest.png").read_bytes()
        except OSError:
            png = b""
        if result is None and not md and not png:
            return render.metrics_html(None), "", ""
        return render.metrics_html(result, table=not md), render.eval_markdown(md), render.chart_html(png)

    def run_evals(self, progress: gr.Progress = gr.Progress()) -> tuple[str, str, str]:
        """Run the seed evals with a progress bar, write the report into ``<index>/reports``, and show it."""
        try:
            run_eval = importlib.import_module("evals.runner").run_eval
        except (ImportError, AttributeError):
            warn("evals module not available")
            return self.eval_report()
        assistant = self.wait()

        def step(done: int, total: int) -> None:
            progress((done, total), desc="Asking the seed questions", unit="questions")

        progress(0.0, desc="Starting the evals")
        try:
            result = run_eval(str(SEED_DATASET), assistant, progress=step)
        except TypeError as e:
            log.warning("run_eval failed: %s", e)
            warn("evals module not available")
            return self.eval_report()
        except (RagError, OSError, ValueError) as e:
            log.warning("the evals failed", exc_info=True)
            warn(f"The evals failed: {user_error(e)}")
            return self.eval_report()
        if isinstance(result, dict) and isinstance(result.get("path"), str):
            result["path"] = Path(result["path"]).name
        try:
            importlib.import_module("evals.report").write(result, self.reports_dir())
        except (ImportError, AttributeError, TypeError, OSError, ValueError) as e:
            log.warning("could not write the eval report: %s", e)
            return render.metrics_html(result if isinstance(result, dict) else None), "", ""
        gr.Info("Evals finished; the report is updated.")
        return self.eval_report()

    # --- errors ----------------------------------------------------------------------
    def guard(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        """``fn`` as a page event: a RagError becomes its message (no paths), anything else is logged with its
        traceback and shown as :data:`UNEXPECTED`. Gradio's own gr.Error messages pass unchanged."""

        def reword(e: Exception) -> gr.Error:
            if isinstance(e, RagError):
                log.info("%s: %s", getattr(fn, "__name__", "event"), e)
            else:
                log.error("%s failed", getattr(fn, "__name__", "event"), exc_info=e)
            return fail(user_error(e))

        if inspect.isgeneratorfunction(fn):

            @functools.wraps(fn)
            def stream(*args: Any, **kwargs: Any) -> Iterator[Any]:
                try:
                    yield from fn(*args, **kwargs)
                except gr.Error:
                    raise
                except Exception as e:  # noqa: BLE001 - logged by reword
                    raise reword(e) from None

            return stream

        @functools.wraps(fn)
        def call(*args: Any, **kwargs: Any) -> Any:
            try:
                return fn(*args, **kwargs)
            except gr.Error:
                raise
            except Exception as e:  # noqa: BLE001 - logged by reword
                raise reword(e) from None

        return call
