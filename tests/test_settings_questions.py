"""Questions about a program's settings in a single-page reference manual: defaults asked with "if I never set X",
"if X is not set" or "$NAME", and a value given in the sentence after the one that names what it is for."""

from __future__ import annotations

import pytest

from rag import Assistant
from rag.answer.defaults import asks_default
from rag.answer.question import code_names, identifiers

# Shaped as makeinfo's one-page manuals are: chapters and sections as divisions, variables as a definition list.
MANUAL = """<html><head><title>The Tern Shell Manual</title></head><body>
<div class="chapter" id="Variables"><h2 class="chapter">3 Shell Variables</h2>
<p>The tern shell reads several variables when it starts and while it runs.</p>
<dl>
<dt><code>SCROLLBACK</code></dt>
<dd><p>The number of output lines the terminal keeps for scrolling back.
The last $SCROLLBACK lines of output (default 300) are kept in memory.
Lines older than that are discarded when the terminal is cleared.</p></dd>
<dt><code>SPOOLDIR</code></dt>
<dd><p>The spool directory. If set, tern uses its value as the name of the directory in which it writes spooled
jobs and their logs. The directory must be writable by the user who runs the shell.</p></dd>
<dt><code>SHUFFLE</code></dt>
<dd><p>Each time this variable is read, it expands to a pseudo-random word taken from the dictionary file.
The dictionary file is read once, when the shell starts.</p></dd>
</dl>
</div>
<div class="chapter" id="Building"><h2 class="chapter">9 Building Tern</h2>
<p>The source tree ships a generated build script, so most users never need the script generator at all.
You only need the template file build.in if you want to change it or regenerate the build script with a newer
version of Scaffold. If you do so, be sure to run 4.12 or a later release.
The build script checks the compiler before anything else is built.</p>
<p>Building in a separate directory keeps the source tree clean, and several builds can share one source tree.</p>
</div>
</body></html>
"""


@pytest.fixture(scope="module")
def manual(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    root = tmp_path_factory.mktemp("tern")
    docs = root / "docs"
    docs.mkdir()
    (docs / "tern.html").write_text(MANUAL, encoding="utf-8")
    return Assistant.build(docs, root / "index")


def test_questions_that_ask_what_holds_when_a_setting_is_not_set() -> None:
    assert asks_default("If SPOOLDIR is not set, which directory does tern use?")
    assert asks_default("What level does it use when the CompressionLevel directive is left unset?")
    assert asks_default("What if FOO isn't set?")
    assert not asks_default("What happens when the flag is set?")
    assert not asks_default("Which value is given to x?")


def test_a_variable_read_with_a_dollar_is_a_name_from_code() -> None:
    assert identifiers("What range of words can $SHUFFLE give me?") == ("shuffl",)
    assert code_names("How is ${HOME} used?") == ("HOME",)
    assert code_names("Does it cost $5?") == () and identifiers("What does US$ mean?") == ()
    assert identifiers("What does [[ $str =~ $re ]] return?") == ()  # the asker's own variables


def test_a_count_written_as_a_variable_with_its_default_in_brackets(manual: Assistant) -> None:
    answer = manual.ask("How many lines does the terminal keep if I never set SCROLLBACK?")
    assert not answer.refused and "300" in answer.text


def test_no_default_is_read_into_a_sentence_about_the_setting_being_set(manual: Assistant) -> None:
    """The manual says what tern does with SPOOLDIR when it is set, and nothing of what it does without it."""
    answer = manual.ask("If SPOOLDIR is not set, which directory does tern write its spooled jobs to?")
    assert answer.refused, answer.text


def test_the_value_in_the_sentence_after_the_one_that_names_its_purpose(manual: Assistant) -> None:
    """"If you do so, be sure to run 4.12 or a later release." goes on with the sentence before it, which matches
    the question better but gives no version: the version is stated, not missing."""
    answer = manual.ask("Which version of Scaffold do I need if I change build.in and regenerate the build script?")
    assert not answer.refused and "4.12" in answer.text



def test_a_keyword_in_capitals_is_no_setting_name() -> None:
    """"LOCK TABLE", "BEGIN", "HTTP" are keywords and acronyms, common words; "TMPDIR" and "HISTSIZE" name settings,
    which a stated default must write."""
    from rag.answer.subjects import _setting_names
    from rag.text.words import common_word

    assert common_word("TABLE") and not common_word("tmpdir")
    camel, capitals = _setting_names("After LOCK TABLE in BEGIN ... COMMIT over HTTP, is TMPDIR or $HISTSIZE or MAX_SIZE used?")
    assert camel == () and capitals == ("TMPDIR", "HISTSIZE", "MAX_SIZE")
