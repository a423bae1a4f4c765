"""Which writing systems (Unicode scripts) a text's letters are in, cheaply, from ``unicodedata`` names.

A question written in a script that none of the retrieved passages uses cannot be matched to them word for word;
the assistant refuses it rather than answer from passages that only look near in embedding space.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from functools import lru_cache

LETTER_CATEGORIES = {"Lu", "Ll", "Lt", "Lo"}  # modifier letters (Lm) carry no script of their own
# Names whose first word is not the script's: the script is the word after them.
_PREFIXES = {"OLD", "SMALL", "CAPITAL", "MATHEMATICAL", "FULLWIDTH", "HALFWIDTH", "MODIFIER", "NEW", "TAI"}
# Scripts that write one language together: a question in any of them may match passages in the others.
_FAMILY = {"HIRAGANA": "CJK", "KATAKANA": "CJK", "HANGUL": "HANGUL", "IDEOGRAPHIC": "CJK", "BOPOMOFO": "CJK"}


@lru_cache(maxsize=8192)
def script_of(ch: str) -> str | None:
    """The script of one character when it is a letter (``"LATIN"``, ``"CYRILLIC"``, ``"CJK"``...), else None."""
    if ch.isascii():
        return "LATIN" if ch.isalpha() else None
    folded = unicodedata.normalize("NFKC", ch)
    letters = [c for c in folded if unicodedata.category(c) in LETTER_CATEGORIES]
    if not letters:
        return None
    if letters[0].isascii():
        return "LATIN"
    words = unicodedata.name(letters[0], "").split()
    while len(words) > 1 and words[0] in _PREFIXES:
        words = words[1:]
    if not words:
        return None
    return _FAMILY.get(words[0], words[0])


def scripts(text: str) -> set[str]:
    """The scripts of ``text``'s letters."""
    found: set[str] = set()
    for ch in set(text):
        script = script_of(ch)
        if script:
            found.add(script)
    return found


def foreign(question: str, texts: Iterable[str]) -> bool:
    """Whether ``question`` has letters and none of them is in a script that any of ``texts`` uses."""
    asked = scripts(question)
    if not asked:
        return False
    seen: set[str] = set()
    for text in texts:
        seen |= scripts(text)
        if asked & seen:
            return False
    return True
