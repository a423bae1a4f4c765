"""Messages for the page: errors and warnings with file paths taken out, and names shortened for display."""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING

import gradio as gr

from rag.errors import RagError
from rag.ui import render as render

if TYPE_CHECKING:
    pass


UNEXPECTED = "Something went wrong; the details are in the server log."
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
