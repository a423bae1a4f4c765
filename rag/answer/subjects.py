"""What a sentence is about, beside what the question asks: the function a parameter or a release belongs to,
the person or the year it tells of, the thing it says what it is; and the names from code a question writes that
the documents must hold."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from rag.answer.candidates import Candidate
from rag.answer.defaults import asks_default
from rag.answer.question import Question, keyword_values, question_start
from rag.records import SEPARATOR
from rag.text import lexical, versions
from rag.text.entities import Analysis
from rag.text.terms import entry_of, names_subject, option_names, subject_names
from rag.text.words import common_word


def novel(text: str, question: Question) -> bool:
    """Whether an entity says something the question doesn't: "Brantor Dredging Company" for "which company"."""
    asked = set(question.terms) - set(question.focus)
    own = [t for t in lexical.terms(text) if len(t) > 2 or t.isdigit()]
    return bool(own) and not set(own) & asked


# "natbib (version 8.31a or higher)", "SQLite 3.35.0", "Python v3.12": a version and the name it is of
_OWNED_VERSION = re.compile(r"([A-Za-z][\w+-]*)\s*\(?\s*(?:version\s+|v)?\d+(?:\.\d+)+[a-z]?\b", re.I)


def of_subject(q: Question, c: Candidate) -> bool:
    """Whether the sentence can date what the question asks about: a function asked of ("iif()") is written in it,
    its section's title or the sentences before it in its passage, and a sentence that gives another name's
    version ("natbib (version 8.31a)") writes the name whose version is asked ("which version of hyperref")."""
    held = f"{c.passage.chunk.title}\n{c.previous}\n{c.text}"
    section = "\n".join([c.passage.chunk.title, *(t for _, _, t in c.earlier), c.text])
    if q.callables and not any(written(n, section) for n in q.callables):
        return False
    asked = set(q.terms)
    for name in q.versioned:
        owners = [m.group(1) for m in _OWNED_VERSION.finditer(c.text)]
        if not written(name, held) and any(not set(lexical.terms(o)) <= asked for o in owners if lexical.terms(o)):
            return False
    return True


TYPED = frozenset({"when", "number", "who", "where", "org", "name", "which"})  # kinds with a short answer
_ABOUT_SOMEONE = frozenset({"number", "where", "org", "name"})  # typed kinds whose answer is no person
_YEAR = re.compile(r"\b(?:1[5-9]|20)\d\d\b")


def about_another(q: Question, c: Candidate, analysis: Analysis) -> bool:
    """Whether a typed answer that is no person (a number, a place, an organisation) would come from a sentence
    about another person or another year than the question names ("12 years" of Alfred Brown for Cameron
    Willingham, 87% in 1960 for 1968)."""
    if q.kind in TYPED and _other_numbered(q, c):
        return True
    return q.kind in _ABOUT_SOMEONE and (_other_year(q, c) or _other_person(q, c, analysis))


def of_another_version(q: Question, c: Candidate) -> bool:
    """Whether the sentence is from a document whose title names another version of it than the question asks
    about ("MOZILLA PUBLIC LICENSE, Version 1.1" for "the Apache License 2.0", "Version 2" for "GPLv3"), the asked
    one nowhere in the title, the sentence before or the sentence: it tells of that other version."""
    asked = [(name, number) for name, number in q.numbered if name.lower() not in versions.PARTS]
    title = c.passage.chunk.title
    if not asked or not versions.title_versions(title) or not versions.asked_versions(q.text):
        return False  # no version named, no document's version known, or the question asks which version it is
    held = f"{title}\n{c.previous}\n{c.text}"
    if any(re.search(versions.numbered(name, n), held, re.I) for name, n in asked):
        return False
    if versions.of_other_version(title, {versions.normal(n) for _, n in asked}):
        return True
    # the asked version, but of a document named otherwise: "Mozilla Public License Version 2.0" for "the Apache
    # License 2.0" (a name's words written out; an acronym, "GPLv3", may stand for words the title spells out)
    named = set(lexical.terms(title))
    return not any(set(lexical.terms(" ".join(versions.name_words(q.text, name, n)))) <= named for name, n in asked)


def tells_of_another(q: Question, c: Candidate) -> bool:
    """Whether the sentence tells of another numbered thing or another version of its document than the question
    names: "ipaddress was added ... in Python 3.3" for a question about Python 3.4, even in a section on 3.4."""
    return _other_numbered(q, c, c.text) or of_another_version(q, c)


def asked_subjects(q: Question, titles: list[str]) -> set[str]:
    """The commands or modules the question names whose reference pages are among ``titles`` ("du" for "du's exit
    status" and "du - estimate file space usage")."""
    return {n for t in set(titles) if names_subject(t, q.text) for n in subject_names(t)}


def of_another_page(q: Question, c: Candidate, asked: set[str]) -> bool:
    """Whether the sentence is from the reference page of another command than the ``asked`` ones (find's "EXIT
    STATUS" for "du's exit status") and writes none of them in the sentence, the one before or its section path:
    it tells of that other command."""
    title = c.passage.chunk.title
    if not asked or not subject_names(title) or names_subject(title, q.text):
        return False
    return not any(written(n, f"{title}\n{c.previous}\n{c.text}") for n in asked)


_CALLED = re.compile(r"(?<![\w.])([A-Za-z_][\w.]*\w)\(")  # "vcovPC(x, ...)", "cluster.vcov()": a function called


def of_another_callable(q: Question, c: Candidate) -> bool:
    """Whether the sentence is about another function than those a question of a fact (typed, or of a default) asks
    of: the first it calls is another ("The function cluster.vcov() ... (whose strategy vcovCL() follows) applies
    ... by default" for vcovCL()), and neither its section's path nor the sentence before writes an asked one."""
    if not q.callables or not (q.kind in TYPED or asks_default(q.text)):
        return False  # "how can I avoid ... logger.debug()?": the answer may well be another function's
    first = _CALLED.search(c.text)
    if first is None or first.group(1).rsplit(".", 1)[-1] in q.callables:
        return False
    return not any(written(n, f"{c.passage.chunk.title}\n{c.previous}") for n in q.callables)


def of_another_entry(q: Question, c: Candidate) -> bool:
    """Whether the question names options ("-b") and the sentence is from the manual's entry of another option
    ("--atime-preserve[=METHOD]" / "..., this is the default" for "the default blocking factor, without -b")."""
    asked = [o for o in q.code_names if o.startswith("-")]
    title = c.passage.chunk.title
    if not asked:
        return False
    if option_names(title.rsplit(SEPARATOR, 1)[-1] if SEPARATOR in title else ""):
        return not entry_of(title, asked)
    # a page whose entries are not sections: the entry is the sentence's first line ("--atime-preserve[=METHOD]")
    head = c.text.lstrip().split("\n", 1)[0]
    return head.startswith("-") and bool(option_names(head)) and not set(option_names(head)) & set(asked)


def of_other_subjects(q: Question, candidates: dict[int, Candidate], titles: list[str]) -> set[int]:
    """The keys of the ``candidates`` that tell of something beside what the question names: from the reference page
    of another command than those it names whose pages are among ``titles`` (see :func:`of_another_page`), about
    another function than it asks of (see :func:`of_another_callable`), or, when some candidates write a value the
    question gives a keyword ('type = "webb"'), one that writes none of them in its section's path, the sentence
    before or itself ("mammen" / "This draws the factors as ..."). Not an option ("without --format" asks what
    happens when it is not given) nor a parameter, which the text may leave unsaid."""
    asked = asked_subjects(q, titles)
    other = {i for i, c in candidates.items() if of_another_page(q, c, asked) or of_another_callable(q, c)}
    names = keyword_values(q.text)
    held = {i: f"{c.passage.chunk.title}\n{c.previous}\n{c.text}" for i, c in candidates.items()} if names else {}
    writing = {i for i, text in held.items() if any(written(n, text) for n in names)}
    return other | (set(held) - writing if writing else set())


def _other_numbered(q: Question, c: Candidate, held: str = "") -> bool:
    """Whether the question names a numbered thing ("Debconf0", "Python 3.12") and the sentence names the same
    thing with another number ("Debconf2", "Python 3.11"), the asked one nowhere in ``held`` (by default its
    section's title, the sentence before and the sentence): it tells of another one."""
    held = held or f"{c.passage.chunk.title}\n{c.previous}\n{c.text}"
    for name, number in q.numbered:
        told = {m.group(1) for m in re.finditer(versions.numbered(name), c.text, re.I)}
        # "Debconf5 or Debconf7?": a sentence on either tells of an asked one
        numbers = {n for other, n in q.numbered if other.lower() == name.lower()}
        if told and not told & numbers and not re.search(versions.numbered(name, number), held, re.I):
            return True
    return False


def _other_year(q: Question, c: Candidate) -> bool:
    """Whether the question names a year and the sentence names only others, with the asked one nowhere in its
    section's title or the sentence before: it tells of another time."""
    asked = {t for t in q.terms if _YEAR.fullmatch(t)}
    told = set(_YEAR.findall(c.text))
    return bool(asked and told) and not asked & set(_YEAR.findall(f"{c.passage.chunk.title}\n{c.previous}\n{c.text}"))


def _other_person(q: Question, c: Candidate, analysis: Analysis) -> bool:
    """Whether the question names someone ("Cameron Willingham") whom neither the sentence, its section's title nor
    the sentence before names, while the sentence tells of another person: it is about someone else."""
    if not q.strict_names:
        return False
    held = set(lexical.terms(f"{c.passage.chunk.title}\n{c.previous}\n{c.text}"))
    if held & set(q.strict_names):
        return False
    return any(e.label == "PERSON" and novel(e.text, q) for e in analysis.entities)


# "Critic is an extension that ...", "PathConverter (the path converter) is a ...": the sentence says what it is
_DEFINES = re.compile(r"^\s*(?:the\s+)?(?P<head>[^,;:.()]{1,60}?)(?:\s*\([^)]*\))?\s+(?:is|are)\s+(?:an?|the|one)\b", re.I)
DEFINITION_UNSTATED = 0.8  # the fit of a sentence that doesn't say what the asked thing is, for "what is X?"


def defines(sentence: str, defined: tuple[str, ...]) -> bool:
    """Whether ``sentence`` opens by saying what a thing the question names is ("Critic is an extension that")."""
    m = _DEFINES.match(sentence)
    return m is not None and bool(set(lexical.terms(m.group("head"))) & set(defined))


_CAMEL = re.compile(r"\b[A-Z][a-z]{2,}(?:[A-Z][a-z0-9]+)+\b")  # "ServerTokens", "KeepAliveTimeout": a name from code


def setting_names_written(q: Question, c: Candidate) -> bool:
    """Whether the sentence, the one before it or its section writes every name the question writes in camel case
    ("ServerTokens") or in capitals ("TMPDIR", "HISTSIZE"): a default stated without it is another setting's."""
    camel, capitals = _setting_names(q.text)
    if not camel and not capitals:
        return True
    section = "\n".join([c.passage.chunk.title, c.previous, *(t for _, _, t in c.earlier), c.text])
    return all(camel_written(n, section) for n in camel) and all(written(n, section) for n in capitals)


_CAPITALS = re.compile(r"(?<![\w$-])\$?\{?([A-Z][A-Z0-9_]{3,})\b")  # "TMPDIR", "$HISTSIZE": an environment variable


@lru_cache(maxsize=256)
def _setting_names(question: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The camel-case names and the names in capitals a question writes, read once per question, not once per
    sentence checked."""
    # a word in capitals that is a common word ("LOCK TABLE", "BEGIN", "HTTP") is a keyword or an acronym, not a
    # setting's name
    capitals = (n for n in _CAPITALS.findall(question) if "_" in n or not n.isalpha() or not common_word(n))
    return tuple(_CAMEL.findall(question)), tuple(capitals)


def camel_written(name: str, text: str) -> bool:
    """Whether a camel-case name is written in ``text``, as in code or in prose: "FullWidth", "full-width" or
    "full width" (any case)."""
    humps = re.findall(r"[A-Z][a-z0-9]*", name)
    pattern = r"(?<![\w-])" + r"[\s-]?".join(map(re.escape, humps)) + r"(?![\w-])"
    return re.search(pattern, text, re.I) is not None


def written(name: str, text: str) -> bool:
    """Whether ``name`` is written in ``text`` as a whole word (any case)."""
    return re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text, re.I) is not None


OPTION_ENTRY = 2.0  # a manual's entry for an option the question names ("-t STAMP" for "touch -t") counts double


def names_section(q: Question, title: str) -> float:
    """1.0 when the section path ``title`` holds one of the question's names from code as a run of terms
    ("functools.cache" in "functools › @functools.cache(user_function)", not in "@functools.lru_cache") or is of
    the reference page of a command or module the question names; ``OPTION_ENTRY`` more when its last heading is
    the entry of an option the question names, written as the question writes it ("-t STAMP" for "touch -t", not
    "-T")."""
    named = 1.0 if names_subject(title, q.text) else 0.0  # the page of the command the question names ("frob's")
    if entry_of(title, [o for o in q.code_names if o.startswith("-")]):
        return OPTION_ENTRY + named  # "-f, --force" of cp's page for "cp --force", above mv's "-f, --force"
    if named or not q.identifiers:
        return named
    held = f" {' '.join(lexical.terms(title))} "
    return 1.0 if any(f" {name} " in held for name in q.identifiers) else 0.0


_ENDING = re.compile(r"-[a-z]{3,}")  # "-data", "-doc": a package name's ending, or a long option of one dash
_BEFORE_NAME, _BEFORE_ENDING = r"(?<![\w-])", r"(?<!-)"


def unheld_names(q: Question, pool: list[Candidate], shortlist: list[int]) -> list[str]:
    """Names from code in the question ("the strict parameter", "--without-scm-ignore-files", "QUOTE_STRINGS") and
    numbered names ("REVTeX 3", "version 7") that no passage of the shortlisted sentences writes, and parameters
    that no such passage writes beside the function they are asked of: the documents describe something next to
    what is asked (REVTeX 4.2, versions 1 to 5, another function's parameter)."""
    if not q.code_names and not q.numbered:
        return []
    texts = {id(p): f"{p.chunk.title}\n{p.chunk.text}" for p in (pool[i].passage for i in shortlist)}
    # a name's ending ("its -data package") is written where it ends a name ("foo-data"), unlike an option ("-d")
    patterns = {
        name: rf"{_BEFORE_ENDING if _ENDING.fullmatch(name) else _BEFORE_NAME}{re.escape(name)}(?![\w-])"
        for name in q.code_names
    }
    for name, number in q.numbered:  # "Python 3" is written in "Python 3.12"; "Python 3.12" in "version 3.12"
        patterns[f"{name} {number}"] = rf"{versions.numbered(name, number)}|\bversion\s+{re.escape(number)}(?!\d)"
    unheld = [name for name, pattern in patterns.items() if not any(re.search(pattern, t, re.I) for t in texts.values())]
    if q.callables:
        # A parameter belongs to the function it is asked of: "the strict parameter of os.path.commonpath()" is not
        # held by the section of os.path.realpath(), nor "unique=True" by a page that says "unique" in passing.
        owners = [t for t in texts.values() if any(re.search(patterns[n], t, re.I) for n in q.callables)]
        unheld += [
            p for p in q.parameters if p not in unheld and not any(re.search(patterns[p], t, re.I) for t in owners)
        ]
    return unheld


def unknown_names(q: Question, known: Callable[[str], bool]) -> list[str]:
    """Names in the question (people, organisations, places, names from code) that the documents never use; a name
    glued to its version ("GPLv3") is used when the name is ("GPL", version 3). A name only the scene before the
    question proper uses ("My wget run died halfway through a big ISO. How do I resume it?") is the asker's, not
    what is asked about."""
    asked = set(lexical.terms(q.text[question_start(q.text) :]))
    # An identifier the scene tells ("A file is called something like hello_2.9-2_amd64.deb. What does each part
    # ...?") is the asker's example: unknown only if one of its words is, not as a whole.
    told = [n for n in q.identifiers if not set(lexical.terms(n)) <= asked]
    return [
        t
        for t in (*(n for n in q.strict_names if n in asked), *q.identifiers)
        if not known(t)
        and not ((glued := lexical.glued_version(t)) and known(glued[0]))
        and not (t in told and all(known(w) for w in lexical.terms(t)))
    ]
