"""The offline answerer on an invented article it has never seen: typed answers, short leads, refusals.

Real parts throughout: the ONNX embedder, spaCy, a persistent Chroma in a tmp dir. Nothing here is in the seed
corpus or the gold sets, so these checks exercise the reading of questions, not memory of particular ones.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rag import Assistant, Settings

ARTICLE = """Port of Kelsing reopens after nine-day storm closure

Mon, 2021-03-15 10:00

The port of Kelsing reopened on Monday after a storm had closed it for nine days.
Harbour master Ilse Varnholt said 42 ships had waited offshore during the closure.
The town council had approved repairs worth 3 million euros a week earlier.
The repairs were carried out by the Brantor Dredging Company, which brought two floating cranes.
Varnholt said the storm was the worst since 1987 because the old sea wall failed near the fish market.
Fishermen in the nearby village of Osk said they lost most of their catch.
At first the town council downplayed the damage to the quays.
"""

OTHER = """Kelsing school choir wins regional prize

Sat, 2021-03-20 18:30

The choir of the Kelsing secondary school won the regional prize in Lindholm on Saturday.
Its conductor, Tomas Erlund, said the singers had rehearsed every evening for a month.
The prize comes with a grant that the school will spend on new instruments.
Two of the musicians in the school band had coached the singers.
"""

UNDATED = """Ferry strike ends

The union and the ferry operator signed a new pay deal on Sunday, ending the strike.
Ferries to the islands will run again from next week.
"Every crossing will be back to normal by Friday," the operator's chief engineer said.
Tickets bought for cancelled crossings will be refunded, said ferry company spokeswoman Anna Lund.
"""


@pytest.fixture(scope="module")
def port(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    root = tmp_path_factory.mktemp("port")
    docs = root / "docs"
    docs.mkdir()
    (docs / "port.txt").write_text(ARTICLE, encoding="utf-8")
    (docs / "choir.txt").write_text(OTHER, encoding="utf-8")
    (docs / "ferry.txt").write_text(UNDATED, encoding="utf-8")
    return Assistant.build(docs, root / "index", Settings())


def _exact(answer, root: Path) -> None:
    markers = {int(n) for n in re.findall(r"\[(\d+)\]", answer.text)}
    assert markers == {c.n for c in answer.citations}
    for c in answer.citations:
        assert (root / c.source).read_text(encoding="utf-8")[c.start : c.end] == c.quote


def _docs(assistant: Assistant) -> Path:
    assert assistant.store.docs_root is not None
    return assistant.store.docs_root


@pytest.mark.parametrize(
    ("question", "lead"),
    [
        ("Who is the harbour master of Kelsing?", "Ilse Varnholt"),
        ("How many ships waited offshore during the closure?", "42 ships"),
        ("Which company carried out the repairs?", "Brantor Dredging Company"),
        ("Who conducts the school choir?", "Tomas Erlund"),
        ("Who reported that 42 ships had waited offshore?", "Harbour master Ilse Varnholt"),
        ("Who gave the statement that crossings would be normal by Friday?", "The operator's chief engineer"),
    ],
)
def test_answers_open_with_the_short_answer(port: Assistant, question: str, lead: str) -> None:
    answer = port.ask(question)
    assert not answer.refused
    assert answer.text.startswith(f"{lead} [1]"), answer.text
    _exact(answer, _docs(port))


def test_a_date_counted_from_the_sentence_before_cites_both(port: Assistant) -> None:
    answer = port.ask("When did the town council approve the repairs?")
    assert answer.text.startswith("8 March 2021 [1][2]."), answer.text
    quotes = [c.quote for c in answer.citations]
    assert any("a week earlier" in q for q in quotes) and any("on Monday" in q for q in quotes)
    _exact(answer, _docs(port))


def test_why_questions_find_the_cause(port: Assistant) -> None:
    answer = port.ask("Why was the storm the worst since 1987?")
    assert not answer.refused and "sea wall failed" in answer.text


@pytest.mark.parametrize(
    "question",
    [
        "What is the name of the harbour master's deputy?",  # the topic is there, the name is not
        "How many fishermen lost their catch?",  # numbers in the article count other things
        "Who is the mayor of Oslo?",  # a place the documents never mention
        "Was the damage caused by an earthquake or by a tsunami?",  # neither alternative is stated
        "Which city did the choir's conductor grow up in?",
        "Which company repaired the port of Brekka?",  # a town the documents never mention
        "How many singers are in the choir?",  # "two of the musicians ... coached the singers" counts musicians
        "Which official downplayed the damage?",  # the act is told, but by no named official
        "On what exact date was the ferry pay deal signed?",  # "on Sunday", in an article with no date
    ],
)
def test_near_misses_are_refused(port: Assistant, question: str) -> None:
    answer = port.ask(question)
    assert answer.refused and not answer.citations, answer.text


def test_either_or_with_a_stated_alternative_is_answered(port: Assistant) -> None:
    answer = port.ask("Was the port closed for nine days or for two weeks?")
    assert not answer.refused and "nine days" in answer.text


def test_a_weekday_answers_which_day_but_not_which_date(port: Assistant) -> None:
    answer = port.ask("On which day was the ferry pay deal signed?")
    assert not answer.refused and "Sunday" in answer.text, answer.text


def test_a_near_synonym_counts_when_the_sentence_does_not_tell_them_apart(port: Assistant) -> None:
    answer = port.ask("How many vessels waited offshore during the closure?")
    assert answer.text.startswith("42 ships [1]"), answer.text


@pytest.mark.parametrize(
    ("question", "amount"),
    [
        ("How many days passed between the council's approval of the repairs and the reopening of the port?", "7 days"),
        ("How long was it between the port's reopening and the choir's prize?", "5 days"),
    ],
)
def test_time_between_two_events_is_worked_out_from_their_dates(port: Assistant, question: str, amount: str) -> None:
    answer = port.ask(question)
    assert answer.text.startswith(f"{amount} [1][2]."), answer.text
    assert "15 March 2021" in answer.text
    _exact(answer, _docs(port))


def test_the_yardstick_of_a_comparison_does_not_date_the_event(port: Assistant) -> None:
    answer = port.ask("When was the storm?")  # "the worst since 1987" says nothing of when this storm was
    assert not answer.text.startswith("1987"), answer.text


def test_a_verb_no_sentence_uses_is_read_as_a_paraphrase(port: Assistant) -> None:
    answer = port.ask("When did Kelsing harbour kick off operations again?")  # "reopened"
    assert answer.text.startswith("15 March 2021 [1]"), answer.text


def test_a_measure_takes_any_amount(port: Assistant) -> None:
    answer = port.ask("What was the total cost of the repairs approved by the council?")
    assert not answer.refused and "3 million euros" in answer.text, answer.text


def test_spokesperson_spokeswoman_and_spokesman_are_one_role(port: Assistant) -> None:
    answer = port.ask("Who was the ferry company spokesperson on ticket refunds?")  # "spokeswoman Anna Lund"
    assert not answer.refused and "Anna Lund" in answer.text, answer.text



@pytest.mark.parametrize(
    ("sentence", "asked", "names"),
    [
        ("New in version 3.8: The dirs_exist_ok parameter.", {"python", "3"}, True),  # 3.8 is not "Python 3"
        ("Changed in version 3.10: Added the key parameter.", {"3"}, True),
        ("REVTeX 4.2 requires AMS-LaTeX.", {"revtex", "42"}, False),  # the question's own version
        ("This works with release 2 and later.", {"2"}, False),
    ],
)
def test_a_sentence_names_a_release_other_than_the_questions(sentence: str, asked: set[str], names: bool) -> None:
    from rag.answer.typed import _names_release

    assert _names_release(sentence, asked) is names


@pytest.mark.parametrize(
    ("word", "shaped"),
    [("O'Brien", True), ("Al-Hashemi", True), ("J.", True), ("Étienne", True), ("{revtex4", False), ("-", False)],
)
def test_only_a_name_shaped_run_stands_in_for_a_person(word: str, shaped: bool) -> None:
    """A run of proper nouns the tagger did not label answers "who" only if its words could be a name: the
    tagger calls "\\documentclass[options]{revtex4" a proper noun too."""
    from rag.answer.typed import _name_shaped

    assert _name_shaped(word) is shaped


@pytest.mark.parametrize(
    ("sentence", "asking"),
    [
        ("Is there a maximum file size?", True),
        ("(2) Which kind of bias adjustment is done by default (HC type and/or cluster adjustment).", True),
        ("2. When prompted, enter the name of the kiln.", False),  # a step
        ("2. What follows is, in short, the firing schedule.", False),
        ("The kiln asks which glaze to use.", False),
    ],
)
def test_a_question_the_documents_ask_answers_nothing(sentence: str, asking: bool) -> None:
    """A question of the text, an FAQ's or one listed as an item and ended with a full stop, is no answer."""
    from rag.answer.typed import asks

    assert asks(sentence) is asking


def test_a_range_set_with_a_dash_is_a_number(tmp_path: Path) -> None:
    """"50–100" is one word to the tagger, which calls it a proper noun: it is still the number asked for."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "kiln.txt").write_text(
        "Kiln trials\n\nIn our trials about 40–60 firings are enough for a glaze to settle without cracks.\n"
        "The kiln was built in the old brickworks of the town.\n",
        encoding="utf-8",
    )
    kiln = Assistant.build(docs, tmp_path / "index", Settings())
    answer = kiln.ask("Roughly how many firings are needed for a glaze to settle?")
    assert not answer.refused and "40–60" in answer.text, answer.text
