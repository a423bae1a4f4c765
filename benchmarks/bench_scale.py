"""Scale benchmark: ingest, edit, re-open and ask over 10k-1M synthetic chunks, embedded Chroma and a Chroma server.

    python benchmarks/bench_scale.py [--sizes 10000,100000,1000000] [--backends embedded,server] [--out FILE.json]
    python benchmarks/bench_scale.py --pg [--pg-essays N] [--out FILE.json]   # real embedder: ours vs raw vs naive
    (--workdir DIR --keep keep the docs and indexes; --questions, --seed, --timeout per run)

Corpus: synthetic news articles made of real sentences (Paul Graham essays, a Solana survey) from
../shared/datasets: a headline, a dateline ("BAGHDAD, Sept. 26, 2015 (Reuters) - ...") or an ISO date line,
then ~600 words of randomly drawn sentences (seeded). The docs folder is sized from the chunks per article
measured on a sample, and grown from one size to the next. Skips (exit 0) when the datasets are absent.

Every size x backend runs in its own child process with RAG_EMBEDDER=hash (a non-semantic stand-in that
takes embedding out of the measurements), through the public API only: fresh ingest (chunks/s), one-file
edit and re-ingest (and whether the edit is answerable), no-op re-ingest, open until the first answer,
a cold ``python -m rag ask`` beside the same command on the seeds, search/ask p50/p95 with and without a
date filter, the child's peak RSS, the Chroma server's peak RSS (VmHWM), and disk per 100k chunks.
Each measurement records its error instead of stopping the run. Results go to --out as JSON (rewritten
after every run) and to stdout as a markdown table with the targets beside the numbers.

Questions are a random article's sentence turned into "What ...?"; the ~21k sentences recur across articles
(hundreds of times each at 1M chunks), so "sentence in top-k" is a sanity check, not a retrieval-quality score.

--pg: our ingest of the essays with the default ONNX embedder, the raw embedder on exactly the passages our
ingest embedded, and the naive LlamaIndex pipeline (evals/naive.py, 256-token chunks; its SentenceSplitter
keeps the default 200-token overlap), one after the other in one process. tokens = the embedder's word
pieces of the passages embedded; the vocabulary words our ingest also embeds count as its overhead. These
timings are CPU-bound: run them on an otherwise idle machine.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import platform
import random
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import date, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
DATASETS = REPO.parent / "shared" / "datasets"
PG_DIR = DATASETS / "paul_graham_essays_tonic" / "source_files"
SOLANA_DIR = DATASETS / "blockchain_solana" / "source_files"
SEEDS = REPO / "seeds"
SAMPLE_ARTICLES = 40
ARTICLES_PER_DIR = 1000
OPEN_REPEATS = 3
CLI_REPEATS = 3
FILTER_DAYS = 180  # a date filter keeps the articles within +-180 days of the question's article (~7%)

TARGETS = {  # measure key -> (size it applies from, limit, text)
    "edit_s": (1_000_000, 2.0, "<= 2 s at 1M"),
    "noop_s": (1_000_000, 5.0, "<= 5 s at 1M"),
    "open_fresh_s": (1_000_000, 3.0, "<= 3 s at 1M"),
    "cli_ratio": (1_000_000, 1.5, "<= 1.5x seeds at 1M"),
    "ask_p95_ms": (1_000_000, 300.0, "<= 300 ms at 1M (150 at 100k)"),
    "rss_peak_mb": (1_000_000, 3072.0, "<= 3 GB at 1M"),
}


# --- corpus --------------------------------------------------------------------------------------------------
def _sentences_of(text: str) -> list[str]:
    text = re.sub(r"(\w)-\s*\n\s*(\w)", r"\1\2", text)  # words hyphenated across lines
    text = re.sub(r"\s+", " ", text)
    pieces = re.split(r"(?<=[a-z0-9)\"”][.!?])\s+(?=[A-Z\"“])", text)
    out = []
    for s in pieces:
        s = s.strip()
        words = s.split()
        if not 8 <= len(words) <= 45 or not s[0].isupper() or s[-1] not in ".!?":
            continue
        if (
            re.search(r"[a-z][A-Z]|https?:|www\.|@|\d{3,}|[{}\[\]|<>_=#*]", s)
            or s.count('"') % 2
            or s.count("(") != s.count(")")
        ):
            continue
        if sum(c.isascii() for c in s) < 0.98 * len(s):
            continue
        out.append(s)
    return out


def load_sentences() -> list[str]:
    """Clean, deduplicated sentences of the essays and the Solana survey, in a fixed order."""
    found: dict[str, None] = {}
    for folder in (PG_DIR, SOLANA_DIR):
        for path in sorted(folder.glob("*.txt")):
            for s in _sentences_of(path.read_text(encoding="utf-8", errors="replace")):
                found.setdefault(s, None)
    return list(found)


CITIES = ["BAGHDAD", "LONDON", "NAIROBI", "SINGAPORE", "SAO PAULO", "BERLIN", "TOKYO", "CAIRO", "OTTAWA", "LIMA"]
AP_MONTHS = ["Jan.", "Feb.", "March", "April", "May", "June", "July", "Aug.", "Sept.", "Oct.", "Nov.", "Dec."]
FIRST_DAY = date(2010, 1, 1)
SPAN_DAYS = (date(2023, 12, 31) - FIRST_DAY).days


class Corpus:
    """Article ``i`` is a pure function of (seed, i, sentence pool); the folder holds articles 0..count-1."""

    def __init__(self, root: Path, sentences: list[str], seed: int) -> None:
        self.root = root
        self.sentences = sentences
        self.seed = seed
        self.count = 0
        root.mkdir(parents=True, exist_ok=True)

    def rel(self, i: int) -> str:
        return f"{i // ARTICLES_PER_DIR:04d}/{i:07d}.txt"

    def path(self, i: int) -> Path:
        return self.root / self.rel(i)

    def article(self, i: int) -> tuple[str, str, list[str]]:
        """(file text, ISO date, body sentences)."""
        rng = random.Random(self.seed * 1_000_003 + i)
        pool = self.sentences
        day = FIRST_DAY + timedelta(days=rng.randrange(SPAN_DAYS + 1))
        head_words = pool[rng.randrange(len(pool))].rstrip(".!?").split()[: rng.randint(4, 7)]
        headline = " ".join(w if len(w) <= 3 else w[:1].upper() + w[1:] for w in head_words).rstrip(",;:")
        body: list[str] = []
        words = 0
        while words < 600:
            s = pool[rng.randrange(len(pool))]
            body.append(s)
            words += len(s.split())
        paragraphs: list[str] = []
        k = 0
        while k < len(body):
            n = rng.randint(3, 5)
            paragraphs.append(" ".join(body[k : k + n]))
            k += n
        if i % 2:
            dateline = (
                f"{CITIES[rng.randrange(len(CITIES))]}, {AP_MONTHS[day.month - 1]} {day.day}, {day.year} (Reuters) - "
            )
            text = f"{headline}\n\n{dateline}{paragraphs[0]}\n\n" + "\n\n".join(paragraphs[1:]) + "\n"
        else:
            text = f"{headline}\n\n{day.isoformat()}\n\n" + "\n\n".join(paragraphs) + "\n"
        return text, day.isoformat(), body

    def grow(self, n: int) -> float:
        """Write articles count..n-1 (or delete down to n); returns the seconds it took."""
        t = time.perf_counter()
        for i in range(self.count, n):
            p = self.path(i)
            if i % ARTICLES_PER_DIR == 0 or not p.parent.is_dir():
                p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text(self.article(i)[0], encoding="utf-8")
        for i in range(n, self.count):
            self.path(i).unlink(missing_ok=True)
        self.count = n
        return time.perf_counter() - t


def make_questions(corpus: Corpus, n: int, seed: int) -> list[dict[str, Any]]:
    """``n`` questions, each a sentence of a random article turned into "What ...?", with a date window."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        i = rng.randrange(corpus.count)
        _, iso, body = corpus.article(i)
        sentence = body[rng.randrange(len(body))]
        question = "What " + sentence[0].lower() + sentence[1:].rstrip(".!?") + "?"
        day = date.fromisoformat(iso)
        window = ((day - timedelta(days=FILTER_DAYS)).isoformat(), (day + timedelta(days=FILTER_DAYS)).isoformat())
        out.append({"question": question, "sentence": sentence, "source": corpus.rel(i), "window": window})
    return out


# --- helpers -------------------------------------------------------------------------------------------------
def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def du(path: Path) -> int:
    """Bytes allocated under ``path`` (like ``du -s``)."""
    if not path.exists():
        return 0
    total = 0
    for dirpath, _dirs, files in os.walk(path):
        for f in files:
            with suppress(OSError):
                total += os.lstat(os.path.join(dirpath, f)).st_blocks * 512
    return total


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def vm_hwm_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def self_peak_rss_mb() -> float:
    """This process's peak RSS. VmHWM, not ru_maxrss: Linux carries the parent's ru_maxrss over fork + exec."""
    hwm = vm_hwm_mb(os.getpid())
    return hwm if hwm is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def write_json(path: Path, data: Any) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=2, default=str), encoding="utf-8")
    os.replace(tmp, path)


@contextmanager
def step(result: dict[str, Any], name: str) -> Iterator[None]:
    """Run one measurement; an exception is recorded under ``errors[name]`` and the run goes on."""
    try:
        yield
    except Exception as e:  # noqa: BLE001 - a benchmark reports failures, it doesn't stop on them
        result.setdefault("errors", {})[name] = f"{type(e).__name__}: {e}"[:2000]
        print(f"  [{name}] failed: {type(e).__name__}: {str(e)[:300]}", file=sys.stderr, flush=True)
        if os.environ.get("BENCH_SCALE_TRACEBACK"):
            traceback.print_exc()


class ChromaServer:
    """``chroma run --path DIR --host 127.0.0.1 --port N`` (as tests/servers.py starts it), stopped on exit."""

    def __init__(self, path: Path, log: Path, timeout: float = 120.0) -> None:
        self.path, self.log, self.timeout = path, log, timeout
        self.port = 0
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        exe = Path(sys.executable).with_name("chroma")
        env = {**os.environ, "ANONYMIZED_TELEMETRY": "False", "NO_COLOR": "1"}
        for _attempt in range(3):
            self.port = free_port()
            cmd = [str(exe), "run", "--path", str(self.path), "--host", "127.0.0.1", "--port", str(self.port)]
            with open(self.log, "ab") as log:
                self.proc = subprocess.Popen(
                    cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=env
                )
            deadline = time.monotonic() + self.timeout
            while time.monotonic() < deadline and self.proc.poll() is None:
                try:
                    urllib.request.urlopen(f"{self.url}/api/v2/heartbeat", timeout=2).read()
                    return
                except Exception:  # noqa: BLE001 - not up yet
                    time.sleep(0.2)
            died = self.proc.poll() is not None
            self.stop()
            if not died:
                break
        tail = self.log.read_text(errors="replace")[-1500:] if self.log.exists() else ""
        raise RuntimeError(f"chroma server did not start on 127.0.0.1 (log {self.log}):\n{tail}")

    def stop(self) -> None:
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.terminate()
                try:
                    self.proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait(timeout=15)
            self.proc = None


def run_timed(
    cmd: list[str], env: dict[str, str], cwd: Path, timeout: float, log: Path | None = None
) -> tuple[float, int, str, float]:
    """(wall seconds, exit status, output tail, peak RSS MB) of one command.

    The peak RSS is the command's VmHWM sampled every ~10 ms while it runs (its own process, not its children;
    ru_maxrss from wait4 would report the parent's RSS at fork time when that is larger).
    Output goes to a file (``log``, or a temporary one), never a pipe that could fill up and block the command.
    """
    fd, name = tempfile.mkstemp(prefix="bench-scale-", suffix=".log") if log is None else (-1, str(log))
    if fd >= 0:
        os.close(fd)
    try:
        with open(name, "wb") as sink:
            t = time.perf_counter()
            proc = subprocess.Popen(
                cmd, env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=sink, stderr=subprocess.STDOUT
            )
            deadline = t + timeout
            peak = 0.0
            polls = 0
            try:
                while True:
                    pid, status, _usage = os.wait4(proc.pid, os.WNOHANG)
                    if pid:
                        break
                    if time.perf_counter() > deadline:
                        proc.kill()
                        pid, status, _usage = os.wait4(proc.pid, 0)
                        break
                    if polls % 5 == 0:
                        peak = max(peak, vm_hwm_mb(proc.pid) or 0.0)
                    polls += 1
                    time.sleep(0.002)
            except BaseException:  # interrupted (Ctrl-C, SIGTERM): don't leave the command running
                proc.kill()
                os.wait4(proc.pid, 0)
                raise
            wall = time.perf_counter() - t
        proc.returncode = code = os.waitstatus_to_exitcode(status)
        with open(name, "rb") as f:
            f.seek(max(0, os.path.getsize(name) - 3000))
            out = f.read().decode(errors="replace")
    finally:
        if log is None:
            os.unlink(name)
    return wall, code, out, peak


# --- one size x backend, in a child process ------------------------------------------------------------------
OPEN_PROBE = r"""
import json, sys, time
import numpy, chromadb, rag, rag.assistant, rag.index.store, rag.search.retrieval, rag.answer.extractive, rag.text.entities
try:
    import spacy
except ImportError:
    pass
from rag import Assistant, Settings
t0 = time.perf_counter()
a = Assistant.open(sys.argv[1], Settings())
t1 = time.perf_counter()
answer = a.ask(sys.argv[2])
t2 = time.perf_counter()
print(json.dumps({"open_s": t1 - t0, "first_ask_s": t2 - t1, "total_s": t2 - t0, "refused": answer.refused}))
"""


def child(spec: dict[str, Any]) -> None:
    """Ingest and measure one size x backend; writes the result JSON after every step."""
    from rag import Assistant, Filters, Settings

    out = Path(spec["out"])
    result: dict[str, Any] = {"size": spec["size"], "backend": spec["backend"], "articles": spec["articles"]}

    def save() -> None:
        result["rss_peak_mb"] = round(self_peak_rss_mb(), 1)
        write_json(out, result)

    docs, index = Path(spec["docs"]), Path(spec["index"])
    settings = Settings()
    assert settings.embedder == "hash", "the child runs with RAG_EMBEDDER=hash"
    corpus = Corpus(docs, spec["sentences"], spec["seed"])
    corpus.count = spec["articles"]
    questions = make_questions(corpus, spec["questions"], spec["seed"] + spec["size"])
    env = {**os.environ}
    cwd = Path(spec["workdir"])
    assistant: Any = None

    import chromadb  # noqa: F401 - imported before the clock starts: module import is not ingest work

    with step(result, "ingest"):
        t = time.perf_counter()
        opened = Assistant.open(index, settings, create=True)
        report = opened.ingest(docs)
        assistant = opened  # only an index that ingested completely is measured further
        wall = time.perf_counter() - t
        result["ingest"] = {
            "files": report.added,
            "chunks": report.chunks,
            "embedded": report.embedded,
            "skipped": len(report.skipped),
            "seconds": round(report.seconds, 2),
            "wall_with_open_s": round(wall, 2),
            "chunks_per_s": round(report.chunks / report.seconds, 1),
        }
        result["rss_after_ingest_mb"] = round(self_peak_rss_mb(), 1)
    save()
    if assistant is None:
        return

    with step(result, "dates"):  # did the dates the articles carry come through? (needed by the date filter)
        rows = {d["source"]: d for d in assistant.documents()}
        probe = random.Random(spec["seed"]).sample(range(corpus.count), min(200, corpus.count))
        ok = sum(rows.get(corpus.rel(i), {}).get("date") == corpus.article(i)[1] for i in probe)
        result["dates_recovered"] = round(ok / len(probe), 3)

    with step(result, "latency"):
        assistant.ask(questions[0]["question"])  # warm-up: loads the tagger
        lat: dict[str, list[float]] = {"search": [], "ask": [], "search_filtered": [], "ask_filtered": []}
        hits = {"search": 0, "search_filtered": 0}
        outside = 0
        refused = 0
        for q in questions:
            filters = Filters(date_from=q["window"][0], date_to=q["window"][1])
            for kind, f in (("search", None), ("search_filtered", filters)):
                t = time.perf_counter()
                passages, _ = assistant.search(q["question"], filters=f)
                lat[kind].append((time.perf_counter() - t) * 1000)
                hits[kind] += any(q["sentence"] in p.chunk.text for p in passages)
                if f is not None:
                    outside += sum(
                        1 for p in passages if not (q["window"][0] <= (p.chunk.date or "") <= q["window"][1])
                    )
            for kind, f in (("ask", None), ("ask_filtered", filters)):
                t = time.perf_counter()
                answer = assistant.ask(q["question"], filters=f)
                lat[kind].append((time.perf_counter() - t) * 1000)
                refused += answer.refused
        n = len(questions)
        result["latency_ms"] = {
            k: {"p50": round(statistics.median(v), 1), "p95": round(percentile(v, 0.95), 1), "n": len(v)}
            for k, v in lat.items()
        }
        result["sentence_in_top_k"] = {k: round(v / n, 3) for k, v in hits.items()}
        result["filtered_passages_outside_window"] = outside
        result["ask_refused"] = refused
    save()

    edited = corpus.path(corpus.count // 2)
    original: bytes | None = None
    try:
        with step(result, "edit"):
            original = edited.read_bytes()
            token = f"zq{random.Random(spec['seed']).getrandbits(32):08x}"
            fact = f"Auditor Velma Korhonen signed the ledger entry {token} at the harbour office in Tallinn."
            edited.write_bytes(original + f"\n{fact}\n".encode())
            t = time.perf_counter()
            report = assistant.ingest(docs)
            edit_s = time.perf_counter() - t
            answer = assistant.ask(f"Who signed the ledger entry {token}?")
            rel = corpus.rel(corpus.count // 2)
            result["edit"] = {
                "seconds": round(edit_s, 3),
                "report_seconds": round(report.seconds, 3),
                "updated": report.updated,
                "embedded": report.embedded,
                "answer": answer.text[:200],
                "cited_edited_file": any(c.source == rel for c in answer.citations),
                "answer_names_signer": "Korhonen" in answer.text,
            }
        save()
        with step(result, "noop"):
            t = time.perf_counter()
            report = assistant.ingest(docs)
            result["noop"] = {
                "seconds": round(time.perf_counter() - t, 3),
                "unchanged": report.unchanged,
                "embedded": report.embedded,
            }
        save()
    finally:
        if original is not None:
            edited.write_bytes(original)  # the docs folder is shared by the next runs

    with step(result, "reopen_in_process"):  # the same process, models already loaded
        del assistant
        gc.collect()
        times, opens = [], []
        for _ in range(OPEN_REPEATS):
            t = time.perf_counter()
            again = Assistant.open(index, settings)
            t1 = time.perf_counter()
            again.ask(questions[1 % len(questions)]["question"])
            times.append(time.perf_counter() - t)
            opens.append(t1 - t)
            del again
            gc.collect()
        result["reopen_in_process"] = {
            "total_s": round(statistics.median(times), 3),
            "open_s": round(statistics.median(opens), 3),
        }
    save()

    with step(result, "open_fresh_process"):  # modules imported first, then Assistant.open -> first answer
        runs = []
        for _ in range(OPEN_REPEATS):
            wall, code, text, _rss = run_timed(
                [sys.executable, "-c", OPEN_PROBE, str(index), questions[2 % len(questions)]["question"]], env, cwd, 600
            )
            if code != 0:
                raise RuntimeError(f"open probe exited {code}: {text}")
            runs.append(json.loads(text.strip().splitlines()[-1]))
        result["open_fresh"] = {
            k: round(statistics.median(r[k] for r in runs), 3) for k in ("total_s", "open_s", "first_ask_s")
        }
    save()

    with step(result, "cold_cli"):
        seeds_env = dict(env)
        if spec["backend"] == "server":
            seeds_env["RAG_COLLECTION"] = "bench-seeds"
        seeds_index = Path(spec["seeds_index"])
        if not seeds_index.exists():
            seeds_settings = Settings(collection=seeds_env.get("RAG_COLLECTION", settings.collection))
            Assistant.open(seeds_index, seeds_settings, create=True).ingest(SEEDS)
        question = questions[3 % len(questions)]["question"]  # the same command on both indexes
        big: list[float] = []
        small: list[float] = []
        rss: list[float] = []
        for _ in range(CLI_REPEATS):
            for target, e, sink in ((index, env, big), (seeds_index, seeds_env, small)):
                wall, code, text, peak = run_timed(
                    [sys.executable, "-m", "rag", "ask", question, "--index", str(target)], e, cwd, 600
                )
                if code != 0:
                    raise RuntimeError(f"cold CLI on {target} exited {code}: {text}")
                sink.append(wall)
                if target == index:
                    rss.append(peak)
        result["cold_cli"] = {
            "question": question,
            "index_s": round(statistics.median(big), 3),
            "seeds_s": round(statistics.median(small), 3),
            "ratio": round(statistics.median(big) / statistics.median(small), 2),
            "cli_peak_rss_mb": round(max(rss), 1),
        }
    save()


def run_one(args: argparse.Namespace, work: Path, corpus: Corpus, size: int, backend: str) -> dict[str, Any]:
    """One size x backend: (server,) child process, disk, server RSS. Never raises."""
    tag = f"{size}-{backend}"
    result: dict[str, Any] = {"size": size, "backend": backend, "articles": corpus.count}
    index = work / f"index-{tag}"
    server_dir = work / f"chroma-server-{tag}"
    seeds_index = work / f"seeds-index-{tag}"
    for p in (index, server_dir, seeds_index):
        shutil.rmtree(p, ignore_errors=True)
    out = work / f"result-{tag}.json"
    out.unlink(missing_ok=True)
    env = {
        **os.environ,
        "RAG_EMBEDDER": "hash",
        "ANONYMIZED_TELEMETRY": "False",
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep),
    }
    for var in ("RAG_CHROMA_URL", "RAG_INDEX_DIR", "RAG_DOCS_DIR", "RAG_COLLECTION", "RAG_BACKEND"):
        env.pop(var, None)
    server: ChromaServer | None = None
    try:
        if backend == "server":
            with step(result, "server_start"):
                server_dir.mkdir(parents=True)
                server = ChromaServer(server_dir, work / f"chroma-{tag}.log")
                server.start()
                env["RAG_CHROMA_URL"] = server.url
                result["server_rss_at_start_mb"] = vm_hwm_mb(server.proc.pid) if server.proc else None
            if server is None or server.proc is None:
                return result
        spec = {
            "size": size,
            "backend": backend,
            "articles": corpus.count,
            "docs": str(corpus.root),
            "index": str(index),
            "seeds_index": str(seeds_index),
            "questions": args.questions,
            "seed": args.seed,
            "sentences": corpus.sentences,
            "workdir": str(work),
            "out": str(out),
        }
        spec_path = work / f"spec-{tag}.json"
        write_json(spec_path, spec)
        print(f"== {size:,} chunks, {backend}: {corpus.count:,} articles", file=sys.stderr, flush=True)
        wall, code, text, _peak = run_timed(
            [sys.executable, str(Path(__file__).resolve()), "--child", str(spec_path)],
            env,
            work,
            args.timeout,
            log=work / f"child-{tag}.log",
        )
        result["child_wall_s"] = round(wall, 1)
        if code != 0:
            result.setdefault("errors", {})["child"] = f"exit status {code}: {text[-1200:]}"
        if out.exists():
            child_result = json.loads(out.read_text(encoding="utf-8"))
            errors = {**child_result.pop("errors", {}), **result.get("errors", {})}
            result.update(child_result)
            if errors:
                result["errors"] = errors
        if server is not None and server.proc is not None:
            result["server_peak_rss_mb"] = vm_hwm_mb(server.proc.pid)
    except Exception as e:  # noqa: BLE001
        result.setdefault("errors", {})["run"] = f"{type(e).__name__}: {e}"
    finally:
        if server is not None:
            server.stop()
        i = corpus.count // 2  # the child edits this article and restores it; make sure, even if it was killed
        corpus.path(i).write_text(corpus.article(i)[0], encoding="utf-8")
    with step(result, "disk"):
        chunks = (result.get("ingest") or {}).get("chunks") or size
        idx_b, srv_b = du(index), du(server_dir)
        result["disk"] = {
            "index_mb": round(idx_b / 1e6, 1),
            "server_mb": round(srv_b / 1e6, 1),
            "mb_per_100k_chunks": round((idx_b + srv_b) / 1e6 / chunks * 1e5, 1),
        }
    if not args.keep:
        for p in (index, server_dir, seeds_index):
            shutil.rmtree(p, ignore_errors=True)
    return result


# --- corpus sizing and the hash embedder ---------------------------------------------------------------------
def sample_chunks_per_article(corpus: Corpus, work: Path) -> dict[str, Any]:
    """Chunks per article on ``SAMPLE_ARTICLES`` articles, ingested with the hash embedder (public API)."""
    from rag import Assistant, Settings

    sample = Corpus(work / "sample-docs", corpus.sentences, corpus.seed)
    sample.grow(SAMPLE_ARTICLES)
    settings = Settings(embedder="hash", chroma_url=None)
    assistant = Assistant.open(work / "sample-index", settings, create=True)
    report = assistant.ingest(sample.root)
    rows = {d["source"]: d for d in assistant.documents()}
    dates = sum(rows.get(sample.rel(i), {}).get("date") == sample.article(i)[1] for i in range(SAMPLE_ARTICLES))
    return {
        "articles": SAMPLE_ARTICLES,
        "chunks": report.chunks,
        "chunks_per_article": report.chunks / SAMPLE_ARTICLES,
        "dates_recovered": dates / SAMPLE_ARTICLES,
        "words_per_article": round(statistics.mean(len(sample.article(i)[0].split()) for i in range(SAMPLE_ARTICLES))),
    }


def hash_embedder_speed(corpus: Corpus, n: int = 20000) -> dict[str, Any]:
    """texts/s of the hash embedder on chunk-sized (~700 character) pieces of articles."""
    from rag.index.embedders import HashEmbedder

    texts: list[str] = []
    i = 0
    while len(texts) < n:
        text = corpus.article(i)[0]
        texts += [text[k : k + 700] for k in range(0, len(text) - 350, 700)]
        i += 1
    texts = texts[:n]
    e = HashEmbedder()
    e.embed(texts[:100])
    t = time.perf_counter()
    e.embed(texts)
    return {"texts": n, "chars_per_text": 700, "texts_per_s": round(n / (time.perf_counter() - t))}


# --- --pg: real embedder, ours vs raw vs naive ---------------------------------------------------------------
class Recording:
    """An embedder wrapper that keeps every batch of texts it is asked to embed.

    (No ``inner`` attribute: evals/naive.py unwraps anything that has one.)
    """

    def __init__(self, wrapped: Any) -> None:
        self.wrapped = wrapped
        self.calls: list[list[str]] = []

    @property
    def name(self) -> str:
        return str(self.wrapped.name)

    @property
    def dim(self) -> int:
        return int(self.wrapped.dim)

    def embed(self, texts: list[str], progress: Callable[[int], None] | None = None) -> Any:
        self.calls.append(list(texts))
        return self.wrapped.embed(texts, progress)

    def split(self) -> tuple[list[str], list[str]]:
        """(passage texts, single words): ingest also embeds the corpus vocabulary, one word per text."""
        passages: list[str] = []
        words: list[str] = []
        for call in self.calls:
            (passages if any(len(t.split()) > 1 for t in call) else words).extend(call)
        return passages, words


def wordpieces(texts: list[str]) -> int:
    """Word pieces the ONNX embedder runs for ``texts`` (its tokenizer, truncation included, with CLS/SEP)."""
    from tokenizers import Tokenizer

    from rag.index.embedders import MAX_WORDPIECES, TOKENIZER_FILE

    tok = Tokenizer.from_file(str(TOKENIZER_FILE))
    tok.enable_truncation(MAX_WORDPIECES)
    tok.no_padding()
    return sum(len(e.ids) for e in tok.encode_batch(texts))


def pg_benchmark(work: Path, result: dict[str, Any], save: Callable[[], None], essays: int | None = None) -> None:
    """Our ingest of the essays, the raw ONNX embedder on the same passages, and the naive LlamaIndex pipeline.

    tokens/s counts the word pieces of the passages embedded (after the embedder's truncation), divided by
    each pipeline's wall time; word pieces of the vocabulary words our ingest also embeds are reported
    beside, and their cost is part of our ingest time.
    """
    from rag import Assistant, Settings
    from rag.index.embedders import CachedEmbedder, make_embedder

    folder = PG_DIR
    files = sorted(PG_DIR.glob("*.txt"))
    if essays is not None and essays < len(files):
        folder = work / "pg-docs"
        folder.mkdir(parents=True, exist_ok=True)
        for path in files[:essays]:
            shutil.copy(path, folder / path.name)
        files = files[:essays]
    result["essays"] = len(files)
    settings = Settings().model_copy(update={"embedder": "onnx", "chroma_url": None})
    passages: list[str] = []
    with step(result, "ours"):
        print("pg: our ingest (ONNX embedder)", file=sys.stderr, flush=True)
        assistant = Assistant.open(work / "pg-index", settings, create=True)
        target = assistant.embedder
        rec = Recording(target.inner if isinstance(target, CachedEmbedder) else target)
        if isinstance(target, CachedEmbedder):
            target.inner = rec
        else:
            assistant.embedder = rec
        rec.wrapped.embed(["warm up"])
        t = time.perf_counter()
        report = assistant.ingest(folder)
        seconds = time.perf_counter() - t
        passages, words = rec.split()
        pieces = wordpieces(passages)
        result["ours"] = {
            "chunks": report.chunks,
            "passages_embedded": len(passages),
            "wordpieces": pieces,
            "vocabulary_words_embedded": len(words),
            "vocabulary_wordpieces": wordpieces(words),
            "seconds": round(seconds, 2),
            "tokens_per_s": round(pieces / seconds, 1),
        }
    save()
    with step(result, "raw"):
        print("pg: raw embedder on the same passages", file=sys.stderr, flush=True)
        if not passages:
            raise RuntimeError("no passages recorded from our ingest")
        raw = make_embedder(settings)
        raw.embed(passages[:8])
        t = time.perf_counter()
        raw.embed(passages)
        seconds = time.perf_counter() - t
        pieces = result["ours"]["wordpieces"]
        result["raw"] = {
            "passages": len(passages),
            "wordpieces": pieces,
            "seconds": round(seconds, 2),
            "tokens_per_s": round(pieces / seconds, 1),
        }
        result["ours_over_raw"] = round(result["ours"]["tokens_per_s"] / result["raw"]["tokens_per_s"], 3)
    save()
    with step(result, "naive"):
        print("pg: naive LlamaIndex pipeline, 256-token chunks", file=sys.stderr, flush=True)
        sys.path.insert(0, str(REPO))
        from evals.naive import NaiveRAG

        rec = Recording(make_embedder(settings))
        rec.wrapped.embed(["warm up"])
        naive = NaiveRAG(folder, rec, chunk_size=256)
        texts = [t for call in rec.calls for t in call]
        pieces = wordpieces(texts)
        result["naive"] = {
            "chunks": naive.chunks,
            "passages_embedded": len(texts),
            "wordpieces": pieces,
            "seconds": round(naive.ingest_s, 2),
            "tokens_per_s": round(pieces / naive.ingest_s, 1),
        }
    save()


# --- report --------------------------------------------------------------------------------------------------
def _get(run: dict[str, Any], *keys: str) -> Any:
    cur: Any = run
    for k in keys:
        if not isinstance(cur, dict) or k not in cur:
            return None
        cur = cur[k]
    return cur


def _mark(key: str, size: int, value: float | None) -> str:
    if value is None or key not in TARGETS:
        return ""
    at, limit, _ = TARGETS[key]
    if key == "ask_p95_ms" and 100_000 <= size < 1_000_000:
        at, limit = 100_000, 150.0
    if size < at:
        return ""
    return " ok" if value <= limit else " MISS"


def table(results: dict[str, Any]) -> str:
    runs = results.get("runs", [])
    lines = []
    if results.get("hash_embedder"):
        lines.append(
            f"Hash embedder: {results['hash_embedder'].get('texts_per_s', '?'):,} texts/s (~700-character chunks)."
        )
    if results.get("sample"):
        s = results["sample"]
        lines.append(
            f"Corpus: {s['chunks_per_article']:.2f} chunks/article (~{s['words_per_article']} words), "
            f"dates recovered on the sample {s['dates_recovered']:.0%}; {results.get('sentences', '?')} distinct sentences."
        )
    if runs:
        lines.append("")
        head = "| measure | target | " + " | ".join(f"{r['size']:,} {r['backend']}" for r in runs) + " |"
        lines += [head, "|---|---|" + "---|" * len(runs)]

        def fmt(v: Any, spec: str) -> str:
            return "n/a" if v is None else format(v, spec) if isinstance(v, (int, float)) and spec else str(v)

        rows: list[tuple[str, str, Callable[[dict[str, Any]], str]]] = [
            ("chunks (articles)", "", lambda r: f"{fmt(_get(r, 'ingest', 'chunks'), ',')} ({r['articles']:,})"),
            (
                "ingest, chunks/s (s)",
                "",
                lambda r: (
                    f"{fmt(_get(r, 'ingest', 'chunks_per_s'), ',.0f')} ({fmt(_get(r, 'ingest', 'seconds'), '.1f')})"
                ),
            ),
            (
                "one-file edit re-ingest, s",
                TARGETS["edit_s"][2],
                lambda r: (
                    fmt(_get(r, "edit", "seconds"), ".2f") + _mark("edit_s", r["size"], _get(r, "edit", "seconds"))
                ),
            ),
            (
                "edit answerable (cites the file)",
                "yes",
                lambda r: {True: "yes", False: "NO", None: "n/a"}[_get(r, "edit", "cited_edited_file")],
            ),
            (
                "no-op re-ingest, s",
                TARGETS["noop_s"][2],
                lambda r: (
                    fmt(_get(r, "noop", "seconds"), ".2f") + _mark("noop_s", r["size"], _get(r, "noop", "seconds"))
                ),
            ),
            (
                "open -> first answer, fresh process (imports done), s",
                TARGETS["open_fresh_s"][2],
                lambda r: (
                    fmt(_get(r, "open_fresh", "total_s"), ".2f")
                    + _mark("open_fresh_s", r["size"], _get(r, "open_fresh", "total_s"))
                ),
            ),
            ("  of which Assistant.open, s", "", lambda r: fmt(_get(r, "open_fresh", "open_s"), ".2f")),
            (
                "re-open -> first answer, same process, s",
                "",
                lambda r: fmt(_get(r, "reopen_in_process", "total_s"), ".2f"),
            ),
            (
                "cold CLI ask, s (seeds, ratio)",
                TARGETS["cli_ratio"][2],
                lambda r: (
                    f"{fmt(_get(r, 'cold_cli', 'index_s'), '.2f')} ({fmt(_get(r, 'cold_cli', 'seeds_s'), '.2f')}, {fmt(_get(r, 'cold_cli', 'ratio'), '.2f')}x{_mark('cli_ratio', r['size'], _get(r, 'cold_cli', 'ratio'))})"
                ),
            ),
            (
                "search p50 / p95, ms",
                "",
                lambda r: (
                    f"{fmt(_get(r, 'latency_ms', 'search', 'p50'), '.0f')} / {fmt(_get(r, 'latency_ms', 'search', 'p95'), '.0f')}"
                ),
            ),
            (
                "search + date filter p50 / p95, ms",
                "",
                lambda r: (
                    f"{fmt(_get(r, 'latency_ms', 'search_filtered', 'p50'), '.0f')} / {fmt(_get(r, 'latency_ms', 'search_filtered', 'p95'), '.0f')}"
                ),
            ),
            (
                "ask p50 / p95, ms",
                TARGETS["ask_p95_ms"][2],
                lambda r: (
                    f"{fmt(_get(r, 'latency_ms', 'ask', 'p50'), '.0f')} / {fmt(_get(r, 'latency_ms', 'ask', 'p95'), '.0f')}{_mark('ask_p95_ms', r['size'], _get(r, 'latency_ms', 'ask', 'p95'))}"
                ),
            ),
            (
                "ask + date filter p50 / p95, ms",
                "",
                lambda r: (
                    f"{fmt(_get(r, 'latency_ms', 'ask_filtered', 'p50'), '.0f')} / {fmt(_get(r, 'latency_ms', 'ask_filtered', 'p95'), '.0f')}{_mark('ask_p95_ms', r['size'], _get(r, 'latency_ms', 'ask_filtered', 'p95'))}"
                ),
            ),
            (
                "question's sentence in top-k (filtered)",
                "",
                lambda r: (
                    f"{fmt(_get(r, 'sentence_in_top_k', 'search'), '.0%')} ({fmt(_get(r, 'sentence_in_top_k', 'search_filtered'), '.0%')})"
                ),
            ),
            (
                "peak RSS of the ingest process, MB",
                TARGETS["rss_peak_mb"][2],
                lambda r: fmt(r.get("rss_peak_mb"), ",.0f") + _mark("rss_peak_mb", r["size"], r.get("rss_peak_mb")),
            ),
            ("  RSS at the end of ingest, MB", "", lambda r: fmt(r.get("rss_after_ingest_mb"), ",.0f")),
            ("chroma server peak RSS (VmHWM), MB", "", lambda r: fmt(r.get("server_peak_rss_mb"), ",.0f")),
            (
                "disk per 100k chunks, MB (index + server)",
                "",
                lambda r: fmt(_get(r, "disk", "mb_per_100k_chunks"), ",.0f"),
            ),
            ("errors", "none", lambda r: ", ".join(sorted(r.get("errors", {}))) or "none"),
        ]
        for label, target, cell in rows:
            cells = []
            for r in runs:
                try:
                    cells.append(cell(r))
                except Exception as e:  # noqa: BLE001
                    cells.append(f"? ({type(e).__name__})")
            lines.append(f"| {label} | {target} | " + " | ".join(cells) + " |")
    pg = results.get("pg")
    if pg:
        lines += [
            "",
            f"Paul Graham essays ({pg.get('essays')}), default ONNX embedder, tokens = word pieces embedded:",
            "",
        ]
        lines += [
            "| pipeline | passages embedded | word pieces | seconds | tokens/s |",
            "|---|---|---|---|---|",
        ]
        for key, label in (
            ("raw", "raw embedder (our passages)"),
            ("ours", "our ingest (160-token chunks)"),
            ("naive", "naive LlamaIndex (256-token chunks)"),
        ):
            p = pg.get(key)
            if p:
                n = p.get("passages_embedded", p.get("passages"))
                lines.append(f"| {label} | {n} | {p['wordpieces']:,} | {p['seconds']} | {p['tokens_per_s']:,} |")
        ours = pg.get("ours") or {}
        if ours.get("vocabulary_words_embedded"):
            lines.append(
                f"\nOur ingest also embedded {ours['vocabulary_words_embedded']:,} vocabulary words "
                f"({ours['vocabulary_wordpieces']:,} word pieces), within its time."
            )
        if "ours_over_raw" in pg:
            ok = "ok" if pg["ours_over_raw"] >= 0.95 else "MISS"
            lines.append(f"\nours / raw embedder: {pg['ours_over_raw']:.1%} (target >= 95%: {ok})")
        if pg.get("errors"):
            lines.append(f"pg errors: {pg['errors']}")
    return "\n".join(lines)


# --- main ----------------------------------------------------------------------------------------------------
def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--sizes", help="target chunk counts, comma-separated (default 10000,100000,1000000; none with --pg)"
    )
    ap.add_argument("--backends", default="embedded,server", help="embedded and/or server")
    ap.add_argument("--out", type=Path, help="JSON results file (rewritten after every run)")
    ap.add_argument("--pg", action="store_true", help="real-embedder ingest of the 212 essays vs raw embedder vs naive")
    ap.add_argument("--pg-essays", type=int, help="only the first N essays in --pg (for a quick check)")
    ap.add_argument("--questions", type=int, default=50, help="questions per run")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--workdir", type=Path, help="where docs and indexes go (default: a temp dir, removed)")
    ap.add_argument("--keep", action="store_true", help="keep indexes and the work dir")
    ap.add_argument("--timeout", type=float, default=6 * 3600, help="seconds allowed per size x backend run")
    ap.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()

    if args.child:
        child(json.loads(args.child.read_text(encoding="utf-8")))
        return 0

    missing = [d for d in (PG_DIR, SOLANA_DIR) if not d.is_dir()]
    if missing:
        print(f"bench_scale: skipped, dataset folder(s) absent: {', '.join(map(str, missing))}")
        return 0
    if args.sizes is None:
        args.sizes = "" if args.pg else "10000,100000,1000000"
    sizes = sorted({int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()})
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    if bad := [b for b in backends if b not in ("embedded", "server")]:
        ap.error(f"unknown backend(s) {bad}: use embedded,server")

    def on_term(signum: int, _frame: Any) -> None:
        raise SystemExit(128 + signum)  # unwinds through the finally blocks: servers and children stop

    signal.signal(signal.SIGTERM, on_term)
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    own_work = args.workdir is None
    work = Path(tempfile.mkdtemp(prefix="bench-scale-")) if own_work else args.workdir.resolve()
    work.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "started": time.strftime("%Y-%m-%d %H:%M:%S"),
        "sizes": sizes,
        "backends": backends,
        "questions": args.questions,
        "seed": args.seed,
        "targets": {k: v[2] for k, v in TARGETS.items()},
        "runs": [],
    }

    def save() -> None:
        if args.out:
            write_json(args.out, results)

    try:
        if sizes:
            sentences = load_sentences()
            results["sentences"] = len(sentences)
            corpus = Corpus(work / "docs", sentences, args.seed)
            with step(results, "hash_embedder"):
                results["hash_embedder"] = hash_embedder_speed(corpus)
            with step(results, "sample"):
                results["sample"] = sample_chunks_per_article(corpus, work)
            cpa = (results.get("sample") or {}).get("chunks_per_article") or 6.0
            for size in sizes:
                articles = max(1, math.ceil(size / cpa))
                gen_s = corpus.grow(articles)
                print(f"corpus: {articles:,} articles for {size:,} chunks ({gen_s:.1f} s to write)", file=sys.stderr)
                for backend in backends:
                    run = run_one(args, work, corpus, size, backend)
                    run["corpus_write_s"] = round(gen_s, 1)
                    results["runs"].append(run)
                    save()
        if args.pg:
            results["pg"] = {}
            with step(results["pg"], "pg"):
                pg_benchmark(work, results["pg"], save, args.pg_essays)
            save()
    finally:
        results["finished"] = time.strftime("%Y-%m-%d %H:%M:%S")
        save()
        if own_work and not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        elif args.keep:
            print(f"work dir kept: {work}", file=sys.stderr)
    print(f"# Scale benchmark ({results['machine']}, embedder for scale runs: hash stand-in)\n")
    print(table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
