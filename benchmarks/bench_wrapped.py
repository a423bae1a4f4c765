"""Hard-wrapped plain text, side by side: each line a block (the reading before) against wrapped lines joined
into paragraphs (:mod:`rag.ingest.wrapped`).

For each plain-text file of the folders given (default: the FAQs and ``.txt`` documents Debian packages install
under /usr/share/doc), it loads the file both ways, splits the blocks into sentences as ingest does, and counts
the sentences that read as whole (``evals.metrics.quote_whole`` in place: a sentence start, a closing
punctuation mark) and the line fragments. Files that are not hard-wrapped read the same both ways.

    .venv/bin/python benchmarks/bench_wrapped.py [FOLDER_OR_FILE ...]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from evals.metrics import quote_whole  # noqa: E402
from rag.ingest.documents import clean  # noqa: E402
from rag.ingest.wrapped import wrap_width  # noqa: E402
from rag.text.sentences import split  # noqa: E402

DEFAULT = [Path("/usr/share/doc")]


def files(roots: list[Path]) -> list[Path]:
    """The plain-text files under ``roots``: ``*.txt`` and files named FAQ or README (no extension)."""
    found: list[Path] = []
    for root in roots:
        if root.is_file():
            found.append(root)
            continue
        for p in sorted(root.rglob("*")):
            if p.is_file() and not p.is_symlink() and (p.suffix == ".txt" or p.name in ("FAQ", "README")):
                found.append(p)
    return found


def sentences(text: str, rewrap: bool) -> tuple[int, int]:
    """(sentences, whole sentences) of the text read as ingest reads a plain-text file."""
    _title, blocks, _date, _inferred = clean(text, rewrap)
    spans = [s for b in blocks for s in split(text, b.start, b.end)]
    whole = sum(quote_whole(text[s.start : s.end], text, s.start) for s in spans)
    return len(spans), whole


def main(argv: list[str]) -> int:
    paths = files([Path(a) for a in argv] or DEFAULT)
    if not paths:
        print("no plain-text files found")
        return 0
    totals = {"lines": [0, 0, 0.0], "paragraphs": [0, 0, 0.0]}
    wrapped_files = 0
    print(f"{'file':44s} {'width':>5s} {'lines: whole/sentences':>24s} {'paragraphs: whole/sentences':>28s}")
    for path in paths:
        try:
            text = path.read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        width = wrap_width(text)
        row = []
        for mode in ("lines", "paragraphs"):
            start = time.perf_counter()
            n, whole = sentences(text, rewrap=mode == "paragraphs")
            totals[mode][0] += n
            totals[mode][1] += whole
            totals[mode][2] += time.perf_counter() - start
            row.append(f"{whole}/{n}")
        if width is not None:
            wrapped_files += 1
            name = str(path.relative_to(path.parents[1]) if len(path.parents) > 1 else path)
            print(f"{name[-44:]:44s} {width:5d} {row[0]:>24s} {row[1]:>28s}")
    print()
    print(f"{len(paths)} files, {wrapped_files} read as hard-wrapped")
    for mode, (n, whole, seconds) in totals.items():
        share = whole / n if n else 0.0
        print(f"{mode:10s}: {n:6d} sentences, {whole:6d} whole ({share:.1%}), {n - whole:5d} fragments, {seconds:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
