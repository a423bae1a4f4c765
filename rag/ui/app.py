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
import logging
from typing import TYPE_CHECKING, Any

import gradio as gr
from starlette.middleware import Middleware

from rag.settings import Settings
from rag.ui import render as render

if TYPE_CHECKING:
    pass
from rag.ui.access import Guard, Login, LoginThrottle, blocked_paths, check_exposure, parse_auth
from rag.ui.layout import build, theme
from rag.ui.session import RagUI
from rag.ui.uploads import MB

QUEUE = {"default_concurrency_limit": 2, "max_size": 32, "api_open": False}


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
