"""Paths and small utilities shared by tests."""

from __future__ import annotations

import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"
SHARED = REPO.parent / "shared"
BAGHDAD = "When was the Baghdad coordination centre agreed?"
POPULATION = "What is the population of Baghdad?"


def copy_seeds(dest: Path) -> Path:
    """A private copy of the seed articles that a test may change."""
    shutil.copytree(SEEDS, dest)
    return dest
