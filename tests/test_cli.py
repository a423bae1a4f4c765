"""The CLI contract, run as real subprocesses: ``python ingest.py`` and ``python -m rag ask``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .helpers import BAGHDAD, POPULATION, REPO, copy_seeds


def run(*args: str, stdin: str | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        cwd=REPO,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **(env or {})},
    )


@pytest.fixture(scope="module")
def cli_index(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("cli")
    docs = copy_seeds(root / "docs")
    out = run("ingest.py", str(docs), "--index", str(root / "index"))
    assert out.returncode == 0, out.stderr
    assert "5 added, 0 updated, 0 removed, 0 unchanged" in out.stdout
    return docs, root / "index"


def test_ask_json_contract(cli_index: tuple[Path, Path]) -> None:
    docs, index = cli_index
    out = run("-m", "rag", "ask", BAGHDAD, "--index", str(index), "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["question"] == BAGHDAD and data["refused"] is False and "2015" in data["answer"]
    for c in data["citations"]:
        assert set(c) == {"n", "source", "quote", "start", "end"}
        assert (docs / c["source"]).read_text(encoding="utf-8")[c["start"] : c["end"]] == c["quote"]
    assert isinstance(data["timings_ms"], dict)


def test_ask_batch_from_stdin(cli_index: tuple[Path, Path]) -> None:
    _, index = cli_index
    out = run("-m", "rag", "ask", "--index", str(index), "--json", stdin=f"{BAGHDAD}\n\n{POPULATION}\n")
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    assert [d["question"] for d in lines] == [BAGHDAD, POPULATION]
    assert [d["refused"] for d in lines] == [False, True]


def test_readable_output_lists_sources(cli_index: tuple[Path, Path]) -> None:
    _, index = cli_index
    out = run("-m", "rag", "ask", BAGHDAD, "--index", str(index))
    assert out.returncode == 0
    assert "[1]" in out.stdout and ".txt" in out.stdout


def test_reingest_summary_says_nothing_embedded(cli_index: tuple[Path, Path]) -> None:
    docs, index = cli_index
    out = run("ingest.py", str(docs), "--index", str(index))
    assert "0 added, 0 updated, 0 removed, 5 unchanged" in out.stdout and "0 embedded" in out.stdout


def test_errors_are_one_line(cli_index: tuple[Path, Path], tmp_path: Path) -> None:
    _, index = cli_index
    out = run("-m", "rag", "ask", "", "--index", str(index))
    assert out.returncode != 0 and "empty" in out.stderr and "Traceback" not in out.stderr
    out = run("-m", "rag", "ask", "x", "--index", str(tmp_path / "none"))
    assert out.returncode == 2 and "No index" in out.stderr and "Traceback" not in out.stderr
    out = run("ingest.py", str(tmp_path / "missing"), "--index", str(index))
    assert out.returncode == 2 and "not found" in out.stderr
    big = run("-m", "rag", "ask", "--index", str(index), "--json", stdin="why " * 25_000 + "\n")
    assert "too long" in json.loads(big.stdout)["error"]
