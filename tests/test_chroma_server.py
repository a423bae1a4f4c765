"""The same engine against a real ``chroma run`` server, selected by one setting."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag import Assistant, RagError, Settings

from .helpers import BAGHDAD, POPULATION, copy_seeds
from .servers import ChromaServer, free_port


def test_chroma_server_path(tmp_path: Path) -> None:
    docs = copy_seeds(tmp_path / "docs")
    with ChromaServer(tmp_path / "chroma-data") as server:
        settings = Settings(chroma_url=server.url)
        assistant = Assistant.build(docs, tmp_path / "index", settings)
        assert not (tmp_path / "index" / "chroma").exists()  # vectors live on the server
        assert assistant.store.collection.count() == assistant.store.count() > 0
        answer = assistant.ask(BAGHDAD)
        assert not answer.refused and "2015" in answer.text
        assert assistant.ask(POPULATION).refused
        report = Assistant.open(tmp_path / "index", settings).ingest(docs)
        assert report.embedded == 0 and report.unchanged == 5


def test_unreachable_chroma_server_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(RagError, match="Cannot reach the Chroma server"):
        Assistant.open(tmp_path / "index", Settings(chroma_url=f"http://127.0.0.1:{free_port()}"), create=True)
