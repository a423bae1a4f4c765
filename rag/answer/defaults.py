"""Questions that ask for a default ("What is the default width?", "if I leave out VIRTUAL or STORED") and
sentences that state one ("defaults to 10", "If omitted, ...", a signature's ``maxsize=128``, a Default column)."""

from __future__ import annotations

import re

from rag.records import SEPARATOR
from rag.text import lexical

# "What is the default width?", "which applies if I don't specify one?", "if I leave out VIRTUAL or STORED", "If
# TMPDIR is not set, ...", "when DeflateCompressionLevel is left unset": the question asks what holds when nothing
# is said
ASKS_DEFAULT = re.compile(
    r"\bdefault\b|\bif (?:I|you|we|one|it|they) (?:don't|do not|doesn't|does not|never) (?:give|specify|set|pass|"
    r"provide|say|choose|name|supply|include|add)\b|\b(?:leave|leaves|leaving) (?:\w+ )?out\b|\bomit|\bwithout (?:giving|"
    r"specifying|setting|passing|providing|naming)\b|\bwith only\b|"
    r"\b(?:(?:is|are) (?:not|never)|isn't|aren't) (?:set|given|specified|provided|supplied)\b|\b(?:is|are) (?:left )?unset\b",
    re.I,
)
# "(default: 70)", "defaults to 1", "If omitted, ...", "if no distance is given", "maxsize=128" in a signature, "when
# called with no arguments"; not a default only named ("Configures the leeway default for the truncate filter")
_STATES_DEFAULT = re.compile(
    (  # a space stands for any run of whitespace: hard-wrapped Markdown breaks "by\ndefault"
        r"\bdefault(?:s|ed)?\s+(?:to|is|are|was|were|will be|value|setting)\b|\bdefault(?:s|ed)?\s*[:=]|"
        r"\bdefault\s+(?:[\w.`'-]+\s+){1,5}(?:is|are|was|were|will be)\b|\bby default\b|[(\[]\s*(?:the\s+)?default\b|"
        r"\b(?:is|are|was|were|be|being|as)\s+(?:the\s+|a\s+)?default\b|\bthe default\s*[,;)]|"
        r"\b(?:if|when) (?:it is |they are |this is )?(?:omitted|left out|unspecified|not (?:"
        r"given|specified|set|provided|supplied|present|chosen|selected|passed))\b|\bif no \w+(?: \w+)? (?:is|are) (?:"
        r"given|specified|provided|supplied|chosen|selected|passed|set)\b|"
        r"\b(?:called|invoked|used|run) (?:without|with no) (?:input |any )?(?:arguments?|options?|parameters?)\b|"
        r"\bwith (?:the |its |their )?default (?:settings?|values?|options?|configuration)\b|"
        r"\b(?:a|the) default (?:[\w.`'-]+ ){0,2}of [\w\"'`.+-]"  # "a default fillfactor of 90", "The default X of 5"
    ).replace(" ", r"\s+"),
    re.I,
)
_SIGNATURE_DEFAULT = re.compile(r"^[@\w.]*\w\(.*\b[A-Za-z_]\w*=(?!=)[^\s,)]")  # "lru_cache(maxsize=128, ...)"


def asks_default(question: str) -> bool:
    """Whether the question asks for what holds when nothing is said: a default value, kind or action."""
    return ASKS_DEFAULT.search(question) is not None


_HOW_TO = re.compile(r"\s*how\s+(?:do|can|should|would|could|may|might)\s+(?:i|we|you|one)\b", re.I)


def asks_the_default(question: str) -> bool:
    """Whether the question asks what the default is, not how to do something against it ("How do I pack pages
    less tightly than they are by default?")."""
    return asks_default(question) and not _HOW_TO.match(question)


def states_default(sentence: str) -> bool:
    """Whether the sentence says what holds when nothing is given ("defaults to 10", "If omitted", "width=70"), or
    is a table with a "Default" column ("Option | Type | Default | Description")."""
    return (
        _STATES_DEFAULT.search(sentence) is not None
        or _SIGNATURE_DEFAULT.match(sentence.lstrip()) is not None
        or _DEFAULT_COLUMN.match(sentence.lstrip()) is not None
    )


_DEFAULT_COLUMN = re.compile(r"[^\n]*(?:^|\|)[ \t]*default(?:s| value)?[ \t]*(?:\||\n)", re.I)


def signature_default(title: str, asked: set[str]) -> bool:
    """Whether the section a sentence sits in is a signature giving a default to a parameter the question names
    (``compression=ZIP_STORED`` in "zipfile.ZipFile(file, mode='r', compression=ZIP_STORED)" for "What
    compression method does it use by default?")."""
    signature = title.rsplit(SEPARATOR, 1)[-1] if SEPARATOR in title else ""
    return any(set(lexical.terms(m.group(1))) & asked for m in _PARAMETER_DEFAULT.finditer(signature))


_PARAMETER_DEFAULT = re.compile(r"[(,]\s*\*{0,2}([A-Za-z_]\w*)\s*=(?!=)\s*[^\s,)]")
