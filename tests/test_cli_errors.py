"""Hostile inputs (issue 10): each gives a clear one-line error, a skip with its reason, or a refusal; never a
traceback. Real files, real symlinks, real broken PDFs, the real index and real ``python -m rag`` subprocesses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from rag import Assistant, RagError, Settings
from rag.answer.extractive import REFUSAL
from rag.errors import display_name
from rag.ingest.documents import load_file, scan_folder
from rag.text.scripts import foreign, scripts

from . import pdfgen
from .helpers import BAGHDAD, REPO, SEEDS, copy_seeds

GOOD = (
    "Harbour news\n\nThe harbour bridge in Tallinn reopened on 3 March 2021 after two years of repairs, the city "
    "council said on Monday.\n"
)


def run(
    *args: str | bytes, stdin: bytes | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, *args],
        cwd=REPO,
        input=stdin,
        capture_output=True,
        timeout=300,
        env={**os.environ, **(env or {})},
    )


def one_line_error(out: subprocess.CompletedProcess[bytes], *, code: int = 2) -> str:
    """The single ``error: ...`` line of a failed run, after checking it is the whole of stderr."""
    err = out.stderr.decode("utf-8", "replace")
    assert out.returncode == code, (out.returncode, err)
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "unexpected" not in lines[0], err
    return lines[0]


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cli-errors")
    out = run("ingest.py", str(copy_seeds(root / "docs")), "--index", str(root / "index"), "--quiet")
    assert out.returncode == 0, out.stderr
    return root / "index"


# --- 1. symlinks ------------------------------------------------------------------------------------------------


def test_symlinks_never_lead_out_of_the_folder_and_never_loop(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text(GOOD, encoding="utf-8")
    docs = tmp_path / "docs"
    (docs / "sub").mkdir(parents=True)
    (docs / "a.txt").write_text(GOOD, encoding="utf-8")
    (docs / "sub" / "b.md").write_text(GOOD + "More.\n", encoding="utf-8")
    links = {
        "passwd.txt": Path("/etc/passwd"),  # an absolute link out
        "secret.txt": Path("../outside/secret.txt"),  # a relative link out
        "outdir": outside,  # a folder out
        "sub/up": Path("../.."),  # a folder out, from a subfolder
        "self": Path("."),  # a cycle
        "sub/back": Path(".."),  # a cycle through the parent
        "loop1.txt": Path("loop2.txt"),  # a symlink loop
        "loop2.txt": Path("loop1.txt"),
        "dangling.txt": Path("nowhere.txt"),
        "inside.txt": Path("a.txt"),  # stays inside: read like that file
        "subdir": Path("sub"),  # a folder inside: not descended into (its files are scanned where they are)
    }
    for name, target in links.items():
        (docs / name).symlink_to(target)
    found, skipped = scan_folder(docs)
    reasons = {s.source: s.reason for s in skipped}
    assert sorted(found) == ["a.txt", "inside.txt", "sub/b.md"]
    for name in ("passwd.txt", "secret.txt", "outdir", "sub/up"):
        assert reasons[name] == "symlink leaves the folder"
    assert reasons["loop1.txt"] == reasons["loop2.txt"] == "symlink loop"
    assert reasons["dangling.txt"] == "broken symlink"
    for name in ("self", "sub/back", "subdir"):
        assert reasons[name].startswith("symlink to a folder")
    assert all(Path(os.path.realpath(p)).is_relative_to(os.path.realpath(docs)) for p in found.values())


def test_ingest_never_indexes_a_file_outside_the_folder(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text(GOOD, encoding="utf-8")
    (docs / "passwd.txt").symlink_to("/etc/passwd")
    (docs / "etc").symlink_to("/etc")
    assistant = Assistant.build(docs, tmp_path / "index", Settings())
    assert [d["source"] for d in assistant.documents()] == ["a.txt"]
    report = assistant.ingest(docs)
    assert ("passwd.txt", "symlink leaves the folder") in report.skipped
    assert ("etc", "symlink leaves the folder") in report.skipped


# --- 2. bad files: parsers, bombs, names ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("truncated.pdf", "unreadable PDF"),
        ("garbage-xref.pdf", "unreadable PDF"),
        ("wrong-header.pdf", "not a PDF"),
        ("bad-version.pdf", "unreadable PDF"),
        ("encrypted.pdf", "encrypted PDF"),
        ("bomb.pdf", "decompression bomb"),
    ],
)
def test_each_broken_pdf_is_a_rag_error_with_its_reason(tmp_path: Path, name: str, reason: str) -> None:
    pdfgen.write_all(tmp_path)
    with pytest.raises(RagError, match=reason) as info:
        load_file(tmp_path / name, name, 20 * 10**6)
    assert "\n" not in str(info.value) and len(str(info.value)) < 250


def test_a_good_pdf_still_loads(tmp_path: Path) -> None:
    (tmp_path / "good.pdf").write_bytes(pdfgen.good())
    assert pdfgen.GOOD_TEXT in load_file(tmp_path / "good.pdf", "good.pdf", 10**7).text


def test_a_pdf_encrypted_with_an_empty_password_loads(tmp_path: Path) -> None:
    """pypdf checks it with the empty password and PDFium, which reads the text, opens it the same way."""
    from pypdf import PdfWriter

    (tmp_path / "good.pdf").write_bytes(pdfgen.good())
    writer = PdfWriter(clone_from=str(tmp_path / "good.pdf"))
    writer.encrypt(user_password="", owner_password="owner", algorithm="RC4-128")
    writer.write(str(tmp_path / "locked.pdf"))
    assert pdfgen.GOOD_TEXT in load_file(tmp_path / "locked.pdf", "locked.pdf", 10**7).text


@pytest.mark.parametrize(
    "html",
    [
        b"<html>" + b"<div>" * 200_000 + b"deep" + b"</div>" * 200_000 + b"</html>",  # nesting far past any limit
        b"<!doctype html><html><body>" + b"<p>\xef\xbf\xbe" * 3 + b"</body></html>",
        b"<html><body><script>" + b"x" * 1000 + b"</body>",
    ],
)
def test_html_parser_trouble_is_a_rag_error(tmp_path: Path, html: bytes) -> None:
    path = tmp_path / "page.html"
    path.write_bytes(html)
    try:
        doc = load_file(path, "page.html", 10**7)
    except RagError as e:
        assert "\n" not in str(e) and str(e)
    else:
        assert doc.text.strip() and doc.blocks


def test_ingest_skips_every_broken_file_and_keeps_the_good_one(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    broken = pdfgen.write_all(docs)
    (docs / "good.txt").write_text(GOOD, encoding="utf-8")
    (docs / "good.pdf").write_bytes(pdfgen.good())
    bad_name = os.fsencode(docs) + b"/caf\xe9.txt"  # Latin-1 bytes: not a UTF-8 file name
    with open(bad_name, "wb") as f:
        f.write(GOOD.replace("Tallinn", "Tartu").encode())
    out = run("ingest.py", str(docs), "--index", str(tmp_path / "index"), "--quiet")
    err = out.stderr.decode()
    assert out.returncode == 0 and "Traceback" not in err, err
    assert out.stdout.decode().startswith("2 added") and "7 skipped" in out.stdout.decode()
    skipped = dict(line.removeprefix("skipped ").split(": ", 1) for line in err.splitlines())
    assert sorted(skipped) == sorted([*broken, "caf\\xe9.txt"])
    assert skipped["caf\\xe9.txt"] == "file name is not valid UTF-8"
    assert all(reason.strip() for reason in skipped.values())
    listed = run("-m", "rag", "docs", "--index", str(tmp_path / "index"), "--json")
    assert [d["source"] for d in json.loads(listed.stdout)] == ["good.pdf", "good.txt"]


# --- 3, 6, 8. questions: not UTF-8, meaningless, foreign scripts, huge --------------------------------------------


@pytest.mark.parametrize(
    "question",
    ["\udcff\udcfe what happened", "When was \udce9t\udce9 agreed?", "\ud800"],
)
def test_question_that_is_not_utf8_is_rejected(seed_assistant: Assistant, question: str) -> None:
    with pytest.raises(RagError, match="not valid UTF-8"):
        seed_assistant.ask(question)


@pytest.mark.parametrize(
    "question", ["\x00\x00\x00", "\x01\x02\x1b\x7f\x08\t", "?!?!...", "---- ++++ ////", "\u200b\u200d¿¡"]
)
def test_question_without_letters_or_digits_is_rejected(seed_assistant: Assistant, question: str) -> None:
    with pytest.raises(RagError, match="no letters or digits"):
        seed_assistant.ask(question)


@pytest.mark.parametrize(
    "question",
    [
        "Когда был согласован координационный центр в Багдаде?",  # Cyrillic
        "巴格达协调中心是什么时候商定的？",  # Han
        "متى تم الاتفاق على مركز التنسيق في بغداد؟",  # Arabic
        "Πότε συμφωνήθηκε το κέντρο συντονισμού της Βαγδάτης;",  # Greek
        "מתי הוסכם על מרכז התיאום בבגדד?",  # Hebrew
        "बगदाद समन्वय केंद्र पर कब सहमति हुई?",  # Devanagari
        "バグダッドの調整センターはいつ合意されましたか",  # Katakana, Hiragana and Han
        "바그다드 조정 센터는 언제 합의되었습니까?",  # Hangul
    ],
)
@pytest.mark.parametrize("backend", ["extractive", "openai"])
def test_question_in_a_script_no_passage_uses_is_refused(
    seed_assistant: Assistant, question: str, backend: str
) -> None:
    # The refusal comes right after retrieval, so the openai backend refuses without contacting any model.
    answer = seed_assistant.ask(question, backend=backend)
    assert answer.refused and answer.text == REFUSAL and not answer.citations and answer.passages
    assert answer.backend == backend and "total_ms" in answer.timings_ms


def test_a_foreign_name_in_an_english_question_is_no_reason_to_refuse(seed_assistant: Assistant) -> None:
    answer = seed_assistant.ask("When was the Baghdad (Багдад, بغداد) coordination centre agreed?")
    assert not answer.refused and "2015" in answer.text


def test_script_detection() -> None:
    assert scripts("Hello, world 42") == {"LATIN"}
    assert scripts("Ｗｈｅｎ ｗａｓ ｉｔ") == {"LATIN"}  # fullwidth forms fold to Latin
    assert scripts("Ünïcödé façade") == {"LATIN"}
    assert scripts("Привет") == {"CYRILLIC"} and scripts("مرحبا") == {"ARABIC"}
    assert scripts("中文") == scripts("ひらがな") == scripts("カタカナ") == {"CJK"}
    assert scripts("123 ?! \x00") == set()
    assert foreign("Привет мир", ["Hello world"]) and not foreign("Привет мир", ["Hello", "мир"])
    assert not foreign("Hello Мир", ["Hello world"]) and not foreign("2015?", ["Hello"])


def test_huge_question_is_echoed_truncated(index: Path) -> None:
    question = "why " * 25_000
    out = run("-m", "rag", "ask", "--index", str(index), "--json", stdin=question.encode() + b"\n")
    record = json.loads(out.stdout)
    assert "too long" in record["error"] and len(out.stdout) < 1000
    assert record["question"] == question.strip()[:200] + "…"


def test_batch_reports_each_bad_line_and_goes_on(index: Path) -> None:
    lines = [
        BAGHDAD.encode(),
        b"\xff\xfe\xfd not utf-8 at all",
        b"\x00\x00\x00",
        b"?!?!",
        "Когда был согласован координационный центр в Багдаде?".encode(),
        b"x" * 5000,
        BAGHDAD.encode() + b"\r",
    ]
    out = run("-m", "rag", "ask", "--index", str(index), "--json", stdin=b"\n".join(lines) + b"\n")
    assert out.returncode == 1 and b"Traceback" not in out.stderr, out.stderr
    records = [json.loads(line) for line in out.stdout.splitlines()]
    assert len(records) == len(lines)
    assert [("error" in r, r.get("refused")) for r in records] == [
        (False, False),
        (True, None),
        (True, None),
        (True, None),
        (False, True),
        (True, None),
        (False, False),
    ]
    assert records[1]["question"] == "\\xff\\xfe\\xfd not utf-8 at all" and "UTF-8" in records[1]["error"]
    assert "letters or digits" in records[2]["error"] and "letters or digits" in records[3]["error"]


def test_argv_question_that_is_not_utf8(index: Path) -> None:
    out = run("-m", "rag", "ask", b"\xff\xfe when?", "--index", str(index))
    assert "not valid UTF-8" in one_line_error(out, code=1)
    out = run("-m", "rag", "ask", b"\xff\xfe when?", "--index", str(index), "--json")
    assert out.returncode == 1 and json.loads(out.stdout)["question"] == "\\xff\\xfe when?"


# --- 4, 5. options --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--date-from", "garbage"], "--date-from takes a date as YYYY-MM-DD"),
        (["--date-to", "2015/09/01"], "--date-to takes a date as YYYY-MM-DD"),
        (["--date-from", "20150901"], "YYYY-MM-DD"),
        (["--date-from", "٢٠١٥-٠٩-٠١"], "YYYY-MM-DD"),  # Arabic-Indic digits
        (["--date-from", "2015-02-30"], "not a real date"),
        (["--date-to", "2015-13-01"], "not a real date"),
        (["--date-from", "2016-01-01", "--date-to", "2015-01-01"], "is after --date-to"),
        (["--top-k", "-3"], "--top-k"),
        (["--top-k", "0"], "--top-k"),
        (["--top-k", "51"], "--top-k"),
        (["--source", b"\xff.txt"], "not valid UTF-8"),
    ],
)
def test_bad_options_are_one_line_errors(index: Path, args: list[str | bytes], message: str) -> None:
    out = run("-m", "rag", "ask", BAGHDAD, "--index", str(index), *args)
    assert message in one_line_error(out)


@pytest.mark.parametrize(("var", "value"), [("RAG_TOP_K", "abc"), ("RAG_TOP_K", "-1"), ("RAG_BACKEND", "magic")])
def test_bad_environment_settings_are_one_line_errors(index: Path, var: str, value: str) -> None:
    out = run("-m", "rag", "ask", BAGHDAD, "--index", str(index), env={var: value})
    assert var in one_line_error(out)


@pytest.mark.parametrize(
    "command",
    [
        ["-m", "rag", "ask", BAGHDAD],
        ["-m", "rag", "docs"],
        ["-m", "rag", "ingest", str(SEEDS)],
        ["ingest.py", str(SEEDS)],
    ],
)
def test_index_that_is_a_file_is_a_one_line_error(tmp_path: Path, command: list[str]) -> None:
    path = tmp_path / "index"
    path.write_text("not an index", encoding="utf-8")
    assert "is a file, not a folder" in one_line_error(run(*command, "--index", str(path)))
    assert f"({path} is a file)" in one_line_error(run(*command, "--index", str(path / "below")))


def test_valid_dates_and_top_k_still_work(index: Path) -> None:
    out = run("-m", "rag", "ask", BAGHDAD, "--index", str(index), "--json", "--top-k", "3", "--date-from", "2015-01-01")
    assert out.returncode == 0, out.stderr
    assert len(json.loads(out.stdout)["retrieved"]) <= 3


# --- 7. listings --------------------------------------------------------------------------------------------------


def test_names_with_control_characters_list_one_per_line(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    names = ["new\nline.txt", "tab\there.txt", "bell\x07\x1b[31m.txt", "plain.txt", "wide\u2028sep.txt"]
    for i, name in enumerate(names):
        (docs / name).write_text(GOOD.replace("two", str(i + 2)), encoding="utf-8")
    assert run("ingest.py", str(docs), "--index", str(tmp_path / "index"), "--quiet").returncode == 0
    out = run("-m", "rag", "docs", "--index", str(tmp_path / "index"))
    lines = out.stdout.decode().split("\n")[:-1]
    assert out.returncode == 0 and len(lines) == len(names)
    assert sorted(line.split("\t")[0] for line in lines) == sorted(display_name(n) for n in names)
    assert "new\\nline.txt" in out.stdout.decode() and "bell\\x07\\x1b[31m.txt" in out.stdout.decode()
    as_json = run("-m", "rag", "docs", "--index", str(tmp_path / "index"), "--json")
    documents = json.loads(as_json.stdout)
    assert sorted(d["source"] for d in documents) == sorted(names)  # exact names in JSON
    assert all(set(d) >= {"source", "title", "date", "chunks"} for d in documents)


def test_display_name_is_printable_and_leaves_plain_names_alone() -> None:
    assert display_name("café – notes.txt") == "café – notes.txt"
    assert display_name("a\nb\tc\x00") == "a\\nb\\tc\\x00"
    assert display_name(os.fsdecode(b"caf\xe9.txt")) == "caf\\xe9.txt"
    assert all(display_name(chr(c)).isprintable() for c in range(0x2100))


# --- the same bytes under two names (a copy, or a link that stays inside) ---------------------------------------


def test_two_identical_files_under_different_names(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "one.txt").write_text(GOOD, encoding="utf-8")
    (docs / "two.txt").write_text(GOOD, encoding="utf-8")
    (docs / "three.txt").symlink_to("one.txt")
    assistant = Assistant.build(docs, tmp_path / "index", Settings())
    assert sorted(d["source"] for d in assistant.documents()) == ["one.txt", "three.txt", "two.txt"]
