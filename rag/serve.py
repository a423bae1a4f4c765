"""An OpenAI-compatible HTTP API over the assistant: ``python -m rag serve --index DIR --port N [--host H]``.

Any OpenAI client or chat front end can use the assistant as a "model"::

    client = openai.OpenAI(base_url="http://127.0.0.1:8000/v1", api_key=os.environ["RAG_SERVE_TOKEN"])
    resp = client.chat.completions.create(model="rag-extractive", messages=[{"role": "user", "content": "..."}])
    resp.choices[0].message.content                    # text with [n] markers
    resp.choices[0].message.model_extra["citations"]   # [{n, source, quote, start, end, title, date}, ...]

Routes: ``GET /v1/models``, ``GET /v1/models/{id}``, ``POST /v1/chat/completions`` (``stream`` true or false).
The last user message is the question, earlier user/assistant pairs are the conversation, and system messages
are ignored: what a client sends is a question, never instructions. A streamed answer is sent once it is
verified (so no unsupported sentence from an LLM ever reaches the client), in word pieces, the citations on
the last chunk before ``data: [DONE]``. Errors have OpenAI's shape, ``{"error": {"message", "type", "param",
"code"}}``, short messages, no paths, no tracebacks.

Standard library only (``http.server``): one :class:`Assistant` opened at start, a thread per connection, at
most ``CONCURRENCY`` questions answered at once. Loopback by default; any other address needs RAG_SERVE_TOKEN,
and when a token is set every request must carry it as ``Authorization: Bearer <token>``.
"""

from __future__ import annotations

import contextlib
import hmac
import json
import re
import signal
import socket
import socketserver
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import FrameType
from typing import Any
from urllib.parse import unquote, urlsplit

from rag.assistant import Assistant
from rag.errors import RagError
from rag.records import Answer
from rag.settings import Settings, is_loopback

MAX_BODY = 1024 * 1024  # bytes; larger request bodies get 413
MAX_HISTORY = 8  # earlier (question, answer) turns kept
MAX_ANSWER_CHARS = 4000  # an earlier answer is cut to this much before it is used as history
MAX_MESSAGE_CHARS = 300  # error messages are cut to this
CONCURRENCY = 4  # questions answered at once; more wait their turn
READ_TIMEOUT = 30.0
LINGER_BYTES = 16 * MAX_BODY  # at most this much of a refused body is read and dropped...
LINGER_SECONDS = 3.0  # ...within this time  # seconds a client may take to send its request
OWNER = "rag"
TOO_LARGE = f"The request body is over {MAX_BODY // 1024} KB."
ROLES = {"system", "developer", "user", "assistant", "tool", "function"}


class ApiError(Exception):
    """An error response: HTTP status and OpenAI's error fields."""

    def __init__(
        self,
        status: int,
        message: str,
        type_: str = "invalid_request_error",
        code: str | None = None,
        param: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.type = type_
        self.code = code
        self.param = param
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        return {"error": {"message": short(self.message), "type": self.type, "param": self.param, "code": self.code}}


_PATH = re.compile(r"(?<![\w.:/])(?:[A-Za-z]:\\|/)(?:[^\s/\\'\"]+[/\\])+[^\s'\"]*")


def short(message: str) -> str:
    """A message fit to send: one line, at most MAX_MESSAGE_CHARS characters."""
    text = " ".join(str(message).split())
    return text if len(text) <= MAX_MESSAGE_CHARS else text[: MAX_MESSAGE_CHARS - 1] + "…"


def scrubbed(error: Exception) -> str:
    """An exception's message without the absolute paths it may name."""
    return _PATH.sub("<path>", str(error))


def token_of(settings: Settings, host: str) -> str | None:
    """The bearer token requests must carry (None: no token), or RagError for a non-loopback host without one."""
    token = settings.serve_token.get_secret_value() if settings.serve_token else ""
    if not token and not is_loopback(host):
        raise RagError(f"--host {host} would serve the API beyond this machine without a token: set RAG_SERVE_TOKEN.")
    return token or None


def models(settings: Settings) -> dict[str, str]:
    """Model id -> backend: rag-extractive always, rag-openai when RAG_BACKEND=openai."""
    ids = {"rag-extractive": "extractive"}
    if settings.backend == "openai":
        ids["rag-openai"] = "openai"
    return ids


def _text(content: Any, i: int) -> str:
    """A message's text: a string, or the text parts of a list of content parts (images and the rest ignored)."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = []
        for part in content:
            if not isinstance(part, dict):
                raise ApiError(400, f"messages[{i}].content parts must be objects.", param=f"messages[{i}].content")
            if part.get("type") in ("text", "input_text") and isinstance(part.get("text"), str):
                parts.append(part["text"])
        return "\n".join(parts)
    raise ApiError(400, f"messages[{i}].content must be a string or a list of parts.", param=f"messages[{i}].content")


def conversation(messages: Any, max_question_chars: int) -> tuple[str, list[tuple[str, str]]]:
    """(question, history) from OpenAI chat messages: the last user message, and the user/assistant pairs before it.

    System, developer and tool messages are ignored; a user message with no answer after it is dropped from the
    history. Earlier turns are cut to sizes that bound the work they cause.
    """
    if not isinstance(messages, list) or not messages:
        raise ApiError(400, "'messages' must be a non-empty list.", param="messages")
    turns: list[tuple[str, str]] = []
    for i, message in enumerate(messages):
        if not isinstance(message, dict):
            raise ApiError(400, f"messages[{i}] must be an object.", param=f"messages[{i}]")
        role = message.get("role")
        if not isinstance(role, str) or role not in ROLES:
            raise ApiError(400, f"messages[{i}].role must be one of: user, assistant, system.", param=f"messages[{i}]")
        if role in ("user", "assistant"):
            turns.append((role, _text(message.get("content"), i)))
    users = [i for i, (role, _) in enumerate(turns) if role == "user"]
    if not users:
        raise ApiError(400, "No user message: the last user message is the question.", param="messages")
    last = users[-1]
    history: list[tuple[str, str]] = []
    pending: str | None = None
    for role, text in turns[:last]:
        if role == "user":
            pending = text.strip()
        elif pending:
            history.append((pending[:max_question_chars], text.strip()[:MAX_ANSWER_CHARS]))
            pending = None
    return turns[last][1], history[-MAX_HISTORY:]


def citations(answer: Answer) -> list[dict[str, Any]]:
    """The verified citations as JSON: quote == the source's text[start:end]."""
    return [
        {
            "n": c.n,
            "source": c.source,
            "quote": c.quote,
            "start": c.start,
            "end": c.end,
            "title": c.title,
            "date": c.date,
        }
        for c in answer.citations
    ]


def pieces(text: str) -> Iterator[str]:
    """The answer in word pieces that concatenate to ``text``."""
    parts = text.split(" ")
    for i, part in enumerate(parts):
        yield part if i == len(parts) - 1 else part + " "


class Api:
    """The routes, independent of the HTTP plumbing."""

    def __init__(self, assistant: Assistant, token: str | None) -> None:
        self.assistant = assistant
        self.settings = assistant.settings
        self.token = token
        self.models = models(self.settings)
        self.default_model = f"rag-{self.settings.backend}"
        self.created = int(time.time())
        self._slots = threading.BoundedSemaphore(CONCURRENCY)

    def authorized(self, header: str | None) -> bool:
        if self.token is None:
            return True
        scheme, _, given = (header or "").strip().partition(" ")
        if scheme.lower() != "bearer":
            return False
        return hmac.compare_digest(given.strip().encode("utf-8", "surrogateescape"), self.token.encode("utf-8"))

    def card(self, model: str) -> dict[str, Any]:
        return {"id": model, "object": "model", "created": self.created, "owned_by": OWNER}

    def list_models(self) -> dict[str, Any]:
        return {"object": "list", "data": [self.card(m) for m in self.models]}

    def model(self, model: str) -> dict[str, Any]:
        if model not in self.models:
            raise ApiError(
                404, f"No model '{model[:80]}'; use one of: {', '.join(self.models)}.", code="model_not_found"
            )
        return self.card(model)

    def answer(self, body: dict[str, Any]) -> tuple[str, Answer, int]:
        """(model, verified answer, prompt tokens) for a chat completion request; ApiError when it cannot be."""
        model = body.get("model", self.default_model)
        if not isinstance(model, str):
            raise ApiError(400, "'model' must be a string.", param="model")
        if model not in self.models:
            raise ApiError(
                404, f"No model '{model[:80]}'; use one of: {', '.join(self.models)}.", code="model_not_found"
            )
        if not isinstance(body.get("stream", False), bool):
            raise ApiError(400, "'stream' must be true or false.", param="stream")
        question, history = conversation(body.get("messages"), self.settings.max_question_chars)
        try:
            question = self.assistant._check(question)
        except RagError as e:
            raise ApiError(400, scrubbed(e), param="messages") from None
        backend = self.models[model]
        with self._slots:
            try:
                answer = self.assistant.ask(question, backend=backend, history=history or None)
            except RagError as e:  # the index or the LLM endpoint failed: not the client's fault
                status, kind = (502, "upstream_error") if backend == "openai" else (503, "server_error")
                raise ApiError(status, scrubbed(e), type_="server_error", code=kind) from None
        from rag.text.tokens import count

        prompt = count(question) + sum(count(q) + count(a) for q, a in history)
        return model, answer, prompt

    def usage(self, prompt: int, answer: Answer) -> dict[str, int]:
        from rag.text.tokens import count

        completion = count(answer.text)
        return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}

    def completion(self, model: str, answer: Answer, prompt: int) -> dict[str, Any]:
        """The ``chat.completion`` object, citations on the message."""
        message = {"role": "assistant", "content": answer.text, "refusal": None, "citations": citations(answer)}
        return {
            "id": f"chatcmpl-{uuid.uuid4().hex}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": model,
            "choices": [{"index": 0, "message": message, "finish_reason": "stop", "logprobs": None}],
            "usage": self.usage(prompt, answer),
        }

    def chunks(self, model: str, answer: Answer, prompt: int) -> Iterator[dict[str, Any]]:
        """The ``chat.completion.chunk`` objects: the role, the text in pieces, then the citations and usage."""
        head = {"id": f"chatcmpl-{uuid.uuid4().hex}", "object": "chat.completion.chunk", "created": int(time.time())}
        head["model"] = model

        def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
            return {**head, "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}]}

        yield chunk({"role": "assistant", "content": ""})
        for piece in pieces(answer.text):
            yield chunk({"content": piece})
        cited = citations(answer)
        yield {**chunk({"citations": cited}, "stop"), "citations": cited, "usage": self.usage(prompt, answer)}


ROUTES = {"/v1/models": "GET", "/v1/chat/completions": "POST"}


class Handler(BaseHTTPRequestHandler):
    """HTTP/1.1 with keep-alive; every response JSON, or SSE for a streamed completion."""

    protocol_version = "HTTP/1.1"
    timeout = READ_TIMEOUT
    server: Server
    _unread = 0  # bytes of request body not read: the connection is closed after the response

    def log_message(self, format: str, *args: Any) -> None:
        line = format % args
        line = "".join(ch if ch.isprintable() else f"\\x{ord(ch) & 0xFF:02x}" for ch in line)
        sys.stderr.write(f"{self.client_address[0]} {line[:300]}\n")

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def do_PUT(self) -> None:
        self._handle()

    def do_PATCH(self) -> None:
        self._handle()

    def do_DELETE(self) -> None:
        self._handle()

    def do_OPTIONS(self) -> None:
        self._handle()

    def do_HEAD(self) -> None:
        self._handle()

    def version_string(self) -> str:
        return "rag"

    def handle_expect_100(self) -> bool:
        """``Expect: 100-continue`` with a body over the cap gets 413 at once, not an invitation to send it."""
        raw = (self.headers.get("Content-Length") or "").strip()
        if raw.isdigit() and int(raw) > MAX_BODY:
            self._unread = int(raw)
            self._json(413, ApiError(413, TOO_LARGE, code="request_too_large").body())
            return False
        return super().handle_expect_100()

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Errors the standard library raises itself (a malformed request line, headers too long...) in JSON."""
        self.close_connection = True
        reason = self.responses.get(code, ("Error",))[0]
        self._json(code, ApiError(code, f"{reason}.", code=reason.lower().replace(" ", "_")).body())

    def _handle(self) -> None:
        self._unread = 0
        try:
            self._route()
        except ApiError as e:
            self._json(e.status, e.body(), e.headers)
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            self.close_connection = True
        except Exception as e:  # noqa: BLE001 - the client gets a short 500; the log gets the type
            sys.stderr.write(f"error: unexpected {type(e).__name__} answering {self.command} (please report this)\n")
            self._json(500, ApiError(500, "Internal error.", "server_error", "internal_error").body())

    def _length(self) -> int:
        if self.headers.get("Transfer-Encoding"):
            self.close_connection = True
            raise ApiError(411, "Send the body with a Content-Length, not chunked.", code="length_required")
        raw = self.headers.get("Content-Length")
        if raw is None:
            return 0
        if not raw.strip().isdigit():
            self.close_connection = True
            raise ApiError(400, "Invalid Content-Length.", code="invalid_request")
        length = int(raw)
        self._unread = length
        if length > MAX_BODY:
            raise ApiError(413, TOO_LARGE, code="request_too_large")
        return length

    def _route(self) -> None:
        length = self._length()
        api = self.server.api
        assert api is not None, "serve() attaches the Api before it serves"
        if not api.authorized(self.headers.get("Authorization")):
            raise ApiError(
                401,
                "Missing or wrong API key: send Authorization: Bearer <RAG_SERVE_TOKEN>.",
                code="invalid_api_key",
                headers={"WWW-Authenticate": "Bearer"},
            )
        path = unquote(urlsplit(self.path).path).rstrip("/")
        if path.startswith("/v1/models/"):
            method, model = "GET", path.removeprefix("/v1/models/")
        elif path in ROUTES:
            method, model = ROUTES[path], ""
        else:
            raise ApiError(
                404, "Unknown route: the API serves GET /v1/models and POST /v1/chat/completions.", code="not_found"
            )
        if self.command != method:
            raise ApiError(405, f"Use {method} here.", code="method_not_allowed", headers={"Allow": method})
        if method == "GET":
            self._json(200, api.model(model) if model else api.list_models())
            return
        body = self._body(length)
        model, answer, prompt = api.answer(body)
        if body.get("stream"):
            self._sse(api.chunks(model, answer, prompt))
        else:
            self._json(200, api.completion(model, answer, prompt))

    def _body(self, length: int) -> dict[str, Any]:
        raw = self.rfile.read(length) if length else b""
        self._unread = 0 if len(raw) == length else length
        if len(raw) != length:
            raise ApiError(400, "The request body ended early.", code="invalid_request")
        try:
            body = json.loads(raw.decode("utf-8"))
        except (ValueError, RecursionError):
            raise ApiError(400, "The request body is not valid JSON (UTF-8).", code="invalid_json") from None
        if not isinstance(body, dict):
            raise ApiError(400, "The request body must be a JSON object.", code="invalid_json")
        return body

    def _json(self, status: int, obj: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(obj, ensure_ascii=False).encode("utf-8")
        if self._unread:
            self.close_connection = True  # the body was not read: the stream cannot carry another request
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if getattr(self, "command", None) != "HEAD":
            self.wfile.write(data)
        if self._unread:
            self._linger()

    def _linger(self) -> None:
        """Read and drop what the client still sends of a refused body (within bounds) before closing, so that it
        reads the error response rather than a connection reset."""
        deadline = time.monotonic() + LINGER_SECONDS
        left = LINGER_BYTES
        try:
            self.connection.shutdown(socket.SHUT_WR)
            while left > 0 and (wait := deadline - time.monotonic()) > 0:
                self.connection.settimeout(wait)
                data = self.connection.recv(min(65536, left))
                if not data:
                    break
                left -= len(data)
        except OSError:
            pass

    def _sse(self, chunks: Iterator[dict[str, Any]]) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("X-Accel-Buffering", "no")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for obj in chunks:
            self._chunk(b"data: " + json.dumps(obj, ensure_ascii=False).encode("utf-8") + b"\n\n")
        self._chunk(b"data: [DONE]\n\n")
        self.wfile.write(b"0\r\n\r\n")

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")


class Server(ThreadingHTTPServer):
    """A thread per connection; no reverse DNS lookup at bind (it can hang on a machine without a resolver)."""

    daemon_threads = True
    request_queue_size = 64
    api: Api | None = None

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A connection that failed outside a handler's own care: one line in the log, no traceback."""
        error = sys.exc_info()[1]
        sys.stderr.write(f"{client_address[0]} connection error: {type(error).__name__}\n")

    def server_bind(self) -> None:
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name, self.server_port = str(host), int(port)


class Server6(Server):
    address_family = socket.AF_INET6


def make_server(host: str, port: int) -> Server:
    """Bind ``host:port`` (IPv6 when the host is an IPv6 address); set ``.api`` before serving."""
    cls = Server6 if ":" in host else Server
    return cls((host.strip("[]"), port), Handler)


def _stop(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 8000) -> int:
    """Serve until Ctrl-C or SIGTERM. RagError (exit 2 from the CLI) for a non-loopback host without a token."""
    if not 0 <= port <= 65535:
        raise RagError(f"--port {port} is not a TCP port (0-65535).")
    token = token_of(settings, host)
    server = make_server(host, port)  # bind first: a port in use fails before the models load
    try:
        assistant = Assistant.open(settings=settings)
        assistant.warm_up()
        from rag.text.tokens import count

        count("warm up")
        api = Api(assistant, token)
        server.api = api
        bound = server.server_address[1]
        shown = f"[{host.strip('[]')}]" if ":" in host else host
        print(
            f"serving an OpenAI-compatible API on http://{shown}:{bound}/v1 (models: {', '.join(api.models)}"
            f"{'; bearer token required' if token else ''}); Ctrl-C stops",
            file=sys.stderr,
            flush=True,
        )
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, _stop)
        with contextlib.suppress(KeyboardInterrupt):
            server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
    return 0
