"""The questions a compound question asks: parts joined by a conjunction ("What does X indicate and what should be
done next?"), and the things a comparison sets side by side ("What is the difference between dbcont and dbquit?"
asks what each of them is)."""

from __future__ import annotations

import re

_SECOND_ASK = re.compile(
    r",?\s+(?:and|but)\s+(?=(?:what|how|why|when|where|who|whom|whose|which|whether|is|are|was|were|does|do|did|"
    r"can|could|should|would|will|has|have)\b"
    # "..., and in what year was the project started?" (a whole clause: not "and in which PEP?")
    r"|(?:in|on|at|for|from|by|to|with|since|until|after|before|under)\s+(?:what|which|when|whose|how)\b(?:\s+[^\s?]+){3})",
    re.I,
)
# "Where does the name come from, how do you say it, and in what year ...?": a list of questions, the last one
# joined by "and"; a comma before a question word splits only there, and only between questions
_LISTED_ASK = re.compile(r",\s+(?=(?:what|how|why|when|where|who|which)\b)", re.I)
_QUESTION_WORD = re.compile(  # not a scene it sets ("When I rebase a branch, what happens ...")
    r"^(?:(?:what|how|why|where|who|whom|whose|which)\b|when\s+(?:is|are|was|were|do|does|did|can|could|should|"
    r"will|would|has|have|had)\b)",
    re.I,
)
# "what is the difference between A and B", "what's the real difference between A, B and C", "what are the
# differences between A and B"
_DIFFERENCE = re.compile(
    r"\b(?P<ask>what(?:'s|’s|\s+is|\s+are))\s+(?:the\s+)?(?:[\w-]+\s+)?differences?\s+between\s+"
    r"(?P<items>.+?)\s*(?P<end>[?.!]?)\s*$",
    re.I,
)
# "how do the preprint and reprint options differ?", "how does X differ from Y?" (with no aspect after: "differ in
# where they place footnotes" asks about one aspect, answered whole)
_DIFFER = re.compile(
    r"\b(?P<ask>how)\s+(?:do|does)\s+(?P<items>.+?)\s+differ(?:\s+from\s+(?P<other>.+?))?\s*(?P<end>[?.!]?)\s*$",
    re.I,
)
_ITEMS = re.compile(r"\s*,\s+(?:and\s+)?|\s+and\s+", re.I)  # not the comma of "c{2,3}"
_ARTICLE = re.compile(r"^(?:the|a|an)\s+", re.I)
_CLAUSE = re.compile(r"^(?:what|when|where|why|how|who|which|whether|if)\b", re.I)  # "what happens when ..."
_PRONOUN = re.compile(r"(?:i|you|we|they|he|she|it|this|that|these|those|them|us|me)", re.I)
ITEM_WORDS = 6  # a thing compared is named in a few words, not a clause ("what happens when ... and ...")


def sub_questions(question: str) -> list[str]:
    """The questions a compound question joins ("What does X indicate and what should be done next?" -> two).

    Only a conjunction followed by a question word splits; "the pros and cons" or "when and where" do not.
    """
    parts = [p.strip(" ,;") for p in _SECOND_ASK.split(question)]
    if len(parts) > 1:
        listed = [q.strip(" ,;") for q in _LISTED_ASK.split(parts[0])]
        if len(listed) > 1 and all(_QUESTION_WORD.match(q) for q in listed):
            parts = [*listed, *parts[1:]]
    parts = [p for p in parts if len(p.split()) >= 2]
    if len(parts) < 2:
        return [question]
    end = "?" if question.rstrip().endswith("?") else ""
    return [p if p.endswith("?") or not end else p + end for p in parts]


_SENTENCE_END = re.compile(r"(?<=[.!;])\s+(?=\S)")


def scenario(question: str) -> str:
    """What a question tells before it asks ("COPY customers FROM '/home/ana/c.csv' fails saying the file does not
    exist. What is going on?" -> "COPY ... does not exist."): the statements that open it; "" when it opens asking."""
    told = []
    for sentence in _SENTENCE_END.split(question.strip()):
        if "?" in sentence:
            break
        told.append(sentence)
    return " ".join(told) if len(told) < len(_SENTENCE_END.split(question.strip())) else ""


def compared(question: str) -> list[str]:
    """What each thing a comparison names is ("In debug mode, what is the difference between dbcont and dbquit?"
    -> "In debug mode, what is dbcont?", "In debug mode, what is dbquit?"); ``[question]`` when it compares
    nothing. Words the last thing shares with the others ("the trim_blocks and lstrip_blocks options") follow
    each of them."""
    m = _DIFFERENCE.search(question) or _DIFFER.search(question)
    if m is None:
        return [question]
    named = [m.group("items"), *([m.group("other")] if m.re is _DIFFER and m.group("other") else [])]
    items = [_ARTICLE.sub("", i.strip()) for n in named for i in _ITEMS.split(n)]
    if not 2 <= len(items) <= 3 or not all(
        0 < len(i.split()) <= ITEM_WORDS and not _CLAUSE.match(i) and not _PRONOUN.fullmatch(i) for i in items
    ):
        return [question]
    shared = items[-1].split()[max(len(i.split()) for i in items[:-1]) :]
    if shared:
        items = [f"{i} {' '.join(shared)}" for i in items[:-1]] + [items[-1]]
    ask = "what are" if m.group("ask").lower().endswith("are") or (m.re is _DIFFER and len(named) == 1 and
                                                                  items[-1].endswith("s")) else "what is"
    ask = ask.capitalize() if m.start() == 0 else ask
    head, end = question[: m.start()], m.group("end") or "?"
    return [f"{head}{ask} {item}{end}" for item in items]


_ASKING = re.compile(
    r"^\s*(?:what|how|why|when|where|who|whom|whose|which|whether|is|are|was|were|does|do|did|can|could|should|"
    r"would|will|has|have)\b(?:\s+(?:is|are|was|were|does|do|did|can|could|should|would|will|i|you|we|one))*\s*",
    re.I,
)


_DANGLING = re.compile(r"(?:\s+(?:by|the|a|an|of|for|to|with|as|in|on))+$", re.I)  # left when "default" goes


def scene_of(question: str, without: re.Pattern[str] | None = None) -> str:
    """A question told as the scene a later part leans on ("What does base64.b64decode do with characters outside
    the alphabet?" -> "Base64.b64decode do with characters outside the alphabet."), so that "how can I make it
    reject them?" is read about those: the question's words without its asking ones, nor what ``without``
    matches (the first part's "by default" is not the later part's question)."""
    told = _ASKING.sub("", question).strip().rstrip("?").strip()
    if without is not None:
        told = _DANGLING.sub("", " ".join(without.sub(" ", told).split()))
    return f"{told[:1].upper()}{told[1:]}." if told else ""
