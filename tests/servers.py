"""Real local servers for tests: llama.cpp (OpenAI API), Chroma, and a fault injector.

Plain helpers, no pytest fixtures. Each class is a context manager that starts
its server on 127.0.0.1, waits until it answers, and stops it on exit::

    with LlamaServer(GGUF) as llm:
        client = openai.OpenAI(base_url=llm.base_url, api_key="x")
        client.chat.completions.create(model=llm.model, messages=[...])
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any, Self

REPO_ROOT = Path(__file__).resolve().parent.parent
TEST_GGUF = REPO_ROOT / ".cache" / "models" / "SmolLM2-135M-Instruct.Q4_1.gguf"

__all__ = [
    "TEST_GGUF",
    "ChromaServer",
    "FaultServer",
    "LlamaServer",
    "free_port",
]


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that was free a moment ago (racy by nature)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_until(
    check: Callable[[], object],
    timeout: float,
    what: str,
    alive: Callable[[], bool] | None = None,
) -> None:
    """Call ``check`` until it stops raising; give up after ``timeout`` s or once ``alive()`` is false."""
    deadline = time.monotonic() + timeout
    last: BaseException | None = None
    while time.monotonic() < deadline:
        if alive is not None and not alive():
            raise RuntimeError(f"{what} died while starting")
        try:
            check()
            return
        except Exception as exc:  # noqa: BLE001 - any failure means "not ready yet"
            last = exc
        time.sleep(0.1)
    raise TimeoutError(f"{what} not ready after {timeout:.0f}s (last error: {last!r})")


class _ServerBase:
    """Context-manager plumbing shared by the servers below."""

    def start(self) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


class LlamaServer(_ServerBase):
    """llama.cpp's HTTP server, run in-process by ``xllamacpp``, OpenAI-compatible.

    ``xllamacpp.Server(params)`` blocks until the model is loaded and the socket
    listens; it has no ``stop()``: the C++ destructor (run when the last Python
    reference goes) terminates the main loop and joins its thread. ``stop()``
    therefore drops our only reference.

    With ``embedding=True`` the same chat model also serves ``/v1/embeddings``
    (mean pooling; vectors are not normalised and carry little meaning).

    Example::

        with LlamaServer(TEST_GGUF) as llm:
            client = openai.OpenAI(base_url=llm.base_url, api_key="unused")
    """

    model = "local"

    def __init__(
        self,
        gguf: str | os.PathLike[str],
        *,
        port: int | None = None,
        n_ctx: int = 4096,
        n_threads: int = 2,
        embedding: bool = False,
        verbosity: int = 1,
        startup_timeout: float = 30.0,
    ) -> None:
        self.gguf = Path(gguf)
        self.port = port or 0
        self.n_ctx = n_ctx
        self.n_threads = n_threads
        self.embedding = embedding
        self.verbosity = verbosity  # llama.cpp log threshold: 1 = errors only
        self.startup_timeout = startup_timeout
        self.load_seconds = 0.0
        self._server: Any = None

    @property
    def base_url(self) -> str:
        """OpenAI base URL, e.g. ``http://127.0.0.1:N/v1``."""
        return f"http://127.0.0.1:{self.port}/v1"

    def _params(self, port: int) -> Any:
        import xllamacpp

        p = xllamacpp.CommonParams()
        p.model.path = str(self.gguf)
        p.model_alias = {self.model}  # must be a set; a str breaks /v1/models
        p.hostnames = ["127.0.0.1"]
        p.port = port
        p.n_ctx = self.n_ctx
        p.cpuparams.n_threads = self.n_threads
        p.cpuparams_batch.n_threads = self.n_threads
        p.verbosity = self.verbosity
        if self.embedding:
            p.embedding = True
            p.pooling_type = xllamacpp.llama_pooling_type.LLAMA_POOLING_TYPE_MEAN
            p.n_batch = p.n_ubatch = 2048  # an embedding input must fit one ubatch
        return p

    def start(self) -> None:
        import xllamacpp

        if not self.gguf.is_file():
            raise FileNotFoundError(f"GGUF model not found: {self.gguf}")
        fixed = bool(self.port)
        for attempt in range(1 if fixed else 3):
            port = self.port if fixed else free_port()
            t0 = time.monotonic()
            try:
                self._server = xllamacpp.Server(self._params(port))
            except RuntimeError as exc:
                # bind failed (port taken in the meantime) or bad params/model
                if fixed or attempt == 2:
                    msg = f"xllamacpp could not serve {self.gguf} on port {port} (llama.cpp errors are on stderr)"
                    raise RuntimeError(msg) from exc
                continue
            self.load_seconds = time.monotonic() - t0
            self.port = port
            break
        try:
            _wait_until(
                lambda: urllib.request.urlopen(f"{self.base_url}/models", timeout=2).read(),
                self.startup_timeout,
                f"llama server at {self.base_url}",
            )
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Stop the server: dropping the last reference runs ``~Server()`` (terminate + join)."""
        self._server = None


class ChromaServer(_ServerBase):
    """A real ``chroma run`` subprocess on 127.0.0.1, with telemetry off.

    ``path=None`` uses a temporary directory that is removed on exit. Server
    output goes to ``log_path``, quoted in the error if it fails to start and
    deleted by ``stop()`` otherwise.

    Example::

        with ChromaServer() as srv:
            client = chromadb.HttpClient(host="127.0.0.1", port=srv.port)
    """

    def __init__(
        self,
        path: str | os.PathLike[str] | None = None,
        *,
        port: int | None = None,
        startup_timeout: float = 60.0,
    ) -> None:
        self._own_dir: str | None = None
        if path is None:
            self._own_dir = tempfile.mkdtemp(prefix="chroma-test-")
            path = self._own_dir
        self.path = Path(path)
        self._fixed_port = port is not None
        self.port = port or free_port()
        self.startup_timeout = startup_timeout
        fd, log_name = tempfile.mkstemp(prefix="chroma-server-", suffix=".log")
        os.close(fd)
        self.log_path = Path(log_name)
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """Base URL, e.g. ``http://127.0.0.1:N``."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        import chromadb
        from chromadb.config import Settings

        exe = Path(sys.executable).with_name("chroma")
        env = {**os.environ, "ANONYMIZED_TELEMETRY": "False", "NO_COLOR": "1"}
        settings = Settings(anonymized_telemetry=False)

        def ready() -> None:
            # chromadb's HttpClient has no timeout (httpx timeout=None), so probe
            # with one first: a port squatter that never answers would hang it.
            urllib.request.urlopen(f"{self.url}/api/v2/heartbeat", timeout=2).read()
            client = chromadb.HttpClient(host="127.0.0.1", port=self.port, settings=settings)
            client.heartbeat()

        attempts = 1 if self._fixed_port else 3
        for attempt in range(attempts):
            host_port = ["--host", "127.0.0.1", "--port", str(self.port)]
            cmd = [str(exe), "run", "--path", str(self.path), *host_port]
            with open(self.log_path, "wb") as log:
                proc = subprocess.Popen(
                    cmd,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    env=env,
                )
            self._proc = proc

            def alive(proc: subprocess.Popen[bytes] = proc) -> bool:
                return proc.poll() is None

            try:
                _wait_until(ready, self.startup_timeout, f"chroma server at {self.url}", alive)
                return
            except Exception as exc:
                died = proc.poll() is not None
                self._terminate()
                if died and attempt + 1 < attempts:  # most likely a port race
                    self.port = free_port()
                    continue
                tail = self.log_path.read_text(errors="replace")[-2000:]
                self.stop(keep_log=True)
                raise RuntimeError(f"{exc}\n--- chroma log ({self.log_path}) ---\n{tail}") from exc
            except BaseException:
                self.stop()
                raise

    def _terminate(self) -> None:
        """SIGTERM the process and wait (SIGKILL after 10 s)."""
        if self._proc is not None:
            if self._proc.poll() is None:
                self._proc.terminate()
                try:
                    self._proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self._proc.kill()
                    self._proc.wait()
            self._proc = None

    def stop(self, keep_log: bool = False) -> None:
        """SIGTERM the server and wait (SIGKILL after 10 s); remove temp files."""
        self._terminate()
        if self._own_dir is not None:
            shutil.rmtree(self._own_dir, ignore_errors=True)
            self._own_dir = None
        if not keep_log:
            self.log_path.unlink(missing_ok=True)


FAULT_MODES = ("ok", "429", "500", "timeout", "cut_stream", "garbage")


class FaultServer(_ServerBase):
    """A fake OpenAI-compatible API on 127.0.0.1 that misbehaves on purpose.

    Routes: ``POST /v1/chat/completions``, ``POST /v1/embeddings``, ``GET /v1/models``.
    Modes (``.mode``, changeable at any time):

    - ``"ok"``: valid canned answers (streaming too; embeddings are hash-based).
    - ``"429"``: rate-limit error JSON with ``Retry-After: 0`` (plus
      ``retry-after-ms`` when ``retry_after_ms`` is set: the openai client
      ignores a zero Retry-After and backs off ~0.5-1 s, but honours this one).
    - ``"500"``: server error JSON.
    - ``"timeout"``: sleeps ``delay`` seconds before answering (ends early on stop).
    - ``"cut_stream"``: one valid SSE ``chat.completion.chunk``, then the
      connection is dropped mid chunked-body.
    - ``"garbage"``: 200 with ``Content-Type: application/json`` and a non-JSON body.

    ``queue`` holds modes used (and removed) one per request before ``mode``
    applies, e.g. ``queue=["429", "429"]`` then ``mode="ok"`` to test retries.
    ``hits`` counts requests received; ``paths`` records their paths.

    Example::

        with FaultServer("429") as fs:
            client = openai.OpenAI(base_url=fs.base_url, api_key="x", max_retries=0)
    """

    def __init__(
        self,
        mode: str = "ok",
        *,
        delay: float = 5.0,
        queue: list[str] | None = None,
        reply: str = "Hello from FaultServer.",
        embedding_dim: int = 8,
        retry_after_ms: int | None = 1,
    ) -> None:
        self.mode = mode
        self.delay = delay
        self.queue: list[str] = list(queue or [])
        self.reply = reply
        self.embedding_dim = embedding_dim
        self.retry_after_ms = retry_after_ms
        self.hits = 0
        self.paths: list[str] = []
        self.port = 0
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        """OpenAI base URL, e.g. ``http://127.0.0.1:N/v1``."""
        return f"http://127.0.0.1:{self.port}/v1"

    def _next_mode(self, path: str) -> str:
        with self._lock:
            self.hits += 1
            self.paths.append(path)
            mode = self.queue.pop(0) if self.queue else self.mode
        if mode not in FAULT_MODES:
            raise ValueError(f"unknown FaultServer mode {mode!r}; choose from {FAULT_MODES}")
        return mode

    def start(self) -> None:
        handler = type("_Handler", (_FaultHandler,), {"fault": self})
        self._stopping.clear()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._httpd.daemon_threads = True
        self.port = int(self._httpd.server_address[1])
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Wake sleeping handlers, stop accepting, close the socket."""
        self._stopping.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None


class _FaultHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive + chunked, like real APIs
    fault: FaultServer

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep test output quiet

    def do_GET(self) -> None:
        self._handle(None)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            body = {}
        self._handle(body if isinstance(body, dict) else {})

    def _handle(self, body: dict[str, Any] | None) -> None:
        path = self.path.split("?", 1)[0].rstrip("/")
        routes = {
            ("GET", "/v1/models"),
            ("POST", "/v1/chat/completions"),
            ("POST", "/v1/embeddings"),
        }
        if (self.command, path) not in routes:
            self._json(404, _error("Not found: " + path, "invalid_request_error", "not_found"))
            return
        mode = self.fault._next_mode(path)
        try:
            self._respond(mode, path, body or {})
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # client went away (e.g. after its timeout)

    def _respond(self, mode: str, path: str, body: dict[str, Any]) -> None:
        if mode == "429":
            err = _error("Rate limit reached (FaultServer).", "requests", "rate_limit_exceeded")
            headers = {"Retry-After": "0"}
            if self.fault.retry_after_ms is not None:
                headers["retry-after-ms"] = str(self.fault.retry_after_ms)
            self._json(429, err, headers)
        elif mode == "500":
            self._json(500, _error("Internal error (FaultServer).", "server_error", None))
        elif mode == "garbage":
            self._send(200, b"<html>this is not JSON {", "application/json")
        elif mode == "timeout":
            if self.fault._stopping.wait(self.fault.delay):
                self.close_connection = True
                return
            self._ok(path, body)
        elif mode == "cut_stream":
            self._cut_stream(body)
        else:
            self._ok(path, body)

    def _ok(self, path: str, body: dict[str, Any]) -> None:
        model = str(body.get("model") or "fault")
        if path == "/v1/models":
            self._json(200, {"object": "list", "data": [_model_card("fault")]})
        elif path == "/v1/embeddings":
            inputs = body.get("input", "")
            texts = [inputs] if isinstance(inputs, str) else list(inputs)
            data = [
                {
                    "object": "embedding",
                    "index": i,
                    "embedding": _fake_vector(str(t), self.fault.embedding_dim),
                }
                for i, t in enumerate(texts)
            ]
            usage = {"prompt_tokens": len(texts), "total_tokens": len(texts)}
            self._json(200, {"object": "list", "data": data, "model": model, "usage": usage})
        elif body.get("stream"):
            self._start_sse()
            for word in self.fault.reply.split(" "):
                self._chunk(_sse(_chunk_obj(model, {"content": word + " "})))
            self._chunk(_sse(_chunk_obj(model, {}, "stop")))
            self._chunk(b"data: [DONE]\n\n")
            self._chunk(b"")
        else:
            self._json(200, _completion(model, self.fault.reply))

    def _cut_stream(self, body: dict[str, Any]) -> None:
        self._start_sse()
        model = str(body.get("model") or "fault")
        self._chunk(_sse(_chunk_obj(model, {"role": "assistant", "content": "Partial"})))
        # Promise a 64-byte chunk, send fewer bytes, then drop the connection.
        self.wfile.write(b'40\r\ndata: {"trunc')
        self.wfile.flush()
        self.close_connection = True
        self.connection.shutdown(socket.SHUT_RDWR)

    def _start_sse(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def _json(self, status: int, obj: object, headers: dict[str, str] | None = None) -> None:
        self._send(status, json.dumps(obj).encode(), "application/json", headers)

    def _send(
        self,
        status: int,
        data: bytes,
        ctype: str,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)
        self.wfile.flush()


def _error(message: str, type_: str, code: str | None) -> dict[str, Any]:
    return {"error": {"message": message, "type": type_, "param": None, "code": code}}


def _model_card(name: str) -> dict[str, Any]:
    return {"id": name, "object": "model", "created": 0, "owned_by": "tests"}


def _completion(model: str, text: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-fault",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


def _chunk_obj(model: str, delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
    return {
        "id": "chatcmpl-fault",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }


def _sse(obj: object) -> bytes:
    return b"data: " + json.dumps(obj).encode() + b"\n\n"


def _fake_vector(text: str, dim: int) -> list[float]:
    """Deterministic unit vector derived from ``text`` (no meaning, stable across runs)."""
    digest = hashlib.sha256(text.encode()).digest()
    raw = [digest[i % len(digest)] / 255.0 - 0.5 for i in range(dim)]
    norm = sum(x * x for x in raw) ** 0.5 or 1.0
    return [x / norm for x in raw]
