"""Lexical matching: one tokenizer (lowercase, stopwords, Snowball stems) for BM25 and support checks."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from rag.records import Chunk

STOPWORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "also",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "myself",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "ourselves",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
        "said",
        "says",
        "say",
        "did",
        "does",
        "according",
        "tell",
        "told",
        "many",
        "much",
        "whose",
        "kind",
        "sort",
        "one",
        "ones",
        "get",
        "got",
        "make",
        "made",
        "s",
        "t",
        "don",
        "via",
        "per",
        "may",
        "might",
        "must",
        "shall",
        "upon",
        "amid",
        "among",
        "al",
        "el",
    ]
)
# a word: an abbreviation, a number, a word with its clitic, or a one-letter option ("-t", "-D": a manual's entry
# names it, and its letter alone is no word)
_WORD = re.compile(
    r"(?:[A-Za-z]\.){2,}|[0-9]+(?:[.,][0-9]+)*|[A-Za-z0-9]+(?:['’][A-Za-z]+)?|(?<![\w-])-[A-Za-z](?![\w-])"
)


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    import Stemmer

    return Stemmer.Stemmer("english")


# a word broken at a line's end by a typesetter's hyphen (groff's U+2010 "speci‐" / "fied", a soft hyphen)
_BROKEN = re.compile(r"(?<=\w)[\u2010\u00ad]\n[ \t]*(?=\w)")


def unbroken(text: str) -> str:
    """``text`` with the words a typesetter broke across lines with its hyphen joined ("speci‐\\n   fied" ->
    "specified"), for matching and embedding; quotes keep the text as written."""
    return _BROKEN.sub("", text) if "\n" in text else text


def terms(text: str) -> list[str]:
    """Stemmed content words of ``text``: the unit of every lexical comparison."""
    return list(_terms(text))


@lru_cache(maxsize=20_000)
def _terms(text: str) -> tuple[str, ...]:
    """``terms`` of a text, remembered: an answer compares the same sentences many times."""
    words = [w.lower().replace("’", "'").replace(".", "").replace(",", "") for w in _WORD.findall(unbroken(text))]
    words = [w[:-2] if w.endswith("'s") else w for w in words]
    kept = [w for w in words if w not in STOPWORDS and (len(w) > 1 or w.isdigit())]
    # Snowball keeps "-ment" nouns apart from their verbs ("agreement"/"agreed"): fold them together.
    kept = [w[:-4] if w.endswith("ment") and len(w) >= 9 else w for w in kept]
    return tuple(_stemmer().stemWords(kept))


def index_text(chunk: Chunk) -> list[str]:
    """Terms a chunk is indexed under: its title, its text, and its document's year ("the 2018 coverage")."""
    year = chunk.date[:4] if chunk.date else ""
    return list(_terms.__wrapped__(f"{chunk.title}\n{chunk.text}\n{year}"))  # once per chunk: not remembered


def build(corpus: list[list[str]]) -> Any:
    """A BM25 index over tokenized texts (None for an empty corpus)."""
    import bm25s

    if not corpus:
        return None
    retriever = bm25s.BM25()
    retriever.index([doc or [""] for doc in corpus], show_progress=False)
    return retriever


def search(index: Any, query: str, k: int, extra: list[str] | None = None) -> list[tuple[int, float]]:
    """(row, score) of the best ``k`` rows for ``query`` (plus ``extra`` stems), best first, positive only."""
    tokens = [t for t in [*terms(query), *(extra or [])] if t in index.vocab_dict]
    if not tokens or index is None:
        return []
    n_docs = index.scores["num_docs"]
    docs, scores = index.retrieve([tokens], k=min(k, n_docs), show_progress=False)
    return [(int(d), float(s)) for d, s in zip(docs[0], scores[0], strict=True) if s > 0]


_GLUED_VERSION = re.compile(r"([a-z]{2,}?)v?(\d+)")  # "gplv3", "python3": a name and its version written as one


def glued_version(term: str) -> tuple[str, str] | None:
    """A term that glues a name to its version ("gplv3") as (name, number), else None."""
    m = _GLUED_VERSION.fullmatch(term)
    return (m.group(1), m.group(2)) if m else None


def stems(words: list[str]) -> list[str]:
    """The terms of each word of ``words`` (stopwords dropped), as one list."""
    return [t for w in words for t in terms(w)]


NUMBER_WORDS = frozenset(
    stems(
        """two three four five six seven eight nine ten eleven twelve fifteen twenty thirty forty fifty sixty
        hundred thousand million billion dozen dozens hundreds thousands millions billions twice thrice half""".split()
    )
)
