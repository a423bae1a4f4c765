"""Hard-wrapped plain text: paragraphs joined back, lists, tables and headings kept apart."""

from __future__ import annotations

from pathlib import Path

from rag import Assistant, Settings
from rag.ingest.chunking import chunk_document
from rag.ingest.documents import load_file
from rag.ingest.wrapped import paragraphs, wrap_width

FAQ = """Frequently Asked Questions
--------------------------

Why does the pump start on its own at night?
=============================================

The pump starts whenever the pressure in the tank falls below the cut-in
level, which is 1.4 bar unless you have changed it.  A slow leak in a tap or
a cistern lets the pressure fall overnight, so the pump tops the tank up for
a few seconds at a time.  Check each tap and cistern before you call for a
service visit.

    The cut-in level is set on the pressure switch under the grey cover, and
changing it needs a flat screwdriver and about five minutes of your time.

Which parts wear out first?
===========================

  *  The membrane of the expansion vessel, which loses its pre-charge after
     about five years and then makes the pump cycle every few seconds.

  *  The shaft seal, which drips when it is worn.

Part numbers:

seal-kit\tShaft seal and O-rings for every model
membrane-24\tMembrane for the 24 litre vessel
"""


def _text(tmp_path: Path, text: str, name: str = "pump-faq.txt") -> tuple[Path, str]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path, text


def test_wrapped_paragraphs_are_joined_and_lists_and_tables_kept_apart(tmp_path: Path) -> None:
    path, text = _text(tmp_path, FAQ)
    assert wrap_width(text) == 76
    blocks = [text[s.start : s.end] for s in paragraphs(text) or []]
    leak = next(b for b in blocks if b.startswith("The pump starts"))
    assert leak.endswith("service visit.") and leak.count("\n") == 4  # one paragraph of five lines
    assert any(b.startswith("The cut-in level is set") and b.endswith("of your time.") for b in blocks)  # indented first line
    assert any(b.startswith("*  The membrane") and b.endswith("every few seconds.") for b in blocks)  # hanging indent
    assert "*  The shaft seal, which drips when it is worn." in blocks  # the next item is its own block
    assert "seal-kit\tShaft seal and O-rings for every model" in blocks  # a table's rows stay apart
    assert "membrane-24\tMembrane for the 24 litre vessel" in blocks
    doc = load_file(path, path.name, 10**6)
    sentences = [doc.text[s.start : s.end] for c in chunk_document(doc) for s in c.sentences]
    wrapped = "A slow leak in a tap or\na cistern lets the pressure fall overnight, so the pump tops the tank up for\na few seconds at a time."
    assert wrapped in sentences


def test_text_whose_lines_are_paragraphs_is_read_line_by_line(tmp_path: Path) -> None:
    """A news article or an essay puts each paragraph on one long line: nothing is joined."""
    line = "The council said on Monday that the bridge would reopen after two years of repairs to its arches. "
    text = "Bridge reopens\n\n" + "\n".join(line * 2 + f"Paragraph {n}." for n in range(10)) + "\n"
    assert wrap_width(text) is None and paragraphs(text) is None
    path, _ = _text(tmp_path, text, "bridge.txt")
    doc = load_file(path, path.name, 10**6)
    assert all("\n" not in doc.text[b.start : b.end] for b in doc.blocks)


def test_an_answer_from_wrapped_text_quotes_whole_sentences(tmp_path: Path) -> None:
    """Also from a file named as such files often are, with no extension ("FAQ", "README")."""
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "FAQ").write_text(FAQ, encoding="utf-8")
    pump = Assistant.build(tmp_path / "docs", tmp_path / "index", Settings())
    answer = pump.ask("Why does the pump start by itself during the night?")
    assert not answer.refused, answer.text
    for c in answer.citations:
        assert pump.source_text(c.source)[c.start : c.end] == c.quote
        assert c.quote[:1].isupper() and c.quote.rstrip().endswith("."), c.quote  # no line of a paragraph
    assert any("\n" in c.quote for c in answer.citations)  # a sentence that runs across the file's line breaks
    assert {c.source for c in answer.citations} == {"FAQ"}


LISTS = """                  Introduction to the mailing lists
                  =================================

  The project is developed by people all
  around the world, so email is the preferred way to discuss
  various items.  Much of the conversation between developers
  and users is managed through several mailing lists.

  Anyone is able to subscribe or unsubscribe on their own to any
  list, presuming the subscription policy for that list is open; the
  requests go to a control address that is slightly different from
  the list address.

""" + "".join(
    f"""  tools-{n}@lists.example.org

      Description : Talk about tool number {n}.
      Moderated   : no
      Subscription: open

"""
    for n in range(8)
)


def test_ragged_prose_among_records_is_joined(tmp_path: Path) -> None:
    """A file that is mostly short records, with prose wrapped raggedly at no one width: the prose's sentences
    still run across its lines, and the records keep theirs."""
    assert wrap_width(LISTS) is not None
    blocks = [LISTS[s.start : s.end] for s in paragraphs(LISTS) or []]
    prose = next(b for b in blocks if b.startswith("The project"))
    assert prose.endswith("several mailing lists.")
    assert "Moderated   : no" in blocks and "Description : Talk about tool number 3." in blocks


SET_OFF = """Mailing lists of the Widget project
------------------------------------

  The lists are run by a list server, and messages to the list address go
  to every subscriber.  Requests to join or leave a list go elsewhere.

  To subscribe or unsubscribe from a mailing list, please send mail to

        <listname>-REQUEST@lists.widget.example

  with the word `subscribe' or `unsubscribe' as subject.

  Please remember the -REQUEST part of the address, or your request goes
  to every subscriber of the list instead of to the list server.

  widget-users@lists.widget.example

      Description : Help and discussion for people who use widgets
      Subscription: open

  widget-devel@lists.widget.example

      Description : Development of the widget library and its tools
      Subscription: open

4. The Developers by way of General Resolution or an election held
   among them

  4.1. Powers

  The Developers may appoint or recall the project leader at any time.
"""


def test_a_line_set_off_inside_a_sentence_stays_in_it(tmp_path: Path) -> None:
    """An address or a command set off on its own line between the parts of a sentence ("please send mail to" /
    "<listname>-REQUEST@..." / "with the word ...") is read with them as one sentence: the line alone is dropped as
    furniture, and the sentence's parts quoted apart said neither where to send the mail nor all of what to do.
    A field line ("Subscription: open") and a numbered heading are complete: what follows is not joined to them."""
    path, _ = _text(tmp_path, SET_OFF, "lists.txt")
    doc = load_file(path, path.name, 10**6)
    sentences = [doc.text[s.start : s.end] for c in chunk_document(doc) for s in c.sentences]
    whole = next(s for s in sentences if s.startswith("To subscribe or unsubscribe"))
    assert "<listname>-REQUEST@lists.widget.example" in whole and whole.endswith("as subject."), whole
    assert not any(s.startswith("with the word") for s in sentences)
    assert not any(s.rstrip().endswith("open") and "widget-devel@" in s for s in sentences)
    assert not any("4.1. Powers" in s and "election" in s for s in sentences)


CARD = """Reference card of the widget mail server

   Send these commands in the body of a message, one a line, and end
   the message with the word thanks on a line of its own.

Commands for the request address

     * send itemnumber
     * send-detail itemnumber
     * index [full]
     * index-summary by-number
     * index-maint
     * index-packages
     * index packages package
     * send-unmatched [this|0]
     * send-unmatched last
     * getinfo filename
     * help
     * refcard
     * thanks
     * close itemnumber [ version ] (deprecated, you must separately
       tell the submitter why, see "Closing items" instead)
     * reopen itemnumber

   reopen with = leaves the submitter as the original one; ! sets
   it to you, the person doing the reopen.
"""


def test_a_list_items_wrapped_line_carries_its_sentence_on() -> None:
    """A list of one-line commands with a few wrapped sentences is hard-wrapped text: an item's sentence that runs
    on under its text ("... you must separately" / "tell the submitter why ...") is one block, not two lines."""
    assert wrap_width(CARD) is not None
    blocks = [CARD[s.start : s.end] for s in paragraphs(CARD) or []]
    item = next(b for b in blocks if b.startswith("* close"))
    assert item.endswith('see "Closing items" instead)')
    assert "* send itemnumber" in blocks and "* reopen itemnumber" in blocks


def _terms_licence(version: int, date: str, shared: str, days: int) -> str:
    """A made-up licence text laid out as many are: a centred title, its version under it, numbered terms whose
    definitions hang under them, and lettered items."""
    return f"""                      HARBOUR DATA LICENCE
                      Version {version}, {date}

 Everyone may copy this licence text word for word; changing it is not allowed.

1. Definitions
--------------

1.1. "Licensor"
    means the person or body that offers the Data under this licence
    (the "HDL") and keeps the copyright in it.

1.2. "Shared Work"
    means {shared}

1.3. "Data"
    means the tables, records and measurements that the Licensor
    publishes together with a copy of this licence.

2. Conditions
-------------

2.1. You may copy and publish the Data in any form, provided that:

    (a) every copy carries a notice that names the Licensor and
        points to this licence; and

    (b) you tell the Licensor within {days} days of publishing a
        Shared Work, by writing to the address the Licensor gives.

2.2. Your rights end if you break a condition of section 2.1 and do
     not put it right within {days} days of being told about it by
     the Licensor in writing.

3. Notices
----------

A. Keep every notice that the Licensor put in the Data, together
   with the date on which you received the Data.
"""


def test_a_licence_reads_its_version_into_its_title_and_its_terms_with_their_definitions(tmp_path: Path) -> None:
    """The line under the title that names the version belongs to the title, a term and the definition indented
    under it are one paragraph, and so are a lettered item's lines; a question naming the version glued to the
    licence's name ("HDLv2") finds that version's definition."""
    docs = tmp_path / "docs"
    docs.mkdir()
    older = "any table that combines the Data with other records, in whole or\n    in part, and is offered for sale."
    newer = "any table, chart or report that is made from the Data, in\n    whole or in part, whether or not it is offered to others."
    (docs / "HDL-1.txt").write_text(_terms_licence(1, "2 May 2016", older, 60), encoding="utf-8")
    (docs / "HDL-2.txt").write_text(_terms_licence(2, "3 March 2021", newer, 30), encoding="utf-8")
    doc = load_file(docs / "HDL-2.txt", "HDL-2.txt", 10**6)
    assert doc.title == "HARBOUR DATA LICENCE, Version 2, 3 March 2021"
    blocks = [doc.text[b.start : b.end] for b in doc.blocks]
    assert '1.2. "Shared Work"\n    means any table, chart or report' in next(b for b in blocks if "Shared Work\"\n" in b)
    assert any(b.startswith("(b) you tell the Licensor") and b.endswith("the Licensor gives.") for b in blocks)
    assert any(b.startswith("A. Keep every notice") and b.endswith("received the Data.") for b in blocks)

    harbour = Assistant.build(docs, tmp_path / "index", Settings())
    answer = harbour.ask('What does "Shared Work" mean under HDLv2?')
    assert not answer.refused, answer.text
    assert answer.citations[0].source == "HDL-2.txt", answer.citations
    assert "means any table, chart or report" in answer.citations[0].quote
    for c in answer.citations:
        assert harbour.source_text(c.source)[c.start : c.end] == c.quote


def test_a_question_about_one_version_is_answered_from_that_version_only(tmp_path: Path) -> None:
    """Two versions of one licence, near-copies: the version the question names decides which one answers, and a
    version that no document is gets a refusal rather than another version's terms."""
    docs = tmp_path / "docs"
    docs.mkdir()
    shared = "any table, chart or report that is made from the Data, in\n    whole or in part."
    (docs / "HDL-1.txt").write_text(_terms_licence(1, "2 May 2016", shared, 60), encoding="utf-8")
    (docs / "HDL-2.txt").write_text(_terms_licence(2, "3 March 2021", shared, 30), encoding="utf-8")
    harbour = Assistant.build(docs, tmp_path / "index", Settings())
    for version, days, source in ((1, "60", "HDL-1.txt"), (2, "30", "HDL-2.txt")):
        answer = harbour.ask(
            f"Under version {version} of the Harbour Data Licence, within how many days must I tell the Licensor "
            "that I published a Shared Work?"
        )
        assert not answer.refused, answer.text
        assert answer.text.startswith(f"{days} days"), answer.text
        assert {c.source for c in answer.citations} == {source}, answer.citations
    later = harbour.ask("Under the Harbour Data Licence version 3, within how many days must I tell the Licensor?")
    assert later.refused, later.text
