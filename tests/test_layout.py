"""The package layout: one folder per pipeline stage, imports running one way, no oversized module."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

RAG = Path(__file__).resolve().parent.parent / "rag"
# Lower layers never import higher ones. Front doors (assistant, cli, serve, llama_index, ui) sit on top.
LAYERS = {
    "rag.errors": 0, "rag.records": 0, "rag.settings": 0, "rag.files": 0, "rag.llm": 0,
    "rag.text": 1, "rag.index": 2, "rag.ingest": 3, "rag.search": 4, "rag.answer": 5,
}
FRONT = 6
MAX_LINES = 650


def module_name(path: Path) -> str:
    parts = path.relative_to(RAG.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer(name: str) -> int:
    for prefix, n in LAYERS.items():
        if name == prefix or name.startswith(prefix + "."):
            return n
    return FRONT


def imports(path: Path) -> set[str]:
    """Every rag module ``path`` imports, at the top or inside functions."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0 and node.module.startswith("rag"):
            out.add(node.module)
            out.update(f"{node.module}.{a.name}" for a in node.names)  # "from rag.text import dates"
        elif isinstance(node, ast.ImportFrom) and node.level:
            raise AssertionError(f"{path}: relative import; the package uses absolute imports")
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.startswith("rag"))
    return out


MODULES = sorted(p for p in RAG.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(RAG)))
def test_imports_run_one_way(path: Path) -> None:
    me = module_name(path)
    if layer(me) == FRONT:
        return
    upward = sorted(m for m in imports(path) if layer(m) > layer(me))
    assert not upward, f"{me} (layer {layer(me)}) imports from a higher layer: {upward}"


def test_stage_folders_exist_and_modules_stay_small() -> None:
    for stage in ("text", "index", "ingest", "search", "answer", "ui"):
        assert (RAG / stage / "__init__.py").is_file()
    assert not [p.name for p in RAG.glob("*.py")
                if p.stem not in {"__init__", "__main__", "assistant", "cli", "serve", "llama_index", "errors",
                                  "records", "settings", "files", "llm"}]
    big = {str(p.relative_to(RAG)): n for p in MODULES if (n := len(p.read_text().splitlines())) > MAX_LINES}
    assert not big, f"modules over {MAX_LINES} lines: {big}"
