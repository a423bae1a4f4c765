"""Cited question answering over a folder of articles, offline by default."""

from .assistant import AnswerStream, Assistant
from .errors import RagError
from .records import Answer, Citation, IngestReport, Passage
from .retrieval import Filters
from .settings import Settings

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
