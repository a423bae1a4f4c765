"""The Gradio Blocks layout: chat, sources panel, library, settings and evals tabs, wired to :class:`RagUI`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import gradio as gr

from rag.ui import render as render

if TYPE_CHECKING:
    pass
from rag.ui.session import EXAMPLES, RagUI
from rag.ui.uploads import UPLOAD_SUFFIXES


def build(ui: RagUI) -> gr.Blocks:
    """The page."""
    s = ui.settings
    demo: gr.Blocks
    with gr.Blocks(title="Cited answers", analytics_enabled=False) as demo:
        turns = gr.State([])
        with gr.Row(equal_height=True):
            gr.HTML(
                "<h1>Cited answers</h1><p>Answers from your documents only, every claim linked to its exact source.</p>",
                elem_id="rag-header",
                js_on_load=None,
            )
            status = gr.HTML(ui.status(), elem_id="rag-status", js_on_load=None)
        with gr.Tabs():
            with gr.Tab("Chat", id="chat"), gr.Row():
                with gr.Column(scale=3):
                    chat = gr.Chatbot(
                        value=[],
                        height=560,
                        elem_id="rag-chat",
                        show_label=False,
                        render_markdown=False,
                        sanitize_html=True,
                        latex_delimiters=[],
                        allow_tags=False,
                        feedback_options=None,
                        buttons=[],
                        placeholder="Ask about the documents in the library. Answers cite their sources as [n].",
                    )
                    with gr.Row():
                        question = gr.Textbox(
                            show_label=False,
                            placeholder="Ask a question…",
                            scale=6,
                            lines=1,
                            max_lines=4,
                            max_length=s.max_question_chars,
                            elem_id="rag-question",
                            autofocus=True,
                        )
                        send = gr.Button("Ask", variant="primary", scale=1, min_width=80, elem_id="rag-send")
                    with gr.Row():
                        gr.Examples(EXAMPLES, inputs=question, label="Examples")
                        clear = gr.Button("New conversation", size="sm", scale=0, elem_id="rag-clear")
                with gr.Column(scale=2):
                    gr.HTML("<h3 class='rag-h'>Sources</h3>", js_on_load=None)
                    sources = gr.HTML(
                        render.sources_html([], None, lambda _s: None),
                        elem_id="rag-sources",
                        js_on_load=render.CITE_JS,
                    )
                    gr.HTML("<h3 class='rag-h'>Source text</h3>", js_on_load=None)
                    viewer = gr.HTML(render.viewer_placeholder(), elem_id="rag-viewer", js_on_load=render.SCROLL_JS)
            with gr.Tab("Library", id="library"):
                library_html = gr.HTML(
                    render.documents_html([], Path(s.docs_dir).name), elem_id="rag-library", js_on_load=None
                )
                with gr.Row():
                    with gr.Column(scale=3):
                        upload = gr.File(
                            label=f"Upload .txt, .md, .rst, .html or .pdf (up to {s.max_upload_mb:g} MB each)",
                            file_count="multiple",
                            file_types=list(UPLOAD_SUFFIXES),
                            type="filepath",
                            elem_id="rag-upload",
                            height=190,
                        )
                    with gr.Column(scale=2):
                        reingest = gr.Button("Re-ingest the folder", variant="primary", elem_id="rag-reingest")
                        library_notice = gr.HTML("", elem_id="rag-library-notice", js_on_load=None)
                with gr.Row(elem_id="rag-delete-row"):
                    delete_choice = gr.Dropdown(
                        label="Delete a document", choices=[], scale=3, elem_id="rag-delete-choice"
                    )
                    delete = gr.Button("Delete…", variant="stop", scale=0, min_width=140, elem_id="rag-delete")
                with gr.Group(visible=False, elem_id="rag-confirm") as confirm_box:
                    confirm_text = gr.HTML("", js_on_load=None)
                    with gr.Row():
                        confirm = gr.Button("Yes, delete it", variant="stop", elem_id="rag-confirm-delete")
                        cancel = gr.Button("Cancel", elem_id="rag-cancel-delete")
            with gr.Tab("Settings", id="settings"):
                with gr.Row():
                    backend = gr.Radio(
                        list(dict.fromkeys(["extractive", "openai", s.backend])),
                        value=s.backend,
                        label="Answering backend",
                        info="extractive: offline sentence selection · openai: an OpenAI-compatible LLM (OPENAI_BASE_URL)",
                    )
                    model = gr.Dropdown(
                        ui.models(),
                        value=s.openai_model,
                        label="Model (openai backend)",
                        info="Set by the operator: RAG_OPENAI_MODEL and RAG_OPENAI_MODELS",
                        allow_custom_value=False,
                        elem_id="rag-model",
                    )
                    top_k = gr.Slider(1, 20, value=s.top_k, step=1, label="Passages retrieved (top-k)")
                source_filter = gr.Dropdown(
                    choices=[], multiselect=True, label="Only these sources (empty: all)", elem_id="rag-source-filter"
                )
                with gr.Row():
                    date_from = gr.Textbox(label="From date", placeholder="YYYY-MM-DD", elem_id="rag-date-from")
                    date_to = gr.Textbox(label="To date", placeholder="YYYY-MM-DD", elem_id="rag-date-to")
            with gr.Tab("Evals", id="evals") as evals_tab:
                with gr.Row():
                    run = gr.Button(
                        "Run the seed evals", variant="primary", scale=0, min_width=220, elem_id="rag-run-evals"
                    )
                    reload = gr.Button("Reload the report", scale=0, min_width=200)
                metrics = gr.HTML(render.metrics_html(None), elem_id="rag-metrics", js_on_load=None)
                chart = gr.HTML("", elem_id="rag-chart", js_on_load=None)
                report = gr.Markdown("", elem_id="rag-report", latex_delimiters=[])

        # Every event is for this page only: none is exposed to API clients (api_visibility="private").
        # Writes (ingest, delete, evals) run one at a time. Every callback goes through ui.guard: users see short
        # messages, the server log gets the details.
        g = ui.guard
        private: dict[str, Any] = {"api_visibility": "private"}
        write: dict[str, Any] = {"concurrency_id": "write", "concurrency_limit": 1, **private}
        asked = [question, turns, backend, model, top_k, source_filter, date_from, date_to]
        answered = [chat, turns, sources, viewer, question]
        for trigger in (send.click, question.submit):
            trigger(g(ui.check), asked, None, concurrency_limit=None, show_progress="hidden", **private).success(
                g(ui.ask), asked, answered, concurrency_id="ask", show_progress="hidden", **private
            )
        cleared = [chat, turns, sources, viewer]
        clear.click(g(ui.clear), None, cleared, queue=False, **private)
        chat.clear(g(ui.clear), None, cleared, queue=False, **private)
        sources.click(
            g(ui.on_cite), [turns], [sources, viewer], show_progress="hidden", concurrency_limit=None, **private
        )
        upload.upload(g(ui.save_uploads), [upload], [library_notice, upload], **private)
        lib = [library_html, delete_choice, source_filter]
        reingest.click(g(ui.reingest), None, [library_notice, status, *lib], **write)
        delete.click(g(ui.ask_delete), [delete_choice], [confirm_box, confirm_text], **private)
        confirm.click(g(ui.confirm_delete), [delete_choice], [confirm_box, library_notice, status, *lib], **write)
        cancel.click(g(ui.cancel_delete), None, [confirm_box, confirm_text], queue=False, **private)
        evals_out = [metrics, report, chart]
        run.click(g(ui.run_evals), None, evals_out, **write)
        reload.click(g(ui.eval_report), None, evals_out, **private)
        evals_tab.select(g(ui.eval_report), None, evals_out, show_progress="hidden", **private)
        demo.load(g(ui.on_load), None, [status, *lib], concurrency_limit=None, show_progress="hidden", **private)
    return demo


def theme() -> Any:
    """System fonts only: nothing is fetched from a font CDN."""
    return gr.themes.Soft(
        primary_hue="indigo",
        neutral_hue="slate",
        font=["ui-sans-serif", "system-ui", "-apple-system", "Segoe UI", "Roboto", "sans-serif"],
        font_mono=["ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "monospace"],
    )
