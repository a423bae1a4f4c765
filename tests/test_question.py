"""Reading questions and dates: the kind of answer asked for, the words it must match, relative dates."""

from __future__ import annotations

from datetime import date

import pytest

from rag.answer.question import (
    Question,
    analyse,
    code_names,
    numbered_names,
    publisher_terms,
    without_asker_names,
)
from rag.ingest.borrowing import borrow_dates
from rag.records import Document, Span
from rag.text import dates
from rag.text.entities import is_country, tagger
from rag.text.words import same_place


def ask(text: str) -> Question:
    return analyse(text, tagger().analyse([text])[0])


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("When did the council meet?", "when"),
        ("On what date was the treaty signed?", "when"),
        ("How many seats did the party win?", "number"),
        ("How long did the talks last?", "number"),
        ("Who chaired the meeting?", "who"),
        ("Which minister resigned?", "who"),
        ("Where was the accord signed?", "where"),
        ("In which city did they meet?", "where"),
        ("Which news agency reported the deal?", "org"),
        ("What is the name of the operation?", "name"),
        ("What is the name of the new committee?", "org"),
        ("Why did the talks collapse?", "why"),
        ("What was the stated purpose of the visit?", "why"),
        ("What motive did the analyst give for the attacks?", "why"),
        ("Did the minister resign?", "yesno"),
        ("How did the ministry respond?", "other"),
        ("How do I skip the files whose names start with tmp?", "other"),  # "whose" opens a clause of a how
        ("How can I avoid the cost when logging is off?", "other"),
        ("Name the agency that reported the deal.", "org"),
        ("Name the bridge that collapsed.", "name"),
        # A leading "when/if ..." clause sets the scene; the question proper after its comma says what is asked.
        ("When I raise a new error inside an except block, how do I hide the first one?", "other"),
        ("When I run the tool without -n, how many loops does it pick?", "number"),
        ("If the list is empty, does max() raise an error?", "yesno"),
        ("When was the centre agreed, and who signed it?", "when"),
    ],
)
def test_question_kinds(text: str, kind: str) -> None:
    assert ask(text).kind == kind


def test_focus_plural_and_essential_words() -> None:
    q = ask("How many seats did Haidar al-Abadi's bloc win in the 2018 elections?")
    assert q.focus == ("seat",) and "seat" in q.essential  # "54 seats": the counted noun stays essential
    assert ("abadi", "bloc") in q.possessives and "abadi" in q.names
    owned = ask("How many of the council's elected members must sign the petition?")
    assert owned.kind == "number" and owned.focus == ("member",)  # what the council owns is counted, not councils

    towns = ask("Which two towns were hit by the floods?")
    assert towns.kind == "where" and towns.plural and towns.place_class == "local"
    assert "town" not in towns.essential and "two" not in towns.essential
    assert ask("Which European country closed its airspace?").place_class == "country"


def test_hyphenated_class_nouns_and_named_requests() -> None:
    q = ask("Which Iran-allied militia threatened the convoy?")
    assert q.kind == "org" and q.focus == ("militia",)
    names = ask("What are the names of the deputy chiefs of staff?")
    assert names.kind == "who" and names.named and not names.partly  # a nationality is no name


def test_publishers_are_not_words_to_match() -> None:
    assert publisher_terms("According to RFE/RL's 2018 report, who led the talks?") == {"rfe", "rl"}
    assert publisher_terms("What would the cell do, according to Abadi's spokesman?") == set()
    q = ask("According to Breitbart, how did the agreement help Russia?")
    assert "breitbart" not in q.essential and "russia" in q.essential


def test_the_askers_quoted_data_and_own_names_are_not_names_the_documents_must_use() -> None:
    """"I use both LIKE 'smi%' and LIKE '%son'.": the quoted values are the asker's data, no words to match; their
    column "customer_id" is no name the documents must write, though its words still say what is asked."""
    q = ask("I have an index on customer_id. I use both LIKE 'smi%' and LIKE '%son'. Can the index speed them up?")
    assert "smi" not in q.essential and "son" not in q.essential
    assert "custom" in q.essential and not q.identifiers and not q.code_names
    assert not ask("I uploaded version 2.3-3 by mistake. What version should the reverting upload have?").numbered
    assert ask("What changed in version 2.3 of the format?").numbered == (("version", "2.3"),)


def test_either_or_questions_keep_their_alternatives() -> None:
    q = ask("Was the address released as an audio recording or as a video?")
    assert q.kind == "yesno" and q.alternatives == (("audio", "record"), ("video",))


def test_places_and_their_people() -> None:
    assert same_place("russia", "russian") and same_place("iraq", "iraqi") and same_place("kurdish", "kurdistan")
    assert not same_place("iran", "iraq") and not same_place("moscow", "russia")
    assert is_country("Bulgaria") and is_country("the United States") and is_country("U.S.")
    assert not is_country("Mosul") and not is_country("Tehran")


def test_parts_of_months_and_offsets() -> None:
    text = "A couple of days before its campaign began at the end of September 2015, Russia agreed to share data."
    found = [(m.text, dates.human(m.value, m.precision, m.part)) for m in dates.mentions(text, None) if m.value]
    assert found == [
        ("A couple of days before", "late September 2015"),
        ("at the end of September 2015", "late September 2015"),
    ]
    put = "Putin spoke to the king on September 26, just two days before the Russian leader is due to address the UN."
    values = {m.text: m.value for m in dates.mentions(put, date(2015, 9, 19), exact_date=False)}
    assert values["September 26"] == date(2015, 9, 26) and values["two days before"] == date(2015, 9, 28)


def test_offsets_count_from_the_sentence_before() -> None:
    text = "The statement contradicted remarks made a day earlier by the foreign minister."
    (m,) = [m for m in dates.mentions(text, None, anchor=date(2015, 9, 26)) if m.value]
    assert m.value == date(2015, 9, 25) and m.from_anchor
    assert "a day earlier (25 September 2015)" in dates.spell_out(text, None, anchor=date(2015, 9, 26))
    following = dates.mentions("The following day, the envoy flew home.", None, anchor=date(2017, 7, 23))
    assert [m.value for m in following] == [date(2017, 7, 24)]
    late = dates.spell_out("Late last year, the law passed.", date(2017, 7, 30))
    assert "(2016)" in late


def _doc(source: str, text: str, iso: str | None) -> Document:
    return Document(source, text, "t", source, iso, iso is not None, [Span(0, len(text))])


def test_undated_articles_borrow_the_date_of_an_article_quoting_the_same_statement() -> None:
    quote = (
        "The command said the pact came with increased concern about the presence of thousands of fighters "
        "from abroad undertaking criminal acts in the region."
    )
    dated = _doc("a.txt", f"Officials met on Saturday. {quote} Talks go on.", "2015-09-19")
    undated = _doc("b.txt", f"Iraq announced a pact. {quote} Critics were unhappy.", None)
    unrelated = _doc("c.txt", "A different story about the weather in spring, with no quote in common at all.", None)
    borrow_dates([undated, unrelated], [dated, undated, unrelated])
    assert (undated.date, undated.date_inferred) == ("2015-09-19", True)
    assert unrelated.date is None


def test_questions_asking_for_a_calendar_date() -> None:
    q = ask("Give me the exact calendar date the accord was signed.")
    assert q.kind == "when" and q.exact_day and q.calendar_date and "give" not in q.essential
    day = ask("On which day did the minister resign?")
    assert day.exact_day and not day.calendar_date  # "on Sunday" answers it
    assert not ask("What day-to-day problems angered voters?").exact_day


def test_unknown_towns_must_be_named_by_the_documents_but_capitals_acting_need_not() -> None:
    assert "astana" in ask("Which country hosted the Astana peace talks?").strict_names
    assert "mosul" in ask("How many people fled from Mosul?").strict_names
    capitals = ask("Is Riyadh willing to work with Damascus?")  # the Saudi and Syrian governments
    assert "riyadh" not in capitals.strict_names and "damascus" not in capitals.strict_names
    assert "france" not in ask("Did France close its airspace?").strict_names  # may be written "French"


def test_what_someone_is_trying_to_achieve_asks_for_a_purpose() -> None:
    q = ask("What are the holdout fighters in the north trying to achieve?")
    assert q.kind == "why" and {"holdout", "fighter", "north"} <= set(q.essential)
    assert "achiev" not in q.essential and "tri" not in q.essential
    assert ask("What does the union want from the talks?").kind == "why"
    assert ask("What did the talks achieve?").kind == "other"  # an outcome, not an aim


def test_who_was_with_a_verb_is_not_a_copular_question() -> None:
    assert ask("Who was the oil minister?").subject == ("oil", "minist")
    assert ask("Who was heading the council in 2019?").subject == ()
    assert ask("Who was appointed governor?").subject == ()


def test_a_speaker_is_asked_for_only_by_the_main_clause() -> None:
    from rag.answer.typed import _asks_speaker

    assert _asks_speaker(ask("Which agency reported the deal?"))
    assert _asks_speaker(ask("Tell me who was saying the talks had failed."))
    assert not _asks_speaker(ask("Who was prime minister when the pact was announced?"))
    assert not _asks_speaker(ask("Who are the rebels fighting, according to the report on the talks?"))


def test_speakers_of_a_sentence() -> None:
    from rag.answer.typed import _speakers

    def speakers(text: str) -> list[str]:
        return _speakers(text, tagger().analyse([text])[0])

    assert speakers("According to terrorism expert Hisham Al-Hashemi, 2,000 fighters remain.") == [
        "terrorism expert Hisham Al-Hashemi"
    ]
    assert speakers('"We will be back by Friday," said ferry company spokeswoman Anna Lund.') == [
        "ferry company spokeswoman Anna Lund"
    ]
    assert speakers("The Defense Ministry on September 1 said it hosted delegations.") == []  # a date, not a speaker


def test_a_role_is_filled_only_by_a_name_beside_it() -> None:
    from rag.answer.candidates import Candidate
    from rag.answer.matching import TermMatcher
    from rag.answer.typed import _role_unfilled
    from rag.index.embedders import make_embedder
    from rag.settings import Settings

    q = ask("Who was the prime minister when the port reopened?")
    matcher = TermMatcher(q, make_embedder(Settings()), lambda _t: 1.0)

    def unfilled(text: str) -> bool:
        c = Candidate(passage=None, rank=0, start=0, end=len(text), text=text)  # type: ignore[arg-type]
        return _role_unfilled(q, c, tagger().analyse([text])[0], matcher)

    assert unfilled("Mayor Greta Holm met the prime minister on Monday.")  # the role, but no name for it
    assert not unfilled("Prime Minister Anna Berg met Mayor Greta Holm on Monday.")
    assert not unfilled("Mayor Greta Holm opened the port on Monday.")  # the role is not mentioned at all


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("In which version was the strict parameter added to os.path.commonpath()?", ("commonpath", "strict")),
        ("What does the --without-scm-ignore-files option of python -m venv do?", ("--without-scm-ignore-files", "-m")),
        ("How do I make bisect.insort() refuse duplicates by passing unique=True?", ("insort", "unique")),
        ("Since which version does csv provide QUOTE_STRINGS?", ("QUOTE_STRINGS",)),
        ("How do I reject both -v/--verbose and -q/--quiet?", ("-v", "--verbose", "-q", "--quiet")),
        ("What timestamp format does touch -t expect?", ("-t",)),  # a one-letter option too
        ("Had Russia's part in the U.S.-led coalition been decided, e.g. by vote?", ()),
        ("What was the military option the minister ruled out?", ()),
        ('What does type = "webb" draw the factors from?', ("webb",)),  # a keyword's quoted value, R's spacing
        ("Does read_csv() accept engine='python'?", ("read_csv", "engine", "python")),
    ],
)
def test_names_from_code_as_the_question_writes_them(text: str, names: tuple[str, ...]) -> None:
    assert code_names(text) == names


def test_the_names_of_a_made_up_example_are_the_askers_own() -> None:
    """Options and file names in an example the asker makes up need not be written in the documents."""
    wc = "In what order does wc print its counts, e.g. wc -w -c -l?"
    assert code_names(wc) == ("-w", "-c", "-l") and code_names(without_asker_names(wc)) == ()
    chown = "What does chown do with a colon but no group, as in chown alice: report.txt?"
    assert code_names(without_asker_names(chown)) == ()
    assert "chown" in without_asker_names(chown)  # the words around the names stay
    table = "How do I save a data frame to a text file, for example with write.table()?"
    assert code_names(without_asker_names(table)) == ("table",)  # a function the example names is asked about


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("In what year was REVTeX 3 released?", (("REVTeX", "3"),)),
        ("How do I generate a time-ordered version 7 UUID?", (("version", "7"),)),
        ("What changed between Python 3.12 and Python 3?", (("Python", "3.12"), ("Python", "3"))),
        ("What does figure 2 show?", (("figure", "2"),)),
        ("Who spoke on May 5 at the 2018 meeting?", ()),  # a day and a year
        ("Name 3 countries that joined.", ()),  # the first word, a count
        ("How many of the 30 seats did they win?", ()),
        ("Where and when was DebConf22 held?", (("DebConf", "22"),)),  # the number written onto the name
        ("Is IPv6 supported on AMD64?", (("IPv", "6"), ("AMD", "64"))),
        ("What does sha256 hash and what is x86_64?", ()),  # lower-case names from code: not named by number
    ],
)
def test_numbered_names(text: str, names: tuple[tuple[str, str], ...]) -> None:
    assert numbered_names(text) == names


def test_turned_out_to_be_is_no_event_verb() -> None:
    """ "Which company turned out to be the client?" asks who was the client: no sentence needs to say "turned"."""
    t = tagger()
    text = "Which company turned out to be the client behind the trend stories?"
    assert analyse(text, t.analyse([text])[0]).verbs == ()
    text = "When did the company turn the factory into flats?"
    assert analyse(text, t.analyse([text])[0]).verbs == ("turn",)
