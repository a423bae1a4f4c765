"""Versions of a document: the one its title names, the ones a question asks about, and answers taken from the
right one (release notes of several versions, near-copies of a licence)."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag import Assistant, Settings
from rag.text.versions import asked_versions, name_words, title_versions


@pytest.mark.parametrize(
    ("title", "versions"),
    [
        ("GNU GENERAL PUBLIC LICENSE, Version 3, 29 June 2007", {"3"}),
        ("Mozilla Public License Version 2.0", {"2"}),
        ("What's New In Python 3.10 › Improved Modules", {"3.10"}),
        ("Chapter 4 A Detailed History › 4.3 The 4.x Releases", set()),  # numbered parts name no version
        ("Section 4.2 Limits", set()),
    ],
)
def test_the_version_a_title_names(title: str, versions: set[str]) -> None:
    assert title_versions(title) == versions


@pytest.mark.parametrize(
    ("question", "versions"),
    [
        ("If I stop violating GPLv3, when is my licence restored?", {"3"}),
        ("When does a grant take effect under MPL 1.1, compared with MPL 2.0?", {"1.1", "2"}),
        ("Under GPL version 2, what happens to the copies I gave?", {"2"}),
        ("If I distribute more than 100 copies, what must I do?", set()),  # a count, not a version
        ("What does Section 4 require?", set()),
        ("It first appeared in Python 3.1. In which later version was it rewritten?", set()),  # asks which
    ],
)
def test_the_versions_a_question_asks_about(question: str, versions: set[str]) -> None:
    assert asked_versions(question) == versions


def test_the_written_out_name_a_version_belongs_to() -> None:
    assert name_words("How long does the Apache License 2.0 give me?", "License", "2.0") == ["Apache", "License"]
    assert name_words("Under GPL version 2, what happens?", "version", "2") == []  # an acronym: any spelling


_NOTES = {
    "whatsnew-2.0.md": """# What's New In Quokka 2.0

This page explains the new features in Quokka 2.0, compared with Quokka 1.9.

## New modules

### nest

The new nest module keeps track of the burrows that an application opens, and closes them when the application
exits. It is a provisional API in this release.

## Improved functions

### hop()

The hop() function is new in this release. It moves a quokka by a given number of steps along a path.

## Porting to Quokka 2.0

Code that called jump() should call hop() instead, as jump() was removed.
""",
    "whatsnew-2.1.md": """# What's New In Quokka 2.1

This page explains the new features in Quokka 2.1, compared with Quokka 2.0.

## New modules

### burrow

The new burrow module digs, lists and fills the burrows of a colony, and reports how deep each one goes.

## Improved modules

### nest

The nest module was added to the standard library in Quokka 2.0 as a provisional API. It is now stable.

## Optimizations

The hop() function is now written in C, which makes it three to five times faster on long paths.
""",
}


def test_release_notes_answer_which_version_from_their_title(tmp_path: Path) -> None:
    """A release-notes page is about the release its title names: it answers "which version added X" with it,
    it answers "in which later version" although the question names an earlier one, and a sentence that names
    another release than the asked one doesn't answer for the asked one."""
    docs = tmp_path / "docs"
    docs.mkdir()
    for name, text in _NOTES.items():
        (docs / name).write_text(text, encoding="utf-8")
    quokka = Assistant.build(docs, tmp_path / "index", Settings())

    added = quokka.ask("Which Quokka version added the burrow module?")
    assert added.text.startswith("Quokka 2.1: The new burrow module"), added.text
    assert added.citations[0].source == "whatsnew-2.1.md"

    later = quokka.ask("The hop() function first appeared in Quokka 2.0. In which later version was it made faster?")
    assert not later.refused, later.text
    assert "written in C" in later.citations[0].quote and later.citations[0].source == "whatsnew-2.1.md"

    porting = quokka.ask("In Quokka 2.0, what should I call instead of jump()?")
    assert {c.source for c in porting.citations} == {"whatsnew-2.0.md"}, porting.citations

    new = quokka.ask("Which new modules were added in Quokka 2.1?")
    assert not any("in Quokka 2.0" in c.quote for c in new.citations), new.text  # nest was added in 2.0
    assert quokka.ask("Which new modules were added in Quokka 2.3?").refused
    for answer in (added, later, porting, new):
        for c in answer.citations:
            assert quokka.source_text(c.source)[c.start : c.end] == c.quote
