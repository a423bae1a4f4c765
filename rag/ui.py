"""The web UI (Gradio Blocks): cited chat with a sources panel, library, settings and evals. Start: ``python app.py``.

The page is served before the index is opened: :class:`RagUI` opens it (or builds it from ``RAG_DOCS_DIR`` when
there is none) in a background thread, and every callback waits for it. Callbacks are plain methods so tests
can call them directly::

    ui = RagUI(assistant=Assistant.open(".rag"))
    *_, (chat, turns, sources, viewer, _) = ui.ask("When was the Baghdad coordination centre agreed?", [])
    sources, viewer = ui.show_citation("0-1", turns)  # what clicking the first [1] shows
"""

from __future__ import annotations

import contextlib
import copy
import html
import importlib
import json
import logging
import os
import re
import shutil
import sys
import tempfile
import threading
import time
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

# No network at import or start: no Gradio analytics or version check, no Hugging Face Hub, no ONNX Runtime
# telemetry (its Linux wheels post to mobile.events.data.microsoft.com unless ORT_DISABLE_TELEMETRY is set).
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

import gradio as gr

from . import ui_render as render
from .errors import RagError
from .retrieval import Filters
from .settings import Settings

if TYPE_CHECKING:
    from .assistant import Assistant

log = logging.getLogger(__name__)

Turn = render.Turn
Message = render.Message
UPLOAD_SUFFIXES = (".txt", ".md", ".html", ".pdf")
MB = 1_000_000
REPO_ROOT = Path(__file__).resolve().parent.parent
EVALS_DIR = REPO_ROOT / "evals"
SEED_DATASET = EVALS_DIR / "gold" / "seeds.jsonl"
REPORTS_DIR = EVALS_DIR / "reports"
EXAMPLES = [
    "When was the Baghdad coordination centre agreed?",
    "Who took part in the 2018 Baghdad security meeting?",
]


def fail(message: str) -> gr.Error:
    """A gr.Error to raise; its message is escaped because Gradio renders it as HTML."""
    return gr.Error(html.escape(message))


def warn(message: str) -> None:
    """A warning toast (escaped: Gradio renders it as HTML)."""
    gr.Warning(html.escape(message))


class UploadRejected(RagError):
    """An uploaded file that is not written to the docs folder, and why."""


def safe_upload_name(name: str) -> str:
    """A file name safe to create in the docs folder: a base name only, no hidden names, allowed suffixes only.

    >>> safe_upload_name("../../notes/Report 2015.TXT")
    'Report_2015.txt'
    """
    base = re.split(r"[/\\]", unicodedata.normalize("NFKC", name or ""))[-1].strip()
    stem, dot, suffix = base.rpartition(".")
    if not dot or not stem:
        raise UploadRejected(
            f"'{base or name}' has no name or no file type; upload {', '.join(UPLOAD_SUFFIXES)} files."
        )
    if stem.startswith(".") or base.startswith("."):
        raise UploadRejected(f"'{base}' is a hidden file name; rename it without the leading dot.")
    suffix = "." + suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        raise UploadRejected(f"'{base}' is not a supported type; upload {', '.join(UPLOAD_SUFFIXES)} files.")
    stem = re.sub(r"[^\w.-]+", "_", stem).strip("._-")[:100]
    if not stem:
        raise UploadRejected(f"'{base}' has no usable characters in its name.")
    return stem + suffix


def check_upload(path: Path, name: str, max_bytes: int) -> str:
    """Validate one uploaded file (name, size, content); return the name to save it under."""
    safe = safe_upload_name(name)
    size = path.stat().st_size
    if size > max_bytes:
        raise UploadRejected(f"'{safe}' is {size / MB:.1f} MB; the limit is {max_bytes / MB:g} MB (RAG_MAX_UPLOAD_MB).")
    if size == 0:
        raise UploadRejected(f"'{safe}' is empty.")
    with path.open("rb") as f:
        head = f.read(8192)
    if safe.endswith(".pdf"):
        if not head.startswith(b"%PDF-"):
            raise UploadRejected(f"'{safe}' is not a PDF file.")
    elif b"\x00" in head:
        raise UploadRejected(f"'{safe}' is a binary file, not text.")
    return safe


def parse_auth(value: str | None) -> tuple[str, str] | None:
    """``"user:password"`` as Gradio's auth tuple."""
    if not value:
        return None
    user, sep, password = value.partition(":")
    if not sep or not user or not password:
        raise RagError("RAG_AUTH must look like 'user:password'.")
    return user, password


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
        from .assistant import Assistant

        started = time.perf_counter()
        try:
            try:
                assistant = Assistant.open(settings=self.settings)
            except RagError as e:
                if not str(e).startswith("No index"):
                    raise
                self.busy = f"No index yet: building it from {self.settings.docs_dir}…"
                try:
                    assistant = Assistant.build(self.settings.docs_dir, settings=self.settings)
                except RagError as built:
                    raise RagError(
                        f"No index at {self.settings.index_dir}, and building one from {self.settings.docs_dir} "
                        f"failed: {built} Upload documents in the Library tab and press Re-ingest, or set RAG_DOCS_DIR."
                    ) from None
            assistant.embedder.embed(["warm up"])  # load the model now rather than on the first question
            self.assistant = assistant
            took = time.perf_counter() - started
            print(f"index ready: {len(assistant.documents())} documents ({took:.1f}s)", flush=True)
            assistant.warm_up()  # the answerer's language model, while the user types
        except RagError as e:
            self.error = str(e)
            print(f"error: {e}", file=sys.stderr, flush=True)
        except Exception as e:  # shown in the page instead of killing the server
            log.exception("opening the index failed")
            self.error = f"Opening the index failed: {type(e).__name__}: {e}"
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
        root = self.assistant.store.manifest.get("docs_root") if self.assistant else None
        return Path(root or self.settings.docs_dir).resolve()

    def status(self) -> str:
        """The banner: loading, ready (with counts) or the error."""
        if not self._ready.is_set():
            return render.status_html("busy", self.busy)
        if self.assistant is None:
            return render.status_html("error", self.error or "No index is open.")
        docs = self.assistant.documents()
        chunks = sum(int(d["chunks"]) for d in docs)
        backend = "offline extractive answers" if self.settings.backend == "extractive" else "LLM answers"
        return render.status_html("ok", f"{len(docs)} documents · {chunks} chunks · {backend}")

    def _for_model(self, assistant: Assistant, model: str | None) -> Assistant:
        """A per-request view of the assistant when the settings panel picks another model."""
        model = (model or "").strip()
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
        if backend and backend not in ("extractive", "openai"):
            raise fail(f"Unknown backend '{backend}': use extractive or openai.")
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
            message = str(e) if isinstance(e, RagError) else f"Unexpected error ({type(e).__name__}): {e}"
            if not isinstance(e, RagError):
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
    def library(self) -> tuple[str, Any, Any]:
        """(documents table, delete-choice update, source-filter update)."""
        if self.assistant is None:
            empty = render.documents_html([], str(self.docs_root()))
            return empty, gr.update(choices=[], value=None), gr.update(choices=[])
        docs = self.assistant.documents()
        names = [str(d["source"]) for d in docs]
        return (
            render.documents_html(docs, str(self.docs_root())),
            gr.update(choices=names, value=None),
            gr.update(choices=names),
        )

    def on_load(self) -> tuple[str, str, Any, Any]:
        """Page load: wait for the index, then fill the banner and the library."""
        self._ready.wait(900)
        return (self.status(), *self.library())

    def save_uploads(self, files: Sequence[str] | str | None) -> tuple[str, None]:
        """Validate uploaded files and write the good ones into the docs folder. Returns (notice, cleared upload)."""
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
                target = (root / name).resolve()
                if target.parent != root:
                    raise UploadRejected(f"'{name}' would be written outside {root}.")
                with self._writing:
                    fd, tmp = tempfile.mkstemp(prefix=".upload-", suffix=".part", dir=root)
                    os.close(fd)
                    shutil.copyfile(path, tmp)
                    os.replace(tmp, target)
                saved.append(name)
            except (UploadRejected, OSError) as e:
                rejected.append(str(e) if isinstance(e, UploadRejected) else f"'{path.name}': {e}")
        parts = []
        if saved:
            parts.append(f"Saved {', '.join(saved)} into {root}. Press Re-ingest to add them to the index.")
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
                    from .assistant import Assistant

                    self.assistant = Assistant.open(settings=self.settings, create=True)
                    self.error = None
                report = self.assistant.ingest(root, progress=step)
        except RagError as e:
            warn(str(e))
            return (render.notice_html("error", str(e)), self.status(), *self.library())
        notice = f"Re-ingested {root}: {report.summary()}"
        kind = "warn" if report.skipped else "ok"
        if report.skipped:
            notice += ". Skipped: " + "; ".join(f"{s} ({why})" for s, why in report.skipped[:5])
        return (render.notice_html(kind, notice), self.status(), *self.library())

    def ask_delete(self, source: str | None) -> tuple[Any, str]:
        """First step of a delete: show the confirmation."""
        if not source:
            warn("Pick a document to delete first.")
            return gr.update(visible=False), ""
        docs = {d["source"]: d for d in self.assistant.documents()} if self.assistant else {}
        doc = docs.get(source)
        if doc is None:
            warn(f"No document '{source}' in the index.")
            return gr.update(visible=False), ""
        message = (
            f"Delete {source} ({doc['chunks']} chunks)? It is removed from the index and its file is deleted "
            f"from {self.docs_root()}. This cannot be undone."
        )
        return gr.update(visible=True), render.notice_html("warn", message)

    def confirm_delete(self, source: str | None) -> tuple[Any, str, str, str, Any, Any]:
        """Second step: delete the chunks and the file. Returns (confirm box, notice, banner, library…)."""
        try:
            if not source or self.assistant is None:
                raise RagError("Pick a document to delete first.")
            with self._writing:
                self.assistant.remove(source)
        except RagError as e:
            warn(str(e))
            return (gr.update(visible=False), render.notice_html("error", str(e)), self.status(), *self.library())
        notice = render.notice_html("ok", f"Deleted {source}: its chunks and its file are gone.")
        return (gr.update(visible=False), notice, self.status(), *self.library())

    def cancel_delete(self) -> tuple[Any, str]:
        """Hide the confirmation."""
        return gr.update(visible=False), ""

    # --- evals -----------------------------------------------------------------------
    def eval_report(self) -> tuple[str, str, str]:
        """(metrics table, report markdown, chart) from evals/reports/latest.*; "no report yet" when absent."""
        result: dict[str, Any] | None = None
        try:
            loaded = json.loads((REPORTS_DIR / "latest.json").read_text(encoding="utf-8"))
            result = loaded if isinstance(loaded, dict) else None
        except (OSError, ValueError):
            result = None
        try:
            md = (REPORTS_DIR / "latest.md").read_text(encoding="utf-8")
        except OSError:
            md = ""
        try:
            png = (REPORTS_DIR / "latest.png").read_bytes()
        except OSError:
            png = b""
        if result is None and not md and not png:
            return render.metrics_html(None), "", ""
        return render.metrics_html(result, table=not md), render.eval_markdown(md), render.chart_html(png)

    def run_evals(self, progress: gr.Progress = gr.Progress()) -> tuple[str, str, str]:
        """Run the seed evals with a progress bar, write the report, and show it."""
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
            warn(f"evals module not available (run_eval: {e})")
            return self.eval_report()
        except (RagError, OSError, ValueError) as e:
            warn(f"The evals failed: {e}")
            return self.eval_report()
        try:
            importlib.import_module("evals.report").write(result, REPORTS_DIR)
        except (ImportError, AttributeError, TypeError, OSError, ValueError) as e:
            log.warning("could not write the eval report: %s", e)
            return render.metrics_html(result if isinstance(result, dict) else None), "", ""
        gr.Info("Evals finished; the report is updated.")
        return self.eval_report()


def build(ui: RagUI) -> gr.Blocks:
    """The page."""
    s = ui.settings
    demo: gr.Blocks
    with gr.Blocks(title="Cited answers", analytics_enabled=False) as demo:
        turns = gr.State([])
        with gr.Row(equal_height=True):
            gr.HTML(
                "<h1>Cited answers</h1><p>Answers from your documents only, every claim linked to its exact source.</p>",
                elem_id="rag-header",
                js_on_load=None,
            )
            status = gr.HTML(ui.status(), elem_id="rag-status", js_on_load=None)
        with gr.Tabs():
            with gr.Tab("Chat", id="chat"), gr.Row():
                with gr.Column(scale=3):
                    chat = gr.Chatbot(
                        value=[],
                        height=560,
                        elem_id="rag-chat",
                        show_label=False,
                        render_markdown=False,
                        sanitize_html=True,
                        latex_delimiters=[],
                        allow_tags=False,
                        feedback_options=None,
                        buttons=[],
                        placeholder="Ask about the documents in the library. Answers cite their sources as [n].",
                    )
                    with gr.Row():
                        question = gr.Textbox(
                            show_label=False,
                            placeholder="Ask a question…",
                            scale=6,
                            lines=1,
                            max_lines=4,
                            max_length=s.max_question_chars,
                            elem_id="rag-question",
                            autofocus=True,
                        )
                        send = gr.Button("Ask", variant="primary", scale=1, min_width=80, elem_id="rag-send")
                    with gr.Row():
                        gr.Examples(EXAMPLES, inputs=question, label="Examples")
                        clear = gr.Button("New conversation", size="sm", scale=0, elem_id="rag-clear")
                with gr.Column(scale=2):
                    gr.HTML("<h3 class='rag-h'>Sources</h3>", js_on_load=None)
                    sources = gr.HTML(
                        render.sources_html([], None, lambda _s: None),
                        elem_id="rag-sources",
                        js_on_load=render.CITE_JS,
                    )
                    gr.HTML("<h3 class='rag-h'>Source text</h3>", js_on_load=None)
                    viewer = gr.HTML(render.viewer_placeholder(), elem_id="rag-viewer", js_on_load=render.SCROLL_JS)
            with gr.Tab("Library", id="library"):
                library_html = gr.HTML(
                    render.documents_html([], str(s.docs_dir)), elem_id="rag-library", js_on_load=None
                )
                with gr.Row():
                    with gr.Column(scale=3):
                        upload = gr.File(
                            label=f"Upload .txt, .md, .html or .pdf (up to {s.max_upload_mb:g} MB each)",
                            file_count="multiple",
                            file_types=list(UPLOAD_SUFFIXES),
                            type="filepath",
                            elem_id="rag-upload",
                            height=190,
                        )
                    with gr.Column(scale=2):
                        reingest = gr.Button("Re-ingest the folder", variant="primary", elem_id="rag-reingest")
                        library_notice = gr.HTML("", elem_id="rag-library-notice", js_on_load=None)
                with gr.Row(elem_id="rag-delete-row"):
                    delete_choice = gr.Dropdown(
                        label="Delete a document", choices=[], scale=3, elem_id="rag-delete-choice"
                    )
                    delete = gr.Button("Delete…", variant="stop", scale=0, min_width=140, elem_id="rag-delete")
                with gr.Group(visible=False, elem_id="rag-confirm") as confirm_box:
                    confirm_text = gr.HTML("", js_on_load=None)
                    with gr.Row():
                        confirm = gr.Button("Yes, delete it", variant="stop", elem_id="rag-confirm-delete")
                        cancel = gr.Button("Cancel", elem_id="rag-cancel-delete")
            with gr.Tab("Settings", id="settings"):
                with gr.Row():
                    backend = gr.Radio(
                        ["extractive", "openai"],
                        value=s.backend,
                        label="Answering backend",
                        info="extractive: offline sentence selection · openai: an OpenAI-compatible LLM (OPENAI_BASE_URL)",
                    )
                    model = gr.Textbox(value=s.openai_model, label="Model (openai backend)")
                    top_k = gr.Slider(1, 20, value=s.top_k, step=1, label="Passages retrieved (top-k)")
                source_filter = gr.Dropdown(
                    choices=[], multiselect=True, label="Only these sources (empty: all)", elem_id="rag-source-filter"
                )
                with gr.Row():
                    date_from = gr.Textbox(label="From date", placeholder="YYYY-MM-DD", elem_id="rag-date-from")
                    date_to = gr.Textbox(label="To date", placeholder="YYYY-MM-DD", elem_id="rag-date-to")
            with gr.Tab("Evals", id="evals") as evals_tab:
                with gr.Row():
                    run = gr.Button(
                        "Run the seed evals", variant="primary", scale=0, min_width=220, elem_id="rag-run-evals"
                    )
                    reload = gr.Button("Reload the report", scale=0, min_width=200)
                metrics = gr.HTML(render.metrics_html(None), elem_id="rag-metrics", js_on_load=None)
                chart = gr.HTML("", elem_id="rag-chart", js_on_load=None)
                report = gr.Markdown("", elem_id="rag-report", latex_delimiters=[])

        # Every event is for this page only: none is exposed to API clients (api_visibility="private").
        # Writes (ingest, delete, evals) run one at a time.
        private: dict[str, Any] = {"api_visibility": "private"}
        write: dict[str, Any] = {"concurrency_id": "write", "concurrency_limit": 1, **private}
        asked = [question, turns, backend, model, top_k, source_filter, date_from, date_to]
        answered = [chat, turns, sources, viewer, question]
        for trigger in (send.click, question.submit):
            trigger(ui.check, asked, None, concurrency_limit=None, show_progress="hidden", **private).success(
                ui.ask, asked, answered, concurrency_id="ask", show_progress="hidden", **private
            )
        cleared = [chat, turns, sources, viewer]
        clear.click(ui.clear, None, cleared, queue=False, **private)
        chat.clear(ui.clear, None, cleared, queue=False, **private)
        sources.click(ui.on_cite, [turns], [sources, viewer], show_progress="hidden", concurrency_limit=None, **private)
        upload.upload(ui.save_uploads, [upload], [library_notice, upload], **private)
        lib = [library_html, delete_choice, source_filter]
        reingest.click(ui.reingest, None, [library_notice, status, *lib], **write)
        delete.click(ui.ask_delete, [delete_choice], [confirm_box, confirm_text], **private)
        confirm.click(ui.confirm_delete, [delete_choice], [confirm_box, library_notice, status, *lib], **write)
        cancel.click(ui.cancel_delete, None, [confirm_box, confirm_text], queue=False, **private)
        evals_out = [metrics, report, chart]
        run.click(ui.run_evals, None, evals_out, **write)
        reload.click(ui.eval_report, None, evals_out, **private)
        evals_tab.select(ui.eval_report, None, evals_out, show_progress="hidden", **private)
        demo.load(ui.on_load, None, [status, *lib], concurrency_limit=None, show_progress="hidden", **private)
    return demo


def theme() -> Any:
    """System fonts only: nothing is fetched from a font CDN."""
    return gr.themes.Soft(
        primary_hue="indigo",
        neutral_hue="slate",
        font=["ui-sans-serif", "system-ui", "-apple-system", "Segoe UI", "Roboto", "sans-serif"],
        font_mono=["ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "monospace"],
    )


QUEUE = {"default_concurrency_limit": 2, "max_size": 32, "api_open": False}


def launch_options(settings: Settings) -> dict[str, Any]:
    """How the server is started: local only, no public share link, no extra file access.

    Gradio serves no file from the index or ``.env`` (blocked_paths), nothing beyond its own upload cache
    (allowed_paths stays empty: the index dir is never added), and rejects uploads over RAG_MAX_UPLOAD_MB.
    """
    return {
        "server_name": settings.host,
        "server_port": settings.port,
        "share": False,
        "auth": parse_auth(settings.auth),
        "allowed_paths": [],
        "blocked_paths": [str(Path(settings.index_dir).resolve()), str(Path(".env").resolve())],
        "max_file_size": int(settings.max_upload_mb * MB),
        "show_error": True,
        "ssr_mode": False,
        "mcp_server": False,
        "pwa": False,
        "enable_monitoring": False,
        "footer_links": ["gradio", "settings"],
    }


def main(argv: list[str] | None = None) -> int:
    """Serve the UI on RAG_HOST:RAG_PORT (127.0.0.1:7860), never shared publicly; open the index meanwhile."""
    settings = Settings()
    options = launch_options(settings)
    ui = RagUI(settings)
    demo = build(ui)
    demo.queue(**QUEUE)
    demo.launch(**options, prevent_thread_lock=True, theme=theme(), css=render.CSS)
    ui.start()
    print(f"Serving on http://{settings.host}:{settings.port} (index {settings.index_dir})", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        demo.block_thread()
    return 0
