"""Reference pages of product manuals (a directive per section, a summary table, a table of contents box): read
whole, and answered with what a sentence leans on or introduces."""

from __future__ import annotations

import pytest

from rag import Assistant
from rag.answer.blocks import refers_back
from rag.answer.defaults import states_default
from rag.answer.subjects import camel_written
from rag.ingest.markup import html_blocks

# Shaped as Apache's module pages are: one "section" division, the directives in divisions of another class, an
# in-page table of contents by id.
MODULE_PAGE = """<html><head><title>mod_relay - Example Server</title></head><body>
<div id="page-header"><p class="menu"><a href="/a">Modules</a> | <a href="/b">Directives</a> | <a href="/c">FAQ</a></p></div>
<div id="page-content">
<div id="preamble"><h1>Module mod_relay</h1>
<p>The directives of this module forward requests to a back-end server and rewrite the replies.</p></div>
<div id="quickview"><ul id="toc"><li><a href="#order">Order of Processing</a></li>
<li><a href="#relaytimeout">RelayTimeout</a></li><li><a href="#relaymode">RelayMode</a></li></ul></div>
<div class="section"><h2 id="order">Order of Processing</h2>
<p>Relays are processed in the order they appear in the configuration file.</p></div>
<div class="directive-section"><h2 id="relaytimeout">RelayTimeout Directive</h2>
<table class="directive"><tr><th>Syntax:</th><td>RelayTimeout seconds</td></tr>
<tr><th>Default:</th><td>RelayTimeout 40</td></tr><tr><th>Context:</th><td>server config, virtual host</td></tr></table>
<p>The RelayTimeout directive sets how long the server waits for the back-end server to answer. A reply that
comes later is dropped and the client gets an error page instead.</p></div>
<div class="directive-section"><h2 id="relaymode">RelayMode Directive</h2>
<table class="directive"><tr><th>Syntax:</th><td>RelayMode fast|safe</td></tr>
<tr><th>Context:</th><td>server config</td></tr></table>
<p>The RelayMode directive chooses how replies are buffered. Safe mode keeps the whole reply in memory before it
is sent. Slow clients do not notice this setting; busy servers need more memory with it.</p>
<p>The relay stages run in a fixed sequence. The order of the stages is:</p>
<ul><li>the request is read and its headers are checked</li><li>the back-end server is chosen by weight</li>
<li>the reply is buffered and compressed</li><li>the reply is logged and sent</li></ul></div>
</div></body></html>
"""


def test_a_page_with_one_section_division_is_read_whole() -> None:
    text, _whole_body = html_blocks(MODULE_PAGE) or ("", False)
    assert "## RelayTimeout Directive" in text and "## RelayMode Directive" in text
    assert "Order of Processing" in text  # as a heading, not as a table of contents' entry
    assert "- Order of Processing" not in text and "- RelayTimeout" not in text


@pytest.fixture(scope="module")
def manual(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    root = tmp_path_factory.mktemp("manual")
    docs = root / "docs"
    (docs / "mod").mkdir(parents=True)
    (docs / "mod" / "mod_relay.html").write_text(MODULE_PAGE, encoding="utf-8")
    return Assistant.build(docs, root / "index")


def test_a_directive_section_is_answered(manual: Assistant) -> None:
    answer = manual.ask("What is the default RelayTimeout?")
    assert not answer.refused and "40" in answer.text
    assert all(c.source == "mod/mod_relay.html" for c in answer.citations)


def test_a_default_never_stated_for_the_named_directive_is_refused(manual: Assistant) -> None:
    # RelayMode's table gives no default; RelayTimeout's default is no answer for it
    assert manual.ask("What does RelayMode default to?").refused


def test_a_sentence_leaning_on_the_ones_before_brings_them(manual: Assistant) -> None:
    answer = manual.ask("What do slow clients notice of the RelayMode setting?")
    quotes = " ".join(c.quote for c in answer.citations)
    assert "Slow clients do not notice this setting" in quotes
    assert "Safe mode keeps the whole reply in memory" in quotes  # what "this setting" stands for


def test_an_introduction_brings_its_whole_list(manual: Assistant) -> None:
    answer = manual.ask("In which order do the relay stages run?")
    quotes = [c.quote for c in answer.citations]
    assert any("The order of the stages is:" in q for q in quotes)
    for item in ("headers are checked", "chosen by weight", "buffered and compressed", "logged and sent"):
        assert any(item in q for q in quotes), item


@pytest.mark.parametrize(
    ("text", "leans"),
    [
        ("Some clients don't interpret this field correctly.", True),
        ("It is dropped.", True),
        ("The server reads the file at startup.", False),
        ("The footnotes present in this manual are merely informative.", False),  # the document itself
        ("Iraq and Russia signed it this year.", False),
        ("Note that the result of this function differs from the program's.", False),  # the entry's subject
    ],
)
def test_refers_back(text: str, leans: bool) -> None:
    assert refers_back(text) is leans


@pytest.mark.parametrize(
    "sentence",
    ["The default KeepAliveTimeout of 5 seconds keeps connections short.", "The default freshness lifetime for cached entities is one hour."],
)
def test_states_default(sentence: str) -> None:
    assert states_default(sentence)



@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("The ServerTokens directive sets the header.", True),
        ("For full-width text spanning two columns, the default is 1.0.", True),  # "FullWidth" in prose
        ("The FullWidths list.", False),
    ],
)
def test_camel_case_names_in_code_and_prose(text: str, written: bool) -> None:
    name = "ServerTokens" if "Server" in text else "FullWidth"
    assert camel_written(name, text) is written
