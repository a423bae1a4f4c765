"""What a "which <thing>" question asks to be named, and whether a sentence names one.

"Which parameter of glob.glob() makes matching case-insensitive?" is answered only by a sentence that names a
parameter the question doesn't ("``root_dir``"), and "What telephone number can authors call?" only by one that
writes a telephone number. A sentence on the topic that names none ("Perform case-insensitive matching") says the
thing asked for is not stated.
"""

from __future__ import annotations

import functools
import re

from rag.text import lexical
from rag.text.entities import Word

# The things from software a question asks to be named: "which <modifiers> <noun>".
_NAMED_THING = (
    r"parameters?|arguments?|options?|flags?|switch(?:es)?|settings?|keywords?|keys?|key combinations?|"
    r"keystrokes?|shortcuts?|functions?|methods?|commands?|subcommands?|macros?|modules?|packages?|attributes?|"
    r"variables?|fields?|propert(?:y|ies)|directives?|plugins?|files?|programs?|tools?|utilit(?:y|ies)|entry types?"
)
_EXCEPTION_THING = r"exceptions?|exception class(?:es)?"
_PHONE_THING = r"(?:tele)?phone numbers?|fax numbers?"
_MAIL_THING = r"e-?mail address(?:es)?"
_URL_THING = r"urls?|web addresse?s?"
_THINGS = (
    ("phone", re.compile(rf"(?:{_PHONE_THING})", re.I)),
    ("mail", re.compile(rf"(?:{_MAIL_THING})", re.I)),
    ("url", re.compile(rf"(?:{_URL_THING})", re.I)),
    ("exception", re.compile(rf"(?:{_EXCEPTION_THING})", re.I)),
    ("code", re.compile(rf"(?:{_NAMED_THING})", re.I)),
)
_WHICH = re.compile(r"\b(?:which|what)\s+", re.I)
_PHRASE_WORD = re.compile(r"[\w.`'’/-]+")
# Words that end the noun phrase after "which": "what is the option", "which of the options", "which option lets".
_NOT_MODIFIER = frozenset(
    """is are was were be do does did can could should would will shall may might must has have had of the a an
    this that these those it its there here i you we they he she to if when in on for with by from at as and or
    not after before into about happens happen makes make causes cause controls control determines""".split()
)
_ATTRIBUTE_HEADS = frozenset("type types kind kinds size sizes length format formats".split())
_OTHER_QUESTION = re.compile(r"\b(?:how|why|when|where|who|whom|whose)\b", re.I)

_PHONE = re.compile(r"(?<![\w.])\+?\(?\d[\d ()./-]{6,}\d(?![\w.])")
_MAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_URL = re.compile(r"\b(?:https?://|www\.)\S+|\b[\w-]+(?:\.[\w-]+)*\.(?:com|org|net|io|edu|gov)\b(?:/\S*)?", re.I)
_EXCEPTION = re.compile(r"\b[A-Z]\w*(?:Error|Exception|Warning|Exit|Interrupt)\b")
# Names written as code: `quoted`, snake_case, dotted.names, calls(), --options, \macros, @types, CamelCase,
# $VARIABLES, C-x keys, paths, assigned values ("link=probit").
_CODE = re.compile(
    r"`[^`\n]+`|\b\w*[A-Za-z]_\w+|\b[A-Za-z_]\w+\.[A-Za-z_][\w.]*|\b\w+\(|(?<![\w-])--?[A-Za-z][\w-]*|\\[A-Za-z]+|"
    r"@[A-Za-z]+|\b[a-z]+[A-Z]\w*|\b[A-Z][a-z]+[A-Z]\w*|\$[A-Za-z_]\w*|\b[CMS]-\w|\b(?:Ctrl|Alt|Meta|Shift)[-+]\w|"
    r"(?<![\w/])/[\w.-]+/[\w./-]*|(?<==)\s*[A-Za-z_]\w*"
)
_THING_WORD = re.compile(rf"(?:{_NAMED_THING})", re.I)
# Things of one family name each other ("which argument" is answered by "the strict parameter", not by "sync
# functions"); the families of _NAMED_THING.
_FAMILIES = tuple(
    re.compile(rf"(?:{f})", re.I)
    for f in (
        r"parameters?|arguments?|options?|flags?|switch(?:es)?|settings?|keywords?|directives?|attributes?|"
        r"variables?|fields?|propert(?:y|ies)|entry types?",
        r"functions?|methods?|commands?|subcommands?|macros?|programs?|tools?|utilit(?:y|ies)",
        r"modules?|packages?|plugins?",
        r"files?",
        r"keys?|key combinations?|keystrokes?|shortcuts?",
    )
)


@functools.lru_cache(maxsize=256)
def _family(question: str) -> re.Pattern[str]:
    """The things that answer the question's "which <thing>": its thing's family (all things if none is found)."""
    m = _WHICH.search(question)
    thing = next((t.group(0) for t in _THING_WORD.finditer(question, m.end() if m else 0)), "")
    return next((f for f in _FAMILIES if thing and f.fullmatch(thing)), _THING_WORD)


def asked_slot(question: str) -> str:
    """What kind of name the question asks for: "phone", "mail", "url", "exception", "code" (a parameter, an
    option, a function, a command, a module, a file ...) or "" when it asks for none of these.

    The thing is the last noun of up to four words after "which" or "what" ("which link function", "what base
    URL", "which Snippets option"); "what is the option" and "which of the options" name no thing there.
    """
    m = _WHICH.search(question)
    if m is None or _OTHER_QUESTION.search(re.split(r"[,.;:!?]", question[: m.start()])[-1]):
        return ""  # "How can I find out which package ships a file?" asks for a way, not a name
    words: list[str] = []
    for w in _PHRASE_WORD.finditer(question, m.end()):
        if len(words) == 4 or w.group(0).lower() in _NOT_MODIFIER or question[m.end() : w.start()].strip(" "):
            break  # past the phrase: a verb's helper, a pronoun, or punctuation between the words
        words.append(w.group(0))
        m = w
    found = ""  # the last thing named wins: "which link function" asks for a function
    for k in range(len(words)):
        for n in (2, 1):  # "telephone number", "exception class" before "number", "class"
            phrase = " ".join(words[k : k + n])
            kind = next((kind for kind, pattern in _THINGS if pattern.fullmatch(phrase)), "")
            if kind and k + n < len(words) and words[k + n].lower() in _ATTRIBUTE_HEADS:
                kind = ""  # "what key type", "which file size": a property of the thing, not its name
            if kind:
                found = kind
                break
    return found


def fills(slot: str, text: str, question: str, asked: set[str], words: tuple[Word, ...] = ()) -> bool:
    """Whether ``text`` (tagged ``words``) names something of the kind ``slot`` that the ``question`` (its stemmed
    ``asked`` terms) doesn't already name."""
    if slot == "phone":
        return bool(_PHONE.search(text))
    if slot == "mail":
        return bool(_MAIL.search(text))
    if slot == "url":
        return bool(_URL.search(text))
    written = question.lower()
    if slot == "exception":
        return any(_new(m.group(0), written) for m in _EXCEPTION.finditer(text))
    return any(_new(m.group(0), written) for m in _CODE.finditer(text)) or _named_beside(words, asked, _family(question))


def _new(name: str, question: str) -> bool:
    """Whether a name is not the question's own ("dir_fd" for a question about "glob.glob()"; "file.path" for one
    asking how to build a file path)."""
    name = name.strip("`( ").lower()
    return bool(name) and name not in question


def _named_beside(words: tuple[Word, ...], asked: set[str], family: re.Pattern[str] = _THING_WORD) -> bool:
    """Whether a noun that is no question's word stands right by a thing's noun, naming it: "the zlib module",
    "the class option groupedaddress", "a separate package called latexsym", "two class options: footinbib"."""
    tokens = [w for w in words if w.pos not in ("PUNCT", "SPACE") or w.text == ":"]
    for i, w in enumerate(tokens):
        if not family.fullmatch(w.text):
            continue
        for step in (-1, 1):
            j = i + step
            while 0 <= j < len(tokens) and (
                _THING_WORD.fullmatch(tokens[j].text)
                or set(lexical.terms(tokens[j].text)) & asked
                or (step == 1 and tokens[j].text.lower() in _LINKING)
            ):
                j += step  # "class option", "the society option" of a question about society options, "called"
            if 0 <= j < len(tokens) and _names_thing(tokens[j], asked):
                return True
    return False


def _names_thing(w: Word, asked: set[str]) -> bool:
    terms = set(lexical.terms(w.text))
    return bool(terms) and not terms & asked and w.pos in _NAME_POS and w.text.lower() not in _GENERIC


_NAME_POS = frozenset({"NOUN", "PROPN", "ADJ", "X"})  # the tagger takes many a name for an adjective
_LINKING = frozenset([":", "called", "named"])  # "a package called latexsym", "two options: a and b"
# Words that describe a thing without naming it ("a separate package", "the default option").
_GENERIC = frozenset(
    """following same other new additional separate default given specific particular optional required certain
    various several many more most such each every any all some first last next previous special standard basic
    main relevant appropriate corresponding respective single multiple different similar available own above below
    built-in builtin extra further useful important simple whole entire global local public private custom
    example instance value name number type kind way set list part""".split()
)
