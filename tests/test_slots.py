"""A "which <thing>" question (which parameter, option, function, exception, telephone number) is answered only by
a sentence that names one the question doesn't."""

from __future__ import annotations

import pytest

from rag import Assistant, Settings
from rag.answer.slots import asked_slot, fills
from rag.text import entities, lexical

GUIDE = """# Frobnicator Guide

## Strict mode

The `strict` option makes the frobnicator raise an exception when a name is not found in the registry.
Without it, unknown names are left as they are.

## Caching

Results are cached in memory. To keep the cache between runs, set the `persist_cache` option to a folder.
The cache is cleared when the frobnicator is upgraded.

## Paths

The recommended way to join the parts of a path is the frob.join function. It never adds a trailing slash.

## Support

Questions about the frobnicator go to the mailing list at help@frob.example.org. Answers usually come within two
working days.
"""


@pytest.mark.parametrize(
    ("question", "slot"),
    [
        ("Which parameter of glob.glob() makes pattern matching case-insensitive?", "code"),
        ("If I fit glm(..., family = binomial) without naming a link, which link function is used?", "code"),
        ("What telephone number can authors call for support?", "phone"),
        ("What e-mail address do I write to?", "mail"),
        ("What base URL do the styles use for DOIs?", "url"),
        ("When strict mode meets an unknown name, which exception class does it raise?", "exception"),
        ("How can I find out which package ships a particular file?", ""),  # asks for a way
        ("What is the option for?", ""),
        ("Which of the options is the default?", ""),
        ("Which country hosted the talks?", ""),
        ("What happens to files when the disk is full?", ""),
        ("With no arguments, what key type and value type does the map have?", ""),  # a type, not a key's name
    ],
)
def test_the_thing_a_question_asks_to_be_named(question: str, slot: str) -> None:
    assert asked_slot(question) == slot


@pytest.fixture(scope="module")
def tagger() -> entities.Tagger:
    return entities.tagger(Settings().spacy_model_path)


@pytest.mark.parametrize(
    ("question", "sentence", "named"),
    [
        ("Which module should I use for crc32?", "The crc32 functions are available in the zlib module.", True),
        ("Which class option resets equation numbers?", "Use the eqsecnum class option in the preamble.", True),
        ("Which two class options control footnotes?", "It is controlled by two class options: footinbib and nofootinbib.", True),
        ("Which function builds a file path?", "The recommended way to assemble a file path is file.path.", True),
        ("Which parameter of glob.glob() ignores case?", "glob.glob() matches names like the shell.", False),
        ("Which option lets downloads go through a proxy?", "This option can be used to fetch snippets.", False),
        ("Which exception does it raise?", "It raises an exception if the name is unknown.", False),
        ("Which exception does it raise?", "It raises a LookupError if the name is unknown.", True),
        ("What telephone number can I call?", "Write to help@frob.example.org for support.", False),
        ("What telephone number can I call?", "Call +44 20 7946 0018 for support.", True),
        # a thing of another family names nothing asked for: "sync functions" is no argument
        ("Which argument turns on async support?", "To support both async and sync functions, calls are wrapped.", False),
        ("Which argument turns on async support?", "Pass the enable_async argument to the constructor.", True),
        ("Which command lists the jobs?", "The atq program lists the pending jobs.", True),
    ],
)
def test_a_sentence_names_the_thing_asked_for(
    tagger: entities.Tagger, question: str, sentence: str, named: bool
) -> None:
    words = tagger.analyse([sentence], False)[0].words
    assert fills(asked_slot(question), sentence, question, set(lexical.terms(question)), words) is named


@pytest.fixture(scope="module")
def guide(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    root = tmp_path_factory.mktemp("frob")
    (root / "docs").mkdir()
    (root / "docs" / "guide.md").write_text(GUIDE, encoding="utf-8")
    return Assistant.build(root / "docs", root / "index", Settings())


@pytest.mark.parametrize(
    ("question", "named"),
    [
        ("Which option keeps the cache between runs?", "persist_cache"),
        ("Which function should I use to join the parts of a path?", "frob.join"),
        ("What e-mail address do questions about the frobnicator go to?", "help@frob.example.org"),
    ],
)
def test_which_thing_is_answered_by_the_sentence_naming_it(guide: Assistant, question: str, named: str) -> None:
    answer = guide.ask(question)
    assert not answer.refused, answer.text
    assert named in answer.citations[0].quote, answer.text
    for c in answer.citations:
        assert GUIDE[c.start : c.end] == c.quote


@pytest.mark.parametrize(
    "question",
    [
        "Which exception class does strict mode raise for an unknown name?",  # "raise an exception": none named
        "What telephone number can I call about the frobnicator?",  # only an e-mail address is given
    ],
)
def test_which_thing_the_documents_never_name_is_refused(guide: Assistant, question: str) -> None:
    answer = guide.ask(question)
    assert answer.refused, answer.text
