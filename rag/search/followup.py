"""Follow-up questions: fold the conversation into a standalone retrieval query."""

from __future__ import annotations

import re

from rag.text import lexical

_REFERS_BACK = re.compile(
    r"\b(it|its|they|them|their|theirs|he|him|his|she|her|hers|this|that|these|those|there|then|the same|"
    r"the (?:centre|center|agreement|group|meeting|cell|country|countries|deal|pact|one))\b",
    re.I,
)


def condense(history: list[tuple[str, str]], question: str) -> str:
    """A standalone query for ``question`` given earlier (question, answer) turns. Deterministic.

    A question that refers back (pronouns, "the same") or is too short to stand alone borrows the previous
    question, so "Who leads it?" after a question about the Baghdad centre retrieves that centre.
    """
    if not history:
        return question
    if not _REFERS_BACK.search(question) and len(lexical.terms(question)) >= 2:
        return question  # stands on its own
    previous = history[-1][0]
    return f"{question} ({previous})"
