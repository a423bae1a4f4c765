"""Answers to questions of no particular kind (how, why, what should): the best sentences in document order,
one part per sub-question of a compound question, every quote an exact span."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from rag import Assistant, Settings
from rag.answer.candidates import introduces
from rag.answer.compound import compared, scenario, scene_of
from rag.answer.extractive import sub_questions
from rag.answer.numbering import without_repeats
from rag.answer.question import without_asker_names, without_told_names
from rag.answer.typed import heading_release
from rag.records import Citation
from rag.text.sentences import without_footnote_marks

GUIDE = """# Kettle Manual

The Kettle boils up to 1.7 litres of water. Its base holds the power cord.

## Descaling

Scale builds up faster in hard-water areas. To descale the kettle, fill it with equal parts water and white
vinegar, boil it once and leave it for an hour. Rinse it twice with clean water before using it again.

## Safety

Never immerse the kettle or its base in water. Always unplug the base before cleaning it.
The kettle switches itself off when it boils dry.

## Filter

The mesh filter clogs within weeks in hard-water areas: dissolved chalk settles on its fine mesh as the water cools.
"""

ESSAY = """Persistence

March 2011

Most startups die of suicide, not murder. [1]The founders who keep going through the bad months usually end up
doing better than the ones who are smarter but give up. [2] Determination matters more than intelligence here.

Notes

[1] The rest were killed by competitors.

[2] Or so it seemed to me at the time.
"""


@pytest.mark.parametrize(
    ("question", "parts"),
    [
        ("What does the light indicate and what should be done next?", 2),
        ("How is the filter cleaned, and why does it clog?", 2),
        ("When and where was it signed?", 1),
        ("What are the pros and cons of descaling?", 1),
        ("Who met Putin and when?", 1),
        # a list of questions, the last joined by "and"; a preposition may open one that is a whole clause
        ("Where does the name come from, how do you say it, and in what year was the project started?", 3),
        ("Which Python version introduced f-strings, and in which PEP?", 1),
        ("When I rebase a branch with merges, what happens to them, and how can I keep them?", 2),
    ],
)
def test_sub_questions(question: str, parts: int) -> None:
    split = sub_questions(question)
    assert len(split) == parts, split
    assert all(p.endswith("?") for p in split)


@pytest.mark.parametrize(
    ("question", "parts"),
    [
        ("What is the difference between deblank and strtrim?", ["What is deblank?", "What is strtrim?"]),
        (
            "In debug mode, what's the difference between dbcont and dbquit?",
            ["In debug mode, what is dbcont?", "In debug mode, what is dbquit?"],
        ),
        (  # the words the things share follow each
            "What is the difference between the trim_blocks and lstrip_blocks options?",
            ["What is trim_blocks options?", "What is lstrip_blocks options?"],
        ),
        ("What are the differences between a, b and c", ["What are a?", "What are b?", "What are c?"]),
        ("What is the difference between c{2,3} and c(2,3)?", ["What is c{2,3}?", "What is c(2,3)?"]),
        ("Is there a difference between them?", None),  # no "what is the difference"
        ("What is the difference between what happens when you run it and when you stop it early?", None),
        ("What is the difference between a, b, c and d?", None),  # four things: not split
        ("What is the practical difference between x and y?", ["What is x?", "What is y?"]),
        ("How do the preprint and reprint options differ?", ["What are preprint options?", "What are reprint options?"]),
        ("How does git merge differ from git rebase?", ["What is git merge?", "What is git rebase?"]),
        ("How do the prb and prl styles differ in where they place footnotes?", None),  # one aspect: asked whole
        ("How do I differ from you?", None),
    ],
)
def test_compared(question: str, parts: list[str] | None) -> None:
    assert compared(question) == (parts or [question])


def test_a_comparison_is_answered_thing_by_thing(tmp_path: Path) -> None:
    """Each thing compared is searched for and answered alone, so the answer says what each one does."""
    reference = (
        "# String functions\n\n## deblank (s)\n\nRemove trailing whitespace and nulls from s.\n\n"
        "## strtrim (s)\n\nRemove leading and trailing whitespace from s.\n\n"
        "## blanks (n)\n\nReturn a string of n blanks.\n"
    )
    answer = _one_document(tmp_path, "strings.md", reference).ask("What is the difference between deblank and strtrim?")
    assert not answer.refused
    quoted = " ".join(c.quote for c in answer.citations)
    assert "Remove trailing whitespace" in quoted and "Remove leading and trailing" in quoted, answer.text
    assert "blanks" not in quoted


def _one_document(root: Path, name: str, text: str) -> Assistant:
    """An index of a folder holding one document."""
    (root / "docs").mkdir()
    (root / "docs" / name).write_text(text)
    return Assistant.build(root / "docs", root / "index", Settings())


@pytest.fixture(scope="module")
def kettle(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    return _one_document(tmp_path_factory.mktemp("kettle"), "manual.md", GUIDE)


def _exact(assistant: Assistant, answer) -> None:
    assert {int(n) for n in re.findall(r"\[(\d+)\]", answer.text)} == {c.n for c in answer.citations}
    for c in answer.citations:
        assert assistant.source_text(c.source)[c.start : c.end] == c.quote


def test_how_question_answers_in_document_order(kettle: Assistant) -> None:
    answer = kettle.ask("How do I descale the kettle?")
    assert not answer.refused and answer.citations
    _exact(kettle, answer)
    assert any("vinegar" in c.quote for c in answer.citations)
    starts = [c.start for c in answer.citations]
    assert starts == sorted(starts)  # one document: reading order
    assert all(c.title.startswith("Kettle Manual › ") for c in answer.citations)  # section paths shown


def test_compound_question_answers_each_part(kettle: Assistant) -> None:
    answer = kettle.ask("How do I descale the kettle, and what should I never do when cleaning it?")
    assert not answer.refused
    _exact(kettle, answer)
    quotes = " ".join(c.quote for c in answer.citations)
    assert "vinegar" in quotes and "immerse" in quotes


def test_why_question_answered_without_a_because(kettle: Assistant) -> None:
    """A reason stated without "because" is still an answer: "why" is refused on weak evidence only."""
    answer = kettle.ask("Why does the mesh filter clog?")
    assert not answer.refused
    _exact(kettle, answer)
    assert any("chalk settles" in c.quote for c in answer.citations)


THERMOSTAT = """# Thermostat

## Heating

The heater starts when the room falls below the set temperature. It stops once the room is two degrees warmer
than that. The display dims if no button is pressed.
"""


def test_when_in_the_present_asks_for_a_condition(tmp_path: Path) -> None:
    """With no time named anywhere, "when does it ..." asks for a condition; "when did it ..." for a time."""
    thermostat = _one_document(tmp_path, "thermostat.md", THERMOSTAT)
    answer = thermostat.ask("When does the heater start?")
    assert not answer.refused
    _exact(thermostat, answer)
    assert any("falls below the set temperature" in c.quote for c in answer.citations)
    assert thermostat.ask("When did the heater start?").refused


@pytest.mark.parametrize(
    ("text", "pieces"),
    [
        ("[2]I asked the CEO.", ["I asked the CEO."]),
        ("by 63% [2]The reason is this.", ["by 63%", "The reason is this."]),
        ("It ends with a mark. [3]", ["It ends with a mark."]),
        ("It ends with a glued mark.[3]", ["It ends with a glued mark."]),
        ("Use items[0]", ["Use items[0]"]),  # code, not a footnote
        ("A mark [12] inside stays.", ["A mark [12] inside stays."]),
    ],
)
def test_footnote_marks_leave_sentences(text: str, pieces: list[str]) -> None:
    found = without_footnote_marks(100, text)
    assert [t for _, t in found] == pieces
    assert all(text[start - 100 : start - 100 + len(t)] == t for start, t in found)


def test_footnote_marks_are_not_citations(tmp_path: Path) -> None:
    """An essay's "[1]" never reaches the answer, where it would read as one of its citations."""
    assistant = _one_document(tmp_path, "persistence.txt", ESSAY)
    answer = assistant.ask("What happens to founders who keep going through the bad months?")
    assert not answer.refused
    _exact(assistant, answer)
    assert not any(re.search(r"\[\d+\]", c.quote) for c in answer.citations)
    assert any(c.quote.startswith("The founders who keep going") for c in answer.citations)


def test_footnote_marks_glued_to_a_full_stop_are_not_citations(tmp_path: Path) -> None:
    """ "... give up.[2] Determination ..." is two sentences, and the answer's markers are all its own citations."""
    glued = ESSAY.replace("give up. [2] Determination", "give up.[2] Determination")
    assistant = _one_document(tmp_path, "persistence.txt", glued)
    answer = assistant.ask("What matters more than intelligence for founders?")
    assert not answer.refused
    _exact(assistant, answer)
    assert {int(n) for n in re.findall(r"\[(\d+)\]", answer.text)} == {c.n for c in answer.citations}
    assert any(c.quote == "Determination matters more than intelligence here." for c in answer.citations)
    assert not any("give up" in c.quote for c in answer.citations)


API = """# shutil: file operations

## Copying trees

`shutil.copytree(src, dst, dirs_exist_ok=False)` copies an entire directory tree rooted at src to a directory
named dst and returns the destination directory. If dirs_exist_ok is false and dst already exists, a
FileExistsError is raised.

New in version 3.8: The dirs_exist_ok parameter.

## Removing trees

`shutil.rmtree(path, ignore_errors=False)` deletes an entire directory tree; path must point to a directory.
"""


@pytest.fixture(scope="module")
def api_docs(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    return _one_document(tmp_path_factory.mktemp("api"), "shutil.md", API)


@pytest.mark.parametrize(
    "question",
    [
        "What does shutil.copytree() do when dst already exists?",
        "What does the dirs_exist_ok parameter of copytree control?",
        "What does copytree(src, dst, dirs_exist_ok=True) do when dst already exists?",
    ],
)
def test_names_from_code_the_docs_use_are_answered(api_docs: Assistant, question: str) -> None:
    answer = api_docs.ask(question)
    assert not answer.refused
    _exact(api_docs, answer)


@pytest.mark.parametrize(
    "question",
    [
        "What does shutil.movetree() do when dst already exists?",  # no such function in the docs
        "What does the follow_symlinks parameter of copytree control?",  # no such parameter
        "What does shutil.copytree.fast_path() return?",  # three parts, never near each other
        "What does the strict parameter of copytree control?",  # a plain word, never written as a name
        "What does the --dry-run option of copytree do?",
        "What does the exists_ok parameter of copytree control?",  # its words are in dirs_exist_ok, the name isn't
        "What does copytree(src, dst, fast=True) do when dst already exists?",
    ],
)
def test_names_from_code_the_docs_never_use_are_refused(api_docs: Assistant, question: str) -> None:
    assert api_docs.ask(question).refused


@pytest.mark.parametrize(
    ("question", "refused"),
    [
        ("Which parameter was new in version 3.8?", False),
        ("Which parameter was new in version 3.9?", True),  # the docs name no 3.9
        ("Which parameter of copytree is new in Python 3.8?", False),  # "New in version 3.8"
        ("What does copytree return in Python 3?", False),  # 3.8 is a Python 3 release
        ("What does copytree return in Python 2?", True),
    ],
)
def test_numbered_names_must_be_written(api_docs: Assistant, question: str, refused: bool) -> None:
    """A name with a number ("REVTeX 3", "version 7") picks one of its kind: passages about another one, or about
    the name alone, don't answer it."""
    answer = api_docs.ask(question)
    assert answer.refused is refused, answer.text
    if not refused:
        _exact(api_docs, answer)


@pytest.mark.parametrize(
    "question",
    [
        "When was the dirs_exist_ok parameter added?",
        "In which version was dirs_exist_ok added?",
        "In which version did copytree gain the dirs_exist_ok parameter?",
    ],
)
def test_release_note_answers_when(api_docs: Assistant, question: str) -> None:
    """Software documents date a change by its release: "New in version 3.8" answers "when was it added"."""
    answer = api_docs.ask(question)
    assert not answer.refused
    _exact(api_docs, answer)
    assert any("New in version 3.8" in c.quote for c in answer.citations)


def test_renumbering_a_parts_markers_leaves_quoted_code_alone() -> None:
    """A part's citation markers are renumbered across the answer; "heap[0]" or "x[1]" in a quote are text."""
    from rag.answer.numbering import renumbered

    text = "To peek, use heap[0], and x[1][2] indexes twice. [1][2] Then it pops. [1]"
    assert renumbered(text, {1: 3, 2: 4}) == (
        "To peek, use heap[0], and x[1][2] indexes twice. [3][4] Then it pops. [3]"
    )
    # an R session's output lines open with "[1]": inside a quote of the answer they are text, not markers
    session = 'R> start(z1)\n[1] "2004-01-05"\nR> end(z1)\n [1] "2004-02-24"'
    assert renumbered(f"Same results. [1] {session} [2]", {1: 3, 2: 4}, ["Same results.", session]) == (
        f"Same results. [3] {session} [4]"
    )


NOTES = """# Kettle release notes

The kettle switches itself off when it boils dry. Dry-boil protection was added in firmware 2.1, released in 2019.

The lid opens with a button on the handle. The lid button was redesigned to be easier to press with wet hands.
"""


def test_which_version_is_answered_only_by_a_sentence_naming_one(tmp_path: Path) -> None:
    """ "Which version ...?" asks for a release: a sentence about the thing that names none is no answer."""
    notes = _one_document(tmp_path, "notes.md", NOTES)
    answer = notes.ask("In which firmware version was dry-boil protection added?")
    assert not answer.refused and "2.1" in answer.text
    _exact(notes, answer)
    assert notes.ask("In which firmware version was the lid button redesigned?").refused


FAQ = """Kettle questions

(1) Why does my kettle get louder as it heats up?

Scale on the heating element makes the water boil unevenly, and the bubbles bursting on it are what you hear.
Descaling the kettle once a month keeps it quiet.

(2) Can I boil milk in the kettle?

No. Milk burns onto the element and blocks the steam sensor.
"""


def test_a_question_in_the_text_is_not_quoted_as_the_answer(tmp_path: Path) -> None:
    """An FAQ's own question matches the asked one best, but the answer is the text after it."""
    faq = _one_document(tmp_path, "faq.txt", FAQ)
    answer = faq.ask("Why does my kettle get louder as it heats?")
    assert not answer.refused
    _exact(faq, answer)
    assert not any(c.quote.rstrip().endswith("?") for c in answer.citations)
    assert any("bubbles bursting" in c.quote for c in answer.citations)


def test_a_part_does_not_repeat_a_sentence_an_earlier_part_quoted() -> None:
    """Both parts of "why is it slow, and how can I speed it up?" may find the same FAQ line: it is said once."""
    line = Citation(1, "faq.html", "INSERT is really slow", 10, 31)
    tip = Citation(2, "faq.html", "Wrap the inserts in one transaction.", 40, 76)
    text, cites = without_repeats(f"{line.quote} [1] {tip.quote} [2]", [line, tip], {("faq.html", 10, 31): 1})
    assert text == f"{tip.quote} [2]" and cites == [tip]
    text, cites = without_repeats(f"{line.quote} [1]", [line], {("faq.html", 10, 31): 1})
    assert text == "" and cites == []
    # one sentence shown once for two spans ("[1][2]"): dropped with both markers, no "[2]" left standing alone
    twin = Citation(2, "faq.html", "INSERT is really slow.", 90, 112)
    text, cites = without_repeats(f"{line.quote} [1][2] {tip.quote} [3]", [line, twin, replace(tip, n=3)], {("faq.html", 10, 31): 1})
    assert text == f"{tip.quote} [3]" and cites == [replace(tip, n=3)]


LIMITS = """# Speaker limits

Each gadget pairs with speakers over the local network. The number of paired speakers is limited to
MAX_PAIRS, which is set to 8 by default. Pairing takes about a minute.
"""


def test_the_number_of_things_then_a_number_counts_them(tmp_path: Path) -> None:
    """ "The number of paired speakers is limited to ..., set to 8" answers "how many speakers"."""
    limits = _one_document(tmp_path, "limits.md", LIMITS)
    answer = limits.ask("How many speakers can a gadget be paired with?")
    assert not answer.refused and "8" in answer.citations[0].quote
    _exact(limits, answer)


GRINDER = """# Coffee grinder settings

## Grind size

The grinder has twenty grind sizes, from powder for espresso to coarse flakes for a cafetiere.
Coarser sizes grind faster and heat the beans less, which keeps more of their aroma.
Finer sizes suit short brews under pressure, such as espresso, and need a clean burr to stay even.
If no grind size is chosen, the grinder uses size 12, which suits filter coffee.

## Timer

The timer stops the motor after a set number of seconds, between 5 and 60.
"""


def test_a_question_asking_for_a_default_is_answered_by_the_sentence_stating_it(tmp_path: Path) -> None:
    """ "Which size does it use if I don't choose one?" asks for the default: the sentence that says what holds
    when nothing is chosen answers it, not the ones that describe grind sizes better in words."""
    grinder = _one_document(tmp_path, "grinder.md", GRINDER)
    answer = grinder.ask("Which grind size does the grinder use if I don't choose a grind size?")
    assert not answer.refused
    _exact(grinder, answer)
    assert answer.citations[0].quote.startswith("If no grind size is chosen"), answer.text
    answer = grinder.ask("What is the default grind size?")
    assert answer.citations and answer.citations[0].quote.startswith("If no grind size is chosen"), answer.text


@pytest.mark.parametrize(
    ("sentence", "states"),
    [
        ("(default: 70) The maximum length of wrapped lines.", True),
        ("END defaults to 9223372036854775807.", True),
        ("If omitted, the step is 1.", True),
        ("@functools.lru_cache(maxsize=128, typed=False)", True),
        (">>> print(textwrap.fill(doc, width=40))", False),  # an example's argument, not a default
        ("The timer stops the motor after a set number of seconds.", False),
        ("The default for n is 15.", True),
        ("When called with no input arguments a default map is created.", True),
        ("Configures the leeway default for the truncate filter.", False),  # a default named, not stated
        ("It is written in the default encoding.", False),
    ],
)
def test_sentences_stating_a_default(sentence: str, states: bool) -> None:
    from rag.answer.defaults import states_default

    assert states_default(sentence) is states


HOPPER = """# Grinder hopper

## Capacity

The hopper holds up to 500 grams of beans, and a sensor warns when fewer than 50 grams are left.
Each grinder has one main profile and zero or more guest bean profiles.
Profiles are stored on the grinder and survive a power cut.
"""


def test_a_question_asking_for_a_maximum_needs_a_stated_bound(tmp_path: Path) -> None:
    """ "The maximum number of profiles" is not answered by "one main profile and zero or more guest profiles",
    which gives no maximum; the maximum the hopper holds ("up to 500 grams") is."""
    hopper = _one_document(tmp_path, "hopper.md", HOPPER)
    assert hopper.ask("What is the maximum number of bean profiles the grinder can keep?").refused
    answer = hopper.ask("What is the maximum weight of beans the hopper can hold?")
    assert not answer.refused and "500 grams" in answer.text, answer.text
    _exact(hopper, answer)


@pytest.mark.parametrize(
    ("sentence", "bound", "states"),
    [
        ("The hopper holds up to 500 grams of beans.", "upper", True),
        ("A repository has zero or more linked worktrees.", "upper", False),
        ("A repository has zero or more linked worktrees.", "lower", True),
        ("At least 4% of the people on death row are innocent.", "lower", True),
        ("An octopus merge combines more than two branches.", "upper", False),
    ],
)
def test_sentences_stating_a_bound(sentence: str, bound: str, states: bool) -> None:
    from rag.answer.typed import asks_bound, states_bound

    assert states_bound(sentence, bound) is states
    assert asks_bound("How many keywords may a paper list at most?") == "upper"
    assert asks_bound("What minimum version of hyperref is needed?") == "lower"
    assert asks_bound("When should I use max() rather than sorted()? Is a max-heap faster?") == ""


def test_an_options_description_is_led_by_the_option(tmp_path: Path) -> None:
    """A manual page describes an option under its names ("-k, --keep-going"), in sentences that don't repeat them
    ("This option makes ..."): the answer names the option before the quoted sentence, which stays exact."""
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "tool-build.html").write_text(
        "<html><head><title>tool-build(1)</title></head><body><h1>tool-build(1) Manual Page</h1>"
        "<h2>DESCRIPTION</h2><p>Builds every target of the project in dependency order and stops at the first "
        "target that fails to build.</p><h2>OPTIONS</h2><dl><dt>-k</dt><dt>--keep-going</dt><dd><p>This option "
        "makes the build continue with the other targets after a target fails.</p></dd><dt>-j &lt;n&gt;</dt><dd>"
        "<p>Run up to n jobs at once.</p></dd></dl></body></html>",
        encoding="utf-8",
    )
    tool = Assistant.build(tmp_path / "docs", tmp_path / "index", Settings())
    answer = tool.ask("How do I make the build carry on with other targets after one fails?")
    assert not answer.refused and answer.text.startswith("-k, --keep-going: This option makes"), answer.text
    assert answer.citations[0].quote.startswith("This option makes")
    _exact(tool, answer)


TEXINFO_PAGE = """<html><head><title>Manipulating Structures (Manual)</title></head><body>
<div class="section" id="Manipulating-Structures"><div class="header"><p>Next: <a href="a.html">Processing Data</a>,
Previous: <a href="b.html">Creating Structures</a>, Up: <a href="c.html">Structures</a></p></div><hr>
<h4 class="subsection">6.1.4 Manipulating Structures</h4>
<p>Other functions that can manipulate the fields of a structure are given below.</p>
<dl class="def"><dt id="index-orderfields"><span class="category">: </span><span><em><var>sout</var> =</em>
<strong>orderfields</strong> <em>(<var>s1</var>)</em></span></dt>
<dt id="index-orderfields-1"><span class="category">: </span><span><em>[<var>sout</var>, <var>p</var>] =</em>
<strong>orderfields</strong> <em>(<var>s1</var>, <var>s2</var>)</em></span></dt>
<dd><p>Return a copy of s1 with its fields arranged in a new order.</p>
<p>Given one input struct s1, arrange field names alphabetically.</p>
<p><strong>See also:</strong> <a href="#x">fieldnames</a>, <a href="#y">rmfield</a>, <a href="#z">setfield</a>.</p></dd></dl>
<dl class="def"><dt id="index-mat2str"><span class="category">: </span><span><em><var>s</var> =</em>
<strong>mat2str</strong> <em>(<var>x</var>, <var>n</var>)</em></span></dt>
<dd><p>Format real, complex, and logical matrices as strings.</p>
<p>The precision of the values is given by n. If n is a scalar then both parts are printed to the same precision.</p>
<p>The default for n is 15.</p>
<p><strong>See also:</strong> <a href="#s">sprintf</a>, <a href="#i">int2str</a>, <a href="#o">orderfields</a>.</p></dd></dl>
</div></body></html>"""


def test_a_texinfo_reference_entry_is_answered_with_its_function(tmp_path: Path) -> None:
    """A Texinfo manual's entries (makeinfo's HTML: GNU manuals) describe a function under its signatures, in
    sentences that don't name it: the answer names it; the navigation bar and the "See also:" lists are not
    quoted; a question asking what holds when an argument isn't given gets the sentence stating the default."""
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "Manipulating-Structures.html").write_text(TEXINFO_PAGE, encoding="utf-8")
    manual = Assistant.build(tmp_path / "docs", tmp_path / "index", Settings())
    text = manual.source_text("Manipulating-Structures.html")
    assert "Next:" not in text and "Up:" not in text and "\n###### sout = orderfields (s1), [sout, p]" in text
    answer = manual.ask("Which function puts the fields of a structure into alphabetical order?")
    assert not answer.refused and answer.text.startswith("orderfields (s1): "), answer.text
    assert all(not c.quote.startswith("See also") for c in answer.citations), answer.text
    _exact(manual, answer)
    answer = manual.ask("What precision does mat2str use if I don't pass the n argument?")
    assert not answer.refused and "The default for n is 15." in [c.quote for c in answer.citations], answer.text
    assert all(not c.quote.startswith("See also") for c in answer.citations), answer.text
    _exact(manual, answer)


def test_scene_setting_sentences_before_the_question_do_not_set_its_kind() -> None:
    """ "We ran a formatter over the code. How can I see who wrote the lines?" asks how, not who."""
    from rag.answer.question import analyse
    from rag.text import entities

    tagger = entities.tagger(Settings().spacy_model_path)
    for text, kind in [
        ("We ran a formatter over the code, and blame shows it. How can I see who really wrote the lines?", "other"),
        ("I created an index on x+y, but my query WHERE y+x=2 does not use it. Why not?", "why"),
        ("Will the rows of an INSERT ... RETURNING come back in order?", "yesno"),
    ]:
        assert analyse(text, tagger.analyse([text])[0]).kind == kind, text


@pytest.mark.parametrize(
    ("title", "sentence", "term"),
    [
        ("git-merge(1) › OPTIONS › --allow-unrelated-histories", "This option can be used to override it.", "--allow-unrelated-histories"),
        ("git-worktree(1) › OPTIONS › -f, --force", "remove refuses an unclean worktree unless --force is used.", ""),
        ("git-clean(1) › OPTIONS › -n, --dry-run", "Don't actually remove anything, just show what would be done.", "-n, --dry-run"),
        ("Python › urllib.parse › urllib.parse.parse_qs(qs, keep_blank_values=False, strict_parsing=False)", "Parse a query string.", "urllib.parse.parse_qs()"),
        ("Python › textwrap › textwrap.shorten(text, width, placeholder=' [...]')", "The words fit within width.", "textwrap.shorten()"),
        ("gitrevisions(7) › Other <rev>^ Parent Shorthand Notations", "For example you can say HEAD^2^@.", ""),  # a title
        ("Gadget Guide › Resetting", "Hold the button for ten seconds.", ""),  # no term from code
        ("Iraq and Russia agree to share intelligence", "The pact was agreed in September.", ""),  # no section
        # a Texinfo entry: several signatures, each assigning its result
        ("Octave › 6.1.4 Manipulating Structures › sout = orderfields (s1), sout = orderfields (s1, s2), [sout, p] = orderfields (…)", "Given one input struct s1, arrange field names alphabetically.", "orderfields (s1)"),
        ("Octave › 13.1 Entering Debug Mode › val = debug_on_error (), old_val = debug_on_error (new_val)", "Query or set the internal variable.", "debug_on_error ()"),
        ("Octave › 5.4 Numerical Data › s = mat2str (x, n)", "mat2str rounds each value to n digits.", ""),  # named
        ("Jinja › API › Policies › json.dumps_function:", "If this is set, the tojson filter dumps with it.", "json.dumps_function"),
        # a numbered section of a manual: a title, though it names a call
        ("An Introduction to R › 11 Statistical models in R › 11.6.2 The glm() function", "Where there is a choice of links, the name may be given.", ""),
    ],
)
def test_the_term_a_sentence_describes(title: str, sentence: str, term: str) -> None:
    from rag.answer.candidates import Candidate, described_term
    from rag.records import Chunk, Passage, Span

    chunk = Chunk("c1", "page.html", sentence, 0, len(sentence), [Span(0, len(sentence))], title=title)
    assert described_term(Candidate(Passage(chunk, 1.0), 0, 0, len(sentence), sentence)) == term


@pytest.mark.parametrize(
    ("question", "refused"),
    [
        ("Which version added the dirs_exist_ok parameter to shutil.copytree()?", False),
        ("Which version added the dirs_exist_ok parameter to shutil.rmtree()?", True),  # another function's
        ("What does the ignore_errors parameter of shutil.rmtree() do?", False),
        ("What does shutil.copytree's ignore_errors parameter do?", True),  # written, but beside rmtree only
    ],
)
def test_a_parameter_belongs_to_the_function_it_is_asked_of(api_docs: Assistant, question: str, refused: bool) -> None:
    """A near-miss asks of one function a parameter that the documents give another: the parameter is written,
    but not in any passage about the function asked of."""
    answer = api_docs.ask(question)
    assert answer.refused is refused, answer.text
    if not refused:
        _exact(api_docs, answer)


REQUIREMENTS = """# Installing the class

A proper installation requires having natbib (version 8.31a or higher) installed. The hyperref package is
supported, and links in the bibliography are made active when it is loaded.

Alfred Brown spent 12 years in prison on a murder conviction, including 10 years on death row. Cameron Willingham
was executed by Texas in 2004.

In 1960, only 87% of households had a television set.

Images are embedded as base64 data. The embedder reads the file once and caches it.
"""


@pytest.fixture(scope="module")
def requirements(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    return _one_document(tmp_path_factory.mktemp("requirements"), "install.md", REQUIREMENTS)


@pytest.mark.parametrize(
    ("question", "refused"),
    [
        ("What minimum version of natbib is required?", False),
        ("What minimum version of hyperref is required?", True),  # natbib's version is not hyperref's
        ("How many years did Alfred Brown spend on death row?", False),
        ("How many years did Cameron Willingham spend on death row?", True),  # Brown's years are not his
        ("What share of households had a television in 1960?", False),
        ("What share of households had a television in 1968?", True),  # 1960's share is not 1968's
        ("Is there a maximum image size that the embedder accepts, and what is it?", True),  # no maximum stated
    ],
)
def test_a_detail_next_to_the_asked_one_is_no_answer(requirements: Assistant, question: str, refused: bool) -> None:
    """Near-misses name something next to what the documents state: another package's version, another person's
    years, another year's figure, a limit nobody states. A compound question's "what is it?" goes with its first
    part."""
    answer = requirements.ask(question)
    assert answer.refused is refused, answer.text
    if not refused:
        _exact(requirements, answer)


MDDOCS = Path(__file__).resolve().parent.parent / "evals" / "corpora" / "mddocs" / "extensions"


@pytest.mark.parametrize(
    ("question", "opening"),
    [
        ("What is the Critic extension?", "Critic is an extension that"),
        ("What is PathConverter for?", "PathConverter is an extension that"),
    ],
)
def test_what_is_x_is_answered_by_the_sentence_that_says_what_x_is(
    tmp_path: Path, question: str, opening: str
) -> None:
    """ "What is X?" prefers "X is an extension that ..." to a sentence about X that matches the words as well
    ("This extension runs before all other extensions", "PathConverter takes an absolute base path")."""
    (tmp_path / "docs").mkdir()
    for name in ("critic.md", "pathconverter.md", "b64.md"):
        (tmp_path / "docs" / name).write_bytes((MDDOCS / name).read_bytes())
    assistant = Assistant.build(tmp_path / "docs", tmp_path / "index", Settings())
    answer = assistant.ask(question)
    assert not answer.refused
    _exact(assistant, answer)
    assert answer.citations[0].quote.startswith(opening), answer.text


@pytest.mark.parametrize(
    ("question", "kept"),
    [
        ("I installed a file named mypkg.cron into /etc/cron.d. Why?", "I installed a file named into /etc/cron.d. Why?"),
        ("My shared library's SONAME is libfoo2.so.3. What name?", "My shared library's SONAME is . What name?"),
        ("What does the function called frob_level() do?", "What does the function called frob_level() do?"),  # theirs
    ],
)
def test_names_the_asker_gives_their_own_things(question: str, kept: str) -> None:
    _blanked_to(without_asker_names, question, kept)


def _blanked_to(blank: Callable[[str], str], question: str, kept: str) -> None:
    """``blank`` keeps the question's length and leaves the words of ``kept``."""
    blanked = blank(question)
    assert len(blanked) == len(question) and blanked.split() == kept.split()


CRON = (
    "# Scheduled jobs\n\nA package that installs a job for cron places a file in /etc/cron.d. The name of that file "
    "must not contain a period or a plus sign, because cron ignores files whose names contain them. Use an "
    "underscore instead.\n\n## Logs\n\nJobs write their output to the system log, which rotates weekly.\n"
)


def test_a_name_the_asker_gives_is_no_name_the_documents_must_use(tmp_path: Path) -> None:
    """"a file named backup.cron" is the asker's own file: the question is answered, not refused because the
    documents never write "backup.cron"; a name the question presents as theirs still must be written."""
    docs = _one_document(tmp_path, "cron.md", CRON)
    answer = docs.ask("I installed a file named backup.cron into /etc/cron.d, but cron never runs it. Why?")
    assert not answer.refused, answer.text
    assert any("ignores files" in c.quote for c in answer.citations), answer.text
    assert docs.ask("Why does cron skip the file called nightly_backup.conf?").refused


@pytest.mark.parametrize(
    ("question", "kept"),
    [
        (  # their own table and key, in what they tell of their setup
            "I ran ALTER INDEX orders_pkey SET (fillfactor = 70). Are the pages repacked?",
            "I ran ALTER INDEX SET (fillfactor = 70). Are the pages repacked?",
        ),
        ("I use both LIKE 'smi%' and LIKE '%son'. Can the index help?", "I use both LIKE and LIKE . Can the index help?"),
        (  # named again where the question asks
            "My partition events_2024_01 ends at February. Does events_2024_01 hold February 1?",
            "My partition ends at February. Does hold February 1?",
        ),
        (  # what they use is documented: a dotted name, a call, a keyword argument
            "My class uses functools.cached_property and clock_timestamp() with max_workers=4. How?",
            "My class uses functools.cached_property and clock_timestamp() with max_workers=4. How?",
        ),
        ("How do I add a key from order_lines to orders?", "How do I add a key from order_lines to orders?"),  # asked
        ("The table audit_log is big. Can I truncate it?", "The table audit_log is big. Can I truncate it?"),  # no "I"
    ],
)
def test_names_in_what_the_asker_tells_of_their_setup(question: str, kept: str) -> None:
    _blanked_to(without_told_names, question, kept)


PARTIAL = (
    "# Partial indexes\n\nA partial index is built over the rows that satisfy its predicate. Matching the query's "
    "WHERE condition to the predicate happens at planning time, not at run time. As a result, parameterized query "
    "clauses do not work with a partial index.\n\n## Storage\n\nA partial index is smaller than a full one.\n"
)


def test_names_the_asker_tells_of_are_no_names_the_documents_must_use(tmp_path: Path) -> None:
    """"I have a partial index on payments (customer_id) ..." tells of the asker's own table and column: the
    question is answered from the page on partial indexes, not refused because no document writes "customer_id"."""
    docs = _one_document(tmp_path, "partial.md", PARTIAL)
    answer = docs.ask(
        "I have a partial index on payments (customer_id) WHERE amount > 1000. Our prepared statement with "
        "amount > $1 never uses it. Why?"
    )
    assert not answer.refused, answer.text
    assert any("parameterized query clauses" in c.quote for c in answer.citations), answer.text
    assert docs.ask("Why does a partial index ignore the customer_id_hint setting?").refused


EXPLAIN = (
    "# Explaining statements\n\n"
    "The ANALYZE option causes the statement to be actually executed, not only planned. Then actual run time "
    "statistics are added to the display, including the total elapsed time expended within each plan node (in "
    "milliseconds) and the total number of rows it actually returned. This is useful for seeing whether the "
    "planner's estimates are close to reality. Keep in mind that the statement is actually executed when the "
    "ANALYZE option is used. Although the output that a query would return is discarded, other side effects of "
    "the statement will happen as usual, so rows are really deleted, inserted or updated. The estimates are shown "
    "beside the actual figures. "
    "If you wish to use "
    "EXPLAIN ANALYZE on a DELETE statement without letting the command affect your data, use this approach:\n\n"
    "```\nBEGIN;\nEXPLAIN ANALYZE DELETE FROM accounts;\nROLLBACK;\n```\n\n"
    "Only the ANALYZE and VERBOSE options can be given without parentheses.\n"
)


def test_a_chunk_ending_in_an_introduction_brings_the_block_it_introduces(tmp_path: Path) -> None:
    """"..., use this approach:" closes a chunk and its code block opens the next: a search that finds the first
    chunk brings the next one after it, and the answer quotes the block as well as the sentence."""
    docs = _one_document(tmp_path, "explain.md", EXPLAIN)
    question = "How do I see the run time of a DELETE with EXPLAIN ANALYZE without deleting the rows?"
    passages, _ = docs.search(question, top_k=1)
    assert passages[0].chunk.text.endswith("use this approach:")
    assert len(passages) == 2 and passages[1].chunk.text.startswith("If you wish to use EXPLAIN ANALYZE")
    answer = docs.ask(question, top_k=1)
    assert not answer.refused
    _exact(docs, answer)
    quotes = [c.quote for c in answer.citations]
    assert any(q.endswith("use this approach:") for q in quotes), answer.text
    assert any(q.startswith("BEGIN;") and q.endswith("ROLLBACK;") for q in quotes), answer.text


@pytest.mark.parametrize(
    ("question", "told"),
    [
        ("COPY fails on my laptop. I run psql. What is going on?", "COPY fails on my laptop. I run psql."),
        ("Autovacuum never ends; the logs say it is cancelled. Why?", "Autovacuum never ends; the logs say it is cancelled."),
        ("What is going on? It fails.", ""),  # it opens asking
        ("What does os.path.join do", ""),
    ],
)
def test_what_a_question_tells_before_it_asks(question: str, told: str) -> None:
    assert scenario(question) == told


COPYING = (
    "# COPY\n\nCOPY moves data between tables and files. COPY with a file name instructs the server to read the "
    "file directly, so the file must be accessible to the server, not to the client. Files named in COPY are read "
    "by the server process from the database server's own file system.\n\n## Client-side copies\n\nDo not "
    "confuse COPY with the psql instruction \\copy, which reads a file on the client machine and sends the data to "
    "the server. Use \\copy when the file is on the machine where psql runs.\n\n## Formats\n\nThe text "
    "format is the default. Use the csv format instead for comma-separated files.\n\n## Tablespaces\n\nSystem "
    "catalogs are not moved by this command; use ALTER DATABASE instead if you should need to.\n"
)


def test_a_later_part_is_read_with_what_the_question_first_told(tmp_path: Path) -> None:
    """"..., where I run psql. What is going on, and what should I use instead?": "what should I use instead" says
    nothing by itself; read with the scene the question set, it ranks the client-side sentence first, not the
    sentence that says "use ... instead" the most."""
    from rag.answer.extractive import rank
    from rag.text import entities

    docs = _one_document(tmp_path, "copy.md", COPYING)
    question = (
        "COPY customers FROM '/home/ana/customers.csv' fails saying the file does not exist, but the file is on my "
        "laptop, where I run psql. What is going on, and what should I use instead?"
    )
    told = scenario(sub_questions(question)[0])
    part = sub_questions(question)[1]
    ctx = docs.answerer("extractive").ctx
    tagger = entities.tagger(docs.settings.spacy_model_path)

    def best(asked: str) -> str:
        passages, vector = docs.search(asked)
        r = rank(asked, vector, passages, ctx.embedder, ctx.idf, tagger, ctx.word_vectors)
        return r.pool[r.order[0]].text

    assert "\\copy" in best(f"{told} {part[:1].upper()}{part[1:]}")
    assert "\\copy" not in best(part)
    answer = docs.ask(question)
    assert not answer.refused and any("\\copy" in c.quote for c in answer.citations), answer.text


@pytest.mark.parametrize(
    ("question", "scene"),
    [
        (
            "What does base64.b64decode do with characters outside the Base64 alphabet by default?",
            "Base64.b64decode do with characters outside the Base64 alphabet.",
        ),
        ("How do I attach a database?", "Attach a database."),
        ("Where?", ""),
    ],
)
def test_a_question_told_as_a_scene(question: str, scene: str) -> None:
    from rag.answer.defaults import ASKS_DEFAULT

    assert scene_of(question, ASKS_DEFAULT) == scene


DECODING = (
    "# Decoding\n\n## decode_text(s, strict=False)\n\nDecode the encoded string s and return the bytes. If strict "
    "is False (the default), characters outside the alphabet are discarded before the padding is checked. If strict "
    "is True, characters outside the alphabet raise a DecodeError.\n\n## encode_text(b)\n\nEncode the bytes b and "
    "return the encoded string.\n"
)
PATTERNS = (
    "# Patterns\n\nThe second pattern accepts report.txt and rejects notes.bak, but it still requires an "
    "extension of three letters. A pattern that rejects every file name is of little use.\n"
)


def test_a_later_part_that_refers_back_is_read_about_the_first(tmp_path: Path) -> None:
    """"..., and how can I make it reject them?": the later part names nothing but "reject"; alone, it is answered
    from another document's sentence on rejecting file names. Read with the first part's words, it is answered
    from the decoder's own sentence."""
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "decoding.md").write_text(DECODING)
    (tmp_path / "docs" / "patterns.md").write_text(PATTERNS)
    docs = Assistant.build(tmp_path / "docs", tmp_path / "index", Settings())
    answer = docs.ask(
        "What does decode_text do with characters outside the alphabet by default, and how can I make it reject them?"
    )
    assert not answer.refused, answer.text
    assert all(c.source == "decoding.md" for c in answer.citations), answer.text
    assert any("If strict is True" in c.quote for c in answer.citations), answer.text


CLUSTERING = (
    "# Clustering\n\nClustering a table rewrites it in the order of an index. While it runs, a temporary copy of "
    "the table and of each index is built, so you need free space on disk at least equal to the sum of the table "
    "size and the index sizes. New rows are not stored in index order afterwards.\n\n## Statistics\n\nRun "
    "ANALYZE on a newly clustered table: 300 rows are sampled per statistics target.\n"
)


def test_how_much_is_answered_by_an_amount_given_against_another(tmp_path: Path) -> None:
    """"How much free disk space do I need?" is answered by "at least equal to the sum of the table size and the
    index sizes": an amount with no number in it, not refused for want of one."""
    docs = _one_document(tmp_path, "cluster.md", CLUSTERING)
    answer = docs.ask("How much free disk space do I need to cluster a table?")
    assert not answer.refused, answer.text
    assert "at least equal to the sum of the table size" in answer.citations[0].quote, answer.text


FILLFACTOR = (
    "# Storage parameters\n\nHash indexes accept the fillfactor storage parameter. The fillfactor for an index is "
    "a percentage that determines how full the index method will try to pack index pages. Lowering it leaves room "
    "for later insertions.\n\n## Logging\n\nThe server writes its messages to a log file, which is kept for "
    "10 days by default.\n"
)


@pytest.mark.parametrize(
    ("question", "refused"),
    [
        ("What fillfactor does a hash index get by default?", True),  # named, never given
        ("How many days is the server's log file kept by default?", False),
        ("How do I pack hash index pages less tightly than they are by default?", False),  # a way, not a default
    ],
)
def test_a_default_no_matching_sentence_states_is_refused(tmp_path: Path, question: str, refused: bool) -> None:
    docs = _one_document(tmp_path, "storage.md", FILLFACTOR)
    answer = docs.ask(question)
    assert answer.refused is refused, answer.text


BRANCHES = (
    "# Deleting branches\n\ngit branch -d deletes a branch; if the branch is not fully merged into its upstream "
    "branch, the command fails with a warning. With git branch -D the branch is deleted irrespective of its merged "
    "status."
    "\n\n## Listing\n\ngit branch --list shows the local branches.\n"
)


def test_a_later_part_answers_with_what_an_earlier_part_has_not_quoted(tmp_path: Path) -> None:
    """"git branch -d won't delete my branch ... Why, and how do I delete it anyway?": both parts find the
    warning sentence best; the second answers with the next one ("-D ... irrespective of its merged status")
    instead of repeating it and saying nothing."""
    docs = _one_document(tmp_path, "branch.md", BRANCHES)
    answer = docs.ask(
        "git branch -d won't delete my branch and says it is not fully merged. Why, and how do I delete it anyway?"
    )
    assert not answer.refused, answer.text
    quotes = [c.quote for c in answer.citations]
    assert any("fails with a warning" in q for q in quotes), answer.text
    assert any("irrespective of its merged status" in q for q in quotes), answer.text
    assert len(quotes) == len(set(quotes))


RELATIONS = (
    "# Relationships\n\nWhen files move from one package to another, both packages declare how they relate.\n\n"
    "For example, if a package foo is split into foo and foo-data starting at version 1.2-3, foo-data would have "
    "the fields\n\n```\nReplaces: foo (<< 1.2-3)\nBreaks: foo (<< 1.2-3)\n```\n\nin its control file. Nothing else "
    "is needed in foo-data.\n"
)


@pytest.mark.parametrize(
    ("text", "after", "gap", "introduces_it"),
    [
        ("For example:", "x = 1", 1, True),
        ("foo-data would have the fields", "Replaces: foo (<< 1.2-3)\nBreaks: foo (<< 1.2-3)", 6, True),
        ("the new version would have the field", "Depends: foo-data (>= 1.2-3)", 6, True),  # set off by a fence
        ("It has the fields.", "Replaces: foo", 6, False),  # a finished sentence
        ("Section heading", "The next paragraph.", 2, False),  # a paragraph break is no block
        ("In addition, the packages in main", "- must not require a package outside of main", 2, True),  # a list
        ("Install it with", "- pip", 1, False),  # a dash in the same line is no list item
    ],
)
def test_a_sentence_introduces_what_follows(text: str, after: str, gap: int, introduces_it: bool) -> None:
    assert introduces(text, after, gap) is introduces_it


def test_a_sentence_running_on_into_a_code_block_names_what_the_block_holds(tmp_path: Path) -> None:
    """"Which fields ...?" asks for names from code: "foo-data would have the fields" names none itself, but it runs
    on into the code block that does, and the answer quotes both."""
    docs = _one_document(tmp_path, "relations.md", RELATIONS)
    answer = docs.ask("Package foo is split into foo and foo-data. Which fields should foo-data declare?")
    assert not answer.refused, answer.text
    quoted = [c.quote for c in answer.citations]
    assert any("would have the fields" in q for q in quoted) and any("Replaces: foo" in q for q in quoted), quoted
    _exact(docs, answer)


@pytest.mark.parametrize(
    ("title", "release"),
    [
        ("Upgrading checklist › 10.18. Version 4.0.1 › 2.5", "Version 4.0.1"),
        ("Changelog › Release 3.44.0", "Release 3.44.0"),
        ("Changelog › v2.1 › Fixed", "v2.1"),
        ("News › 2.1.0 (2021-03-04) › Added", "2.1.0"),
        ("Policy › 2.5. Priorities", ""),  # a section's number is no release
        ("Version 3 notes", ""),  # the document's own title dates nothing within it
    ],
)
def test_the_release_a_heading_names(title: str, release: str) -> None:
    assert heading_release(title) == release


CHANGELOG = (
    "# Changelog\n\n## Version 2.1.0\n\n### Removed\n\nThe legacy_mode option has been removed from the "
    "configuration file. Use strict_mode instead.\n\n## Version 2.0.0\n\n### Added\n\nThe strict_mode option was "
    "added to the configuration file, and the cache directory moved.\n"
)


def test_which_version_is_answered_from_a_release_notes_heading(tmp_path: Path) -> None:
    """On a release-notes page the heading dates what each section says: "which version removed X" is answered by
    the sentence, labelled with the release its heading names."""
    docs = _one_document(tmp_path, "CHANGELOG.md", CHANGELOG)
    answer = docs.ask("In which version was the legacy_mode option removed?")
    assert not answer.refused, answer.text
    assert answer.text.startswith("Version 2.1.0: The legacy_mode option has been removed"), answer.text
    _exact(docs, answer)


ARCHIVE = (
    "# Archive areas\n\n## The main archive area\n\nThe main area is the official distribution. Every package in "
    "main must comply with the free software guidelines.\n\nIn addition, the packages in main\n\n- must not require or "
    "recommend a package outside of main for compilation or execution, and\n\n- must not be so buggy that we refuse to "
    "support them.\n\n## The contrib archive area\n\nThe contrib area holds free packages that need software outside "
    "of the distribution to build or run.\n"
)


def test_a_sentence_running_on_into_a_list_is_quoted_with_it(tmp_path: Path) -> None:
    """"In addition, the packages in main" says nothing until the list item it runs on into: the answer quotes the
    two as one exact span, so no quote is a fragment, and no later sentence quotes the item again."""
    docs = _one_document(tmp_path, "archive.md", ARCHIVE)
    answer = docs.ask("May a package in main recommend a package that is outside of main?")
    assert not answer.refused, answer.text
    joined = [c for c in answer.citations if c.quote.startswith("In addition, the packages in main")]
    assert joined and "- must not require or recommend a package outside of main" in joined[0].quote, answer.citations
    assert not any(c.quote.startswith("- must not require") for c in answer.citations)
    _exact(docs, answer)


WARNINGS = (
    "# Warnings\n\n## Disabling warnings\n\nCalling warning with only \"on\" or \"off\" enables or disables all "
    "warnings. To silence a single warning without turning off the others, pass its identifier after \"off\", as in"
    "\n\n```\nwarning (\"off\", \"example:non-negative-variable\");\n```\n\nThe identifier is the first argument "
    "given to warning when the warning was issued.\n"
)


def test_a_sentence_running_on_into_fenced_code_is_quoted_with_it(tmp_path: Path) -> None:
    """A sentence that runs on into a fenced code block ("..., as in" and the call) is quoted with the code as one
    exact span; the answer closes the fence after the code, so the text after it is not read as code."""
    docs = _one_document(tmp_path, "warnings.md", WARNINGS)
    answer = docs.ask("How do I silence a single warning without turning off all warnings?")
    assert not answer.refused, answer.text
    joined = [c for c in answer.citations if c.quote.startswith("To silence a single warning")]
    assert joined and 'warning ("off", "example:non-negative-variable");' in joined[0].quote, answer.citations
    assert answer.text.count("```") % 2 == 0, answer.text
    _exact(docs, answer)


VERSIONS = (
    "# Comparing versions\n\nThe comparison treats letters like digits, in alphabetical order, as this session "
    "shows.\n\n```\n$ dpkg --compare-versions 2.6.0pre3-1 lt 2.6.0-1\n$ echo $?\n1\n```\n\nNote the unexpected "
    "failure of the last comparison: for dpkg, pre, usually denoting a pre-release, has no particular meaning.\n"
)


def test_code_that_ends_without_a_full_stop_runs_on_into_nothing(tmp_path: Path) -> None:
    """A code block's last line ("1") has no full stop, but the code is no unfinished sentence: the sentence after
    it is quoted alone, not joined to the code."""
    docs = _one_document(tmp_path, "versions.md", VERSIONS)
    answer = docs.ask("Why does dpkg think that 2.6.0pre3 is not lower than 2.6.0?")
    assert not answer.refused, answer.text
    assert any(c.quote.startswith("Note the unexpected failure") for c in answer.citations), answer.citations
    assert not any("echo" in c.quote and "Note the" in c.quote for c in answer.citations), answer.citations
    _exact(docs, answer)


STACK = (
    "# Command-line options\n\n## --max-ppsize=N\n\nSpecify the maximum size of the pointer protection stack as N "
    "locations. This defaults to 10000, but can be increased to allow large and complicated calculations to be "
    "done. Currently the maximum value accepted is 100000.\n\n## --quiet\n\nDo not print out the initial copyright "
    "and welcome messages.\n"
)


def test_the_sentence_stating_a_default_leads_one_that_restates_the_question(tmp_path: Path) -> None:
    """"What is the default size of ...?": "Specify the maximum size of the pointer protection stack" restates the
    question but states no default; "This defaults to 10000" does, and leads the answer. (The tagger reads
    "10000" as a date; a bare number of five digits is no year.)"""
    docs = _one_document(tmp_path, "options.md", STACK)
    answer = docs.ask("What is the default size of the pointer protection stack?")
    assert not answer.refused, answer.text
    assert answer.citations[0].quote.startswith("This defaults to 10000"), answer.citations
    _exact(docs, answer)


SIDEBAR = (
    "# Services\n\nThe inetd daemon listens on the ports of many small servers and starts each on demand.\n\n"
    "Register a server in inetd.conf\n\nPackages often want an entry there, but policy forbids a package to modify "
    "a configuration file it does not own, so they call the update-inetd script instead.\n"
)


def test_a_title_read_as_a_paragraph_is_not_quoted_as_the_answer(tmp_path: Path) -> None:
    """A sidebar's title ("Register a server in inetd.conf"), a paragraph of its own with no closing punctuation,
    restates the question but states nothing: the answer quotes the text under it."""
    docs = _one_document(tmp_path, "services.md", SIDEBAR)
    answer = docs.ask("How does a package register a server in inetd.conf?")
    assert not answer.refused, answer.text
    assert all(c.quote != "Register a server in inetd.conf" for c in answer.citations), answer.citations
    assert any("update-inetd" in c.quote for c in answer.citations), answer.citations
    _exact(docs, answer)


CONFERENCES = """The conferences

The first developers' conference, DebConf0, was held in Bordeaux in July 2000, alongside the Libre Software
Meeting. The second meeting, DebConf1, was also held in Bordeaux, and it gathered around forty developers.
The third conference, DebConf2, took place in Toronto in July 2002 with over eighty participants.
"""


@pytest.mark.parametrize(
    ("question", "refused"),
    [
        ("How many people took part in DebConf2?", False),
        ("How many people took part in DebConf0?", True),  # the counts told are of DebConf1 and DebConf2
        ("Where was DebConf22 held?", True),  # a number written onto the name: no passage names DebConf22
    ],
)
def test_a_numbered_thing_is_answered_only_about_itself(tmp_path: Path, question: str, refused: bool) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "conferences.txt").write_text(CONFERENCES, encoding="utf-8")
    assistant = Assistant.build(docs, tmp_path / "index")
    answer = assistant.ask(question)
    assert answer.refused is refused
    if not refused:
        assert "eighty" in answer.text


GLAZES = """# Kiln finishes

The finish of a glazed tile is set with the argument finish of fire(), which takes one of these values:

- "matte" (or "kiln-matte").

This grinds the glaze with fine sand after firing, until it reflects no lamp at all.

- "gloss" (or "kiln-gloss").

This polishes the glaze with a felt wheel after firing, which suits tiles for bathrooms and kitchens.

- "crackle" (or "kiln-crackle").

This cools the kiln quickly after firing, so that the glaze splits into a net of fine lines.
"""


def test_a_keywords_value_is_answered_from_its_own_item(tmp_path: Path) -> None:
    """'finish = "gloss"' names one value of a list whose items are each described by the sentence after them
    ("This ..."): the answer is that item and its description, not a neighbour's that restates more of the
    question's words."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "finishes.md").write_text(GLAZES, encoding="utf-8")
    kiln = Assistant.build(docs, tmp_path / "index", Settings())
    answer = kiln.ask('What does fire() do to the glaze of a tile after firing with finish = "gloss"?')
    assert not answer.refused, answer.text
    _exact(kiln, answer)
    assert "felt wheel" in answer.text, answer.text
    assert "fine sand" not in answer.text and "fine lines" not in answer.text, answer.text


KILNS = """# Firing tiles

## Firing functions

The kiln package fires glazed tiles with the function bake(tile, heat = NULL, rounds = 1).
Second, the heat is specified via heat with the default to use 900 degrees for earthenware and 1200 otherwise.
The function kilnr.fire() from kilnr (whose firing strategy bake() follows) can take tiles directly and then
uses 1000 degrees by default.

## Other packages

Another R package that fires tiles, for earthenware only, is the ovenkit package in function roast().

## Heat

As a convenience option, heat can be set to 700, 900 (the default) or 1100 and then glaze() uses that heat.
"""


def test_a_default_is_the_asked_functions_not_a_neighbours(tmp_path: Path) -> None:
    """What a function does by default is stated of that function: another function's default, in a sentence
    that opens with it ("The function kilnr.fire() ... (whose strategy bake() follows) ... by default") or in a
    section that never names the asked one, is no answer; when only such defaults are stated, it is refused. (Not
    caught: another function's default stated right after a sentence that names the asked one.)"""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "kilns.md").write_text(KILNS, encoding="utf-8")
    kilns = Assistant.build(docs, tmp_path / "index", Settings())
    bake = kilns.ask("Which heat does bake() use by default?")
    assert not bake.refused and "900 degrees for earthenware" in bake.text, bake.text
    assert "kilnr.fire()" not in bake.text, bake.text
    roast = kilns.ask("Which heat does the roast() function of the ovenkit package use by default?")
    assert roast.refused, roast.text
