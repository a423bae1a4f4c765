"""Who may reach the page: loopback by default, a login when exposed, and a guard on every request path."""

from __future__ import annotations

import hmac
import logging
import math
import re
import threading
import time
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.requests import Request, cookie_parser
from starlette.responses import JSONResponse, PlainTextResponse

from rag.errors import RagError
from rag.settings import Settings, is_loopback
from rag.ui import render as render

if TYPE_CHECKING:
    pass


log = logging.getLogger(__name__)


REPO_ROOT = Path(__file__).resolve().parents[2]


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


def blocked_paths(settings: Settings) -> list[str]:
    """What Gradio must never serve: the index directory and the ``.env`` files settings may be read from."""
    paths = [Path(settings.index_dir).resolve(), Path(".env").resolve(), REPO_ROOT / ".env"]
    return list(dict.fromkeys(str(p) for p in paths))
