"""The web UI's callbacks, called directly over a real index of the seeds (real ONNX embedder, real Chroma)."""

from __future__ import annotations

import html
import json
import re
import sys
from pathlib import Path
from typing import Any

import gradio as gr
import pytest

from rag import Assistant, Filters, Settings
from rag.errors import RagError
from rag.ui import access, app, layout, session, uploads
from rag.ui import render as R

from . import pdfgen
from .helpers import BAGHDAD, POPULATION, copy_seeds
from .servers import free_port

TREATY = "The Treaty of Vellmarsk was signed in the town of Orrin Vale on 14 March 2019 by seven river councils."
TREATY_Q = "Where was the Treaty of Vellmarsk signed?"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Assistant, Path]:
    root = tmp_path_factory.mktemp("ui-index")
    docs = copy_seeds(root / "docs")
    return Assistant.build(docs, root / "index", Settings()), docs


@pytest.fixture(scope="module")
def ui(built: tuple[Assistant, Path]) -> session.RagUI:
    return session.RagUI(assistant=built[0])


@pytest.fixture(scope="module")
def cited(built: tuple[Assistant, Path]) -> list[dict[str, Any]]:
    """A conversation whose answer cites two real paragraphs of the seeds at their exact spans.

    Independent of how well the answerer does today, so the panel and viewer tests test the UI only.
    """
    assistant = built[0]
    meta = {d["source"]: d for d in assistant.documents()}
    citations = []
    for n, (source, phrase) in enumerate(
        [
            ("003_a49d935d823246c6.txt", "led on a rotating basis"),
            ("004_11c8f2f87e1597f2.txt", "Baghdad Operation Room"),
        ],
        1,
    ):
        text = assistant.source_text(source)
        at = text.index(phrase)
        start = text.rfind("\n", 0, at) + 1
        end = text.find("\n", at) if "\n" in text[at:] else len(text)
        citations.append(
            {
                "n": n,
                "source": source,
                "quote": text[start:end],
                "start": start,
                "end": end,
                "title": meta[source]["title"],
                "date": meta[source]["date"] or None,
            }
        )
    return [
        {
            "question": BAGHDAD,
            "text": "It was agreed. [1] It is led in turn. [2]",
            "refused": False,
            "citations": citations,
            "error": None,
        }
    ]


def ask(ui: session.RagUI, question: str, turns: list[dict[str, Any]] | None = None, **kw: Any) -> list[tuple[Any, ...]]:
    return list(ui.ask(question, turns or [], **kw))


def last_bubble(outputs: list[tuple[Any, ...]]) -> str:
    chat = outputs[-1][0]
    assert chat[-1]["role"] == "assistant"
    return str(chat[-1]["content"])


# --- chat -----------------------------------------------------------------------------
def test_answer_streams_then_links_its_citations(ui: session.RagUI) -> None:
    outputs = ask(ui, BAGHDAD)
    assert len(outputs) >= 3, "a pending bubble, streamed text, then the final answer"
    assert "rag-pending" in outputs[0][0][-1]["content"]
    assert any("rag-streaming" in o[0][-1]["content"] for o in outputs[1:-1])
    chat, turns, _panel, viewer, box = outputs[-1]
    assert box == "" and viewer == R.viewer_placeholder()
    [turn] = turns
    assert not turn["refused"] and turn["citations"]
    bubble = last_bubble(outputs)
    for c in turn["citations"]:
        assert f'<a class="rag-cite" href="#rag-cite-0-{c["n"]}" data-cite="0-{c["n"]}"' in bubble
    assert "rag-refusal" not in bubble and "rag-error" not in bubble
    assert chat[-2] == {"role": "user", "content": R.user_html(BAGHDAD)}


def test_sources_panel_lists_file_title_date_and_quote_in_context(
    ui: session.RagUI, built: tuple[Assistant, Path], cited: list[dict[str, Any]]
) -> None:
    *_, (_, live, live_panel, _, _) = ask(ui, BAGHDAD)
    for c in live[0]["citations"]:
        assert html.escape(c["source"]) in live_panel and 'class="rag-quote"' in live_panel
    turns = cited
    panel = R.sources_html(turns[0]["citations"], 0, ui._text_of(built[0]))
    assert len(re.findall(r'class="rag-source(?: rag-active)?" id=', panel)) == len(turns[0]["citations"])
    for c in turns[0]["citations"]:
        assert html.escape(c["source"]) in panel
        assert html.escape(c["title"]) in panel
        if c["date"]:
            assert c["date"] in panel
        assert f'<mark class="rag-quote">{R.esc(R._flat(c["quote"]))}</mark>' in panel
        text = (built[1] / c["source"]).read_text(encoding="utf-8")
        before, quote, after, _, _ = R.context_window(text, c["start"], c["end"])
        assert quote == c["quote"]
        assert before.strip() or after.strip(), "the quote is shown inside surrounding text"
        assert R.esc(R._flat(before + quote + after).strip()[:40]) in panel
        assert f'data-cite="0-{c["n"]}"' in panel  # "Open full source" link


def test_refusal_is_styled_as_a_refusal_not_an_error(ui: session.RagUI) -> None:
    outputs = ask(ui, POPULATION)
    _, turns, panel, _, _ = outputs[-1]
    assert turns[0]["refused"] and not turns[0]["citations"]
    bubble = last_bubble(outputs)
    assert 'class="rag-refusal"' in bubble and R.REFUSAL_TITLE in bubble
    assert "rag-error" not in bubble and "rag-cite" not in bubble
    assert "nothing is cited" in panel


def test_empty_question_is_an_error(ui: session.RagUI) -> None:
    for blank in ("", "   \n"):
        with pytest.raises(gr.Error, match="Type a question"):
            ui.check(blank)
        with pytest.raises(gr.Error, match="Type a question"):
            next(ui.ask(blank, []))
    with pytest.raises(gr.Error, match="too long"):
        ui.check("x" * (ui.settings.max_question_chars + 1))
    with pytest.raises(gr.Error, match="Unknown backend"):
        ui.check(BAGHDAD, [], "gpt")
    with pytest.raises(gr.Error, match="YYYY-MM-DD"):
        ui.check(BAGHDAD, [], "extractive", "", 5, [], "<img src=x>", "")
    with pytest.raises(gr.Error) as info:
        ui.check(BAGHDAD, [], "extractive", "", 5, [], "<b>", "")
    assert "<b>" not in str(info.value) and "&lt;b&gt;" in str(info.value), "escaped: Gradio renders it as HTML"


def test_follow_up_passes_the_conversation_as_history(ui: session.RagUI, monkeypatch: pytest.MonkeyPatch) -> None:
    *_, (_, turns, _, _, _) = ask(ui, BAGHDAD)
    seen: dict[str, Any] = {}
    real = ui.assistant.stream  # type: ignore[union-attr]

    def spy(question: str, **kw: Any) -> Any:
        seen.update(kw, question=question)
        return real(question, **kw)

    monkeypatch.setattr(ui.assistant, "stream", spy)
    outputs = ask(ui, "Who leads it?", turns, backend="extractive", top_k=5)
    assert seen["question"] == "Who leads it?"
    assert seen["history"] == [(BAGHDAD, turns[0]["text"])]
    assert seen["backend"] == "extractive" and seen["top_k"] == 5
    _, turns2, _, _, _ = outputs[-1]
    assert len(turns2) == 2 and turns2[1]["error"] is None
    chat = outputs[-1][0]
    assert len(chat) == 4 and "rag-cite" in chat[1]["content"], "earlier answers keep their links"


def test_filters_from_the_settings_panel(ui: session.RagUI) -> None:
    assert session.make_filters([], "", None) is None
    f = session.make_filters(["003_a49d935d823246c6.txt"], "2015-01-01", "2015-12-31")
    assert f == Filters(sources=("003_a49d935d823246c6.txt",), date_from="2015-01-01", date_to="2015-12-31")
    for bad in ("2015-13-01", "26/09/2015", "yesterday"):
        with pytest.raises(gr.Error, match="YYYY-MM-DD"):
            session.make_filters(None, bad, None)
    with pytest.raises(gr.Error, match="empty"):
        session.make_filters(None, "2016-01-01", "2015-01-01")
    only = "003_a49d935d823246c6.txt"
    *_, (_, turns, _, _, _) = ask(ui, BAGHDAD, sources=[only])
    assert {c["source"] for c in turns[0]["citations"]} <= {only}
    *_, (_, turns, _, _, _) = ask(ui, BAGHDAD, date_from="2018-01-01")
    assert all(c["date"] and c["date"] >= "2018-01-01" for c in turns[0]["citations"])


def test_model_choice_is_per_request(ui: session.RagUI) -> None:
    assistant = ui.wait()
    allowing = session.RagUI(ui.settings.model_copy(update={"openai_models": "other-model, third"}), assistant=assistant)
    assert allowing.models() == [ui.settings.openai_model, "other-model", "third"]
    view = allowing._for_model(assistant, "other-model")
    assert view is not assistant and view.settings.openai_model == "other-model"
    assert assistant.settings.openai_model != "other-model"
    assert view.store is assistant.store
    assert allowing._for_model(assistant, "") is assistant
    with pytest.raises(gr.Error, match="not allowed"):
        ui._for_model(assistant, "other-model")


def test_unreachable_llm_is_an_error_bubble_not_a_crash(built: tuple[Assistant, Path]) -> None:
    assistant = built[0]
    settings = assistant.settings.model_copy(
        update={"openai_base_url": f"http://127.0.0.1:{free_port()}/v1", "openai_max_retries": 0, "openai_timeout": 3}
    )
    broken = Assistant(settings, assistant.store, assistant.embedder)
    ui = session.RagUI(assistant=broken)
    with pytest.warns(UserWarning, match="Cannot reach"):
        outputs = ask(ui, BAGHDAD, backend="openai")
    _, turns, _, _, _ = outputs[-1]
    assert "Cannot reach" in turns[0]["error"]
    bubble = last_bubble(outputs)
    assert 'class="rag-error"' in bubble and "rag-refusal" not in bubble


def test_missing_index_is_reported_not_raised(tmp_path: Path) -> None:
    settings = Settings(index_dir=tmp_path / "no-index", docs_dir=tmp_path / "no-docs")
    ui = session.RagUI(settings)
    ui.load()
    assert ui.assistant is None and ui.error and "No index" in ui.error
    assert "rag-status-error" in ui.status()
    with pytest.warns(UserWarning, match="No index"):
        outputs = ask(ui, BAGHDAD)
    assert 'class="rag-error"' in last_bubble(outputs) and "No index" in outputs[-1][1][0]["error"]


def test_missing_index_is_built_from_the_docs_folder(tmp_path: Path) -> None:
    docs = copy_seeds(tmp_path / "docs")
    ui = session.RagUI(Settings(index_dir=tmp_path / "index", docs_dir=docs))
    ui.load()
    assert ui.error is None and ui.assistant is not None
    assert len(ui.assistant.documents()) == len(list(docs.iterdir()))
    assert "rag-status-ok" in ui.status()


# --- rendering and safety -------------------------------------------------------------
MALICIOUS = (
    "Look <img src=http://x/a.png> and <script>alert(1)</script> [x](http://evil) "
    "![pic](http://evil/p.png) at https://evil.example/path or www.evil.example [1] [9]"
)


def test_answer_html_escapes_markup_and_keeps_no_foreign_link() -> None:
    cite = {"n": 1, "source": "a.txt", "title": 'T"<b>', "quote": "q", "start": 0, "end": 1, "date": None}
    for out in (
        R.answer_html(MALICIOUS, [cite], False, 3),
        R.streaming_html(MALICIOUS),
        R.user_html(MALICIOUS),
        R.refusal_html(MALICIOUS),
        R.error_html(MALICIOUS),
    ):
        assert "<img" not in out and "<script" not in out
        assert "http" not in out and "www." not in out
        assert "](" not in out and "![" not in out
        assert "&lt;img" in out and "&lt;script&gt;" in out
        hrefs = re.findall(r'href="([^"]*)"', out)
        assert all(h.startswith("#rag-cite-") for h in hrefs)
    linked = R.answer_html(MALICIOUS, [cite], False, 3)
    assert linked.count('class="rag-cite"') == 1 and 'href="#rag-cite-3-1"' in linked
    assert '<span class="rag-cite-missing">[9]</span>' in linked, "a marker with no citation is not a link"
    assert "T&quot;&lt;b&gt;" in linked


def test_a_marker_like_index_inside_a_quote_is_no_link() -> None:
    """An R session's output ("[1] 42") quoted in an answer is text; only the marker after it links."""
    session = "R> x\n[1] 42"
    cite = {"n": 1, "source": "r.pdf", "title": "R", "quote": session, "start": 0, "end": len(session), "date": None}
    html_out = R.answer_html(f"It prints: {session} [1]", [cite], False, 2)
    assert html_out.count('class="rag-cite"') == 1
    assert "R&gt; x<br>[1] 42 <a" in html_out


def test_chat_messages_escape_questions_and_answers() -> None:
    turns = [{"question": MALICIOUS, "text": MALICIOUS, "refused": False, "citations": [], "error": None}]
    for m in R.chat_messages(turns):
        assert "<img" not in m["content"] and "http" not in m["content"]


def test_source_view_highlights_the_exact_span() -> None:
    text = "Intro <b>bold</b>.\n\nThe quote & more.\nTail <img src=http://x>"
    start = text.index("The quote")
    end = start + len("The quote & more.")
    out = R.source_view_html("a.txt", "Title", "2015-09-26", text, start, end, 2)
    assert f'<mark class="rag-hl" id="rag-hl">{html.escape(text[start:end])}</mark>' in out
    assert html.escape(text[:start]) + '<mark class="rag-hl"' in out
    assert "</mark>" + html.escape(text[end:]) in out
    assert "<img" not in out and "<b>" not in out
    assert "2015-09-26" in out and "a.txt" in out


def test_documents_and_metrics_are_escaped() -> None:
    docs = [
        {"source": "<x>.txt", "title": "<img src=http://x>", "date": "2015-09-26", "date_inferred": True, "chunks": 3}
    ]
    out = R.documents_html(docs, "/d")
    assert "<img" not in out and "&lt;x&gt;.txt" in out and "(inferred)" in out
    assert "<img" not in R.metrics_html({"metrics": {"<img>": 1.0}, "dataset": "<b>"})


# --- citations ------------------------------------------------------------------------
def test_citation_opens_the_full_source_highlighted_at_its_span(
    ui: session.RagUI, built: tuple[Assistant, Path], cited: list[dict[str, Any]]
) -> None:
    *_, (_, live, _, _, _) = ask(ui, BAGHDAD)
    assert live[0]["citations"], "the Baghdad question is answered with citations"
    for turns in (cited, live):
        check_viewer(ui, built, turns)


def check_viewer(ui: session.RagUI, built: tuple[Assistant, Path], turns: list[dict[str, Any]]) -> None:
    for c in turns[0]["citations"]:
        panel, viewer = ui.show_citation(f"0-{c['n']}", turns)
        text = (built[1] / c["source"]).read_text(encoding="utf-8")
        assert text[c["start"] : c["end"]] == c["quote"]
        assert f'<mark class="rag-hl" id="rag-hl">{html.escape(c["quote"])}</mark>' in viewer
        assert viewer.index('<mark class="rag-hl"') == viewer.index(html.escape(text[: c["start"]])) + len(
            html.escape(text[: c["start"]])
        )
        assert f'class="rag-source rag-active" id="rag-source-0-{c["n"]}"' in panel
        assert f"characters {c['start']:,}–{c['end']:,}" in viewer


def test_citation_click_event_carries_the_key(ui: session.RagUI, cited: list[dict[str, Any]]) -> None:
    event = gr.EventData(None, {"cite": "0-1"})
    _, viewer = ui.on_cite(cited, event)
    assert 'id="rag-hl"' in viewer


@pytest.mark.parametrize("key", ["", "x", "5-1", "0-99", "../0-1"])
def test_bad_citation_keys_are_reported(ui: session.RagUI, key: str, cited: list[dict[str, Any]]) -> None:
    with pytest.warns(UserWarning, match="conversation that is gone"):
        _, viewer = ui.show_citation(key, cited)
    assert "rag-notice-error" in viewer and "rag-hl" not in viewer


# --- uploads, ingest, delete ----------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("../../x.txt", "x.txt"),
        ("..\\..\\windows\\x.txt", "x.txt"),
        ("/etc/passwd.md", "passwd.md"),
        ("Report 2015 (final).HTML", "Report_2015_final.html"),
        ("été\u202e.pdf", "été.pdf"),
        ("a/../b/<script>.md", "script.md"),
    ],
)
def test_upload_names_are_sanitised(name: str, safe: str) -> None:
    assert uploads.safe_upload_name(name) == safe


@pytest.mark.parametrize("name", [".env", ".hidden.txt", "../.bashrc.md", "x.exe", "x.txt.sh", "noext", "...txt", ""])
def test_bad_upload_names_are_rejected(name: str) -> None:
    with pytest.raises(uploads.UploadRejected):
        uploads.safe_upload_name(name)


def test_upload_content_checks(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_text("a" * 2000)
    with pytest.raises(uploads.UploadRejected, match="limit"):
        uploads.check_upload(big, "big.txt", 1000)
    assert uploads.check_upload(big, "../../big.txt", 5000) == "big.txt"
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    with pytest.raises(uploads.UploadRejected, match="empty"):
        uploads.check_upload(empty, "empty.txt", 5000)
    fake_pdf = tmp_path / "fake.pdf"
    fake_pdf.write_text("not a pdf")
    with pytest.raises(uploads.UploadRejected, match="not a PDF"):
        uploads.check_upload(fake_pdf, "fake.pdf", 5000)
    binary = tmp_path / "bin.txt"
    binary.write_bytes(b"\x00\x01\x02text")
    with pytest.raises(uploads.UploadRejected, match="binary"):
        uploads.check_upload(binary, "bin.txt", 5000)


def test_rejected_uploads_are_not_written(ui: session.RagUI, built: tuple[Assistant, Path], tmp_path: Path) -> None:
    small = session.RagUI(ui.settings.model_copy(update={"max_upload_mb": 0.001}), assistant=ui.wait())
    big = tmp_path / "big.txt"
    big.write_text("word " * 1000)
    evil = tmp_path / "evil.sh"
    evil.write_text("rm -rf /")
    before = sorted(p.name for p in built[1].iterdir())
    with pytest.warns(UserWarning, match="Upload rejected"):
        notice, cleared = small.save_uploads([str(big), str(evil)])
    assert cleared is None and "rag-notice-error" in notice
    assert sorted(p.name for p in built[1].iterdir()) == before
    assert not (built[1].parent / "evil.sh").exists()


def test_upload_reingest_ask_and_delete(ui: session.RagUI, built: tuple[Assistant, Path], tmp_path: Path) -> None:
    assistant, docs = built
    assert ui.docs_root() == docs.resolve()
    new = tmp_path / "vellmarsk treaty.txt"
    new.write_text(f"Treaty of Vellmarsk signed in Orrin Vale\n\n{TREATY}\n\nThe councils met again in 2020.\n")
    notice, cleared = ui.save_uploads([str(new)])
    assert "rag-notice-ok" in notice and cleared is None
    saved = docs / "vellmarsk_treaty.txt"
    assert saved.read_text(encoding="utf-8") == new.read_text(encoding="utf-8")
    assert not [p for p in docs.iterdir() if p.name.startswith(".upload-")]

    steps: list[tuple[Any, ...]] = []

    class Progress:
        def __call__(self, value: Any, desc: str | None = None, **_kw: Any) -> None:
            steps.append((value, desc))

    notice, status, library, delete_choices, filter_choices = ui.reingest(Progress())  # type: ignore[arg-type]
    assert "rag-notice-ok" in notice and "1 added" in notice
    assert any(isinstance(v, tuple) and v[0] == v[1] for v, _ in steps), "the bar reaches the total"
    assert "vellmarsk_treaty.txt" in library and "vellmarsk_treaty.txt" in delete_choices["choices"]
    assert "vellmarsk_treaty.txt" in filter_choices["choices"]
    assert "6 documents" in status

    *_, (_, turns, panel, _, _) = ask(ui, TREATY_Q)
    assert not turns[0]["refused"]
    assert "vellmarsk_treaty.txt" in {c["source"] for c in turns[0]["citations"]}
    assert "vellmarsk_treaty.txt" in panel

    box, message = ui.ask_delete("vellmarsk_treaty.txt")
    assert box["visible"] is True and "vellmarsk_treaty.txt" in message
    box, message = ui.cancel_delete()
    assert box["visible"] is False and saved.exists()
    box, notice, status, library, choices, _ = ui.confirm_delete("vellmarsk_treaty.txt")
    assert box["visible"] is False and "Deleted" in notice
    assert not saved.exists()
    assert "vellmarsk_treaty.txt" not in library and "vellmarsk_treaty.txt" not in choices["choices"]
    assert "vellmarsk_treaty.txt" not in {d["source"] for d in assistant.documents()}
    with pytest.warns(UserWarning, match="No document"):
        _, notice, *_ = ui.confirm_delete("vellmarsk_treaty.txt")
    assert "rag-notice-error" in notice
    with pytest.warns(UserWarning, match="Pick a document"):
        box, _ = ui.ask_delete(None)
    assert box["visible"] is False


class NoProgress:
    def __call__(self, *_a: Any, **_kw: Any) -> None:
        pass


def choice_values(update: dict[str, Any]) -> list[str]:
    return [c[1] if isinstance(c, tuple) else c for c in update["choices"]]


def test_files_the_ingest_skips_are_listed_with_why_and_can_be_deleted(tmp_path: Path) -> None:
    """A bad upload (a PDF bomb), a binary file and a hostile name placed in the folder block nothing: re-ingest
    goes on, the library lists them as not indexed with the reason, and the delete flow deletes their files."""
    docs = copy_seeds(tmp_path / "docs")
    seeds = sorted(p.name for p in docs.iterdir())
    ui = session.RagUI(assistant=Assistant.build(docs, tmp_path / "index", Settings()))
    (docs / "blob.txt").write_bytes(b"\x00\x01\x02 not text " * 50)
    hostile = "<img src=x onerror=alert(1)>.txt"
    (docs / hostile).write_bytes(b"\x00<script>alert(1)</script>")
    (docs / "tool.exe").write_bytes(b"MZ\x90\x00")
    bomb = tmp_path / "upload" / "report.pdf"
    bomb.parent.mkdir()
    bomb.write_bytes(pdfgen.flate_bomb(300))
    notice, _ = ui.save_uploads([str(bomb)])
    assert "rag-notice-ok" in notice and (docs / "report.pdf").exists()

    notice, status, library, delete_choices, filter_choices = ui.reingest(NoProgress())  # type: ignore[arg-type]
    assert "rag-notice-warn" in notice and "Skipped" in notice
    assert "5 documents" in status and "4 not indexed" in library
    assert dict(ui.skipped)["blob.txt"] == "binary file (contains NUL bytes)"
    row = re.search(r'<tr class="rag-unindexed"><td class="rag-file">blob\.txt</td>.*?</tr>', library)
    assert row and "not indexed: binary file (contains NUL bytes)" in row.group(0)
    assert re.search(
        r"report\.pdf</td><td colspan=\"3\"><span class=\"rag-not-indexed\">not indexed: PDF stream", library
    )
    assert 'tool.exe</td><td colspan="3"><span class="rag-not-indexed">not indexed: unsupported type' in library
    assert "<img" not in library and "<script" not in library and html.escape(hostile) in library
    assert str(tmp_path) not in library
    values = choice_values(delete_choices)
    assert {"blob.txt", "report.pdf", "tool.exe", hostile} <= set(values) and set(seeds) <= set(values)
    assert ("blob.txt (not indexed)", "blob.txt") in delete_choices["choices"]
    assert "blob.txt" not in filter_choices["choices"] and sorted(filter_choices["choices"]) == seeds

    box, message = ui.ask_delete("blob.txt")
    assert box["visible"] is True
    assert "not indexed (binary file (contains NUL bytes)); its file will be deleted from docs" in message
    assert (docs / "blob.txt").exists(), "asking deletes nothing"
    box, notice, status, library, delete_choices, _ = ui.confirm_delete("blob.txt")
    assert box["visible"] is False and "rag-notice-ok" in notice and "not indexed" in notice
    assert not (docs / "blob.txt").exists() and "blob.txt" not in library
    assert "blob.txt" not in choice_values(delete_choices) and "blob.txt" not in ui.skipped

    box, message = ui.ask_delete(hostile)
    assert box["visible"] is True and html.escape(hostile) in message and "<img" not in message
    _, notice, *_ = ui.confirm_delete(hostile)
    assert "<img" not in notice and not (docs / hostile).exists()
    for name in ("report.pdf", "tool.exe"):
        ui.ask_delete(name)
        _, notice, status, library, delete_choices, _ = ui.confirm_delete(name)
        assert "rag-notice-ok" in notice and not (docs / name).exists()
    assert sorted(p.name for p in docs.iterdir()) == seeds
    assert sorted(d["source"] for d in ui.wait().documents()) == seeds
    assert "5 documents" in status and "not indexed" not in library and choice_values(delete_choices) == seeds
    notice, status, library, *_ = ui.reingest(NoProgress())  # type: ignore[arg-type]
    assert "rag-notice-ok" in notice and "5 documents" in status and "not indexed" not in library


def test_the_delete_flow_deletes_only_what_the_library_lists(tmp_path: Path) -> None:
    """Names a client may send that the library never lists: outside the folder, hidden, a link, a folder."""
    root = tmp_path / "root"
    docs = copy_seeds(root / "docs")
    ui = session.RagUI(assistant=Assistant.build(docs, tmp_path / "index", Settings()))
    (root / "outside.txt").write_text("keep me\n", encoding="utf-8")
    (docs / ".hidden.txt").write_text("keep me\n", encoding="utf-8")
    (docs / "sub").mkdir()
    (docs / "link.exe").symlink_to(root / "outside.txt")
    library, delete_choices, _ = ui.library()
    assert "link.exe" in library and "not indexed: symlink leaves the folder" in library
    assert "link.exe" not in choice_values(delete_choices), "a link is listed but not offered for deletion"
    for name in ("../outside.txt", ".hidden.txt", "link.exe", "sub", str(root / "outside.txt"), "nothing.txt"):
        with pytest.warns(UserWarning):
            box, _ = ui.ask_delete(name)
        assert box["visible"] is False
        with pytest.warns(UserWarning):
            _, notice, *_ = ui.confirm_delete(name)
        assert "rag-notice-error" in notice
    assert (root / "outside.txt").exists() and (docs / ".hidden.txt").exists() and (docs / "sub").is_dir()
    assert (docs / "link.exe").is_symlink() and len(ui.wait().documents()) == 5


# --- evals and settings ---------------------------------------------------------------
def test_eval_panel_without_and_with_a_report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ui: session.RagUI) -> None:
    monkeypatch.setattr(session, "REPORTS_DIR", tmp_path)
    metrics, md, chart = ui.eval_report()
    assert "No report yet" in metrics and md == "" and chart == ""
    (tmp_path / "latest.json").write_text(json.dumps({"dataset": "seeds", "n": 3, "metrics": {"hit_rate": 0.9}}))
    (tmp_path / "latest.md").write_text("# Report\n![chart](http://evil/c.png) see [here](http://evil) <img src=x>\n")
    (tmp_path / "latest.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"0" * 16)
    metrics, md, chart = ui.eval_report()
    assert "dataset: seeds" in metrics and "hit_rate" not in metrics, "the markdown report holds the table"
    assert "http" not in md and "<img" not in md and "# Report" in md
    assert chart.startswith('<img class="rag-chart"') and 'src="data:image/png;base64,' in chart
    (tmp_path / "latest.md").unlink()
    metrics, md, _ = ui.eval_report()
    assert "hit_rate" in metrics and "0.900" in metrics and md == ""


def test_run_evals_without_the_module_warns(monkeypatch: pytest.MonkeyPatch, ui: session.RagUI, tmp_path: Path) -> None:
    monkeypatch.setattr(session, "REPORTS_DIR", tmp_path)
    monkeypatch.setitem(sys.modules, "evals.runner", None)
    with pytest.warns(UserWarning, match="evals module not available"):
        metrics, _, _ = ui.run_evals()
    assert "No report yet" in metrics


def test_auth_setting() -> None:
    assert access.parse_auth(None) is None
    assert access.parse_auth("ann:s3:cret") == ("ann", "s3:cret")
    for bad in ("ann", ":pw", "ann:"):
        with pytest.raises(RagError):
            access.parse_auth(bad)


def test_the_page_builds_with_safe_launch_settings(ui: session.RagUI) -> None:
    demo = layout.build(ui)
    config = demo.get_config_file()
    chatbots = [c for c in config["components"] if c.get("type") == "chatbot"]
    assert chatbots and chatbots[0]["props"]["render_markdown"] is False
    assert chatbots[0]["props"]["sanitize_html"] is True


def test_launch_is_local_private_and_restricted(tmp_path: Path) -> None:
    settings = Settings(index_dir=tmp_path / "idx", auth="ann:pw", max_upload_mb=3)
    options = app.launch_options(settings)
    assert options["server_name"] == "127.0.0.1" and options["server_port"] == 7860
    assert options["share"] is False and isinstance(options["auth"], access.Login)
    assert options["auth"]("ann", "pw") and not options["auth"]("ann", "pw2") and not options["auth"]("bob", "pw")
    assert options["show_error"] is False
    assert options["allowed_paths"] == []
    assert str((tmp_path / "idx").resolve()) in options["blocked_paths"]
    assert any(p.endswith(".env") for p in options["blocked_paths"])
    assert options["max_file_size"] == 3_000_000
    assert app.QUEUE["default_concurrency_limit"] == 2 and app.QUEUE["max_size"] == 32


def test_no_telemetry_at_import() -> None:
    import os

    for var, value in {
        "GRADIO_ANALYTICS_ENABLED": "False",
        "HF_HUB_OFFLINE": "1",
        "ORT_DISABLE_TELEMETRY": "1",
    }.items():
        assert os.environ.get(var) == value


def test_a_link_split_by_a_marker_is_still_stripped() -> None:
    """Markup is stripped from the whole answer before its markers are linked: a link whose target holds a marker
    ("[x](http://evil.example/[1])") is dropped whole, not cut in two around the marker."""
    cite = {"n": 1, "source": "a.txt", "title": "A", "quote": "q", "start": 0, "end": 1, "date": None}
    out = R.answer_html("See [x](http://evil.example/[1]) now.", [cite], False, 1)
    assert "](" not in out and "http" not in out
