"""Terms from code that a reference section describes: an option ("--allow-unrelated-histories") or a call
("mat2str (x, n)") whose sentences don't name it ("This option can be used to ..."). The answerer reads such a
sentence with its term, and the index stores that reading's vector beside the sentence's."""

from __future__ import annotations

import re

from rag.records import SEPARATOR
from rag.text.words import content_words

# A section heading that names something from code: an option ("-q, --quiet"), a call ("cache(user_function)"), a
# placeholder ("<branch>"), a setting ("clean.requireForce", "key=value"), a path.
_CODE_TERM = re.compile(r"(?:^|[\s,])--?[A-Za-z]|[<>(){}\[\]=_/]|[A-Za-z]{2}\.[A-Za-z]")
_TITLE_WORD = re.compile(r"(?:^|\s)[A-Z][a-z]+(?=\s|$)")
# "[out, p] = name (": a signature, with what it assigns to
_CALL = re.compile(r"(?:(?:\[[^\]]*\]|[\w.]+)\s*=\s*)?(?P<name>[A-Za-z_][\w.:]*)\s*\(")
# a numbered section's heading ("11.6.2 The glm() function", "III.1. The documentclass line"): a title, not a term
_NUMBERED = re.compile(r"(?:\d{1,2}(?:\.\d{1,2})*\.?|[IVX]{1,5}(?:\.\d{1,2})*\.|[A-H](?:\.\d{1,2})+\.?)\s+\S")
# "du - estimate file space usage", "gzip, gunzip, zcat - compress ...", "bisect — Array bisection algorithm": a
# reference page's title names what it is about, as manual pages and module references do
_SUBJECT_TITLE = re.compile(r"\s*([a-z][\w.+-]*(?:,\s*[a-z][\w.+-]*)*)\s+[-—–]\s+\S")
TERM_WORDS = 8  # a described term is short: an option or a signature, not a heading that is a sentence
SHORT_TERM, LONG_TERM = 40, 60  # characters of a term written whole; of the longest name written


def term_described(title: str, text: str) -> str:
    """The term from code that the section whose path is ``title`` describes, when its sentence ``text`` doesn't
    name it: a reference page's option or function ("--allow-unrelated-histories") whose description ("This
    option can be used to override this safety ...") says "this option" or nothing at all of what it describes.
    "" otherwise."""
    path = title.split(SEPARATOR)
    if len(path) < 2 or _NUMBERED.match(path[-1].strip()):
        return ""
    term, name = _signature(path[-1].strip().rstrip(":").rstrip())
    if not term or len(term.split()) > TERM_WORDS or not _CODE_TERM.search(term):
        return ""
    if len(_TITLE_WORD.findall(term)) >= 2:
        return ""  # a section's title ("Other <rev>^ Parent Shorthand Notations"), not a term
    names = [name or term] if "(" in term else [term, *term.split(", ")]  # an option's names, not a call's arguments
    if any(_names(name, text) for name in names):
        return ""  # the sentence names what it describes ("remove refuses ... unless --force is used")
    if len(term) > SHORT_TERM:  # a long signature by its name, several names by the first
        term = term[: term.index("(")].strip() + "()" if "(" in term else term.split(", ")[0]
    return "" if len(term) > LONG_TERM or _names(term, text) else term


def _signature(term: str) -> tuple[str, str]:
    """A described call's first signature without what it assigns to, and its name: "mat2str (x, n)" and
    "mat2str" of "s = mat2str (x, n), s = mat2str (x, n, "class")" (a Texinfo entry's lines); the term itself and
    "" when it is no call."""
    m = _CALL.match(term)
    if m is None:
        return term, ""
    depth = 0
    for k in range(m.end() - 1, len(term)):
        depth += (term[k] == "(") - (term[k] == ")")
        if depth == 0:
            return term[m.start("name") : k + 1], m.group("name")
    return term[m.start("name") :], m.group("name")


def _names(name: str, text: str) -> bool:
    """Whether ``text`` writes ``name`` as a name of its own (not "-f" inside "-foo")."""
    name = name.strip()
    return bool(name) and re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text, re.I) is not None


SUBJECT_WORDS = 2  # content words a sentence needs to be read with the term it describes ("Examples:" has one)


def with_term(term: str, sentence: str) -> str:
    """A sentence read with the term it describes: the text whose vector is stored and matched for it."""
    return f"{term}: {sentence}"


def described_readings(title: str, sentences: list[str]) -> list[str]:
    """Each sentence of a section titled ``title`` that describes a term without naming it, read with the term
    (:func:`with_term`), in order; none when the section describes no term."""
    return [
        with_term(term, s)
        for s in sentences
        if len(content_words(s)) >= SUBJECT_WORDS and (term := term_described(title, s))
    ]


def subject_names(title: str) -> list[str]:
    """The names a reference page's title gives its subject: ["du"] for "du - estimate file space usage"."""
    m = _SUBJECT_TITLE.match(title.split(SEPARATOR, 1)[0])
    return [n.strip() for n in m.group(1).split(",")] if m else []


def names_subject(title: str, question: str) -> bool:
    """Whether ``question`` names the command or module whose reference page ``title`` is of ("diff's exit codes"
    for "diff - compare files line by line")."""
    return any(
        re.search(rf"(?<![\w.-]){re.escape(name)}(?![\w-]|\.\w)", question, re.I) for name in subject_names(title)
    )


_OPTION = re.compile(r"(?:^|(?<=[\s(/]))--?[A-Za-z](?:[\w-]*\w)?(?![\w-])")  # "--json-lines", "-vv", "-t"


def option_names(text: str) -> list[str]:
    """The command-line options ``text`` writes ("--mirror", "-t"), as it writes them."""
    return [m.group(0) for m in _OPTION.finditer(text)]


def entry_of(title: str, options: list[str]) -> bool:
    """Whether the section path ``title`` ends in the reference entry of one of ``options``, written as given
    ("‘-m’, ‘--mirror’" for "--mirror"; not "--mirror-all")."""
    entry = title.rsplit(SEPARATOR, 1)[-1] if SEPARATOR in title else ""
    return bool(entry) and any(re.search(rf"(?<![\w-]){re.escape(o)}(?![\w-])", entry) for o in options)
