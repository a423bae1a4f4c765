"""A manual page saved as text (``man frob | col -b``): running header and footer, outdented headings, options
with their descriptions hanging under them, words hyphenated across lines, tagged paragraphs and examples."""

from __future__ import annotations

from pathlib import Path

from rag import Assistant, Settings
from rag.ingest.chunking import chunk_document
from rag.ingest.documents import load_file
from rag.text.lexical import terms, unbroken

# a made-up command, laid out as man-db renders a page to an 80-column terminal
FROB = """FROB(1)                          User Commands                         FROB(1)

NAME
       frob - polish the glaze of ceramic tiles

SYNOPSIS
       frob [OPTION]... TILE...

DESCRIPTION
       Polish each TILE with the buffing wheel.  Tiles are taken in the order
       given, and each is polished until its glaze reflects a test lamp.

       -g, --grit=NUMBER
              use abrasive paste of grade NUMBER (default: 400)

       -k, --keep-edge
              leave the bevelled edge of each tile unpolished

       -q     do not report the tiles polished

       -w, --wheel-speed=RPM
              turn the wheel at RPM revolutions per minute; speeds above 3000
              crack the glaze of earthenware, whose tiles are pol‐
              ished at half speed whatever is given

       To polish a tile whose name starts with a '-', for example '-red',  use
       one of these commands:

              frob -- -red

              frob ./-red

   Exit status:
       0      if every tile was polished

       3      if the wheel stopped before a tile was done, because its motor
              overheated

AUTHOR
       Written by Ada Brickwright.

GNU frobutils 2.4                  March 2023                          FROB(1)
"""


def _page(tmp_path: Path) -> Path:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "frob.1.txt").write_text(FROB, encoding="utf-8")
    return docs


def test_a_manual_page_reads_its_headings_options_and_examples(tmp_path: Path) -> None:
    path = _page(tmp_path) / "frob.1.txt"
    doc = load_file(path, path.name, 10**6)
    blocks = [doc.text[b.start : b.end] for b in doc.blocks]
    assert doc.title == "frob - polish the glaze of ceramic tiles"  # not the running header
    assert not any("User Commands" in b or "March 2023" in b for b in blocks)  # header and footer are furniture
    assert "DESCRIPTION" not in blocks and not any(b.startswith("NAME") for b in blocks)  # headings name sections
    # an option is kept with its description, however short, and a long one whole across its hyphenated line
    assert "-k, --keep-edge\n              leave the bevelled edge of each tile unpolished" in blocks
    assert "-q     do not report the tiles polished" in blocks
    speed = next(b for b in blocks if b.startswith("-w, --wheel-speed=RPM"))
    assert speed.endswith("whatever is given")
    # the examples a line introduces stay, and a tagged paragraph's lines hang under its text
    assert "frob -- -red" in blocks and "frob ./-red" in blocks
    assert any(b.startswith("3      if the wheel stopped") and b.endswith("overheated") for b in blocks)
    paths = dict((at, p) for at, p in doc.sections)
    assert f"{doc.title} › DESCRIPTION › -k, --keep-edge" in paths.values()
    assert f"{doc.title} › AUTHOR" in paths.values()
    for chunk in chunk_document(doc):  # each option's description is a chunk titled with the option
        if "bevelled edge" in chunk.text:
            assert chunk.title.endswith("› -k, --keep-edge") and "-g, --grit" not in chunk.text


def test_hyphenated_words_and_one_letter_options_are_words_to_match() -> None:
    broken = "tiles are pol‐\n              ished at half speed"
    assert unbroken(broken) == "tiles are polished at half speed"
    assert "polish" in terms(broken) and "pol" not in terms(broken)
    assert "-k" in terms("Which option does frob -k stand for?")
    assert "-k" not in terms("a well-known e-mail")  # a hyphen inside a word is no option


def test_questions_about_options_are_answered_from_their_descriptions(tmp_path: Path) -> None:
    frob = Assistant.build(_page(tmp_path), tmp_path / "index", Settings())
    answer = frob.ask("What does frob -k do?")
    assert not answer.refused, answer.text
    assert "bevelled edge" in answer.text, answer.text
    quotes = [FROB[c.start : c.end] for c in answer.citations]
    assert any(q.startswith("-k, --keep-edge") for q in quotes), quotes  # the option's entry whole, with its name
    speed = frob.ask("How fast can the wheel of frob turn before earthenware glaze cracks?")
    assert not speed.refused and "3000" in speed.text, speed.text
    # an option no entry describes is refused, not answered from another option's description
    absent = frob.ask("What does frob -z do?")
    assert absent.refused, absent.text


FROB_EXIT = """FROB(1)                          User Commands                         FROB(1)

NAME
       frob - polish the glaze of ceramic tiles

DESCRIPTION
       Polish each TILE with the buffing wheel until its glaze reflects a test
       lamp.

       Exit status is 0 if every tile was polished, 3 if the wheel stopped
       before a tile was done.

GNU frobutils 2.4                  March 2023                          FROB(1)
"""
BLIT = """BLIT(1)                          User Commands                         BLIT(1)

NAME
       blit - copy glazed tiles between kilns

DESCRIPTION
       Copy each TILE from one kiln to the next, keeping its glaze intact.

       --frob
              polish each tile with frob before it is copied; the exit status
              of frob is ignored, and blit exits with status 0 once every tile
              was copied, whatever frob returned

GNU frobutils 2.4                  March 2023                          BLIT(1)
"""


def test_a_question_naming_a_command_is_answered_from_its_page(tmp_path: Path) -> None:
    """Another page that names the command ("--frob" of blit) is no answer about the command's own behaviour."""
    from rag.text.terms import subject_names

    assert subject_names("gzip, gunzip, zcat - compress or expand files › OPTIONS") == ["gzip", "gunzip", "zcat"]
    assert subject_names("bisect — Array bisection algorithm") == ["bisect"]
    assert subject_names("GNU GENERAL PUBLIC LICENSE, Version 3") == []
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "frob.1.txt").write_text(FROB_EXIT, encoding="utf-8")
    (docs / "blit.1.txt").write_text(BLIT, encoding="utf-8")
    pages = Assistant.build(docs, tmp_path / "index", Settings())
    answer = pages.ask("What do frob's exit codes mean?")
    assert answer.citations and answer.citations[0].source == "frob.1.txt", answer.text
    assert "3 if the wheel stopped" in answer.text, answer.text


GLINT = """GLINT(1)                         User Commands                        GLINT(1)

NAME
       glint - measure the shine of glazed tiles

DESCRIPTION
       Measure the shine of each TILE under the test lamp and print how
       brightly its glaze reflects the lamp, on a scale that the lamp's maker
       sets for each batch of glaze.

       Tiles are measured one by one in the order they are given, and the
       lamp is warmed up for a minute before the first of them is measured.

       -q, --quiet
              print nothing for a tile whose glaze is dull

GNU frobutils 2.4                  March 2023                         GLINT(1)
"""


def test_the_exit_status_of_another_command_is_no_answer(tmp_path: Path) -> None:
    """A question about one command's exit status, which its page never states, is refused: the statuses another
    command's page gives (frob's "0 if every tile was polished, 3 if ...") are of that command. Asked of frob, the
    same question is answered from frob's page."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "frob.1.txt").write_text(FROB_EXIT, encoding="utf-8")
    (docs / "glint.1.txt").write_text(GLINT, encoding="utf-8")
    pages = Assistant.build(docs, tmp_path / "index", Settings())
    for question in ("What do glint's exit codes mean?", "What exit status does glint return if a tile was not done?"):
        glint = pages.ask(question)
        assert glint.refused, glint.text
    frob = pages.ask("What exit status does frob return when the wheel stops before a tile is done?")
    assert not frob.refused and "3" in frob.text, frob.text
    assert frob.citations[0].source == "frob.1.txt"


def test_the_default_of_another_option_is_no_answer(tmp_path: Path) -> None:
    """frob's page states a default for --grit only: asked the default wheel speed "without -w", it is refused,
    since the only default stated ("(default: 400)") is of another option's entry; asked the grit's, it answers."""
    frob = Assistant.build(_page(tmp_path), tmp_path / "index", Settings())
    speed = frob.ask("What wheel speed does frob use by default when I don't pass -w?")
    assert speed.refused, speed.text
    grit = frob.ask("What grit does frob use by default when I don't pass -g?")
    assert not grit.refused and "400" in grit.text, grit.text
