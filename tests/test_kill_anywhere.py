"""SIGKILL an ingest anywhere: a Hypothesis state machine edits a real folder (add, edit, bulk edit, rename,
delete, byte-identical copy) and runs ``python -m rag ingest`` in a subprocess, SIGKILLed after a random delay
of 0-1.5 s, or let finish.

The delay counts from the moment the subprocess has opened Chroma (its ``chroma.sqlite3`` shows up among the
process's open files), so a kill lands in repair, a wave's writes, the removals or the vocabulary update rather
than in Python's imports. After a kill, the index answers (``ask`` returns an Answer) and every file a reader sees
is one whole version of it. After an ingest that finished, the index mirrors the folder exactly: sources, chunk
texts at their spans, Chroma ids == committed SQLite ids, no pending rows, the FTS5 index intact, and
byte-identical copies each with chunks of their own. Each run ends with a normal ingest that must converge.

Derandomized (a fixed sequence of steps) so that the run is reproducible and its length bounded; set
RAG_KILL_RANDOM=1 to explore new sequences.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, precondition, rule, run_state_machine_as_test

from rag import Answer, Assistant, RagError
from rag.files import sha256_bytes
from rag.index.schema import DB_FILE

from .helpers import REPO
from .test_consistency import (
    HASH,
    WORDS,
    article,
    check_committed,
    check_converged,
    clear_chroma_cache,
    marker,
    open_fresh,
)

N_FILES = 48
MAX_DELAY = 1.5  # seconds: the kill comes 0-1.5 s after the ingest opened Chroma
STATS = {"kills": 0, "finished": 0, "runs": 0}
EXAMPLES, STEPS = 2, 25


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    env.update(RAG_EMBEDDER="hash", ANONYMIZED_TELEMETRY="False", PYTHONPATH=str(REPO))
    return env


def _opened_chroma(pid: int) -> bool:
    """Whether process ``pid`` holds Chroma's database open."""
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                if os.readlink(f"/proc/{pid}/fd/{fd}").endswith("chroma.sqlite3"):
                    return True
            except OSError:
                continue
    except OSError:
        return False
    return False


class KillAnywhere(RuleBasedStateMachine):
    """The model is ``self.files``: name -> text, exactly what the docs folder holds."""

    def __init__(self) -> None:
        super().__init__()
        self.root = Path(tempfile.mkdtemp(prefix="kill-anywhere-"))
        self.docs, self.index = self.root / "docs", self.root / "index"
        self.docs.mkdir()
        self.files: dict[str, str] = {}
        self.ever: dict[str, dict[str, str]] = {}  # every name the folder has held -> sha256 -> text
        self.serial = 0
        self.since_ingest = 0
        self.last_killed = False
        self.log: list[str] = []

    # --- the folder ------------------------------------------------------------------------------------------------
    def _new_name(self, stem: str) -> str:
        self.serial += 1
        return f"{stem}-{self.serial:03d}.txt"

    def _put(self, name: str, text: str) -> None:
        (self.docs / name).write_text(text, encoding="utf-8")
        self.files[name] = text
        self._seen(name, text)

    def _seen(self, name: str, text: str) -> None:
        self.ever.setdefault(name, {})[sha256_bytes(text.encode("utf-8"))] = text

    def _pick(self, k: int) -> str:
        names = sorted(self.files)
        return names[k % len(names)]

    def _mutated(self, what: str) -> None:
        self.since_ingest += 1
        self.log.append(what)

    @initialize(seed=st.integers(0, 10**6))
    def make_folder(self, seed: int) -> None:
        for i in range(N_FILES):
            name = self._new_name("doc")
            self._put(name, article(name[:-4], 4 + (seed + 7 * i) % 50, seed + i))

    @precondition(lambda self: self.since_ingest < 1)
    @rule(sentences=st.integers(3, 40), seed=st.integers(0, 10**6))
    def add_file(self, sentences: int, seed: int) -> None:
        name = self._new_name("new")
        self._put(name, article(name[:-4], sentences, seed))
        self._mutated(f"add {name}")

    @precondition(lambda self: self.since_ingest < 1 and self.files)
    @rule(k=st.integers(0, 10**6), how=st.sampled_from(["append", "rewrite", "shorten"]), seed=st.integers(0, 99))
    def edit_file(self, k: int, how: str, seed: int) -> None:
        name = self._pick(k)
        text = self.files[name]
        if how == "append":
            text += f"And then {WORDS[seed]} met {WORDS[seed + 100]} at the {WORDS[seed + 200]} gate.\n"
        elif how == "rewrite":
            text = article(f"{name[:-4]}r{seed}", 5 + seed % 30, seed * 31 + k)
        else:
            paragraphs = text.split("\n\n")
            text = "\n\n".join(paragraphs[: max(2, len(paragraphs) // 2)]).rstrip("\n") + "\n"
        self._put(name, text)
        self._mutated(f"edit {name} ({how})")

    @precondition(lambda self: self.since_ingest < 1 and self.files)
    @rule(step=st.integers(1, 3), seed=st.integers(0, 99))
    def edit_many(self, step: int, seed: int) -> None:
        """Append a sentence to every ``step``-th file: the next ingest has waves of work to be killed in."""
        for name in sorted(self.files)[::step]:
            self._put(name, self.files[name] + f"Later {WORDS[seed]} and {WORDS[-1 - seed]} came back.\n")
        self._mutated(f"edit every {step}th file")

    @precondition(lambda self: self.since_ingest < 1 and self.files)
    @rule(k=st.integers(0, 10**6))
    def rename_file(self, k: int) -> None:
        old = self._pick(k)
        new = self._new_name("moved")
        (self.docs / old).rename(self.docs / new)
        self.files[new] = self.files.pop(old)
        self._seen(new, self.files[new])
        self._mutated(f"rename {old} -> {new}")

    @precondition(lambda self: self.since_ingest < 1 and len(self.files) > 3)
    @rule(k=st.integers(0, 10**6))
    def delete_file(self, k: int) -> None:
        name = self._pick(k)
        (self.docs / name).unlink()
        del self.files[name]
        self._mutated(f"delete {name}")

    @precondition(lambda self: self.since_ingest < 1 and self.files)
    @rule(k=st.integers(0, 10**6))
    def copy_file(self, k: int) -> None:
        name = self._pick(k)
        copy = self._new_name("copy")
        shutil.copyfile(self.docs / name, self.docs / copy)
        self.files[copy] = self.files[name]
        self._seen(copy, self.files[copy])
        self._mutated(f"copy {name} -> {copy}")

    # --- ingest, killed or not -----------------------------------------------------------------------------------
    @precondition(lambda self: self.since_ingest >= 1 or self.last_killed)
    @rule(finish=st.integers(0, 5), u=st.integers(0, 1000))
    def ingest(self, finish: int, u: int) -> None:
        """``finish`` 5: let it finish; else SIGKILL it ``delay`` after it opened Chroma, where the delay
        (0-1.5 s) is ``u``'s cube scaled: most kills come early, where a small ingest does its writes."""
        kill, delay = finish != 5, MAX_DELAY * (u / 1000) ** 3
        self.since_ingest = 0
        self.last_killed = False
        STATS["runs"] += 1
        err = self.root / "stderr.txt"
        with err.open("wb") as stderr:
            proc = subprocess.Popen(
                [sys.executable, "-m", "rag", "ingest", str(self.docs), "--index", str(self.index), "--quiet"],
                env=_env(),
                stdout=subprocess.DEVNULL,
                stderr=stderr,
            )
            killed = False
            if kill:
                deadline = time.monotonic() + 60
                while proc.poll() is None and not _opened_chroma(proc.pid) and time.monotonic() < deadline:
                    time.sleep(0.005)
                time.sleep(delay)
                if proc.poll() is None:
                    proc.send_signal(signal.SIGKILL)
                    killed = True
            code = proc.wait(120)
        if os.environ.get("RAG_KILL_DEBUG"):
            print(f"kill={kill} delay={delay:.2f} killed={killed} code={code} after {self.log[-2:]}", flush=True)
        if killed and code == -signal.SIGKILL:
            STATS["kills"] += 1
            self.last_killed = True
            self.log.append(f"ingest killed {delay:.2f}s after opening Chroma")
            self._after_kill()
            return
        self.log.append("ingest finished")
        assert code == 0, f"ingest failed ({code}) after {self.log[-8:]}: {err.read_text()[-2000:]}"
        STATS["finished"] += 1
        check_converged(self.index, self.docs, HASH, dense_sample=6)

    def _after_kill(self) -> None:
        """A reader after a kill: the index answers, and shows every file as one whole version."""
        if not (self.index / DB_FILE).exists():
            try:
                Assistant.open(self.index, HASH)
            except RagError as e:
                assert "No index" in str(e)
                return
            raise AssertionError("opened an index that has no database")
        assistant = open_fresh(self.index)
        answer = assistant.ask(f"What does the report say about {marker(self._pick(0)[:-4])}?")
        assert isinstance(answer, Answer)
        check_committed(assistant.store)  # each file: the complete chunks of the version its row names
        for row in assistant.store.files():  # ... and that version is one the file really had
            assert row.sha256 in self.ever.get(row.source, {}), f"{row.source}: a version it never had"
        for c in answer.citations:
            texts = self.ever[c.source].values()
            assert any(t[c.start : c.end] == c.quote for t in texts), f"{c.source}: quote {c.quote[:60]!r} is no text"

    def teardown(self) -> None:
        try:
            if self.log:  # the end of every run: a normal ingest converges, whatever was killed before
                clear_chroma_cache()
                Assistant.open(self.index, HASH, create=True).ingest(self.docs)
                check_converged(self.index, self.docs, HASH, dense_sample=6)
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


def test_kill_anywhere() -> None:
    started = time.monotonic()
    run_state_machine_as_test(
        KillAnywhere,
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=STEPS,
            deadline=None,
            derandomize=not os.environ.get("RAG_KILL_RANDOM"),
            database=None,
            suppress_health_check=list(HealthCheck),
            print_blob=True,
        ),
    )
    print(f"kill-anywhere: {STATS} in {time.monotonic() - started:.0f}s")
    assert STATS["kills"] >= 20, f"only {STATS['kills']} SIGKILLs landed: {STATS}"
