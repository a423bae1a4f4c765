"""What a question asks for: the kind of answer, the words an answer must match, and the names it is about."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.answer.slots import asked_slot
from rag.text import dates, entities, lexical, versions
from rag.text.entities import Analysis
from rag.text.sentences import split
from rag.text.terms import option_names

# Nouns that name the class of the answer in "which X" / "the name of the X" questions (stemmed).
_PERSON_CLASS = set(
    lexical.stems(
        """person people official minister leader spokesman spokeswoman spokesperson spokesmen president commander
        general expert analyst ambassador envoy journalist reporter secretary chief head king queen prince cleric
        diplomat politician author writer founder director member man woman men women officer candidate premier
        chancellor ruler dictator governor mayor judge lawyer activist scientist researcher professor economist
        executive ceo manager chairman representative senator deputy counterpart figure individual militant fighter
        soldier citizen player coach artist attache delegate negotiator mediator""".split()
    )
)
_PLACE_CLASS = set(
    lexical.stems(
        """city town village country nation region province capital place territory district location continent
        island port neighbourhood neighborhood county municipality governorate""".split()
    )
)
_ORG_CLASS = set(
    lexical.stems(
        """organization organisation group militia party agency company firm newspaper outlet network bloc faction
        movement coalition alliance ministry department institution body channel broadcaster university bank union
        council committee station publication paper website magazine team club brand association""".split()
    )
)
# Places smaller than a country: a country is no answer to "which towns".
_LOCAL_CLASS = set(
    lexical.stems(
        """city town village capital province district neighbourhood neighborhood county municipality governorate
        port island region""".split()
    )
)
_COUNTRY_CLASS = set(lexical.stems("country countries nation nations state states".split()))
_TIME_CLASS = set(lexical.stems("year date day month decade century week season".split()))
_NUMBER_CLASS = set(
    lexical.stems(
        """number amount total percentage percent share proportion size population cost price sum rate toll turnout
        count quantity budget salary value uid gid""".split()
    )
)
# "What exit status does du return ...?": a program's exit status is a number, whatever "status" asks elsewhere
_EXIT_STATUS = re.compile(r"\b(?:exit|return)\s+(?:status|code)\b", re.I)
# Words that say what kind of answer is wanted rather than what it is about.
_ANSWER_WORDS = set(
    lexical.stems(
        "name names call called mention mentioned happen exactly specifically kind type give tell date calendar".split()
    )
)
_AUX = re.compile(  # used with .match: anchored where the question proper starts
    r"(?:is|are|was|were|do|does|did|has|have|had|can|could|will|would|should|shall|may|might|must)\b", re.I
)
# "When I run timeit without -n, how much time ...?", "If a list is empty, what does max() return?": a leading
# clause sets the scene, and the question proper, whose word says what is asked, follows its comma.
_LEADING_CLAUSE = re.compile(
    r"\s*(?:when|whenever|if|once|while|after|before|unless)\b[^,?]{3,}?,\s*"
    r"(?=(?:how|what|which|who|whom|whose|where|why|when|is|are|was|were|do|does|did|can|could|should|will|would|"
    r"must|may|has|have)\b)",
    re.I,
)
_HOW_MANNER = re.compile(r"how\b(?!\s+(?:many|much|long|large|big|old|far|often|tall|high)\b)", re.I)
_WH = re.compile(
    r"\b(?P<when>when|since when|how long ago|what time)\b|"
    r"\b(?P<number>how (?:many|much|long|large|big|old|far|often|tall|high))\b|"
    r"\b(?P<who>who|whom|whose)\b|"
    r"\b(?P<why>why|for what reason|what (?:was|is|were|are) the (?:main |stated |official )?(?:reasons?|motives?)|"
    r"what (?:prompted|motivated|caused)|what (?:reasons?|motives?|motivations?|grounds)\b(?=\s+(?:did|do|does|was|were|is|are|had|has|have|could|would|lay|lies)\b))\b|"
    r"\b(?P<purpose>what (?:was|is|were|are) the (?:main |stated |official )?(?:purpose|aims?|goals?|objectives?)|"
    # "what are the jihadists trying to achieve": the subject between stays part of the question's words
    r"what(?=\s+(?:was|is|were|are|do|does|did)\s+[\w\s'’-]{1,60}?\s(?P<aim>(?:trying|seeking|hoping|aiming|"
    r"attempting|looking|wanting|intending|planning)\s+to\s+(?:achieve|accomplish|do|gain|get)|"
    r"(?:want|aim|hope|seek|intend)\b)))|"
    r"\b(?P<where>where)\b|"
    r"\b(?P<which>which|what)\b",
    re.I,
)
_NAME_OF = re.compile(
    r"\bnames? (?:of|for)\b|\bwhat (?:is|was|are|were) (?:it|they|\w+) called\b|\bname the\b|\bwhat names?\b", re.I
)
_OF_THE = re.compile(r"\s+of\s+(?:the|these|those|its|their)\s+", re.I)  # "how many of the 2,000 fighters"
_EXACT_DAY = re.compile(
    r"\b(?:when exactly|exactly when|(?:on )?(?:what|which) (?:exact |precise |specific )?(?:calendar )?(?:date|day)|"
    r"(?:exact|precise|specific) (?:calendar )?(?:date|day))\b(?!-)",
    re.I,
)
_COUNT_OF = re.compile(r"\s*(?:[\w-]+\s+){0,2}?(?:number|count|amount|quantity)\s+of\s+", re.I)
_COUNT_NOUNS = frozenset(("number", "count", "amount", "quantity"))
_WHAT_IS_THE = re.compile(r"\b(?:what|which) (?:is|was|are|were) the\b", re.I)
# "Who was Iraq's oil minister?": the noun phrase a copular question asks to identify.
_WHO_IS_NAME = re.compile(r"^\s*who(?:\s+(?:is|was|are|were)|['’]s)\s+(?P<name>[^?]+?)\s*\??\s*$", re.I)


def _only_name(analysis: Analysis, text: str) -> bool:
    """Whether the rest of a "who is ..." question is just a proper name ("Saad al-Hadithi")."""
    m = _WHO_IS_NAME.match(text)
    if not m:
        return False
    rest = [w for w in analysis.words if w.start >= m.start("name") and w.pos != "PUNCT"]
    return bool(rest) and all(w.pos == "PROPN" or w.tag == "HYPH" or w.text.lower() == "al" for w in rest)


_COPULAR = re.compile(
    r"^(?:who|what)\s+(?:is|was|are|were)\s+(?!to\b)(?:the\s+)?(?P<np>[^?]+?)\s*(?:\?|$|\b(?:who|that|which|whose|when|in|at|on|during|according)\b)",
    re.I,
)
_ATTRIBUTION = re.compile(
    r"\baccording to (?P<who>[^,?]+)|\b(?:as )?reported by (?P<who2>[^,?]+)|\bas (?P<who4>[\w/ -]+?) put it\b|"
    r"\bper (?P<who5>[A-Z][\w/ -]+?)(?:['’]s\b[^,?]*)?(?=[,?]|$)|"
    r"\bin (?P<who3>[\w/ -]+?)'s (?:\d{4} )?(?:report|coverage|article|story)\b",
    re.I,
)
# A name from code: dotted ("pathlib.Path.walk"), with an underscore ("rel_tol") or called ("kde()").
_IDENTIFIER = re.compile(r"[A-Za-z_][\w.]*\w(?:\(\))?")
_KEYWORD = re.compile(r"\b([A-Za-z_]\w+)=")  # "unique=True"
_QUOTED_VALUE = re.compile(r"\b[A-Za-z_]\w+ ?= ?[\"'“‘]([\w.+-]{2,})[\"'”’]")  # "webb" of 'type = "webb"'
_NAMED_PARAMETER = re.compile(
    r"(?:\bthe|['’]s)\s+([A-Za-z_]\w+)\s+(?:parameter|argument|keyword argument)\b"
)  # "the strict parameter", "shutil.rmtree's onexc parameter"
# "REVTeX 3", "Python 3.12", "version 7": a name and the number that tells one of its kind from the others (no
# year: "the 2018 meeting" is dated by its article as often as written)
_NUMBERED = re.compile(r"(?<![\w.-])([A-Za-z][\w+-]*)\s+v?(\d{1,3}(?:\.\d+)*)(?![\w.]*\d)")
# "DebConf22", "Python3", "Win32": a name with its number written onto it (a capitalised name: not "sha256", "utf8")
_GLUED_NUMBER = re.compile(r"(?<![\w.-])([A-Z][A-Za-z]*[a-z][A-Za-z]*|[A-Z]{2,})(\d{1,3})(?![\w.]*\d|\w)")
_NAME_MEANING = re.compile(r"\b(?:stands?|stood)\s+for\b|\bmean\b|\bshort\s+for\b", re.I)
_ORIGIN = re.compile(r"\b(?:come|comes|came|coming)\s+from\b|\boriginat", re.I)
_NUMBERED_WORDS = versions.PARTS | {"version", "release"}  # words that number things: "version 7", "table 2"
_ALTERNATIVES = re.compile(r"\b(?:as |in |by |on )?(?:an? |the )?(?P<a>[\w-]+(?: [\w-]+)?) or (?:as |in |by |on )?(?:an? |the )?(?P<b>[\w-]+(?: [\w-]+)?)\s*\?$", re.I)
_TURNED_OUT = re.compile(r"(?:turn|turns|turned|turning)\s+out\b", re.I)
_LIGHT_VERBS = set(
    lexical.stems(
        """be is was were are been have has had do does did say says said tell told make made take took get got go
        went come came become became give gave put let seem happen happened mention mentioned call called name named
        describe described report reported know known consider considered""".split()
    )
)
_CALENDAR = set(lexical.stems([*dates.MONTHS, *dates.WEEKDAYS]))


@dataclass(frozen=True)
class Question:
    """A question, analysed.

    ``wants`` are the entity labels that answer it; ``partly`` those that answer it less well (an organisation
    for "who"). ``focus`` holds the stemmed noun asked about ("seats" in "how many seats"). ``essential`` are the
    stemmed terms an answering sentence must match, and ``words`` maps each to the question's own word.
    """

    text: str
    kind: str
    wants: frozenset[str]
    partly: frozenset[str]
    focus: tuple[str, ...]
    plural: bool
    terms: tuple[str, ...]
    essential: tuple[str, ...]
    words: dict[str, str]
    names: tuple[str, ...]
    strict_names: tuple[str, ...]
    identifiers: tuple[str, ...]
    possessives: tuple[tuple[str, str], ...]
    named: bool = False
    subject: tuple[str, ...] = ()
    alternatives: tuple[tuple[str, ...], ...] = ()
    exact_day: bool = False  # "on what date", "when exactly": a day, not a month or "later this year"
    calendar_date: bool = False  # "on what date": a day of the calendar, not "on Sunday" of an undated article
    verbs: tuple[str, ...] = ()  # the question's own verbs ("agreed" in "when was the centre agreed"), stemmed
    verb_lemmas: tuple[str, ...] = ()  # the same verbs' dictionary forms ("speak" for "spoken")
    code_names: tuple[str, ...] = ()  # names from code as the question writes them (see code_names())
    parameters: tuple[str, ...] = ()  # the parameters among them ("unique" of "unique=True"), see parameter_names()
    callables: tuple[str, ...] = ()  # ... and what they are parameters of ("insort" of "bisect.insort()")
    versioned: tuple[str, ...] = ()  # what a version is asked of ("hyperref" of "which version of hyperref")
    defined: tuple[str, ...] = ()  # what "What is X?" asks to define ("critic", "extens"), see defined_terms()
    numbered: tuple[tuple[str, str], ...] = ()  # numbered names ("REVTeX", "3"), see numbered_names()
    slot: str = ""  # the kind of name a "which <thing>" question asks for ("code", "phone"), see slots.asked_slot()

    @property
    def place_class(self) -> str:
        """'country' or 'local' when a "which X" question asks for a country or a smaller place, else ''."""
        if self.kind != "where" or not self.focus:
            return ""
        head = self.focus[-1]
        return "country" if head in _COUNTRY_CLASS else "local" if head in _LOCAL_CLASS else ""


_LOCATIVES = frozenset("in at near from into inside outside around across throughout of".split())


def _place_of_something(analysis: Analysis, e: entities.Entity) -> bool:
    """Whether a one-word place that is not a country is named as where something is or happens: after a
    locative preposition ("in Aleppo") or before a noun ("the Astana peace talks"), not as an actor ("Riyadh said")."""
    if entities.is_country(e.text):
        return False
    before = [w for w in analysis.words if w.start + len(w.text) <= e.start and w.pos != "DET"]
    after = [w for w in analysis.words if w.start >= e.end]
    after_locative = bool(before) and before[-1].text.lower() in _LOCATIVES
    return after_locative or bool(after and after[0].pos in ("NOUN", "PROPN"))


def _class_of(stem: str) -> str | None:
    for kind, nouns in (
        ("who", _PERSON_CLASS),
        ("where", _PLACE_CLASS),
        ("org", _ORG_CLASS),
        ("when", _TIME_CLASS),
        ("number", _NUMBER_CLASS),
    ):
        if stem in nouns:
            return kind
    return None


_MIXED_CASE = re.compile(r"[A-Za-z][a-z]*[A-Z][A-Za-z\d]*")  # "OpenJDK", "PostgreSQL", "iPhone"


def _noun_after(analysis: Analysis, offset: int, owned: bool = False) -> tuple[str | None, bool, int]:
    """The head noun of the noun phrase starting after character ``offset``: (word, plural, its index).

    The phrase runs over determiners, numbers, adjectives, nouns and hyphenated parts ("Iran-allied militia");
    its head is its last noun. ``owned``: what a possessive owns is the head ("how many of the original's
    principal authors": authors), not its owner.
    """
    words = [w for w in analysis.words if w.start >= offset]
    head: tuple[str | None, bool, int] = (None, False, -1)
    for i, w in enumerate(words):
        hyphenated = w.tag == "HYPH" or (i > 0 and words[i - 1].tag == "HYPH")
        if w.pos in ("NOUN", "PROPN") or _MIXED_CASE.fullmatch(w.text):  # "OpenJDK" is a name, whatever its tag
            head = (w.text, w.tag in ("NNS", "NNPS"), i)
        elif owned and w.tag == "POS" and head[0] is not None:
            head = (None, False, -1)  # "the original's principal authors": the owner is no head, what it owns is
        elif w.pos == "DET" and head[0] is not None:
            break  # "keywords an MNRAS paper may list": a determiner after the head starts another phrase
        elif w.pos in ("ADJ", "NUM", "DET") or hyphenated or w.text.lower() in ("u.s.", "us"):
            continue
        elif head[0] is None and (w.pos == "ADV" or w.tag in ("VBG", "VBN")):
            continue  # "roughly 2,000 remaining fighters"
        else:
            break
    return head


def possessives(analysis: Analysis) -> list[tuple[str, str]]:
    """(owner, head noun) stem pairs of ``X's N`` constructions with a named owner, e.g. ("abadi", "bloc").

    "The terrorist group's stronghold" (a common-noun owner) may refer to anyone, so it is left out.
    """
    words = analysis.words
    out = []
    for i, w in enumerate(words):
        if w.tag != "POS" or i == 0 or words[i - 1].pos != "PROPN":
            continue
        owner = lexical.terms(words[i - 1].text)
        for nxt in words[i + 1 : i + 4]:
            if nxt.pos == "NOUN":
                head = lexical.terms(nxt.text)
                if owner and head:
                    out.append((owner[-1], head[0]))
                break
            if nxt.pos not in ("ADJ", "ADV", "PUNCT", "NOUN") and nxt.tag != "HYPH":
                break
    return out


_WANTS = {
    "who": (entities.PERSON, entities.ORG | entities.GROUP | entities.PLACE),
    "where": (entities.PLACE, entities.GROUP),
    "org": (entities.ORG, entities.GROUP),
    "name": (entities.NAMED - entities.GROUP, frozenset()),
    "number": (entities.NUMBER, entities.TIME),
    "when": (entities.TIME, frozenset()),
}


def publisher_terms(text: str) -> set[str]:
    """Terms of a publisher the question attributes the facts to ("according to RFE/RL", "in Breitbart's report").

    An article rarely names its own publisher, so these are not words an answering sentence must match. An
    attribution to someone in the news ("according to Abadi's spokesman") is kept.
    """
    out: set[str] = set()
    for m in _ATTRIBUTION.finditer(text):
        who = next(g for g in m.groups() if g).strip()
        who = re.sub(r"['’]s\s+(?:\d{4}\s+)?(?:report|reporting|coverage|article|story)\b.*$", "", who)
        who = re.sub(r"\s+in \d{4}$", "", who.strip())
        if all(w[:1].isupper() or not w[:1].isalpha() for w in who.split()):
            out |= set(lexical.terms(who))
    return out


# "a file named mypkg.cron", "my SONAME is libfoo2.so.3": a name the asker gives their own thing, not one the
# documents must use. Only an indefinite or possessive thing ("the function called f" names one of theirs).
_ASKER_NAMED = re.compile(
    r"\b(?:(?:an?|my|our)\s+(?:[\w'’-]+\s+){0,3}(?:named|called)|(?:my|our)\s[^.?!,;]{0,50}?\b(?:is|are))"
    r"\s+[\"'`“‘]?(?P<name>[^\s\"'`”’,;?]*[\w)])",
    re.I,
)


# A sentence of the question that tells, in the first person, what the asker has or did ("I have a partial index
# on payments (customer_id) WHERE amount > 1000."), not what they ask: it ends in a full stop, not "?".
_TOLD = re.compile(r"(?:[^.?!]|\.(?=\S))*?\b(?:I|I'm|I've|we|we're|we've|my|our|us)\b[^?!]*?[.!](?=\s|$)", re.I)
# In it, the names of their own things (a table "order_lines", a key "orders_pkey") and quoted values ("LIKE
# 'smi%'"). A dotted name ("functools.cached_property"), an option ("--parallel") or a call ("clock_timestamp()")
# or a keyword argument ("max_workers=4") names something documented that they use.
_TOLD_NAME = re.compile(r"(?<![\w.-])[A-Za-z]\w*_\w*[A-Za-z\d](?![\w(]|\.\w|\s*=)|[\"'`‘“][^\"'`’”\n]{1,60}[\"'`’”]")


# "as in chown alice: report.txt", "e.g. wc -w -c -l": an example the asker makes up; its file names and options
# (not a function it names: "for example with write.table()")
_EXAMPLE = re.compile(r"\b(?:as in|e\.g\.|for example|for instance|such as)[,:]?\s+(?P<example>[^?;]+)", re.I)
_EXAMPLE_NAME = re.compile(r"(?<![\w.-])(?:--?[A-Za-z][\w-]*|[\w-]+\.[a-z0-9]{1,4})(?![\w.(-])")


def without_asker_names(question: str) -> str:
    """``question`` with the names the asker gives their own things blanked out ("I installed a file named
    mypkg.cron"), and the file names and options of an example they make up ("as in chown alice: report.txt"):
    those are no names the documents must hold."""
    for m in _ASKER_NAMED.finditer(question):
        question = question[: m.start("name")] + " " * len(m.group("name")) + question[m.end("name") :]
    for m in _EXAMPLE.finditer(question):
        example = _EXAMPLE_NAME.sub(lambda n: " " * len(n.group(0)), m.group("example"))
        question = question[: m.start("example")] + example + question[m.end("example") :]
    return question


def without_told_names(question: str, values_only: bool = False) -> str:
    """``question`` with the names in what the asker tells of their own setup blanked out ("I ran ALTER INDEX
    orders_pkey SET (fillfactor = 70).", "I use LIKE 'smi%'."), there and wherever the question repeats them: names
    from code the documents need not hold, though their words still say what the question is about
    (``values_only``: only the quoted values, whose words don't)."""
    names = {m.group(0) for told in _TOLD.finditer(question) for m in _TOLD_NAME.finditer(told.group(0))}
    if values_only:  # only the quoted values: data, whose words say nothing of what is asked ("'2024-02-01'")
        names = {n for n in names if n[0] in "\"'`‘“"}
    for name in names:  # and wherever the question names them again ("... on created_on. Does a row with created_on")
        question = re.sub(rf"(?<![\w.-]){re.escape(name)}(?![\w(])", " " * len(name), question)
    return question


def _dollar(question: str, at: int) -> bool:
    """Whether the name at ``at`` is a variable in capitals read as a shell or a Makefile reads one ("$RANDOM",
    "${HOME}"): a name from code, however plain the word. Not one in small letters ("$str" of "[[ $str =~ $re ]]"),
    which is the asker's own."""
    word = _IDENTIFIER.match(question, at)
    return question[max(0, at - 2) : at].endswith(("$", "${")) and word is not None and word.group(0).isupper()


def identifiers(question: str) -> tuple[str, ...]:
    """The names from code in ``question``, each as its terms joined by spaces ("rel tol"): like a person's name,
    the documents must use them."""
    found = ((m.group(0), _dollar(question, m.start())) for m in _IDENTIFIER.finditer(question))
    code = [w for w, var in found if var or "_" in w or "." in w.rstrip(".") or w.endswith("()")]
    return tuple(dict.fromkeys(" ".join(terms) for w in code if (terms := lexical.terms(w))))


def code_names(question: str) -> tuple[str, ...]:
    """The names from code in ``question`` as it writes them, which an answer's passages must hold literally: the
    last part of a dotted name or the whole of one with an underscore ("commonpath" of "os.path.commonpath()",
    "QUOTE_STRINGS"), a command-line option ("--json-lines"), a keyword argument ("unique" of "unique=True") and
    the name in "the strict parameter", and a keyword's quoted value ("webb" of 'type = "webb"'). An abbreviation
    ("U.S.", "e.g.") is no name from code."""
    found = []
    for m in _IDENTIFIER.finditer(question):
        word = m.group(0)
        parts = word.removesuffix("()").rstrip(".").split(".")
        code = "_" in word or len(parts) > 1 or word.endswith("()") or _dollar(question, m.start())
        if code and min(map(len, parts)) > 1:
            found.append(parts[-1])
    found += option_names(question)
    found += parameter_names(question)
    found += keyword_values(question)  # a keyword's value: a name the documents give
    return tuple(dict.fromkeys(found))


def keyword_values(question: str) -> list[str]:
    """The quoted values ``question`` gives keywords: "webb" of 'type = "webb"'."""
    return [m.group(1) for m in _QUOTED_VALUE.finditer(question)]


def parameter_names(question: str) -> tuple[str, ...]:
    """The parameters ``question`` names: "unique" of "unique=True", "strict" of "the strict parameter"."""
    found = [m.group(1) for m in _KEYWORD.finditer(question)]
    found += [m.group(1) for m in _NAMED_PARAMETER.finditer(question)]
    return tuple(dict.fromkeys(found))


def callable_names(question: str) -> tuple[str, ...]:
    """The last part of each dotted or called name of ``question`` ("commonpath" of "os.path.commonpath()")."""
    found = []
    for m in _IDENTIFIER.finditer(question):
        word = m.group(0)
        parts = word.removesuffix("()").rstrip(".").split(".")
        if (len(parts) > 1 or word.endswith("()")) and min(map(len, parts)) > 1:
            found.append(parts[-1])
    return tuple(dict.fromkeys(found))


_VERSION_OF = re.compile(r"\b(?:version|release)\s+of\s+(?:the\s+)?([A-Za-z][\w.+-]*\w)", re.I)


def versioned_names(question: str) -> tuple[str, ...]:
    """What ``question`` asks the version of: the name after "version of" ("hyperref", "Python")."""
    found = [m.group(1) for m in _VERSION_OF.finditer(question) if lexical.terms(m.group(1))]
    return tuple(dict.fromkeys(found))


# "What is the Critic extension?", "What are dunder methods?", "What is PathConverter for?", "What does EscapeAll do?"
_ASKS_DEFINITION = re.compile(
    r"^\s*(?:what\s+(?:is|are)\s+(?:an?\s+|the\s+)?(?P<a>[^?,;]{1,60}?)(?:\s+(?:for|used for)|\s+in\s+[^?,;]+)?"
    r"|what\s+(?:does|do)\s+(?:an?\s+|the\s+)?(?P<b>[^?,;]{1,60}?)\s+do)\s*\?\s*$",
    re.I,
)


def defined_terms(question: str) -> tuple[str, ...]:
    """The terms of what ``question`` asks to be defined ("critic", "extens" of "What is the Critic extension?")."""
    m = _ASKS_DEFINITION.match(question)
    return tuple(dict.fromkeys(lexical.terms(m.group("a") or m.group("b")))) if m else ()


def numbered_names(question: str) -> tuple[tuple[str, str], ...]:
    """The numbered names in ``question`` as (name, number): "REVTeX 3", "Python 3.12", "version 7", "figure 2",
    "DebConf22".

    The name is capitalised or a word that numbers things ("version", "chapter", "table"); not the question's
    first word, not a month ("May 5"), and the number has at most three digits, so no year.
    """
    found = []
    for m in _NUMBERED.finditer(question):
        name, number = m.groups()
        if m.start() == 0 or name.lower() in dates.MONTHS:
            continue
        if name[0].isupper() or name.lower() in _NUMBERED_WORDS:
            found.append((name, number))
    found += [(m.group(1), m.group(2)) for m in _GLUED_NUMBER.finditer(question) if m.start() > 0]
    return tuple(dict.fromkeys(found))


def question_start(text: str) -> int:
    """Where the question proper starts in a text that first sets the scene in sentences of its own ("We ran a
    formatter over the code. How can I see who wrote the lines?"): the first sentence that ends with "?"."""
    spans = split(text)
    asking = next((s for s in spans if text[s.start : s.end].rstrip().endswith("?")), None)
    if asking is None or asking is spans[0]:
        return 0
    before = text[: asking.start].rstrip()
    return asking.start if before.endswith((".", "!")) and not before.endswith("..") else 0  # not "INSERT ... RETURNING"


def analyse(text: str, analysis: Analysis) -> Question:
    """Analyse ``text`` given its tagged words and entities (see :mod:`rag.text.entities`)."""
    stripped = text.strip()
    kind = "other"
    focus: str | None = None
    plural = False
    # "How do I skip files whose name ...?", "How can I avoid it when ...?": a later "whose" or "when" opens a
    # clause of a question that asks for a way, not for a person or a time.
    start = question_start(stripped)
    slot = asked_slot(stripped)  # the kind of name "which <thing>" asks for, read once
    lead = _LEADING_CLAUSE.match(stripped, start)
    start = lead.end() if lead else start
    m = None if _HOW_MANNER.match(stripped, start) else _WH.search(stripped, start)
    if _AUX.match(stripped, start) and (m is None or m.start() > start):
        kind = "yesno"
    elif m:
        kind = next(k for k, v in m.groupdict().items() if v)
        if kind == "purpose":
            kind = "why"
        elif kind == "who" and _WHO_IS_NAME.match(stripped) and _only_name(analysis, stripped):
            kind = "other"  # "Who's Saad al-Hadithi?" asks what the person is, not for another name
        elif kind == "number" or kind == "which":
            after = _WHAT_IS_THE.match(stripped, m.start()) or _OF_THE.match(stripped, m.end())
            noun, plural, _ = _noun_after(analysis, after.end() if after else m.end(), owned=kind == "number")
            focus = noun
            if kind == "which":
                name_of = _NAME_OF.search(stripped)
                if name_of:
                    noun2, plural2, _ = _noun_after(analysis, name_of.end())
                    focus, plural = (noun2, plural2) if noun2 else (noun, plural)
                found = _class_of(lexical.terms(focus)[-1]) if focus and lexical.terms(focus) else None
                if slot in ("code", "exception"):
                    found = None  # "which command" asks for a name from software, not a "commander"
                if not found and _EXIT_STATUS.search(stripped, m.end()) and lexical.terms(focus or "")[-1:] in (["status"], ["code"]):
                    found = "number"
                if found == "org":
                    kind = "org"
                elif found:
                    kind = found
                elif name_of and not _NAME_MEANING.search(stripped, name_of.end()):
                    kind = "name"  # (what the name of X stands for is no other name: a meaning)
                else:
                    kind = "other"
                if re.match(r"(?:which|what)\s+(?:two|three|four|five|several|\d+)\b", stripped[m.start() :], re.I):
                    plural = True
            counted = _COUNT_OF.match(stripped, after.end() if after else m.end())
            if kind == "number" and focus and focus.lower() in _COUNT_NOUNS and counted:
                # "the maximum number of keywords": the number counts keywords, so it must stand by "keywords"
                noun, plural, _ = _noun_after(analysis, counted.end(), owned=True)
                focus = noun or focus
    if kind == "other" and (name_the := re.match(r"\s*(?:please\s+)?name\s+(?:the|a|an|one|two|three)\b", stripped, re.I)):
        focus, plural, _ = _noun_after(analysis, name_the.end())
        stem = lexical.terms(focus)[-1] if focus and lexical.terms(focus) else ""
        kind = _class_of(stem) or "name"  # "Name the agency that ...": an organisation; "Name the arm ...": a name
    if kind == "where" and _ORIGIN.search(stripped, m.end() if m else 0):
        kind = "other"  # "where does the name come from?" asks for an origin, a source: a place is one of many
    exact = _EXACT_DAY.search(stripped)
    if kind == "other" and exact:
        kind = "when"  # "Give me the exact date the memorandum was signed."
    named = bool(_NAME_OF.search(stripped))
    wants, partly = _WANTS.get(kind, (frozenset(), frozenset()))
    if named and kind in ("who", "org"):
        partly = frozenset()  # asked for a name: a nationality or a place is no stand-in
    if kind == "where" and (focus or not re.search(r"\bfrom\b", stripped, re.I)):
        partly = frozenset()  # "which towns": a nationality is no answer (but "where ... from": "Iraqi" is)
    terms = lexical.terms(stripped)
    focus_terms = tuple(lexical.terms(focus)) if focus else ()
    words: dict[str, str] = {}
    for w in analysis.words:
        for t in lexical.terms(w.text):
            words.setdefault(t, w.text.lower())
    numbers_asked = {t for t in terms if t.isdigit() or t in lexical.NUMBER_WORDS}
    # The noun of "which X" names the answer's class and rarely appears beside it, unless the class is not one
    # we know ("which accord" -> "the accord in Tehran").
    known_class = bool(focus_terms) and _class_of(focus_terms[-1]) is not None
    keep_focus = kind in ("number", "other") or (kind == "name" and not known_class)
    skip = (set() if keep_focus else set(focus_terms)) | _ANSWER_WORDS
    skip |= set(lexical.terms(m.group(0))) if m else set()
    skip |= set(lexical.terms(m.group("aim"))) if m and m.group("aim") else set()
    skip |= publisher_terms(stripped)
    if kind in ("which", "who", "where", "org", "name") or plural:
        skip |= numbers_asked
    own = without_asker_names(stripped)  # the question without the names the asker gives their own things
    skip |= set(terms) - set(lexical.terms(own))  # "mypkg" of "a file named mypkg.cron": no document writes it
    skip |= set(terms) - set(lexical.terms(without_told_names(own, values_only=True)))  # their data: "'2024-02-01'"
    own = without_told_names(own)  # ... nor those of what they tell of their setup (essential words all the same)
    essential = tuple(dict.fromkeys(t for t in terms if t not in skip))
    names = {t for e in analysis.entities if e.label in entities.NAMED for t in lexical.terms(e.text)}
    names = {t for t in names if len(t) > 2 and t not in _CALENDAR}
    # Names of people, organisations and places (not "European", "Iraqi"): the documents must mention them.
    # One-word places are left out: "France" may be written "French" (only regular forms like Iraq/Iraqi
    # match), and a capital may stand for its government ("Is Riyadh willing"). A town named as the place of
    # something ("in Aleppo", "the Astana talks") is kept.
    strict = {
        t
        for e in analysis.entities
        if e.label in entities.NAMED - entities.GROUP
        and own[e.start : e.end].strip()
        and (e.label not in entities.PLACE or " " in e.text.strip() or _place_of_something(analysis, e))
        for t in lexical.terms(e.text)
    } & names
    copular = _COPULAR.match(stripped)
    if copular:  # "who was heading Daesh", "who was appointed": a verb, not "who was <the oil minister>"
        first = next((w for w in analysis.words if w.start >= copular.start("np")), None)
        if first is not None and first.tag in ("VBG", "VBN"):
            copular = None
    subject: tuple[str, ...] = ()
    if copular and kind in ("who", "name"):
        np_start, np_end = copular.span("np")
        # "the State Department spokesperson relaying what Pompeo told Abadi": the noun phrase ends where a
        # participle starts a clause about it
        verb = next((w for w in analysis.words if np_start < w.start < np_end and w.tag in ("VBG", "VBN")), None)
        phrase = stripped[np_start : verb.start if verb else np_end]
        subject = tuple(t for t in lexical.terms(phrase) if t in essential and not t[:1].isdigit())
    verbs = [
        w
        for w in analysis.words
        if w.pos == "VERB"
        and w.tag != "VBG"
        and (stems := set(lexical.terms(w.text)))
        and stems <= set(essential)
        and not stems & _LIGHT_VERBS
        and not _TURNED_OUT.match(stripped, w.start)  # "turned out to be" says "was"
    ]
    alternatives: tuple[tuple[str, ...], ...] = ()
    choice = _ALTERNATIVES.search(stripped) if kind == "yesno" else None
    if choice:
        alternatives = tuple(tuple(lexical.terms(choice.group(g))) for g in ("a", "b"))
    return Question(
        text=stripped,
        kind=kind,
        wants=wants,
        partly=partly,
        focus=focus_terms,
        plural=plural,
        terms=tuple(terms),
        essential=essential,
        words={t: words.get(t, t) for t in essential},
        names=tuple(sorted(names & set(essential))),
        strict_names=tuple(sorted(strict & set(essential))),
        identifiers=identifiers(own),
        possessives=tuple(possessives(analysis)),
        named=named,
        subject=subject,
        alternatives=alternatives,
        exact_day=kind == "when" and bool(exact),
        calendar_date=kind == "when" and exact is not None and "date" in exact.group(0).lower(),
        verbs=tuple(t for w in verbs for t in lexical.terms(w.text)),
        verb_lemmas=tuple(w.lemma for w in verbs if w.lemma),
        code_names=code_names(own),
        parameters=parameter_names(own),
        callables=callable_names(own),
        versioned=versioned_names(stripped),
        defined=defined_terms(stripped),
        numbered=numbered_names(_TOLD.sub(lambda m: " " * len(m.group(0)), stripped)),  # not "I run version 2.3"
        slot=slot if kind in ("other", "number", "name") else "",
    )
