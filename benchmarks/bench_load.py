"""Load on the web UI: N concurrent chat users for T seconds against a real ``python app.py`` on loopback.

Builds an index of seeds/ in a temp dir (not timed), starts the app on a free port over it, waits until the index
is open, then runs N users in threads. Each user asks the seed gold questions through Gradio's HTTP API exactly
as the page does (POST /gradio_api/queue/join for the "ask" event, then the /gradio_api/queue/data event stream
until process_completed), starting a new conversation every few questions. Every loop is bounded: no new
question after the deadline, and each request has its own timeout, so the run stops by itself.

    .venv/bin/python benchmarks/bench_load.py                  # 20 users, 60 s
    .venv/bin/python benchmarks/bench_load.py --users 5 --seconds 10 --json

An error is a failed HTTP call, a timeout, a process_completed without success, or an answer that is an error
bubble; the target is 0. Latency is from queue/join to process_completed (queueing included).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
QUESTIONS = REPO / "evals" / "gold" / "seeds.jsonl"
TURNS_PER_CONVERSATION = 4


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def build_index(docs: Path, index: Path) -> None:
    code = "import sys; from rag import Assistant; Assistant.build(sys.argv[1], sys.argv[2])"
    subprocess.run([sys.executable, "-c", code, str(docs), str(index)], cwd=REPO, check=True)


def start_app(index: Path, docs: Path, port: int, log: Path, timeout: float = 180.0) -> subprocess.Popen[bytes]:
    """``python app.py`` over ``index``; returns once the page is served and the index is open."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    env.update(
        RAG_PORT=str(port),
        RAG_HOST="127.0.0.1",
        RAG_INDEX_DIR=str(index),
        RAG_DOCS_DIR=str(docs),
        GRADIO_ANALYTICS_ENABLED="False",
        HF_HUB_OFFLINE="1",
        PYTHONUNBUFFERED="1",
    )
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "app.py"], cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"app.py exited with {proc.returncode}:\n{log.read_text(errors='replace')}")
        if "index ready" in log.read_text(errors="replace"):
            try:
                if httpx.get(f"http://127.0.0.1:{port}/", timeout=2).status_code == 200:
                    return proc
            except httpx.HTTPError:
                pass
        time.sleep(0.2)
    stop(proc)
    raise RuntimeError(f"app.py was not ready within {timeout}s:\n{log.read_text(errors='replace')}")


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


class User(threading.Thread):
    """One chat user: asks questions one after another until the deadline."""

    def __init__(
        self, n: int, base: str, fn_index: int, model: str, questions: list[str], deadline: float, timeout: float
    ) -> None:
        super().__init__(name=f"user-{n}", daemon=True)
        self.n, self.base, self.fn_index, self.model = n, base, fn_index, model
        self.questions, self.deadline, self.timeout = questions, deadline, timeout
        self.latencies: list[float] = []
        self.errors: list[str] = []

    def run(self) -> None:
        with httpx.Client(base_url=self.base, timeout=self.timeout) as client:
            i = self.n  # users start at different questions
            session = uuid.uuid4().hex
            while time.monotonic() < self.deadline:
                if i % TURNS_PER_CONVERSATION == 0:
                    session = uuid.uuid4().hex  # a new conversation
                question = self.questions[i % len(self.questions)]
                i += 1
                started = time.perf_counter()
                try:
                    error = self.ask(client, session, question)
                except (httpx.HTTPError, ValueError, KeyError, TypeError, IndexError) as e:
                    error = f"{type(e).__name__}: {e}"
                if error:
                    self.errors.append(error)
                else:
                    self.latencies.append(time.perf_counter() - started)

    def ask(self, client: httpx.Client, session: str, question: str) -> str | None:
        """Ask one question as the page does; None when answered, else what went wrong."""
        data = [question, None, "extractive", self.model, 5, [], "", ""]
        body = {
            "data": data,
            "fn_index": self.fn_index,
            "session_hash": session,
            "event_data": None,
            "trigger_id": None,
        }
        joined = client.post("/gradio_api/queue/join", json=body)
        if joined.status_code != 200:
            return f"queue/join {joined.status_code}: {joined.text[:200]}"
        event_id = joined.json()["event_id"]
        give_up = time.monotonic() + self.timeout
        with client.stream("GET", "/gradio_api/queue/data", params={"session_hash": session}) as stream:
            if stream.status_code != 200:
                return f"queue/data {stream.status_code}"
            for line in stream.iter_lines():
                if time.monotonic() > give_up:
                    return "timeout"
                if not line.startswith("data:"):
                    continue
                message = json.loads(line[5:])
                if message.get("event_id") != event_id:
                    continue
                if message.get("msg") == "unexpected_error":
                    return f"unexpected_error: {message.get('message')}"
                if message.get("msg") == "process_completed":
                    if not message.get("success"):
                        return f"failed: {str(message.get('output'))[:200]}"
                    chat = message["output"]["data"][0]
                    last = json.dumps(chat[-1]["content"] if chat else "")  # a string or a list of parts
                    return f"error bubble: {last[:600]}" if "rag-error" in last else None
        return "stream ended without process_completed"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds before one request counts as an error")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args()
    questions = [json.loads(line)["question"] for line in QUESTIONS.read_text(encoding="utf-8").splitlines() if line]
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        docs, index = Path(tmp) / "docs", Path(tmp) / "index"
        shutil.copytree(REPO / "seeds", docs)
        print(f"building an index of seeds/ in {index} (not timed)…", file=sys.stderr)
        build_index(docs, index)
        port = free_port()
        log = Path(tmp) / "app.log"
        proc = start_app(index, docs, port, log)
        try:
            base = f"http://127.0.0.1:{port}"
            config = httpx.get(f"{base}/config", timeout=30).json()
            fn_index = next(d["id"] for d in config["dependencies"] if d.get("api_name") == "ask")
            model = next(c["props"]["value"] for c in config["components"] if c["props"].get("elem_id") == "rag-model")
            print(f"{args.users} users for {args.seconds:g}s against {base}…", file=sys.stderr)
            started = time.perf_counter()
            deadline = time.monotonic() + args.seconds
            users = [User(n, base, fn_index, model, questions, deadline, args.timeout) for n in range(args.users)]
            for user in users:
                user.start()
            for user in users:
                user.join(args.seconds + args.timeout + 30)
            wall = time.perf_counter() - started
            stuck = sum(user.is_alive() for user in users)
        finally:
            stop(proc)
    latencies = [t for u in users for t in u.latencies]
    errors = [e for u in users for e in u.errors]
    result = {
        "users": args.users,
        "seconds": args.seconds,
        "wall_s": round(wall, 1),
        "requests": len(latencies) + len(errors),
        "answered": len(latencies),
        "errors": len(errors),
        "error_examples": sorted(set(errors))[:5],
        "stuck_users": stuck,
        "throughput_per_s": round(len(latencies) / wall, 2) if wall else 0.0,
        "p50_ms": round(1000 * statistics.median(latencies)) if latencies else None,
        "p95_ms": round(1000 * percentile(latencies, 0.95)) if latencies else None,
        "max_ms": round(1000 * max(latencies)) if latencies else None,
        "cpu_count": os.cpu_count(),
        "load_avg_1m": round(os.getloadavg()[0], 2),
    }
    if args.json:
        print(json.dumps(result))
    else:
        print(
            f"{result['requests']} requests in {result['wall_s']}s ({result['throughput_per_s']}/s answered), "
            f"{result['errors']} errors; latency p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms, "
            f"max {result['max_ms']} ms; {result['cpu_count']} cores, load {result['load_avg_1m']}"
        )
        for example in result["error_examples"]:
            print(f"  error: {example}")
    return 0 if not errors and not stuck else 1


if __name__ == "__main__":
    sys.exit(main())
