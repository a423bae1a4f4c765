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
import errno
import functools
import hmac
import html
import importlib
import inspect
import json
import logging
import math
import os
import re
import shutil
import sys
import tempfile
import threading
import time
import unicodedata
from collections.abc import Awaitable, Callable, Iterator, MutableMapping, Sequence
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
from starlette.middleware import Middleware
from starlette.requests import Request, cookie_parser
from starlette.responses import JSONResponse, PlainTextResponse

from . import ui_render as render
from .documents import scan_folder
from .errors import RagError
from .retrieval import Filters
from .settings import Settings, is_loopback

if TYPE_CHECKING:
    from .assistant import Assistant

log = logging.getLogger(__name__)

Turn = render.Turn
Message = render.Message
UPLOAD_SUFFIXES = (".txt", ".md", ".html", ".pdf")
MB = 1_000_000
TOP_K_MAX = 50
REPO_ROOT = Path(__file__).resolve().parent.parent
EVALS_DIR = REPO_ROOT / "evals"
SEED_DATASET = EVALS_DIR / "gold" / "seeds.jsonl"
REPORTS_DIR = EVALS_DIR / "reports"  # the command line's reports: read by the page, never written by it
KINDS = ("json", "md", "png")
EXAMPLES = [
    "When was the Baghdad coordination centre agreed?",
    "Who took part in the 2018 Baghdad security meeting?",
]


UNEXPECTED = "Something went wrong; the details are in the server log."
NOT_INGESTED = "not ingested yet; press Re-ingest to add it, or to see why it is skipped"
MAX_NAME_BYTES = 120  # of a stored file's stem, in UTF-8: with " (999)" and a suffix it stays far below NAME_MAX
_ABS_PATH = re.compile(r"(?<![\w.~/:-])(?:/[^\s/'\"`<>|;,]+)+/?|(?<![\w])[A-Za-z]:\\[^\s'\"`<>|;,]+")


def fail(message: str) -> gr.Error:
    """A gr.Error to raise; its message is escaped because Gradio renders it as HTML."""
    return gr.Error(html.escape(message))


def warn(message: str) -> None:
    """A warning toast (escaped: Gradio renders it as HTML)."""
    gr.Warning(html.escape(message))


def public(message: str) -> str:
    """A message fit for UI users: absolute paths (of the index, the docs folder, the packages) cut to their last part.

    >>> public("The index database /srv/rag/.rag/chunks.sqlite is damaged.")
    'The index database chunks.sqlite is damaged.'
    """

    def last_part(m: re.Match[str]) -> str:
        parts = [p for p in re.split(r"[/\\]", m.group(0)) if p and not p.endswith(":")]
        return parts[-1] if parts else m.group(0)

    return _ABS_PATH.sub(last_part, message)


def user_error(e: BaseException) -> str:
    """What a UI user is told about an exception: a RagError's own message without paths, else a pointer to the log."""
    if isinstance(e, RagError):
        return public(str(e))
    return UNEXPECTED


def shown(name: str, limit: int = 80) -> str:
    """A file name as it can be shown in a message: printable characters only (no newline, NUL or lone surrogate)."""
    text = "".join(ch if ch.isprintable() else "?" for ch in name)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _cut_utf8(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` bytes of UTF-8, at a character boundary."""
    return text.encode("utf-8")[:limit].decode("utf-8", "ignore")


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
            f"'{shown(base or name)}' has no name or no file type; upload {', '.join(UPLOAD_SUFFIXES)} files."
        )
    if stem.startswith(".") or base.startswith("."):
        raise UploadRejected(f"'{shown(base)}' is a hidden file name; rename it without the leading dot.")
    suffix = "." + suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        raise UploadRejected(f"'{shown(base)}' is not a supported type; upload {', '.join(UPLOAD_SUFFIXES)} files.")
    stem = _cut_utf8(re.sub(r"[^\w.-]+", "_", stem), MAX_NAME_BYTES)
    stem = stem.strip("._-")
    if not stem:
        raise UploadRejected(f"'{shown(base)}' has no usable characters in its name.")
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


def numbered(name: str, n: int) -> str:
    """The n-th name tried for an upload: ``report.txt``, ``report (2).txt``, ``report (3).txt``…"""
    if n <= 1:
        return name
    stem, _, suffix = name.rpartition(".")
    return f"{stem} ({n}).{suffix}"


def store_upload(source: Path, root: Path, name: str, tries: int = 1000) -> str:
    """Copy ``source`` into ``root`` under ``name``, or ``name (2)``… when taken; never replace a file. Returns the name.

    The copy is written to a hidden temporary file first and then hard-linked to its name: link() fails when the
    name exists, so neither an existing file nor one created meanwhile by someone else is ever overwritten, and
    the file appears complete. Where hard links are not supported, it falls back to an exclusive create.
    """
    fd, tmp = tempfile.mkstemp(prefix=".upload-", suffix=".part", dir=root)
    try:
        with os.fdopen(fd, "wb") as out, source.open("rb") as src:
            shutil.copyfileobj(src, out)
        for n in range(1, tries + 1):
            candidate = numbered(name, n)
            target = root / candidate
            try:
                os.link(tmp, target)
            except FileExistsError:
                continue
            except OSError as e:  # no hard links on this file system: exclusive create, then copy
                if e.errno not in (errno.EPERM, errno.EXDEV, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK):
                    raise
                try:
                    out_fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
                except FileExistsError:
                    continue
                with os.fdopen(out_fd, "wb") as out, open(tmp, "rb") as src:
                    shutil.copyfileobj(src, out)
            return candidate
        raise UploadRejected(f"'{name}' and {tries - 1} numbered variants of it already exist; rename the file.")
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def parse_auth(value: str | None) -> tuple[str, str] | None:
    """``"user:password"`` as a (user, password) pair."""
    if not value:
        return None
    user, sep, password = value.partition(":")
    if not sep or not user or not password:
        raise RagError("RAG_AUTH must look like 'user:password'.")
    return user, password


def allowed_models(settings: Settings) -> list[str]:
    """The chat models UI users may pick: RAG_OPENAI_MODEL, then RAG_OPENAI_MODELS (comma-separated)."""
    names = [settings.openai_model, *(m.strip() for m in settings.openai_models.split(","))]
    return list(dict.fromkeys(n for n in names if n))


def check_exposure(settings: Settings) -> None:
    """Refuse to serve a non-loopback address without a login, unless RAG_ALLOW_PUBLIC says so."""
    parse_auth(settings.auth)
    if not is_loopback(settings.host) and not settings.auth and not settings.allow_public:
        raise RagError(
            f"RAG_HOST={settings.host} would serve the UI beyond this machine without a login: "
            "set RAG_AUTH=user:password, or RAG_ALLOW_PUBLIC=1 to serve it to anyone who can reach it."
        )


class LoginThrottle:
    """Failed logins counted per client address and per user name, with an exponential lockout.

    Every attempt counts as a failure when it starts (so concurrent attempts cannot slip past the count) and a
    success clears its keys. After ``free`` failures a key is locked for ``base * 2**k`` seconds (k = failures
    beyond ``free``, at most ``cap`` seconds); while a key is locked, attempts with it are refused without
    checking the password. Keys idle for ``forget`` seconds are forgotten; at most ``max_keys`` are kept.
    """

    def __init__(
        self, free: int = 5, base: float = 1.0, cap: float = 900.0, forget: float = 3600.0, max_keys: int = 100_000
    ) -> None:
        self.free, self.base, self.cap, self.forget, self.max_keys = free, base, cap, forget, max_keys
        self._keys: dict[str, tuple[int, float, float]] = {}  # key -> (failures, locked until, last attempt)
        self._lock = threading.Lock()

    def begin(self, keys: Sequence[str]) -> float:
        """Seconds to wait when any key is locked (nothing is recorded); else 0.0, and the attempt is counted."""
        now = time.monotonic()
        with self._lock:
            wait = max((self._keys.get(k, (0, 0.0, 0.0))[1] - now for k in keys), default=0.0)
            if wait > 0:
                return wait
            for k in keys:
                failures = self._keys.get(k, (0, 0.0, 0.0))[0] + 1
                locked = now + min(self.cap, self.base * 2 ** (failures - self.free)) if failures >= self.free else 0.0
                self._keys[k] = (failures, locked, now)
            if len(self._keys) > self.max_keys:
                self._prune(now)
            return 0.0

    def succeeded(self, keys: Sequence[str]) -> None:
        with self._lock:
            for k in keys:
                self._keys.pop(k, None)

    def _prune(self, now: float) -> None:
        for k, (_, locked, last) in list(self._keys.items()):
            if locked <= now and now - last > self.forget:
                del self._keys[k]
        if len(self._keys) > self.max_keys:  # still too many: drop the oldest
            for k, _ in sorted(self._keys.items(), key=lambda kv: kv[1][2])[: len(self._keys) - self.max_keys]:
                del self._keys[k]


class Login:
    """Gradio's ``auth`` callable for RAG_AUTH: constant-time comparison; counts the attempts it evaluates."""

    def __init__(self, user: str, password: str) -> None:
        self._user = user.encode("utf-8")
        self._password = password.encode("utf-8")
        self.evaluated: list[float] = []  # time.monotonic() of each evaluated attempt (the last 1,000)
        self._lock = threading.Lock()

    def __call__(self, user: str, password: str) -> bool:
        with self._lock:
            self.evaluated = [*self.evaluated[-999:], time.monotonic()]
        user_ok = hmac.compare_digest(user.encode("utf-8", "surrogatepass"), self._user)
        password_ok = hmac.compare_digest(password.encode("utf-8", "surrogatepass"), self._password)
        return user_ok and password_ok


Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
# What the login page needs before anyone has logged in (GET or HEAD only); everything else needs the cookie.
PUBLIC_PATHS = frozenset({"/", "/favicon.ico", "/theme.css", "/gradio_api/theme.css", "/robots.txt"})
PUBLIC_PREFIXES = ("/assets/", "/static/", "/svelte/")
LOGIN_PATHS = frozenset({"/login", "/login/"})
_REMOTE_FILE = re.compile(r"/file[=/]\s*[a-z][a-z0-9+.-]*:", re.I)
MAX_LOGIN_BODY = 16_384


class Guard:
    """ASGI middleware in front of Gradio's routes.

    - With RAG_AUTH, every request without a valid session cookie is refused (401), except the login page and its
      static assets: Gradio itself leaves some routes open (``/gradio_api/cancel``, ``/reset``, ``/stream/…``,
      ``/heartbeat/…``, ``/monitoring/…``).
    - Logins are throttled per client address and per user name (:class:`LoginThrottle`): 429 while locked.
    - ``/gradio_api/file=<URL>`` is refused: the UI never fetches remote files for anyone.
    """

    def __init__(self, app: ASGIApp, login: Login | None = None, throttle: LoginThrottle | None = None) -> None:
        self.app = app
        self.login = login
        self.throttle = throttle or LoginThrottle()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        path = str(scope.get("path", ""))
        if _REMOTE_FILE.search(path):
            await PlainTextResponse("Remote files are not served.", status_code=403)(scope, receive, send)
            return
        if self.login is None:
            await self.app(scope, receive, send)
            return
        method = scope.get("method", "")
        if scope["type"] == "http" and method == "POST" and path in LOGIN_PATHS:
            await self._login(scope, receive, send)
        elif self._authenticated(scope) or self._public(scope, path, method):
            await self.app(scope, receive, send)
        elif scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
        else:
            detail = {"error": "Not authenticated", "auth_message": None}
            await JSONResponse({"detail": detail}, status_code=401)(scope, receive, send)

    @staticmethod
    def _authenticated(scope: Scope) -> bool:
        app = scope.get("app")
        tokens, cookie_id = getattr(app, "tokens", None), getattr(app, "cookie_id", None)
        if not tokens or cookie_id is None:
            return False
        header = next((v for k, v in scope.get("headers", []) if k == b"cookie"), b"")
        cookies = cookie_parser(header.decode("latin-1"))
        token = cookies.get(f"access-token-{cookie_id}") or cookies.get(f"access-token-unsecure-{cookie_id}")
        return token is not None and token in tokens

    @staticmethod
    def _public(scope: Scope, path: str, method: str) -> bool:
        if scope["type"] != "http" or method not in ("GET", "HEAD"):
            return False
        if path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES):
            return True
        # Gradio's launch() calls this itself, without a cookie, once at start-up.
        return path == "/gradio_api/startup-events" and not getattr(scope.get("app"), "startup_events_triggered", True)

    async def _login(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = b""
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            more = bool(message.get("more_body"))
            if len(body) > MAX_LOGIN_BODY:
                await PlainTextResponse("Login form too large.", status_code=413)(scope, receive, send)
                return
        sent = False

        async def replay() -> MutableMapping[str, Any]:
            nonlocal sent
            if sent:
                return {"type": "http.disconnect"}
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        try:
            form = await Request(scope, replay).form(max_files=0, max_fields=20)
            user = str(form.get("username") or "").strip()
        except Exception:  # noqa: BLE001 - a malformed form: Gradio answers it (422); it counts against the address
            user = ""
        sent = False
        client = scope.get("client") or ("unknown", 0)
        keys = [f"ip:{client[0]}"] + ([f"user:{user.casefold()[:256]}"] if user else [])
        wait = self.throttle.begin(keys)
        if wait > 0:
            seconds = math.ceil(wait)
            response = JSONResponse(
                {"detail": f"Too many failed logins; try again in {seconds} s."},
                status_code=429,
                headers={"Retry-After": str(seconds)},
            )
            log.warning("login refused for %s (user %r): locked for %d s", client[0], user[:64], seconds)
            await response(scope, replay, send)
            return

        async def watch(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                if message["status"] == 200:
                    self.throttle.succeeded(keys)
                else:
                    log.warning("failed login from %s (user %r)", client[0], user[:64])
            await send(message)

        await self.app(scope, replay, watch)


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
        from .assistant import Assistant

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
        if backend and backend not in ("extractive", "openai"):
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
                    from .assistant import Assistant

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
                    render.documents_html([], Path(s.docs_dir).name), elem_id="rag-library", js_on_load=None
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
                    model = gr.Dropdown(
                        ui.models(),
                        value=s.openai_model,
                        label="Model (openai backend)",
                        info="Set by the operator: RAG_OPENAI_MODEL and RAG_OPENAI_MODELS",
                        allow_custom_value=False,
                        elem_id="rag-model",
                    )
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
        # Writes (ingest, delete, evals) run one at a time. Every callback goes through ui.guard: users see short
        # messages, the server log gets the details.
        g = ui.guard
        private: dict[str, Any] = {"api_visibility": "private"}
        write: dict[str, Any] = {"concurrency_id": "write", "concurrency_limit": 1, **private}
        asked = [question, turns, backend, model, top_k, source_filter, date_from, date_to]
        answered = [chat, turns, sources, viewer, question]
        for trigger in (send.click, question.submit):
            trigger(g(ui.check), asked, None, concurrency_limit=None, show_progress="hidden", **private).success(
                g(ui.ask), asked, answered, concurrency_id="ask", show_progress="hidden", **private
            )
        cleared = [chat, turns, sources, viewer]
        clear.click(g(ui.clear), None, cleared, queue=False, **private)
        chat.clear(g(ui.clear), None, cleared, queue=False, **private)
        sources.click(
            g(ui.on_cite), [turns], [sources, viewer], show_progress="hidden", concurrency_limit=None, **private
        )
        upload.upload(g(ui.save_uploads), [upload], [library_notice, upload], **private)
        lib = [library_html, delete_choice, source_filter]
        reingest.click(g(ui.reingest), None, [library_notice, status, *lib], **write)
        delete.click(g(ui.ask_delete), [delete_choice], [confirm_box, confirm_text], **private)
        confirm.click(g(ui.confirm_delete), [delete_choice], [confirm_box, library_notice, status, *lib], **write)
        cancel.click(g(ui.cancel_delete), None, [confirm_box, confirm_text], queue=False, **private)
        evals_out = [metrics, report, chart]
        run.click(g(ui.run_evals), None, evals_out, **write)
        reload.click(g(ui.eval_report), None, evals_out, **private)
        evals_tab.select(g(ui.eval_report), None, evals_out, show_progress="hidden", **private)
        demo.load(g(ui.on_load), None, [status, *lib], concurrency_limit=None, show_progress="hidden", **private)
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


def blocked_paths(settings: Settings) -> list[str]:
    """What Gradio must never serve: the index directory and the ``.env`` files settings may be read from."""
    paths = [Path(settings.index_dir).resolve(), Path(".env").resolve(), REPO_ROOT / ".env"]
    return list(dict.fromkeys(str(p) for p in paths))


def launch_options(settings: Settings) -> dict[str, Any]:
    """How the server is started: local only unless a login guards it, no public share link, no extra file access.

    Gradio serves no file from the index or ``.env`` (blocked_paths), nothing beyond its own upload cache
    (allowed_paths stays empty: neither the index nor the docs folder is added), and rejects uploads over
    RAG_MAX_UPLOAD_MB. With RAG_AUTH, :class:`Guard` refuses every request without a session cookie and
    throttles logins. Errors show users short messages only (show_error=False; see :meth:`RagUI.guard`).
    Raises RagError for a non-loopback RAG_HOST without RAG_AUTH (unless RAG_ALLOW_PUBLIC).
    """
    check_exposure(settings)
    credentials = parse_auth(settings.auth)
    login = Login(*credentials) if credentials else None
    return {
        "server_name": settings.host,
        "server_port": settings.port,
        "share": False,
        "auth": login,
        "allowed_paths": [],
        "blocked_paths": blocked_paths(settings),
        "max_file_size": int(settings.max_upload_mb * MB),
        "show_error": False,
        "ssr_mode": False,
        "mcp_server": False,
        "pwa": False,
        "enable_monitoring": False,
        "footer_links": ["gradio", "settings"],
        "app_kwargs": {"middleware": [Middleware(Guard, login=login, throttle=LoginThrottle())]},
    }


def serve(ui: RagUI, options: dict[str, Any]) -> gr.Blocks:
    """Build the page and start serving it (without blocking); returns the Blocks (``.close()`` stops it)."""
    demo = build(ui)
    demo.queue(**QUEUE)
    demo.launch(**options, prevent_thread_lock=True, quiet=True, theme=theme(), css=render.CSS)
    return demo


def main(argv: list[str] | None = None) -> int:
    """Serve the UI on RAG_HOST:RAG_PORT (127.0.0.1:7860), never shared publicly; open the index meanwhile."""
    settings = Settings()
    options = launch_options(settings)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    ui = RagUI(settings)
    demo = serve(ui, options)
    ui.start()
    print(f"Serving on http://{settings.host}:{settings.port} (index {settings.index_dir})", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        demo.block_thread()
    return 0
