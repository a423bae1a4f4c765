"""Shared fixtures: real files, the real ONNX embedder, real Chroma in tmp dirs."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
for _var in ("RAG_BACKEND", "RAG_CHROMA_URL", "RAG_EMBEDDER", "RAG_INDEX_DIR", "RAG_DOCS_DIR", "OPENAI_BASE_URL"):
    os.environ.pop(_var, None)

from rag import Assistant, Settings  # noqa: E402

from .helpers import copy_seeds  # noqa: E402


@pytest.fixture(scope="session")
def seed_assistant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    """One index over an untouched copy of the seeds, shared by read-only tests."""
    root = tmp_path_factory.mktemp("seed-index")
    docs = copy_seeds(root / "docs")
    yield Assistant.build(docs, root / "index", Settings())


@pytest.fixture()
def docs(tmp_path: Path) -> Path:
    """A fresh copy of the seeds for a test that edits them."""
    return copy_seeds(tmp_path / "docs")


@pytest.fixture()
def fresh(tmp_path: Path, docs: Path) -> Assistant:
    """A fresh index over ``docs``."""
    return Assistant.build(docs, tmp_path / "index", Settings())
