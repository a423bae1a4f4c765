"""Hostile use of the web UI (issue 10): uploads, file routes, login, public binds, model choice, error text, evals.

Everything runs for real: the ONNX embedder and Chroma over a copy of the seeds in tmp dirs, files on disk, and a
Gradio server on 127.0.0.1 spoken to over HTTP (Gradio's own upload, queue and file routes), with the fake
OpenAI-compatible FaultServer of tests/servers.py standing in for an LLM provider.
"""

from __future__ import annotations

import html
import json
import logging
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import gradio as gr
import httpx
import pytest
from gradio import utils as gradio_utils
from pydantic import SecretStr

from rag import Assistant, Settings
from rag.errors import RagError
from rag.ui import access, app, layout, messages, session, uploads

from .helpers import BAGHDAD, REPO, copy_seeds
from .servers import FaultServer, free_port

USER, PASSWORD = "ann", "correct horse"


# --- a launched UI and a small client for Gradio's HTTP API -----------------------------
class Served:
    """A RagUI served by Gradio on 127.0.0.1, plus what the tests need to look at."""

    def __init__(self, ui: session.RagUI, options: dict[str, Any]) -> None:
        self.ui, self.options = ui, options
        self.demo = app.serve(ui, options)
        self.base = f"http://127.0.0.1:{options['server_port']}"
        self.login: access.Login | None = options["auth"]

    def client(self, **kw: Any) -> httpx.Client:
        return httpx.Client(base_url=self.base, timeout=60, **kw)

    def close(self) -> None:
        self.demo.close()


def serve(settings: Settings, assistant: Assistant | None = None) -> Served:
    settings = settings.model_copy(update={"port": free_port(), "host": "127.0.0.1"})
    return Served(session.RagUI(settings, assistant=assistant), app.launch_options(settings))


def run_event(client: httpx.Client, api_name: str, data: list[Any]) -> dict[str, Any]:
    """Run one page event the way the browser does (queue/join, then the SSE stream); its process_completed message."""
    config = client.get("/config").json()
    fn_index = next(d["id"] for d in config["dependencies"] if d["api_name"] == api_name)
    session = uuid.uuid4().hex
    body = {"data": data, "fn_index": fn_index, "session_hash": session, "event_data": None, "trigger_id": None}
    joined = client.post("/gradio_api/queue/join", json=body)
    assert joined.status_code == 200, joined.text
    event_id = joined.json()["event_id"]
    with client.stream("GET", "/gradio_api/queue/data", params={"session_hash": session}) as stream:
        for line in stream.iter_lines():
            if not line.startswith("data:"):
                continue
            message = json.loads(line[5:])
            if message.get("event_id") == event_id and message.get("msg") == "process_completed":
                return dict(message)
    raise AssertionError(f"no process_completed for {api_name}")


def upload(client: httpx.Client, name: str, content: bytes) -> dict[str, Any]:
    """Gradio's upload route, then the page's upload event with the uploaded file; the event's result."""
    response = client.post("/gradio_api/upload", files=[("files", (name, content, "text/plain"))])
    assert response.status_code == 200, response.text
    [path] = response.json()
    file = {"path": path, "orig_name": name, "meta": {"_type": "gradio.FileData"}}
    return run_event(client, "save_uploads", [[file]])


# --- fixtures -------------------------------------------------------------------------
@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Assistant, Path]:
    root = tmp_path_factory.mktemp("ui-security")
    docs = copy_seeds(root / "docs")
    return Assistant.build(docs, root / "index", Settings()), docs


@pytest.fixture(scope="module")
def guarded(built: tuple[Assistant, Path]) -> Iterator[Served]:
    """The UI over the seed index, with RAG_AUTH."""
    served = serve(built[0].settings.model_copy(update={"auth": f"{USER}:{PASSWORD}"}), built[0])
    yield served
    served.close()


@pytest.fixture()
def docs_ui(tmp_path: Path, built: tuple[Assistant, Path]) -> tuple[session.RagUI, Path]:
    """A UI whose docs folder is an empty tmp dir (the manifest's folder is not used: no assistant is open)."""
    docs = tmp_path / "docs"
    docs.mkdir()
    return session.RagUI(Settings(index_dir=tmp_path / "index", docs_dir=docs)), docs


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# --- 1. uploads never overwrite ---------------------------------------------------------
def test_upload_collisions_keep_every_file_under_its_own_name(docs_ui: tuple[session.RagUI, Path], tmp_path: Path) -> None:
    ui, docs = docs_ui
    (docs / "report_2015.txt").write_text("the original\n", encoding="utf-8")
    first = tmp_path / "a" / "report 2015.TXT"
    second = tmp_path / "b" / "report_2015.txt"
    for path, text in ((first, "first upload\n"), (second, "second upload\n")):
        path.parent.mkdir()
        path.write_text(text, encoding="utf-8")
    notice, _ = ui.save_uploads([str(first), str(second)])
    assert names(docs) == ["report_2015 (2).txt", "report_2015 (3).txt", "report_2015.txt"]
    assert (docs / "report_2015.txt").read_text(encoding="utf-8") == "the original\n"
    assert (docs / "report_2015 (2).txt").read_text(encoding="utf-8") == "first upload\n"
    assert (docs / "report_2015 (3).txt").read_text(encoding="utf-8") == "second upload\n"
    assert "rag-notice-ok" in notice
    assert "as report_2015 (2).txt (report_2015.txt already exists)" in notice
    assert "as report_2015 (3).txt" in notice
    assert str(docs) not in notice and str(tmp_path) not in notice, "the notice names the folder, not its path"


def test_concurrent_uploads_of_one_name_never_overwrite(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    sources = []
    for i in range(12):
        src = tmp_path / f"src{i}" / "same.txt"
        src.parent.mkdir()
        src.write_text(f"upload number {i}\n", encoding="utf-8")
        sources.append(src)
    barrier = threading.Barrier(len(sources))

    def store(src: Path) -> str:
        barrier.wait()
        return uploads.store_upload(src, docs, "same.txt")

    with ThreadPoolExecutor(len(sources)) as pool:
        stored = list(pool.map(store, sources))
    assert len(set(stored)) == len(sources), "every upload got its own name"
    assert names(docs) == sorted(stored), "no temporary file is left behind"
    contents = sorted((docs / name).read_text(encoding="utf-8") for name in stored)
    assert contents == sorted(f"upload number {i}\n" for i in range(12)), "no upload replaced another"


def test_upload_never_writes_through_an_existing_name_or_link(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    outside = tmp_path / "outside.txt"
    outside.write_text("not yours\n", encoding="utf-8")
    (docs / "notes.txt").symlink_to(outside)
    src = tmp_path / "notes.txt"
    src.write_text("uploaded\n", encoding="utf-8")
    assert uploads.store_upload(src, docs, "notes.txt") == "notes (2).txt"
    assert outside.read_text(encoding="utf-8") == "not yours\n"
    assert (docs / "notes (2).txt").read_text(encoding="utf-8") == "uploaded\n"


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("../x.txt", "x.txt"),
        ("../../../../etc/cron.d/x.txt", "x.txt"),
        ("/etc/passwd.txt", "passwd.txt"),
        ("C:\\Windows\\system32\\x.md", "x.md"),
        ("a\nb.txt", "a_b.txt"),
        ("evil.txt\n", "evil.txt"),
        ("a\x00b.txt", "a_b.txt"),
        ("\x00\x00x.html", "x.html"),
        ("caf\udce9.txt", "caf.txt"),  # b"caf\xe9.txt" read with surrogateescape: not UTF-8
        ("\uff0e\uff0e\uff0fx.txt", "x.txt"),  # full-width "../", NFKC-normalised first
        ("rtl\u202etxt.exe.txt", "rtl_txt.exe.txt"),
    ],
)
def test_hostile_upload_names_become_plain_base_names(name: str, safe: str) -> None:
    assert uploads.safe_upload_name(name) == safe


@pytest.mark.parametrize(
    "name",
    [".txt", ".env", ".bashrc.md", "../.ssh/.keys.txt", "..txt", "\x00.txt", "\udce9\udce9.txt", "x.txt\x00.sh"],
)
def test_hidden_and_nameless_uploads_are_rejected(name: str) -> None:
    with pytest.raises(uploads.UploadRejected) as info:
        uploads.safe_upload_name(name)
    message = str(info.value)
    message.encode("utf-8")  # shown to the user: no lone surrogate can break the page's JSON
    assert "\x00" not in message and "\n" not in message


def test_very_long_names_fit_the_file_system(docs_ui: tuple[session.RagUI, Path], tmp_path: Path) -> None:
    ui, docs = docs_ui
    for i, stem in enumerate(["x" * 240, "報告" * 40, "é" * 120]):
        assert len(stem.encode("utf-8")) == 240, "the longest names a Linux file system takes"
        src = tmp_path / str(i) / f"{stem}.txt"
        src.parent.mkdir()
        src.write_text("long\n", encoding="utf-8")
        name = uploads.safe_upload_name(src.name)
        assert len(name.encode("utf-8")) <= uploads.MAX_NAME_BYTES + len(".txt")
        for _ in range(3):  # and again with " (2)", " (3)" added
            notice, _ = ui.save_uploads([str(src)])
            assert "rag-notice-ok" in notice
    stored = names(docs)
    assert len(stored) == 9 and all(len(n.encode("utf-8")) < 255 for n in stored)


def test_hostile_names_saved_from_real_files(docs_ui: tuple[session.RagUI, Path], tmp_path: Path) -> None:
    ui, docs = docs_ui
    made = []
    for i, raw in enumerate([b"line\nbreak.txt", b"caf\xe9.txt", b".hidden.txt", b" spaced name .md"]):
        folder = tmp_path / f"in{i}"
        folder.mkdir()
        path = Path(os.fsdecode(os.path.join(os.fsencode(folder), raw)))
        path.write_bytes(b"some text\n")
        made.append(str(path))
    with pytest.warns(UserWarning, match="hidden file name"):
        notice, _ = ui.save_uploads(made)
    json.dumps(notice, ensure_ascii=False).encode("utf-8")
    assert names(docs) == ["caf.txt", "line_break.txt", "spaced_name.md"]
    assert "rag-notice-warn" in notice and "\n" not in notice


def test_uploads_over_http_stay_in_the_docs_folder(tmp_path: Path, built: tuple[Assistant, Path]) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "evil.txt").write_text("already here\n", encoding="utf-8")
    served = serve(Settings(index_dir=tmp_path / "index", docs_dir=docs))
    try:
        with served.client() as client:
            for name in ("../evil.txt", "/tmp/evil.txt", "sub/../../evil.txt"):
                done = upload(client, name, b"uploaded over HTTP\n")
                assert done["success"] and "rag-notice-ok" in json.dumps(done["output"]), done
            rejected = [
                upload(client, name, b"RAG_AUTH=x:y\n")
                for name in (".env.txt", "..%2F..%2Fevil.txt", "..\\..\\evil.txt")
            ]
            manifest = run_event(
                client,
                "save_uploads",
                [[{"path": str(built[0].settings.index_dir / "manifest.json"), "meta": {"_type": "gradio.FileData"}}]],
            )
    finally:
        served.close()
    stored = names(docs)
    assert stored == ["evil (2).txt", "evil (3).txt", "evil (4).txt", "evil.txt"]
    assert (docs / "evil.txt").read_text(encoding="utf-8") == "already here\n"
    assert not (tmp_path / "evil.txt").exists() and not Path("/tmp/evil.txt").exists()
    assert all("hidden file name" in json.dumps(r["output"]) for r in rejected)
    assert not manifest["success"], "a path the user did not upload is refused by Gradio's own check"
    assert str(built[0].settings.index_dir) not in json.dumps(manifest)


# --- file routes ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def exposed(built: tuple[Assistant, Path]) -> Iterator[dict[str, Any]]:
    """A UI without auth whose index and .env lie inside Gradio's own upload cache (a folder it serves).

    So only blocked_paths keeps them from being served; a file beside them shows that the folder is served.
    """
    cache = Path(gradio_utils.get_upload_folder())
    cache.mkdir(parents=True, exist_ok=True)
    root = Path(tempfile.mkdtemp(prefix="rag-security-", dir=cache))
    (root / "work").mkdir()
    (root / "work" / ".env").write_text("RAG_OPENAI_API_KEY=sk-secret\n", encoding="utf-8")
    (root / "beside.txt").write_text("served\n", encoding="utf-8")
    index = root / "index"
    index.mkdir()
    (index / "manifest.json").write_text('{"secret": true}', encoding="utf-8")
    settings = built[0].settings.model_copy(update={"index_dir": index})
    cwd = os.getcwd()
    os.chdir(root / "work")  # .env is looked up in the working directory
    try:
        served = serve(settings, built[0])
    finally:
        os.chdir(cwd)
    yield {"served": served, "root": root, "index": index, "docs": built[1]}
    served.close()


def test_file_routes_serve_nothing_of_the_index_env_or_docs(exposed: dict[str, Any]) -> None:
    served, root, index, docs = exposed["served"], exposed["root"], exposed["index"], exposed["docs"]
    real_index = Path(served.ui.assistant.settings.index_dir)  # type: ignore[union-attr]
    targets = [
        index / "manifest.json",
        root / "work" / ".env",
        REPO / ".env",
        next(p for p in real_index.rglob("*") if p.is_file()),
        next(docs.iterdir()),
        REPO / "pyproject.toml",
        Path("/etc/passwd"),
        Path(sys.executable),
    ]
    with served.client() as client:
        assert client.get(f"/gradio_api/file={root / 'beside.txt'}").status_code == 200, "control: the folder is served"
        for target in targets:
            for route in ("/gradio_api/file=", "/gradio_api/file/"):
                response = client.get(f"{route}{target}")
                assert response.status_code in (403, 404), (target, response.status_code)
                assert b"sk-secret" not in response.content and b'"secret"' not in response.content
        for sneaky in (
            f"/gradio_api/file={root}/../{root.name}/index/manifest.json",
            f"/gradio_api/file={root}/work/../work/.env",
            f"/gradio_api/file={root}/work/%2e%2e/index/manifest.json",
            f"/gradio_api/file={str(index).upper()}/MANIFEST.JSON",
            "/gradio_api/file=../../../../etc/passwd",
            "/gradio_api/file=.env",
            f"/file={index}/manifest.json",
        ):
            response = client.get(sneaky)
            assert response.status_code in (403, 404), (sneaky, response.status_code)
            assert b"sk-secret" not in response.content and b'"secret"' not in response.content
        for remote in ("/gradio_api/file=http://127.0.0.1:1/x", "/gradio_api/file=https://example.com/a.png"):
            assert client.get(remote).status_code == 403, "no remote fetch on behalf of a user"


# --- auth on every route ----------------------------------------------------------------
def concrete_routes(app: Any) -> list[tuple[str, str]]:
    """(method, path) of every route of the running app, path parameters filled with a dummy value."""
    out: list[tuple[str, str]] = []

    def walk(routes: list[Any]) -> None:
        for route in routes:
            if hasattr(route, "original_router"):  # FastAPI's included router (the /gradio_api prefix)
                walk(route.original_router.routes)
                continue
            path = getattr(route, "path", None)
            for method in getattr(route, "methods", None) or ["GET"]:
                if path is not None:
                    out.append((method, re.sub(r"\{[^}]*\}", "x", path)))

    walk(app.routes)
    return sorted(set(out))


def test_with_auth_every_route_refuses_anonymous_requests(guarded: Served) -> None:
    routes = concrete_routes(guarded.demo.app)
    paths = {p for _, p in routes}
    for needed in ("/gradio_api/cancel", "/gradio_api/queue/join", "/gradio_api/queue/data", "/gradio_api/upload"):
        assert needed in paths
    public = {"/", "/favicon.ico", "/theme.css", "/gradio_api/theme.css", "/robots.txt"}
    login = {"/login", "/login/"}
    checked = 0
    with guarded.client() as anonymous:
        for method, path in routes:
            if path in login:
                continue
            response = anonymous.request(method, path, json={"session_hash": "x", "fn_index": 2, "event_id": "x"})
            if path in public or path.startswith(("/assets/", "/static/", "/svelte/")):
                assert response.status_code in (200, 404, 405), (method, path)
                continue
            assert response.status_code == 401, (method, path, response.status_code, response.text[:200])
            checked += 1
        page = anonymous.get("/").text
        assert '"auth_required":true' in page.replace(" ", "") and "rag-chat" not in page
        assert anonymous.get("/gradio_api/startup-events").status_code == 401
    assert checked > 40
    with guarded.client() as user:
        assert user.post("/login", data={"username": USER, "password": PASSWORD}).status_code == 200
        assert user.get("/config").status_code == 200, "control: a logged-in user gets in"
        cancel = user.post("/gradio_api/cancel", json={"session_hash": "x", "fn_index": 2, "event_id": "x"})
        assert cancel.status_code == 200
        answered = run_event(user, "on_load", [])
        assert answered["success"] and "documents" in json.dumps(answered["output"])


def test_logins_are_throttled_per_address_and_per_user(guarded: Served) -> None:
    login, throttle = guarded.login, access.LoginThrottle()
    assert login is not None
    before = len(login.evaluated)

    def attempt(args: tuple[str, str, str]) -> httpx.Response:
        address, user, password = args
        transport = httpx.HTTPTransport(local_address=address)
        with httpx.Client(base_url=guarded.base, transport=transport, timeout=60) as client:
            return client.post("/login", data={"username": user, "password": password})

    with ThreadPoolExecutor(20) as pool:  # 20 wrong passwords at once from one address
        first = list(pool.map(attempt, [("127.0.0.1", USER, f"guess{i}") for i in range(20)]))
    evaluated = login.evaluated[before:]
    statuses = sorted(r.status_code for r in first)
    assert len(evaluated) == throttle.free, f"{len(evaluated)} of 20 wrong passwords were checked"
    assert statuses == [400] * throttle.free + [429] * (20 - throttle.free)
    locked = next(r for r in first if r.status_code == 429)
    assert "Too many failed logins" in locked.text and int(locked.headers["Retry-After"]) >= 1

    # The name is locked from every address; another name from a new address is still checked.
    assert attempt(("127.0.0.2", USER, PASSWORD)).status_code == 429, "even the right password waits out the lock"
    assert attempt(("127.0.0.2", "bob", "guess")).status_code == 400
    assert attempt(("127.0.0.1", "bob", "guess")).status_code == 429, "the address is locked for every name"
    assert len(login.evaluated) - before == throttle.free + 1

    # The lock is exponential: no more than `free` attempts are checked in any second, however fast they come.
    for _ in range(2):
        time.sleep(float(attempt(("127.0.0.1", USER, "x")).headers.get("Retry-After", "0")) + 0.1)
        assert attempt(("127.0.0.1", USER, "wrong again")).status_code == 400
        assert attempt(("127.0.0.1", USER, "and again")).status_code == 429
    times = [t for i, t in enumerate(login.evaluated[before:]) if i != throttle.free]  # all but bob's
    assert all(sum(1 for u in times if t <= u < t + 1.0) <= throttle.free for t in times)
    wait = int(attempt(("127.0.0.1", USER, PASSWORD)).headers["Retry-After"])
    assert wait >= 4, "the third lock lasts longer than the first"
    time.sleep(wait + 0.1)
    assert attempt(("127.0.0.1", USER, PASSWORD)).status_code == 200, "the right password after the lock"
    assert attempt(("127.0.0.1", USER, "wrong")).status_code == 400, "a success clears the count"


def test_login_checks_in_constant_time_without_gradio_tuples() -> None:
    login = access.Login("ann", "pw")
    assert login("ann", "pw") and not login("ann", "pw ") and not login("Ann", "pw") and not login("", "")
    assert not login("ann", "p\udce9")  # not UTF-8: refused, not an exception
    assert len(login.evaluated) == 5


# --- public binds -----------------------------------------------------------------------
def test_public_bind_without_auth_refuses_to_start() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    env.update(RAG_HOST="0.0.0.0", RAG_PORT=str(free_port()), RAG_INDEX_DIR=str(REPO / "no-such-index"))
    done = subprocess.run(
        [sys.executable, "app.py"], cwd=REPO, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: RAG_HOST=0.0.0.0"), done.stderr
    assert "RAG_AUTH" in lines[0] and "RAG_ALLOW_PUBLIC" in lines[0]
    assert "Serving" not in done.stdout


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20", "10.0.0.1", "my-host.example", "[::]"])
def test_non_loopback_hosts_need_auth_or_an_explicit_opt_in(host: str) -> None:
    with pytest.raises(RagError, match="RAG_ALLOW_PUBLIC"):
        app.launch_options(Settings(host=host))
    access.check_exposure(Settings(host=host, auth="ann:pw"))
    access.check_exposure(Settings(host=host, allow_public=True))


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "localhost", "::1", "[::1]"])
def test_loopback_hosts_need_nothing(host: str) -> None:
    access.check_exposure(Settings(host=host))


def test_allow_public_reads_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAG_ALLOW_PUBLIC", "1")
    monkeypatch.setenv("RAG_HOST", "0.0.0.0")
    access.check_exposure(Settings())
    monkeypatch.setenv("RAG_ALLOW_PUBLIC", "0")
    with pytest.raises(RagError):
        access.check_exposure(Settings())


# --- the model allow-list ---------------------------------------------------------------
def test_models_outside_the_allow_list_are_refused_before_any_llm_call(built: tuple[Assistant, Path]) -> None:
    with FaultServer() as llm:
        settings = built[0].settings.model_copy(
            update={
                "openai_base_url": llm.base_url,
                "openai_api_key": SecretStr("sk-test"),
                "openai_model": "cheap-model",
                "openai_models": "cheap-model, second-model",
                "openai_max_retries": 0,
            }
        )
        assistant = Assistant(settings, built[0].store, built[0].embedder)
        ui = session.RagUI(assistant=assistant)
        assert ui.models() == ["cheap-model", "second-model"]
        for model in ("gpt-4-32k", "cheap-model ", "CHEAP-MODEL", "second-model,gpt-4"):
            if model.strip() in ui.models():
                continue
            with pytest.raises(gr.Error, match="not allowed"):
                ui.check(BAGHDAD, [], "openai", model)
            with pytest.raises(gr.Error, match="not allowed"):
                list(ui.ask(BAGHDAD, [], "openai", model))
        assert llm.hits == 0

        served = Served(ui, app.launch_options(settings.model_copy(update={"port": free_port()})))
        try:
            with served.client() as client:
                config = client.get("/config").json()
                [dropdown] = [c for c in config["components"] if c["props"].get("elem_id") == "rag-model"]
                assert [c[0] for c in dropdown["props"]["choices"]] == ["cheap-model", "second-model"]
                refused = run_event(client, "ask", [BAGHDAD, None, "openai", "gpt-4-32k", 5, [], "", ""])
                assert not refused["success"] and llm.hits == 0
                allowed = run_event(client, "ask", [BAGHDAD, None, "openai", "second-model", 5, [], "", ""])
                assert allowed["success"] and llm.hits > 0, "control: an allowed model reaches the LLM"
        finally:
            served.close()


def test_allow_list_defaults_to_the_configured_model() -> None:
    assert access.allowed_models(Settings(openai_model="m1")) == ["m1"]
    assert access.allowed_models(Settings(openai_model="m1", openai_models=" m2 ,,m1, m3")) == ["m1", "m2", "m3"]


# --- short errors for users, details in the log ------------------------------------------
def test_paths_are_cut_from_messages() -> None:
    assert (
        messages.public("No index at /srv/data/.rag; build it from /home/ann/docs.") == "No index at .rag; build it from docs."
    )
    assert messages.public("The index database /tmp/x/index/chunks.sqlite is damaged") == (
        "The index database chunks.sqlite is damaged"
    )
    assert messages.public("Model file C:\\models\\m.onnx is bad") == "Model file m.onnx is bad"
    kept = "Cannot reach http://127.0.0.1:8080/v1 (2 of 3 tries); 1/2 done"
    assert messages.public(kept) == kept


def test_index_errors_reach_users_without_paths(tmp_path: Path) -> None:
    index, docs = tmp_path / "secret-place" / "index", tmp_path / "secret-place" / "docs"
    ui = session.RagUI(Settings(index_dir=index, docs_dir=docs))
    ui.load()
    assert ui.assistant is None and ui.error and "No index" in ui.error
    assert str(tmp_path) not in ui.error and "secret-place" not in ui.error
    assert str(tmp_path) not in ui.status()
    with pytest.warns(UserWarning, match="No index"):
        outputs = list(ui.ask(BAGHDAD, []))
    assert str(tmp_path) not in json.dumps(outputs[-1][1])
    served = serve(Settings(index_dir=index, docs_dir=docs))
    served.ui.load()
    try:
        with served.client() as client:
            loaded = run_event(client, "on_load", [])
            asked = run_event(client, "ask", [BAGHDAD, None, "extractive", "", 5, [], "", ""])
            evals = run_event(client, "run_evals", [])
    finally:
        served.close()
    for done in (loaded, asked, evals):
        text = json.dumps(done)
        assert str(tmp_path) not in text and "secret-place" not in text, text[:500]
    assert "No index" in json.dumps(loaded["output"])


def test_unexpected_errors_say_little_and_log_everything(
    built: tuple[Assistant, Path], caplog: pytest.LogCaptureFixture
) -> None:
    ui = session.RagUI(assistant=built[0])
    demo = layout.build(ui)
    events = {fn.name: fn.fn for fn in demo.fns.values()}
    broken_turns = [{"question": "q", "citations": [{"n": "not a number"}], "refused": False}]
    caplog.set_level(logging.ERROR, logger="rag.ui")
    with pytest.raises(gr.Error) as info:
        events["on_cite"](broken_turns, gr.EventData(None, {"cite": "0-1"}))
    assert info.value.message == html.escape(messages.UNEXPECTED)
    assert "ValueError" not in str(info.value.message) and "not a number" not in str(info.value.message)
    assert any(r.exc_info and r.exc_info[0] is ValueError for r in caplog.records), "the traceback is in the log"
    with pytest.raises(gr.Error) as info:
        list(events["ask"](BAGHDAD, [{"no": "question"}], "extractive", "", 5, [], "", ""))
    assert info.value.message == html.escape(messages.UNEXPECTED)
    with pytest.raises(gr.Error, match="from 1 to"):
        list(events["ask"](BAGHDAD, [], "extractive", "", float("nan"), [], "", ""))
    assert app.launch_options(Settings())["show_error"] is False


# --- evals from the UI write beside the index -------------------------------------------
def test_run_evals_writes_into_the_index_not_the_repository(built: tuple[Assistant, Path], tmp_path: Path) -> None:
    repo_reports = REPO / "evals" / "reports"

    def snapshot() -> dict[str, int]:
        return {p.name: p.stat().st_mtime_ns for p in repo_reports.iterdir()} if repo_reports.exists() else {}

    settings = built[0].settings.model_copy(update={"index_dir": tmp_path / "index"})
    ui = session.RagUI(settings, assistant=built[0])
    before = snapshot()

    class Progress:
        def __call__(self, *_a: Any, **_kw: Any) -> None:
            pass

    metrics, report, _ = ui.run_evals(Progress())  # type: ignore[arg-type]
    assert snapshot() == before, "nothing written into evals/reports"
    written = names(tmp_path / "index" / "reports")
    assert {"latest.json", "latest.md", "latest.png"} <= set(written)
    assert "dataset: seeds" in metrics and report
    assert str(REPO) not in report and str(tmp_path) not in report
    assert ui.reports_dir() == (tmp_path / "index" / "reports").resolve()
