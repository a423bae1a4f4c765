"""PDF text extraction, side by side: pypdf (plain mode) against PDFium (pypdfium2), both through the same reflow.

For each PDF under evals/corpora/paper*/ with a gold set, it reports the time to extract all pages, the number
of runs of 18+ lower-case letters (words glued together where a line is tightly justified), and how many of
the gold set's reference sentences are found intact in the reflowed text (whitespace-blind).

    .venv/bin/python benchmarks/bench_pdf.py
"""

from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from rag.ingest.pdf import page_texts, reflow  # noqa: E402

SETS = {"paper": "paper.jsonl", "paper2": "paper2_blind.jsonl"}


def pypdf_pages(path: Path) -> list[str]:
    """Each page's text from pypdf's plain extraction, the reader used before PDFium."""
    from pypdf import PdfReader

    return [page.extract_text() or "" for page in PdfReader(str(path)).pages]


def main() -> int:
    print(f"{'document':24s} {'reader':7s} {'seconds':>8s} {'glued':>6s} {'contexts intact':>16s}")
    for folder, gold in SETS.items():
        gold_path = REPO / "evals" / "gold" / gold
        for pdf in sorted((REPO / "evals" / "corpora" / folder).glob("*.pdf")):
            contexts = [c for line in gold_path.read_text().splitlines() for c in json.loads(line)["contexts"]]
            for name, read in (("pypdf", pypdf_pages), ("pdfium", page_texts)):
                start = time.perf_counter()
                pages = read(pdf)
                seconds = time.perf_counter() - start
                text = reflow(pages)
                flat = " ".join(text.split())
                found = sum(" ".join(c.split()) in flat for c in contexts)
                glued = len(re.findall(r"[a-z]{18,}", text))
                print(f"{pdf.name:24s} {name:7s} {seconds:8.2f} {glued:6d} {found:>9d} / {len(contexts):<4d}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
