"""Fuzzing (issue 10) with hypothesis: random bytes and text as file names, file contents and questions.

Whatever comes in, loading and ingest finish, each bad file is skipped with a one-line reason, and a question
gets an answer, a refusal or a one-line error: never a crash, never a traceback. Example counts are bounded so
the file runs in well under a minute; ``database=None`` keeps hypothesis from writing into the repository.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rag import Assistant, RagError, Settings
from rag.answer.extractive import REFUSAL
from rag.ingest.documents import display_name, load_file, scan_folder

from . import pdfgen
from .helpers import REPO

GOOD = (
    "Harbour news\n\nThe harbour bridge in Tallinn reopened on 3 March 2021 after two years of repairs, the city "
    "council said on Monday.\n"
)
FAST = settings(max_examples=150, deadline=None, database=None)
SLOW = settings(max_examples=6, deadline=None, database=None, suppress_health_check=list(HealthCheck))

# --- strategies -----------------------------------------------------------------------------------------------------

SUFFIXES = [b".txt", b".md", b".html", b".htm", b".pdf", b".markdown", b"", b".docx", b".TXT"]
text_names = st.text(
    alphabet=st.characters(exclude_characters="/\x00", exclude_categories=("Cs",)), min_size=1, max_size=30
).map(os.fsencode)
byte_names = st.binary(min_size=1, max_size=30).map(lambda b: b.replace(b"/", b"_").replace(b"\x00", b"_"))
names = st.tuples(st.one_of(text_names, byte_names), st.sampled_from(SUFFIXES)).map(lambda t: t[0] + t[1])

words = st.text(alphabet=st.characters(categories=("L", "N", "P", "S", "Zs")), min_size=1, max_size=12)
sentences = st.lists(words, min_size=8, max_size=20).map(lambda ws: " ".join(ws) + ".")
articles = st.lists(sentences, min_size=1, max_size=6).map(lambda ss: "\n\n".join(ss).encode("utf-8", "surrogatepass"))
GOOD_PDF = pdfgen.good()
mutated_pdfs = st.tuples(st.integers(0, len(GOOD_PDF) - 1), st.binary(min_size=1, max_size=16)).map(
    lambda t: GOOD_PDF[: t[0]] + t[1] + GOOD_PDF[t[0] + len(t[1]) :]
)
html_pages = st.text(max_size=400).map(
    lambda t: f"<html><body><p>{t}</p></body></html>".encode("utf-8", "surrogatepass")
)
contents = st.one_of(
    st.binary(max_size=2000),
    st.text(max_size=2000).map(lambda t: t.encode("utf-8", "surrogatepass")),
    articles,
    mutated_pdfs,
    html_pages,
)
folders = st.lists(st.tuples(names, contents), max_size=6, unique_by=lambda f: f[0])

raw_questions = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.one_of(st.characters(), st.integers(0xD800, 0xDFFF).map(chr)), max_size=120),  # surrogates
    st.binary(max_size=200).map(lambda b: b.decode("utf-8", "surrogateescape")),
    st.lists(words, min_size=1, max_size=12).map(" ".join),
)


def write_folder(folder: Path, files: list[tuple[bytes, bytes]]) -> set[bytes]:
    """Write ``files`` under ``folder`` (plus a good article); the names a scan should account for."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "good.txt").write_text(GOOD, encoding="utf-8")
    visible = {b"good.txt"}
    for name, data in files:
        if name in (b".", b"..", b"good.txt") or len(name) > 250:
            continue
        with open(os.path.join(os.fsencode(folder), name), "wb") as f:
            f.write(data)
        if not name.startswith(b"."):
            visible.add(name)
    return visible


def shown(name: bytes) -> str:
    return display_name(os.fsdecode(name))


def one_line(reason: str) -> bool:
    return bool(reason.strip()) and reason.isprintable() and len(reason) < 300


@pytest.fixture()
def cli_index(seed_assistant: Assistant) -> Path:
    """The seed index on disk, for ``python -m rag`` subprocesses (which only read it)."""
    return seed_assistant.settings.index_dir


# --- files --------------------------------------------------------------------------------------------------------


@FAST
@given(folders)
def test_scan_and_load_account_for_every_file(files: list[tuple[bytes, bytes]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        visible = write_folder(folder, files)
        found, skipped = scan_folder(folder)
        assert sorted([*map(display_name, found), *(s.source for s in skipped)]) == sorted(map(shown, visible))
        assert all(one_line(s.reason) and s.source.isprintable() for s in skipped)
        for source, path in found.items():
            source.encode("utf-8")  # every name handed on is valid UTF-8
            try:
                doc = load_file(path, source, 10**7)
            except RagError as e:
                assert one_line(str(e)), str(e)
            else:
                assert doc.blocks and all(doc.text[b.start : b.end].strip() for b in doc.blocks)


@SLOW
@given(folders)
def test_ingest_finishes_and_skips_bad_files_with_reasons(files: list[tuple[bytes, bytes]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "docs"
        visible = write_folder(folder, files)
        assistant = Assistant.open(Path(tmp) / "index", Settings(), create=True)
        report = assistant.ingest(folder)
        ingested = {d["source"] for d in assistant.documents()}
        skipped = {display_name(source): reason for source, reason in report.skipped}
        assert "good.txt" in ingested and report.added == len(ingested)
        assert {display_name(s) for s in ingested} | set(skipped) == {shown(n) for n in visible}
        assert not {display_name(s) for s in ingested} & set(skipped)
        assert all(one_line(reason) for reason in skipped.values()), skipped
        answer = assistant.ask("When did the harbour bridge in Tallinn reopen?")
        assert not answer.refused and "2021" in answer.text


# --- questions ----------------------------------------------------------------------------------------------------


@settings(max_examples=40, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw_questions)
def test_any_question_gets_an_answer_a_refusal_or_a_clear_error(seed_assistant: Assistant, question: str) -> None:
    try:
        answer = seed_assistant.ask(question)
    except RagError as e:
        assert one_line(str(e)), str(e)
        return
    if answer.refused:
        assert answer.text == REFUSAL and not answer.citations
    else:
        assert answer.text.strip() and answer.citations
    for c in answer.citations:
        assert seed_assistant.source_text(c.source)[c.start : c.end] == c.quote
    json.dumps(answer.to_dict(), ensure_ascii=False).encode("utf-8")  # the CLI can print it


@settings(max_examples=2, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.binary(max_size=300).map(lambda b: b.replace(b"\n", b" ")), min_size=10, max_size=15))
def test_cli_batch_of_random_lines_never_crashes(cli_index: Path, lines: list[bytes]) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "rag", "ask", "--index", str(cli_index), "--json"],
        cwd=REPO,
        input=b"\n".join(lines) + b"\n",
        capture_output=True,
        timeout=300,
    )
    assert out.returncode in (0, 1) and b"Traceback" not in out.stderr, out.stderr
    expected = [line for line in lines if line.rstrip(b"\r").decode("utf-8", "surrogateescape").strip()]
    records = [json.loads(line) for line in out.stdout.decode("utf-8").splitlines()]
    assert len(records) == len(expected)
    for record in records:
        assert ("error" in record and one_line(record["error"])) or isinstance(record["refused"], bool)
        assert len(record["question"]) <= 201


@settings(max_examples=2, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(min_size=1, max_size=200).map(lambda b: b.replace(b"\x00", b"\x01")))
def test_cli_argv_question_of_random_bytes_never_crashes(cli_index: Path, question: bytes) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "rag", "ask", "--index", str(cli_index), "--", question],
        cwd=REPO,
        capture_output=True,
        timeout=300,
    )
    err = out.stderr.decode("utf-8", "replace")
    assert "Traceback" not in err and "unexpected" not in err
    if out.returncode == 0:
        assert out.stdout.strip()
    else:
        assert out.returncode == 1 and len(err.strip().splitlines()) == 1 and err.startswith("error: "), err
