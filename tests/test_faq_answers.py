"""The offline answerer on a made-up FAQ for a made-up tool ("glaze"): a step skipped between two chosen sentences,
an exit status asked as a number, an example the asker gives, a package name's ending, and an option whose name
the tagger may take for a number. Real parts: the ONNX embedder, spaCy, a persistent Chroma in a tmp dir."""

from __future__ import annotations

import pytest

from rag import Assistant, Settings

FAQ = """# The Glaze FAQ

## How do I turn a kiln profile into a package?

Users who wish to ship their own kiln profile are encouraged to use the package target of the glaze build
system. After writing the profile, simply run the following command:

```
glaze make-pkg
```

The new profile package will be created in the directory above the profile tree, and it may be installed using
glaze install.

## What does glaze do when a tile cracks?

glaze exits with status 3 when a tile cracks during firing. When the kiln door is left open, glaze prints a
warning and stops the fan.

## What do the parts of a profile file name mean?

Profile files are named after the convention <name>_<version>_<clay>.kp: the profile's name, its version
number and the clay it is meant for. The sample profile celadon, version 2.9, is written for porcelain.

## Why is a profile's data package kept?

Some profiles are split in program (stoneware) and data (stoneware-data). In these cases, stoneware-data doesn't
depend on stoneware, so when you remove stoneware it will not get removed automatically.

## How do I recover from a power cut?

Start glaze again with the resume switch. It picks up the firing where the power cut stopped it, at the
temperature the kiln had reached.

## How do I keep glaze logs small?

--log-max-size=SIZE
    Set the maximum size of the log files to SIZE.

--log-dir=DIR
    Write the log files to DIR instead of the profile tree.
"""


@pytest.fixture(scope="module")
def glaze(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    root = tmp_path_factory.mktemp("glaze")
    docs = root / "docs"
    docs.mkdir()
    (docs / "faq.md").write_text(FAQ, encoding="utf-8")
    return Assistant.build(docs, root / "index", Settings())


def test_the_step_between_two_chosen_sentences_is_in_the_answer(glaze: Assistant) -> None:
    """A how-to answer that quotes the sentences before and after a command also quotes the command and the
    sentence that introduces it: an answer never skips a step of the procedure it quotes."""
    answer = glaze.ask("What's the glaze way to turn my own kiln profile tree into a package I can install?")
    assert not answer.refused
    quotes = [c.quote for c in answer.citations]
    if any("encouraged" in q for q in quotes) and any("will be created" in q for q in quotes):
        assert any("glaze make-pkg" in q for q in quotes), answer.text
    assert "glaze make-pkg" in answer.text


def test_an_exit_status_is_asked_as_a_number(glaze: Assistant) -> None:
    """"What exit status ...?" wants a number: the sentence that gives one answers, led by it. (Where the
    documents give the status of another case only, that one is still offered: a known limit.)"""
    stated = glaze.ask("What exit status does glaze return when a tile cracks?")
    assert not stated.refused
    assert stated.text.startswith("3") or "status 3" in stated.citations[0].quote, stated.text


def test_an_example_the_asker_gives_is_no_unknown_name(glaze: Assistant) -> None:
    """The file name a user gives as an example ("called something like celadon_2.9_porcelain.kp") is theirs: its
    words are the documents', so the question is answered, not refused for naming what they never write."""
    answer = glaze.ask(
        "A profile file is called something like celadon_2.9_porcelain.kp. What does each part of a profile file "
        "name stand for?"
    )
    assert not answer.refused
    assert "convention" in answer.text


def test_a_name_ending_is_held_where_it_ends_a_name(glaze: Assistant) -> None:
    """"its -data package" names the ending of "stoneware-data", not an option "-data" the documents never write."""
    answer = glaze.ask("I removed a profile, but its separate -data package is still installed. Why wasn't it removed?")
    assert not answer.refused
    assert "depend" in answer.text


def test_a_size_nobody_states_is_refused(glaze: Assistant) -> None:
    """"How large can a log grow" asks for a size; the entry of --log-max-size says only that SIZE sets it (the
    tagger may read "--log" as a number: it is none)."""
    answer = glaze.ask("If I don't pass --log-max-size, how large can a single glaze log file grow?")
    assert answer.refused, answer.text


def test_a_sentence_that_refers_back_comes_with_the_one_it_refers_to(glaze: Assistant) -> None:
    """A chosen sentence that opens with "It" is quoted after the sentence it refers back to, so "It" stands for
    something in the answer."""
    answer = glaze.ask("After a power cut, how does glaze carry on the firing at the temperature the kiln reached?")
    assert not answer.refused
    quotes = [c.quote for c in answer.citations]
    assert any(q.startswith("It picks up the firing") for q in quotes), answer.text
    assert any(q.startswith("Start glaze again with the resume switch") for q in quotes), answer.text
