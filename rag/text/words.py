"""Content words of a text (stem -> word), and place names matched to their people."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

from rag.text import lexical

# the packaged MiniLM tokenizer: the embedder reads it, and its vocabulary tells common words
TOKENIZER_FILE = Path(__file__).resolve().parent.parent / "data" / "minilm-tokenizer.json"

_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*[A-Za-z]")


@lru_cache(maxsize=200_000)
def _word_terms(word: str) -> tuple[str, ...]:
    return tuple(lexical.terms(word))


def alpha_words(text: str) -> dict[str, str]:
    """Stem -> lower-case word for the alphabetic content words of ``text`` (the corpus vocabulary)."""
    out: dict[str, str] = {}
    for w in _WORD.findall(text):
        if w.isalpha():
            for t in _word_terms(w):
                out.setdefault(t, w.lower())
    return out


def content_words(text: str) -> dict[str, str]:
    """Stem -> lower-case word for the content words of ``text``."""
    return dict(_content_words(text))


@lru_cache(maxsize=20_000)
def _content_words(text: str) -> tuple[tuple[str, str], ...]:
    out: dict[str, str] = {}
    for w in _WORD.findall(text):
        for t in _word_terms(w):
            out.setdefault(t, w.lower())
    for t in lexical.terms(text):  # numbers and abbreviations the word pattern skips
        out.setdefault(t, t)
    return tuple(out.items())


_DEMONYM = re.compile(r"^(?:n|an|ian|i|ish|ese|istan|stan)$")


def same_place(a: str, b: str) -> bool:
    """Whether two name stems are a place and its people: "russia"/"russian", "iraq"/"iraqi", "kurdish"/"kurdistan"."""
    if a == b:
        return True
    stem = 0
    while stem < min(len(a), len(b)) and a[stem] == b[stem]:
        stem += 1
    for k in range(4, stem + 1):
        rest = [a[k:], b[k:]]
        if all(r == "" or _DEMONYM.match(r) for r in rest):
            return True
    return False


@lru_cache(maxsize=1)
def _vocabulary() -> frozenset[str]:
    """The whole words (letters only) of the packaged MiniLM tokenizer's vocabulary: about 22,000 common words."""
    vocab = json.loads(TOKENIZER_FILE.read_text(encoding="utf-8"))["model"]["vocab"]
    return frozenset(w for w in vocab if w.isalpha())


def common_word(word: str) -> bool:
    """Whether ``word`` (any case) is a common word, one of the embedder's vocabulary: "lock", "table", not "tmpdir"
    or "histsize"."""
    return word.lower() in _vocabulary()
