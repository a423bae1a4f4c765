"""End to end in a real headless Chromium: ``python app.py`` builds its index, then a user asks, clicks a citation,
follows up, uploads and re-ingests a document, and gets a refusal.

Needs Debian's chromium (``bash scripts/setup_browser.sh``) and the playwright package; never ``playwright install``.
Screenshots of every step go to tests/artifacts/; with UPDATE_SCREENSHOT=1 (make screenshot) the cited-answer
screenshot is copied to docs/screenshot.png for the README.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .helpers import BAGHDAD, POPULATION, REPO, copy_seeds
from .servers import free_port

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = REPO / "tests" / "artifacts"
SCREENSHOT = REPO / "docs" / "screenshot.png"
TREATY_FILE = "vellmarsk-treaty.txt"
TREATY = (
    "Vellmarsk river accord signed in Orrin Vale\n\n"
    "The Treaty of Vellmarsk was signed in the town of Orrin Vale on 14 March 2019 by seven river councils.\n\n"
    "The councils agreed to share the upkeep of the locks on the Vell.\n"
)
TREATY_Q = "Where was the Treaty of Vellmarsk signed?"
ANSWERED = """(n) => {
  const bots = document.querySelectorAll('#rag-chat [data-testid="bot"]');
  if (bots.length < n) return false;
  const last = bots[n - 1];
  return !last.querySelector('.rag-pending, .rag-streaming') && !!last.querySelector('.rag-answer, .rag-refusal, .rag-error');
}"""
WATCH_STREAMING = """() => {
  window.__ragSeen = new Set();
  new MutationObserver(() => {
    for (const c of ['rag-pending', 'rag-streaming']) if (document.querySelector('#rag-chat .' + c)) window.__ragSeen.add(c);
  }).observe(document.body, {subtree: true, childList: true, characterData: true});
}"""


def _wait_http(url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"app.py exited with {proc.returncode}:\n{log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"app.py did not serve {url} within {timeout}s:\n{log.read_text(errors='replace')}")


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """``python app.py`` on a free port over a missing index (it builds one from a copy of the seeds)."""
    if CHROMIUM is None:
        pytest.skip("chromium is not installed: run `bash scripts/setup_browser.sh` (apt-get install chromium)")
    pytest.importorskip("playwright.sync_api", reason="playwright is not installed: pip install 'playwright>=1.45'")
    root = tmp_path_factory.mktemp("ui-browser")
    docs = copy_seeds(root / "docs")
    port = free_port()
    env = {
        **os.environ,
        "RAG_PORT": str(port),
        "RAG_HOST": "127.0.0.1",
        "RAG_INDEX_DIR": str(root / "index"),
        "RAG_DOCS_DIR": str(docs),
        "GRADIO_TEMP_DIR": str(root / "gradio-tmp"),
        "PYTHONUNBUFFERED": "1",
    }
    for var in ("RAG_BACKEND", "RAG_AUTH", "RAG_CHROMA_URL", "RAG_EMBEDDER", "OPENAI_BASE_URL"):
        env.pop(var, None)
    log = root / "app.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "app.py"], cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        _wait_http(f"http://127.0.0.1:{port}/", proc, log)
        yield {"url": f"http://127.0.0.1:{port}/", "docs": docs, "root": root, "log": log}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


def test_chat_citations_follow_up_upload_and_refusal(app: dict[str, Any]) -> None:
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    external: list[str] = []

    def shot(page: Any, name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path))
        return path

    def ask(page: Any, question: str, n: int) -> Any:
        page.fill("#rag-question textarea", question)
        page.click("#rag-send")
        page.wait_for_function(ANSWERED, arg=n, timeout=90_000)
        return page.locator('#rag-chat [data-testid="bot"]').nth(n - 1)

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 1100})
            page.on(
                "request",
                lambda r: None if r.url.startswith((app["url"], "data:", "blob:")) else external.append(r.url),
            )
            page.goto(app["url"])
            # 1) the app built its missing index from the docs folder at start
            page.wait_for_selector("#rag-status .rag-status-ok", timeout=120_000)
            assert "5 documents" in page.inner_text("#rag-status")
            shot(page, "1-started")

            # 2) a streamed answer with a citation
            page.evaluate(WATCH_STREAMING)
            first = ask(page, BAGHDAD, 1)
            assert page.evaluate("() => [...window.__ragSeen]"), "the answer was streamed (pending/streaming seen)"
            cites = first.locator("a.rag-cite")
            assert cites.count() >= 1
            assert first.locator("img, a:not(.rag-cite)").count() == 0
            keys = {cites.nth(i).get_attribute("href") for i in range(cites.count())}
            assert page.locator("#rag-sources .rag-source").count() == len(keys), "one card per cited passage"
            shot(page, "2-answer")

            # 3) clicking the citation opens the source, highlighted and scrolled to
            cites.first.click()
            mark = page.locator("#rag-viewer mark.rag-hl")
            mark.wait_for(timeout=30_000)
            quote = " ".join(page.locator("#rag-sources .rag-source.rag-active mark.rag-quote").inner_text().split())
            assert quote and " ".join(mark.inner_text().split()) == quote
            page.wait_for_timeout(600)  # the smooth scroll
            box = page.locator("#rag-viewer .rag-viewer-text").bounding_box()
            hl = mark.bounding_box()
            assert box and hl and box["y"] - 1 <= hl["y"] <= box["y"] + box["height"], "scrolled to the highlight"
            page.evaluate("() => window.scrollTo(0, 0)")
            step3 = shot(page, "3-citation")
            if os.environ.get("UPDATE_SCREENSHOT"):  # make screenshot: refresh the README's picture
                SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(step3, SCREENSHOT)

            # 4) a follow-up question uses the conversation
            follow = ask(page, "Who leads it?", 2)
            assert follow.locator(".rag-answer").count() == 1, follow.inner_html()
            assert follow.locator("a.rag-cite").count() >= 1
            shot(page, "4-follow-up")

            # 5) upload a new article, re-ingest, ask about it
            page.get_by_role("tab", name="Library").click()
            article = app["root"] / TREATY_FILE
            article.write_text(TREATY, encoding="utf-8")
            page.locator("#rag-upload input[type=file]").set_input_files(str(article))
            page.wait_for_selector("#rag-library-notice .rag-notice-ok", timeout=30_000)
            assert (app["docs"] / TREATY_FILE).read_text(encoding="utf-8") == TREATY
            page.click("#rag-reingest")
            page.wait_for_function(
                "() => (document.querySelector('#rag-library-notice') || {}).innerText?.includes('Re-ingested')",
                timeout=120_000,
            )
            assert TREATY_FILE in page.inner_text("#rag-library")
            page.wait_for_timeout(500)  # let the pending fade of the outputs end
            shot(page, "5-library")
            page.get_by_role("tab", name="Chat").click()
            treaty = ask(page, TREATY_Q, 3)
            titles = [
                treaty.locator("a.rag-cite").nth(i).get_attribute("title") or ""
                for i in range(treaty.locator("a.rag-cite").count())
            ]
            assert any(TREATY_FILE in t for t in titles), titles
            assert TREATY_FILE in page.inner_text("#rag-sources")
            shot(page, "5-new-document")

            # 6) a question the documents don't answer is refused, styled as a refusal (in a new conversation)
            page.click("#rag-clear")
            page.wait_for_function("() => !document.querySelector('#rag-chat [data-testid=\"bot\"]')")
            refusal = ask(page, POPULATION, 1)
            assert refusal.locator(".rag-refusal").count() == 1
            assert refusal.locator(".rag-error, a.rag-cite").count() == 0
            shot(page, "6-refusal")
        finally:
            browser.close()
    assert not external, f"the page fetched remote resources: {external}"
