"""A GNU Info manual saved as text (``zcat frob.info.gz > frob.txt``) or kept as ``frob.info``: node headers, menus,
index entries and the tag table are navigation, underlined headings are the section paths, and option and
variable tables are entries titled with their names."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag import Assistant, Settings
from rag.ingest.chunking import chunk_document
from rag.ingest.documents import load_file
from rag.ingest.info import is_info, read
from rag.records import Chunk, Passage

# a made-up manual, laid out as makeinfo writes one
FROB = """This is frob.info, produced by makeinfo version 6.8 from frob.texi.

This manual is for GNU Frob, which polishes the glaze of ceramic tiles.

   Copyright (C) 2023 Free Software Foundation, Inc.
INFO-DIR-SECTION Utilities
START-INFO-DIR-ENTRY
* Frob: (frob).                 Polish ceramic tiles.
END-INFO-DIR-ENTRY

\x1f
File: frob.info,  Node: Top,  Next: Polishing,  Up: (dir)

GNU Frob
********

This manual documents GNU Frob, a program that polishes the glaze of
ceramic tiles with a buffing wheel.

* Menu:

* Polishing::           Polishing tiles.
* Index::               Index of concepts.

\x1f
File: frob.info,  Node: Polishing,  Next: Index,  Prev: Top,  Up: Top

1 Polishing tiles
*****************

   'frob' polishes each TILE given on its command line, in the order
given, until its glaze reflects a test lamp.  It needs about 3700
kbytes of memory for a tile of the default size.

1.1 Options
===========

'-k'
'--keep-edge'
     Leave the bevelled edge of each tile unpolished, so that grout
     still holds to it.

'-g NUMBER'
'--grit=NUMBER'
     Use abrasive paste of grade NUMBER.  The default grade is 400.

1.2 Settings
============

     'wheel-limit'
          The number of tiles polished before the wheel is cleaned.  The
          default limit is '25'.

 -- Function: int frob_tile (tile_t *TILE, int GRIT, int KEEP_EDGE,
          int SPEED)
     Polish TILE with paste of grade GRIT, and return zero once its glaze
     reflects the test lamp.

\x1f
File: frob.info,  Node: Index,  Prev: Polishing,  Up: Top

Index
*****

\x00\x08[index\x00\x08]
* Menu:

* edge, bevelled:                        Polishing.            (line 14)
* grit:                                  Polishing.            (line 20)



Tag Table:
Node: Top219
Node: Polishing512
Node: Index1623
\x1f
End Tag Table


\x1f
Local Variables:
coding: utf-8
End:
"""


def _docs(tmp_path: Path, name: str = "frob.info") -> Path:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / name).write_text(FROB, encoding="utf-8")
    return docs


@pytest.mark.parametrize("name", ["frob.info", "frob.txt"])
def test_an_info_manual_reads_as_its_text_without_its_navigation(tmp_path: Path, name: str) -> None:
    path = _docs(tmp_path, name) / name
    assert is_info(FROB) and not is_info("File: notes.txt,  Node: nothing here")
    doc = load_file(path, name, 10**6)
    assert doc.text == FROB  # citations index into the file as it is
    blocks = [doc.text[b.start : b.end] for b in doc.blocks]
    assert doc.title == "GNU Frob"  # the Top node's heading, not "This is frob.info, produced by makeinfo ..."
    navigation = ("File: frob.info", "* Menu:", "* Polishing::", "Tag Table", "Node: Top", "Local Variables", "\x1f")
    assert not any(n in b for b in blocks for n in navigation), blocks
    assert not any("makeinfo" in b or "INFO-DIR" in b or "(line 14)" in b for b in blocks), blocks
    assert "1 Polishing tiles" not in blocks and not any("*****" in b or "=====" in b for b in blocks)
    # an option's two names and its description are one block, as is a function's signature across its lines
    assert any(b.startswith("'-k'\n'--keep-edge'\n     Leave the bevelled edge") for b in blocks), blocks
    assert "-- Function: int frob_tile (tile_t *TILE, int GRIT, int KEEP_EDGE,\n          int SPEED)" in blocks
    paths = [p for _, p in doc.sections]
    assert "GNU Frob › 1 Polishing tiles › 1.1 Options › '-k', '--keep-edge'" in paths
    assert "GNU Frob › 1 Polishing tiles › 1.2 Settings › 'wheel-limit'" in paths  # a variable's table entry
    for chunk in chunk_document(doc):  # each entry is a chunk titled with its names
        if "bevelled edge" in chunk.text:
            assert chunk.title.endswith("› '-k', '--keep-edge'") and "grit" not in chunk.text.lower()


def test_reading_keeps_offsets_and_is_blank_only_where_navigation_was() -> None:
    manual = read(FROB, "frob")
    assert len(manual.text) == len(FROB) and manual.text.count("\n") == FROB.count("\n")
    assert all(a == b or a == " " for a, b in zip(manual.text, FROB, strict=True))
    assert manual.title == "GNU Frob"
    assert read("no nodes here\n", "notes").sections == []


def test_questions_about_an_info_manual_are_answered_from_its_entries(tmp_path: Path) -> None:
    frob = Assistant.build(_docs(tmp_path), tmp_path / "index", Settings())
    answer = frob.ask("What does frob --keep-edge do?")
    assert not answer.refused and "bevelled edge" in answer.text, answer.text
    # "kbytes" is an amount of memory
    memory = frob.ask("How much memory does frob need?")
    assert not memory.refused and "3700" in memory.text, memory.text
    # a name only the scene before the question uses ("ISO") is the asker's, not what is asked about
    scene = frob.ask("My tiles came from a kiln in Yorkshire. How do I leave their bevelled edge unpolished with frob?")
    assert not scene.refused and "--keep-edge" in scene.text, scene.text
    asked = frob.ask("How do I leave the bevelled edge of Yorkshire tiles unpolished with frob?")
    assert asked.refused, asked.text  # ... but one the question proper asks about is not in the manual


def test_an_options_entry_ranks_above_prose_using_its_words() -> None:
    from rag.search.retrieval import _prefer_asked_entry

    def passage(title: str, score: float) -> Passage:
        chunk = Chunk(id=title, source="wget.info", text="...", start=0, end=3, sentences=[], title=title)
        return Passage(chunk=chunk, score=score)

    prose = passage("Wget › 1 Overview", 0.030)
    entry = passage("Wget › 2 Invoking › 2.11 Recursive Retrieval Options › ‘-m’, ‘--mirror’", 0.020)
    other = passage("Wget › 2 Invoking › 2.11 Recursive Retrieval Options › ‘--mirror-all’", 0.020)
    _prefer_asked_entry("What does wget --mirror switch on?", [prose, entry, other])
    assert entry.score > prose.score and other.score == 0.020
