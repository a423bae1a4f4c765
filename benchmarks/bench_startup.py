"""Start-up time of the web UI on an existing index.

Spawns ``python app.py`` with RAG_PORT set to a free port and RAG_INDEX_DIR pointing at a prebuilt index, polls
``http://127.0.0.1:PORT/`` until it answers 200, and prints the seconds. Three runs by default; the median is the
result (the target is under 5 s). Also reports when the app logged that the index was open (answers possible).

    .venv/bin/python benchmarks/bench_startup.py              # builds a temporary index of seeds/ first
    .venv/bin/python benchmarks/bench_startup.py --index .rag --runs 5
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
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TARGET_S = 5.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def build_index(docs: Path, index: Path) -> None:
    """A fresh index of ``docs`` (not timed)."""
    code = "import sys; from rag import Assistant; Assistant.build(sys.argv[1], sys.argv[2])"
    subprocess.run([sys.executable, "-c", code, str(docs), str(index)], cwd=REPO, check=True)


def one_run(index: Path, log: Path, timeout: float = 60.0) -> tuple[float, float | None]:
    """(seconds until / answers 200, seconds until the index is open or None)."""
    port = free_port()
    env = {
        **os.environ,
        "RAG_PORT": str(port),
        "RAG_HOST": "127.0.0.1",
        "RAG_INDEX_DIR": str(index),
        "GRADIO_ANALYTICS_ENABLED": "False",
        "HF_HUB_OFFLINE": "1",
        "PYTHONUNBUFFERED": "1",
    }
    url = f"http://127.0.0.1:{port}/"
    with log.open("wb") as out:
        started = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "app.py"], cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        serving = None
        while time.perf_counter() - started < timeout:
            if proc.poll() is not None:
                raise RuntimeError(f"app.py exited with {proc.returncode}:\n{log.read_text(errors='replace')}")
            try:
                with urllib.request.urlopen(url, timeout=1) as r:
                    if r.status == 200:
                        serving = time.perf_counter() - started
                        break
            except OSError:
                time.sleep(0.05)
        if serving is None:
            raise RuntimeError(f"app.py did not serve within {timeout}s:\n{log.read_text(errors='replace')}")
        ready = None
        while time.perf_counter() - started < timeout:
            if "index ready" in log.read_text(errors="replace"):
                ready = time.perf_counter() - started
                break
            time.sleep(0.05)
        return serving, ready
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, help="an existing index (default: build one of seeds/ in a temp dir)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp:
        index = args.index
        if index is None:
            docs = Path(tmp) / "docs"
            shutil.copytree(REPO / "seeds", docs)
            index = Path(tmp) / "index"
            print(f"building an index of seeds/ in {index} (not timed)…", file=sys.stderr)
            build_index(docs, index)
        elif not (index / "index.sqlite3").exists():
            parser.error(f"no index at {index}")
        serving, ready = [], []
        for run in range(1, args.runs + 1):
            s, r = one_run(index.resolve(), Path(tmp) / f"app-{run}.log")
            serving.append(s)
            if r is not None:
                ready.append(r)
            print(f"run {run}: serving after {s:.2f}s, index open after {r:.2f}s" if r else f"run {run}: {s:.2f}s")
    result = {
        "runs": args.runs,
        "serving_s": [round(s, 2) for s in serving],
        "median_serving_s": round(statistics.median(serving), 2),
        "median_index_open_s": round(statistics.median(ready), 2) if ready else None,
        "target_s": TARGET_S,
        "cpu_count": os.cpu_count(),
        "load_avg_1m": round(os.getloadavg()[0], 2),
    }
    if args.json:
        print(json.dumps(result))
    else:
        print(
            f"median start-up until serving: {result['median_serving_s']:.2f}s (target < {TARGET_S:g}s); "
            f"index open: {result['median_index_open_s']}s; load average {result['load_avg_1m']}"
        )
    return 0 if result["median_serving_s"] < TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
