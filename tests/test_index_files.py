"""The index's own files under damage: nothing executes on load, corruption is one line with its fix, lost vectors
are rebuilt from the records, a read-only index still answers, and a failed first ingest leaves nothing behind."""

from __future__ import annotations

import json
import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from rag import Assistant, RagError, Settings

from .helpers import BAGHDAD, REPO


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "rag", *args], capture_output=True, text=True, env=env, timeout=300, check=False
    )


def _copy_index(fresh: Assistant, dest: Path) -> Path:
    shutil.copytree(fresh.store.index_dir, dest)
    return dest


class _Payload:
    """Unpickling this creates a marker file: proof that a pickle was loaded."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, (f"touch {self.marker}",))


def test_no_index_file_is_unpickled(fresh: Assistant, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    index = fresh.store.index_dir
    for name in ("lexical.pkl", "words.npz", "manifest.pkl"):
        (index / name).write_bytes(pickle.dumps(_Payload(marker)))
    assistant = Assistant.open(index)
    assert not assistant.ask(BAGHDAD).refused
    assistant.ingest(fresh.store.docs_root or ".")
    assert not marker.exists()
    assert not any(p.suffix in {".pkl", ".pickle", ".joblib", ".pt"} for p in (REPO / "rag").rglob("*"))


def test_truncated_database_is_one_line_with_its_fix(fresh: Assistant, docs: Path, tmp_path: Path) -> None:
    index = _copy_index(fresh, tmp_path / "broken")
    db = index / "index.sqlite3"
    assert not (index / "index.sqlite3-wal").exists() or not (index / "index.sqlite3-wal").stat().st_size
    db.write_bytes(db.read_bytes()[:1000])
    for args in (("ask", BAGHDAD, "--index", str(index)), ("ingest", str(docs), "--index", str(index), "--quiet")):
        run = _cli(*args)
        assert run.returncode == 2
        assert "Traceback" not in run.stderr and len(run.stderr.strip().splitlines()) == 1
        assert "--rebuild" in run.stderr
    fixed = _cli("ingest", str(docs), "--index", str(index), "--rebuild", "--quiet")
    assert fixed.returncode == 0, fixed.stderr
    assert "5 added" in fixed.stdout
    assert not Assistant.open(index).ask(BAGHDAD).refused


def _hnsw(index: Path, search_ef: int | None = None) -> dict[str, dict[str, int]]:
    """Each collection's HNSW configuration, read (after setting ``ef_search`` to ``search_ef``) in a new process,
    as a later start would see it: Chroma reads a collection's configuration when it loads the index."""
    code = (
        "import json, sys, warnings; warnings.simplefilter('ignore'); import chromadb\n"
        "client = chromadb.PersistentClient(sys.argv[1])\n"
        "ef = int(sys.argv[2])\n"
        "for c in client.list_collections():\n"
        "    if ef: c.modify(configuration={'hnsw': {'ef_search': ef}})\n"
        "print(json.dumps({c.name: c.configuration['hnsw'] for c in client.list_collections()}))\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", code, str(index / "chroma"), str(search_ef or 0)],
        capture_output=True, text=True, timeout=120, check=True,
    )
    return json.loads(run.stdout)


def test_vector_index_is_built_broad_and_older_ones_are_widened(fresh: Assistant) -> None:
    """Chroma's default HNSW breadth (100) misses near chunks and differs between builds of one corpus."""
    index = fresh.store.index_dir
    wanted = Settings().search_ef
    built = _hnsw(index)
    assert {name: (c["ef_construction"], c["ef_search"]) for name, c in built.items()} == {
        "documents": (200, wanted),
        "documents-words": (200, wanted),
    }
    assert all(c["ef_search"] == 100 for c in _hnsw(index, 100).values())  # as an index built before
    opened = _cli("ask", BAGHDAD, "--index", str(index))  # a later start opens it ...
    assert opened.returncode == 0 and "[1]" in opened.stdout, opened.stderr
    assert all(c["ef_search"] == wanted for c in _hnsw(index).values())  # ... and widens its search


def test_lost_vectors_are_rebuilt_from_the_records(fresh: Assistant, docs: Path) -> None:
    index = fresh.store.index_dir
    shutil.rmtree(index / "chroma")
    assistant = Assistant.open(index)
    report = assistant.ingest(docs)
    assert report.unchanged == 5
    assert assistant.store.stored_ids() == assistant.store.expected_ids()
    answer = assistant.ask(BAGHDAD)
    assert not answer.refused and answer.citations[0].source == "004_11c8f2f87e1597f2.txt"


def test_legacy_index_is_refused_with_the_rebuild_command(tmp_path: Path) -> None:
    index = tmp_path / "old"
    index.mkdir()
    (index / "manifest.json").write_text('{"version": 1, "files": {}}', encoding="utf-8")
    with pytest.raises(RagError, match=r"older release.*--rebuild"):
        Assistant.open(index)
    run = _cli("ask", BAGHDAD, "--index", str(index))
    assert run.returncode == 2 and "--rebuild" in run.stderr and "Traceback" not in run.stderr


def test_missing_folder_leaves_no_index_skeleton(tmp_path: Path) -> None:
    index = tmp_path / "never"
    run = _cli("ingest", str(tmp_path / "no-such-folder"), "--index", str(index), "--quiet")
    assert run.returncode == 2 and "not found" in run.stderr
    assert not index.exists()
    with pytest.raises(RagError, match="not found"):
        Assistant.build(tmp_path / "no-such-folder", index, Settings())
    assert not index.exists()


@pytest.mark.skipif(not shutil.which("unshare") or os.geteuid() != 0, reason="needs root and unshare for a ro mount")
def test_read_only_index_still_answers(fresh: Assistant, docs: Path, tmp_path: Path) -> None:
    index = _copy_index(fresh, tmp_path / "ro")
    script = (
        f"mount --bind {index} {index} && mount -o remount,bind,ro {index} && "
        f"{sys.executable} -m rag ask '{BAGHDAD}' --index {index} --json; echo rc=$?; "
        f"{sys.executable} -m rag ingest {docs} --index {index} --quiet; echo rc=$?"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    run = subprocess.run(["unshare", "-m", "sh", "-c", script], capture_output=True, text=True, env=env, timeout=300)
    if "mount" in run.stderr and "rc=" not in run.stdout:
        pytest.skip(f"no read-only bind mount here: {run.stderr.strip()}")
    assert '"refused": false' in run.stdout and "2015" in run.stdout
    assert "rc=0" in run.stdout and "rc=2" in run.stdout
    assert "read-only" in run.stderr and "Traceback" not in run.stderr
