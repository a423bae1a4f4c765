"""Versions of a document: the one its title names ("GNU GENERAL PUBLIC LICENSE, Version 3") and the ones a
question asks about ("GPLv3", "MPL 2.0", "GPL version 2"), to tell near-copies of a document apart."""

from __future__ import annotations

import re

# "GNU GENERAL PUBLIC LICENSE, Version 3"; "What's New In Python 3.8", "Django 4.2 release notes" (a dotted number
# after a capitalised name, not "Chapter 3")
_TITLE_VERSION = re.compile(r"\b(?i:version)\s+v?(\d+(?:\.\d+)*)|\b[A-Z][\w+-]*\s+v?(\d+\.\d+(?:\.\d+)*)(?![\w.])")
# "version 2", "GPLv3", "MPL 2.0", "MPL-2.0", "Apache License 2.0": a number written after the word version, after a
# "v" glued to a name, or after a capitalised name (not after a numbered part: "Section 4" is no version)
_ASKED = re.compile(
    r"(?:\bversion\s+v?|(?<=[A-Za-z])v|\b(?P<name>[A-Z][\w]*)[\s-]+v?)(?P<n>\d{1,3}(?:\.\d+)*)(?![\d.]*\d|\w)", re.I
)
PARTS = frozenset("chapter section figure table step type class phase article appendix part page volume level".split())


def numbered(name: str, number: str | None = None) -> str:
    """The pattern of ``name`` written with ``number`` ("GPL 3", "GPLv3", "Python 3.12"), or with any number, which
    it captures."""
    n = re.escape(number) if number is not None else r"(\d+(?:\.\d+)*)"
    return rf"(?<![\w-]){re.escape(name)}\s*v?{n}(?!\d)"


def normal(number: str) -> str:
    """``number`` without trailing ".0"s: version 2.0 is version 2."""
    return re.sub(r"(?:\.0)+$", "", number)


def title_versions(title: str) -> set[str]:
    """The versions a document's title (or section path) names: {"3"} for "GNU GENERAL PUBLIC LICENSE, Version 3"."""
    return {
        normal(m.group(1) or m.group(2))
        for m in _TITLE_VERSION.finditer(title)
        if m.group(1) or title[m.start() : m.start(2)].split()[0].lower() not in PARTS
    }


# "In which later version was it reimplemented?", "What release added ...": the version is what is asked for
_ASKS_VERSION = re.compile(r"\b(?:which|what)\s+(?:\w+\s+){0,2}?(?:version|release)s?\b", re.I)


def asked_versions(text: str) -> set[str]:
    """The version numbers a question asks about: {"3"} for "If I stop violating GPLv3, ...", {"1.1", "2"} for
    "under MPL 1.1, compared with MPL 2.0"; not "Section 4" nor "more than 100 copies", and none when the question
    asks which version ("OrderedDict first appeared in Python 3.1. In which later version ...?")."""
    if _ASKS_VERSION.search(text):
        return set()
    found = set()
    for m in _ASKED.finditer(text):
        name = m.group("name")
        if name and (name.lower() in PARTS or not name[0].isupper()):
            continue
        found.add(normal(m.group("n")))
    return found


def of_other_version(title: str, asked: set[str]) -> bool:
    """Whether a passage whose section path is ``title`` is of another version of its document than ``asked``."""
    named = title_versions(title)
    return bool(asked and named) and not named & asked


def name_words(text: str, name: str, number: str) -> list[str]:
    """The words of the name that ``number`` is a version of in ``text``, written out in capitals ("Apache",
    "License" of "the Apache License 2.0"), leaving out acronyms ("GPL" of "GPL version 2") and numbered parts."""
    m = re.search(rf"((?:\b[A-Z][\w-]*\s+)*){re.escape(name)}[\s-]*v?{re.escape(number)}(?![\d])", text)
    if m is None:
        return []
    words: list[str] = []
    for w in reversed([*m.group(1).split(), name]):  # the run of written-out words right before the number
        if not re.fullmatch(r"[A-Z][a-z]+(?:-[A-Za-z]+)*", w):
            if words or w.lower() != "version":
                break
            continue
        words.insert(0, w)
    return [w for w in words if w.lower() not in PARTS]
