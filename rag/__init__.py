"""Cited question answering over a folder of articles, offline by default."""

import os as _os

# onnxruntime's Linux wheel otherwise sends usage telemetry; this library makes no network calls of its own.
_os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")
_os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
_os.environ.setdefault("HF_HUB_OFFLINE", "1")

from rag.assistant import AnswerStream, Assistant
from rag.errors import RagError
from rag.records import Answer, Citation, IngestReport, Passage
from rag.search.retrieval import Filters
from rag.settings import Settings

__all__ = [
    "Answer",
    "AnswerStream",
    "Assistant",
    "Citation",
    "Filters",
    "IngestReport",
    "Passage",
    "RagError",
    "Settings",
]
