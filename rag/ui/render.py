"""Pure HTML rendering for the web UI: every piece of text from answers or documents is escaped here.

Nothing rendered loads a remote resource or keeps a link that came from a model or a document: all such
text goes through :func:`safe_text`, and the only links are our own ``#rag-cite-…`` fragments.
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from rag.answer.numbering import outside_quotes

# A citation key names one citation of one answer: "<turn>-<n>".
CITE_MARK = re.compile(r"\[(\d{1,3})\]")
_MD_IMAGE = re.compile(r"!\[([^\]\n]*)\]\([^)\n]*\)")
_MD_LINK = re.compile(r"\[([^\]\n]*)\]\([^)\n]*\)")
_MD_REF_DEF = re.compile(r"^\s*\[[^\]\n]+\]:\s*\S+.*$", re.M)
_URL = re.compile(r"\b(?:[a-z][a-z0-9+.-]*://|www\.)[^\s<>\"']+", re.I)
_WS = re.compile(r"\s+")

REFUSAL_TITLE = "Not in the documents"
Turn = dict[str, Any]  # one exchange: {"question", "text", "refused", "citations": [Citation as dict], "error"}
Message = dict[str, str]  # a Gradio chat message: {"role", "content"}
SNIPPET_RADIUS = 220


def strip_markup(text: str) -> str:
    """Drop markdown images and link targets; keep a link's label and show raw URLs as inert text.

    ``![x](http://a/b.png)`` becomes ``x``, ``[x](http://evil)`` becomes ``x``, and ``http://evil/p`` becomes
    ``evil/p`` (no scheme and no ``www.``, so nothing downstream can turn it back into a link).
    """
    text = _MD_IMAGE.sub(lambda m: m.group(1), text)
    text = _MD_LINK.sub(lambda m: m.group(1), text)
    text = _MD_REF_DEF.sub("", text)
    return _URL.sub(lambda m: re.sub(r"^(?:[a-z][a-z0-9+.-]*://)?(?:www\.)?", "", m.group(0), flags=re.I), text)


def safe_text(text: str) -> str:
    """Escaped HTML for untrusted text (answers, questions, document titles): markup becomes visible text."""
    return html.escape(strip_markup(text), quote=True)


def esc(text: object) -> str:
    """Plain HTML escaping for short values (file names, dates, numbers)."""
    return html.escape(str(text), quote=True)


def _cite_link(turn: int, n: int, citation: Mapping[str, Any] | None) -> str:
    if citation is None:  # a marker with no verified citation behind it stays plain text
        return f'<span class="rag-cite-missing">[{n}]</span>'
    tip = esc(f"{citation.get('title') or citation['source']} — {citation['source']}")
    key = f"{turn}-{n}"
    return f'<a class="rag-cite" href="#rag-cite-{key}" data-cite="{key}" title="{tip}">[{n}]</a>'


def answer_html(text: str, citations: Iterable[Mapping[str, Any]], refused: bool, turn: int) -> str:
    """The final answer bubble: escaped text whose ``[n]`` markers link to their citations (not a "[1]" inside a
    quote: an R session's output)."""
    if refused:
        return refusal_html(text)
    by_n = {int(c["n"]): c for c in citations}
    # markup is stripped from the whole text first, as safe_text does: no link survives split around a marker
    plain = strip_markup(text)
    quotes = [strip_markup(str(c.get("quote", ""))) for c in by_n.values()]
    pieces, at = [], 0
    for m in outside_quotes(CITE_MARK, plain, quotes):
        pieces += [esc(plain[at : m.start()]), _cite_link(turn, int(m.group(1)), by_n.get(int(m.group(1))))]
        at = m.end()
    body = "".join([*pieces, esc(plain[at:])]).replace("\n", "<br>")
    return f'<div class="rag-answer">{body}</div>'


def streaming_html(text: str) -> str:
    """The answer while it streams in: escaped, markers not yet linked, with a cursor."""
    body = safe_text(text).replace("\n", "<br>")
    return f'<div class="rag-answer rag-streaming">{body}<span class="rag-cursor"></span></div>'


def pending_html() -> str:
    """Placeholder while retrieval runs."""
    return '<div class="rag-answer rag-pending"><span class="rag-dots"><i></i><i></i><i></i></span> Searching the documents…</div>'


def refusal_html(text: str) -> str:
    """A refusal: the documents don't hold the answer. Styled as information, not as a failure."""
    detail = safe_text(text.strip() or "The documents don't answer this question.")
    return (
        '<div class="rag-refusal" role="note"><div class="rag-refusal-title">'
        f'<span class="rag-refusal-icon" aria-hidden="true">∅</span> {REFUSAL_TITLE}</div>'
        f'<div class="rag-refusal-text">{detail}</div>'
        '<div class="rag-refusal-hint">Try rephrasing, widen the filters in Settings, or add documents in Library.</div>'
        "</div>"
    )


def error_html(message: str) -> str:
    """A failed request (LLM unreachable, bad filter…): styled as an error, unlike a refusal."""
    return (
        '<div class="rag-error" role="alert"><span class="rag-error-icon" aria-hidden="true">⚠</span> '
        f"<strong>The answer failed.</strong> {safe_text(message)}</div>"
    )


def user_html(question: str) -> str:
    """The user's question as shown in the chat (escaped; the chat does not render markdown)."""
    return f'<div class="rag-question">{safe_text(question)}</div>'


def chat_messages(turns: Sequence[Turn]) -> list[Message]:
    """The chat as Gradio messages, rendered from the conversation state."""
    messages: list[Message] = []
    for i, t in enumerate(turns):
        messages.append({"role": "user", "content": user_html(t["question"])})
        answer = error_html(t["error"]) if t.get("error") else answer_html(t["text"], t["citations"], t["refused"], i)
        messages.append({"role": "assistant", "content": answer})
    return messages


def _meta(citation: Mapping[str, Any]) -> str:
    parts = [f'<span class="rag-file">{esc(citation["source"])}</span>']
    if citation.get("date"):
        parts.append(f'<span class="rag-date">{esc(citation["date"])}</span>')
    return " · ".join(parts)


def context_window(text: str, start: int, end: int, radius: int = SNIPPET_RADIUS) -> tuple[str, str, str, bool, bool]:
    """(before, quote, after, cut at start, cut at end): the quote with up to ``radius`` characters each side.

    The context starts at a sentence or paragraph start when one is in reach, else at a word boundary.
    """
    a, b = max(0, start - radius), min(len(text), end + radius)
    if a > 0:
        starts = [m.end() for m in re.finditer(r"(?:[.!?][\"'”’)]?\s+|\n\s*)(?=\S)", text[a:start])]
        if starts:
            a += starts[0]
        else:
            space = text.find(" ", a, start)
            a = space + 1 if space != -1 else a
    if b < len(text):
        ends = [m.end() for m in re.finditer(r"[.!?][\"'”’)]?(?=\s)|\S(?=\s*\n)", text[end:b])]
        if ends:
            b = end + ends[-1]
        else:
            space = text.rfind(" ", end, b)
            b = space if space != -1 else b
    before, after = text[a:start], text[end:b]
    return before, text[start:end], after, a > 0, b < len(text)


def _flat(text: str) -> str:
    return _WS.sub(" ", text)


def sources_html(
    citations: Sequence[Mapping[str, Any]],
    turn: int | None,
    text_of: Callable[[str], str | None],
    refused: bool = False,
    active: int | None = None,
) -> str:
    """The sources panel: one card per cited passage with file, title, date and the quote in its context."""
    if turn is None:
        return (
            '<div class="rag-sources rag-empty">Ask a question: the passages an answer cites appear here, '
            "each with its file, title and date. Click a <span class='rag-n'>[n]</span> marker to read the whole source.</div>"
        )
    if not citations:
        note = "The documents don't answer this question, so nothing is cited." if refused else "No citations."
        return f'<div class="rag-sources rag-empty">{note}</div>'
    cards = []
    for c in citations:
        key = f"{turn}-{int(c['n'])}"
        text = text_of(str(c["source"]))
        start, end = int(c["start"]), int(c["end"])
        if text is not None and 0 <= start < end <= len(text):
            before, quote, after, cut_a, cut_b = context_window(text, start, end)
            snippet = (
                ("… " if cut_a else "")
                + esc(_flat(before))
                + f'<mark class="rag-quote">{esc(_flat(quote))}</mark>'
                + esc(_flat(after))
                + (" …" if cut_b else "")
            )
        else:
            snippet = f'<mark class="rag-quote">{esc(_flat(str(c["quote"])))}</mark>'
        title = safe_text(str(c.get("title") or c["source"]))
        cards.append(
            f'<div class="rag-source{" rag-active" if active == int(c["n"]) else ""}" id="rag-source-{key}">'
            '<div class="rag-source-head">'
            f'<span class="rag-badge">{int(c["n"])}</span><div><div class="rag-title">{title}</div>'
            f'<div class="rag-meta">{_meta(c)}</div></div></div>'
            f'<div class="rag-snippet">{snippet}</div>'
            f'<a class="rag-open" href="#rag-cite-{key}" data-cite="{key}">Open full source ›</a></div>'
        )
    return f'<div class="rag-sources">{"".join(cards)}</div>'


def source_view_html(
    source: str, title: str, date: str | None, text: str, start: int, end: int, n: int | None = None
) -> str:
    """The full source text with the cited span highlighted (``mark#rag-hl``, scrolled to by the page script)."""
    start, end = max(0, min(start, len(text))), max(0, min(end, len(text)))
    badge = f'<span class="rag-badge">{n}</span> ' if n is not None else ""
    meta = " · ".join(
        x
        for x in (
            f'<span class="rag-file">{esc(source)}</span>',
            f'<span class="rag-date">{esc(date)}</span>' if date else "",
            f"characters {start:,}–{end:,} of {len(text):,}",
        )
        if x
    )
    body = (
        html.escape(text[:start])
        + f'<mark class="rag-hl" id="rag-hl">{html.escape(text[start:end])}</mark>'
        + html.escape(text[end:])
    )
    return (
        f'<div class="rag-viewer" data-source="{esc(source)}"><div class="rag-viewer-head">{badge}'
        f'<span class="rag-title">{safe_text(title or source)}</span><div class="rag-meta">{meta}</div></div>'
        f'<div class="rag-viewer-text">{body}</div></div>'
    )


def viewer_placeholder() -> str:
    """The source viewer before any citation was clicked."""
    return (
        '<div class="rag-viewer rag-empty">Click a citation to read its source here, with the quote highlighted.</div>'
    )


def documents_html(
    docs: Sequence[Mapping[str, Any]], docs_root: str, not_indexed: Sequence[tuple[str, str]] = ()
) -> str:
    """The library table: file, title, date, chunks; then the folder's files that are not indexed, each marked
    "not indexed" with why (file names and reasons are escaped: both come from the folder's contents)."""
    if not docs and not not_indexed:
        return f'<div class="rag-library rag-empty">No documents yet. Upload files into <code>{esc(docs_root)}</code> and re-ingest.</div>'
    rows = []
    for d in docs:
        date = esc(d.get("date") or "—")
        if d.get("date") and d.get("date_inferred"):
            date += ' <span class="rag-inferred" title="inferred from the text">(inferred)</span>'
        rows.append(
            f'<tr><td class="rag-file">{esc(d["source"])}</td><td>{safe_text(str(d.get("title") or ""))}</td>'
            f'<td class="rag-nowrap">{date}</td><td class="rag-num">{int(d.get("chunks", 0))}</td></tr>'
        )
    for name, why in not_indexed:
        rows.append(
            f'<tr class="rag-unindexed"><td class="rag-file">{esc(name)}</td>'
            f'<td colspan="3"><span class="rag-not-indexed">not indexed: {esc(why)}</span></td></tr>'
        )
    total = sum(int(d.get("chunks", 0)) for d in docs)
    extra = f" · {len(not_indexed)} not indexed" if not_indexed else ""
    return (
        f'<div class="rag-library"><div class="rag-meta">{len(docs)} documents, {total} chunks{extra} · '
        f"folder <code>{esc(docs_root)}</code></div>"
        '<table><thead><tr><th>File</th><th>Title</th><th>Date</th><th class="rag-num">Chunks</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def status_html(kind: str, message: str) -> str:
    """The banner at the top: kind is ``ok``, ``busy`` or ``error``."""
    icon = {"ok": "●", "busy": "◌", "error": "⚠"}.get(kind, "●")
    return f'<div class="rag-status rag-status-{esc(kind)}"><span>{icon}</span> {safe_text(message)}</div>'


def notice_html(kind: str, message: str) -> str:
    """A short inline notice (upload or ingest result)."""
    return f'<div class="rag-notice rag-notice-{esc(kind)}">{safe_text(message)}</div>'


def confirm_html(name: str, rest: str) -> str:
    """The delete confirmation: "Delete <name><rest>", the name exactly as it is (escaped, not reworded)."""
    return f'<div class="rag-notice rag-notice-warn">Delete <code class="rag-file">{esc(name)}</code>{esc(rest)}</div>'


def done_html(name: str, rest: str) -> str:
    """The notice after a delete: "Deleted <name><rest>"."""
    return f'<div class="rag-notice rag-notice-ok">Deleted <code class="rag-file">{esc(name)}</code>{esc(rest)}</div>'


def _number(value: object) -> str:
    if isinstance(value, bool) or value is None:
        return "—" if value is None else str(value)
    if isinstance(value, float):
        return f"{value:.3f}" if abs(value) < 100 else f"{value:,.0f}"
    return esc(value)


def metrics_html(result: Mapping[str, Any] | None, table: bool = True) -> str:
    """The run's headline facts and, with ``table``, its scalar metrics (used when there is no markdown report)."""
    if not result:
        return '<div class="rag-evals rag-empty">No report yet. Run the seed evals to create one.</div>'
    found = result.get("metrics", result)
    rows = "".join(
        f'<tr><td>{esc(k)}</td><td class="rag-num">{_number(v)}</td></tr>'
        for k, v in (found.items() if isinstance(found, Mapping) else [])
        if v is None or isinstance(v, int | float | str)
    )
    facts = " · ".join(
        f"{esc(k)}: {esc(result[k] if not isinstance(result[k], float) else round(result[k], 1))}"
        for k in ("dataset", "n", "backend", "created", "wall_s")
        if k in result
    )
    body = (
        f'<table><thead><tr><th>Metric</th><th class="rag-num">Value</th></tr></thead><tbody>{rows}</tbody></table>'
        if table
        else ""
    )
    return f'<div class="rag-evals"><div class="rag-meta">Latest run · {facts}</div>{body}</div>'


def eval_markdown(text: str | None) -> str:
    """The eval report's markdown with images, links and raw HTML made inert."""
    if not text:
        return ""
    return html.escape(strip_markup(text), quote=False)


def chart_html(png: bytes | None) -> str:
    """The eval chart inline as a data URI (nothing is fetched from anywhere)."""
    if not png:
        return ""
    if not png.startswith(b"\x89PNG\r\n\x1a\n"):
        return '<div class="rag-empty">The chart file is not a PNG.</div>'
    data = base64.b64encode(png).decode("ascii")
    return f'<img class="rag-chart" alt="Eval chart" src="data:image/png;base64,{data}">'


CSS = """
.rag-status { padding: 8px 12px; border-radius: 8px; font-size: 14px; border: 1px solid var(--border-color-primary); }
.rag-status-ok span { color: #16a34a; }
.rag-status-busy { background: rgba(59,130,246,.08); }
.rag-status-busy span { color: #2563eb; display: inline-block; animation: rag-spin 1.2s linear infinite; }
.rag-status-error { background: rgba(220,38,38,.08); border-color: rgba(220,38,38,.4); color: #b91c1c; }
@keyframes rag-spin { to { transform: rotate(360deg); } }
.rag-answer { line-height: 1.6; }
a.rag-cite { display: inline-block; font-size: .72em; font-weight: 600; line-height: 1.3; vertical-align: super;
  padding: 0 .38em; margin: 0 1px; border-radius: 6px; text-decoration: none !important; cursor: pointer;
  color: var(--color-accent) !important; background: var(--color-accent-soft); border: 1px solid var(--color-accent); }
a.rag-cite:hover, a.rag-cite.rag-active { background: var(--color-accent); color: white !important; }
.rag-cite-missing { color: var(--body-text-color-subdued); }
.rag-cursor { display: inline-block; width: .5em; height: 1em; margin-left: 2px; vertical-align: text-bottom;
  background: var(--body-text-color-subdued); animation: rag-blink 1s steps(2) infinite; }
@keyframes rag-blink { 50% { opacity: 0; } }
.rag-pending { color: var(--body-text-color-subdued); font-style: italic; }
.rag-dots i { display: inline-block; width: 6px; height: 6px; margin-right: 3px; border-radius: 50%;
  background: currentColor; animation: rag-blink 1s infinite; }
.rag-dots i:nth-child(2) { animation-delay: .2s; } .rag-dots i:nth-child(3) { animation-delay: .4s; }
.rag-refusal { border-left: 4px solid #d97706; background: rgba(217,119,6,.09); padding: 8px 12px; border-radius: 6px; }
.rag-refusal-title { font-weight: 600; color: #b45309; }
.rag-refusal-icon { font-weight: 700; margin-right: 2px; }
.rag-refusal-text { font-style: italic; margin-top: 2px; }
.rag-refusal-hint { font-size: .85em; color: var(--body-text-color-subdued); margin-top: 4px; }
.rag-error { border-left: 4px solid #dc2626; background: rgba(220,38,38,.08); padding: 8px 12px; border-radius: 6px; color: #b91c1c; }
.rag-sources { display: flex; flex-direction: column; gap: 10px; max-height: 460px; overflow-y: auto; padding-right: 2px; }
.rag-empty { color: var(--body-text-color-subdued); font-size: 14px; padding: 10px 4px; }
.rag-sources.rag-empty { display: block; }
.rag-source { border: 1px solid var(--border-color-primary); border-radius: 10px; padding: 10px 12px;
  background: var(--block-background-fill); }
.rag-source.rag-active { border-color: var(--color-accent); box-shadow: 0 0 0 2px var(--color-accent-soft); }
.rag-source-head { display: flex; gap: 10px; align-items: flex-start; margin-bottom: 6px; }
.rag-badge { flex: none; display: inline-flex; align-items: center; justify-content: center; min-width: 22px; height: 22px;
  border-radius: 11px; background: var(--color-accent); color: white; font-size: 12px; font-weight: 700; }
.rag-title { font-weight: 600; line-height: 1.3; }
.rag-meta { font-size: 12px; color: var(--body-text-color-subdued); margin-top: 2px; }
.rag-file { font-family: var(--font-mono); font-size: 12px; }
.rag-snippet { font-size: 13.5px; line-height: 1.55; color: var(--body-text-color); }
mark.rag-quote { background: rgba(250,204,21,.38); color: inherit; padding: 1px 0; border-radius: 2px; }
a.rag-open { display: inline-block; margin-top: 6px; font-size: 12.5px; font-weight: 600; cursor: pointer;
  color: var(--color-accent) !important; text-decoration: none !important; }
a.rag-open:hover { text-decoration: underline !important; }
.rag-viewer-head { display: flex; flex-wrap: wrap; gap: 4px 8px; align-items: baseline; padding-bottom: 8px;
  border-bottom: 1px solid var(--border-color-primary); margin-bottom: 8px; }
.rag-viewer-head .rag-meta { flex-basis: 100%; }
.rag-viewer-text { white-space: pre-wrap; max-height: 420px; overflow-y: auto; font-size: 14px; line-height: 1.6;
  padding: 4px 8px 4px 2px; scroll-behavior: smooth; }
mark.rag-hl { background: rgba(250,204,21,.55); color: inherit; border-radius: 3px; padding: 1px 1px;
  box-shadow: 0 0 0 2px rgba(234,179,8,.6); }
.rag-library table, .rag-evals table { width: 100%; border-collapse: collapse; font-size: 14px; margin-top: 8px;
  border: none !important; }
.rag-library th, .rag-library td, .rag-evals th, .rag-evals td { text-align: left; padding: 6px 8px;
  border: none !important; border-bottom: 1px solid var(--border-color-primary) !important; vertical-align: top; }
.rag-library tr, .rag-evals tr { background: transparent !important; border: none !important; }
.rag-n { font-weight: 600; color: var(--color-accent); }
#rag-delete-row { align-items: flex-end; }
.rag-library th, .rag-evals th { font-weight: 600; color: var(--body-text-color-subdued); }
.rag-num { text-align: right !important; font-variant-numeric: tabular-nums; }
.rag-nowrap { white-space: nowrap; }
.rag-inferred { font-size: 11px; color: var(--body-text-color-subdued); }
.rag-not-indexed { color: #b45309; font-size: 13px; }
.rag-notice { padding: 8px 12px; border-radius: 8px; font-size: 14px; }
.rag-notice-ok { background: rgba(22,163,74,.1); color: #15803d; }
.rag-notice-warn { background: rgba(217,119,6,.1); color: #b45309; }
.rag-notice-error { background: rgba(220,38,38,.08); color: #b91c1c; }
.rag-chart { max-width: 100%; border-radius: 8px; border: 1px solid var(--border-color-primary); }
.rag-h { margin: 0 0 -6px; font-size: 15px; font-weight: 600; }
#rag-header h1 { margin: 0; font-size: 22px; }
#rag-header p { margin: 2px 0 0; color: var(--body-text-color-subdued); font-size: 14px; }
"""

# Citation clicks anywhere on the page (chat markers and "Open full source" links) go to the server as a
# "click" event of the sources panel, carrying the citation key. Runs once, from that panel's js_on_load.
CITE_JS = """
if (!window.__ragCiteBound) {
  window.__ragCiteBound = true;
  document.addEventListener('click', (ev) => {
    const a = ev.target && ev.target.closest ? ev.target.closest('a.rag-cite, a.rag-open') : null;
    if (!a) return;
    ev.preventDefault();
    ev.stopPropagation();
    const key = a.getAttribute('data-cite') || (a.getAttribute('href') || '').replace('#rag-cite-', '');
    document.querySelectorAll('.rag-active').forEach((x) => x.classList.remove('rag-active'));
    a.classList.add('rag-active');
    const card = document.getElementById('rag-source-' + key);
    if (card) card.classList.add('rag-active');
    trigger('click', {cite: key});
  }, true);
}
"""

# Scroll the source viewer to the highlighted span whenever it shows a new source.
SCROLL_JS = """
const ragScroll = () => {
  const hl = element.querySelector('mark.rag-hl');
  const box = element.querySelector('.rag-viewer-text');
  if (!hl) document.querySelectorAll('.rag-active').forEach((x) => x.classList.remove('rag-active'));
  if (!hl || !box) return;
  box.scrollTop = Math.max(0, hl.offsetTop - box.offsetTop - box.clientHeight / 3);
  element.scrollIntoView({block: 'nearest', behavior: 'smooth'});
};
watch('value', () => setTimeout(ragScroll, 30));
"""
