"""Time between two events: reading the question, rounding the amount, and checking a claimed amount."""

from __future__ import annotations

from datetime import date

from rag.answer import intervals
from rag.text import dates


def test_questions_about_the_time_between_two_events() -> None:
    iv = intervals.parse("How many years passed between the treaty and the first election?")
    assert iv == intervals.Interval("year", "the treaty", "the first election")
    assert intervals.parse("How long was it between the flood and the vote?") == intervals.Interval(
        "", "the flood", "the vote"
    )
    assert intervals.parse("How many days of talks were held between Iran and Iraq?") is None  # not elapsed time
    assert intervals.parse("When was the treaty signed?") is None


def test_amounts_are_rounded_as_the_dates_allow() -> None:
    assert intervals._amount(7, "day", exact=True) == "7 days"
    assert intervals._amount(1075, "year", exact=False) == "about 3 years"
    assert intervals._amount(900, "year", exact=False) == "about 2.5 years"
    assert intervals._amount(12300, "year", exact=False) == "about 34 years"
    assert intervals._amount(45, "", exact=True) == "45 days"
    assert intervals._amount(45, "", exact=False) == "about 6 weeks"


def test_a_claimed_amount_is_checked_against_the_cited_dates() -> None:
    cited = dates.mentions("The pact came at the end of September 2015.", None) + dates.mentions(
        "They met on September 1.", date(2018, 9, 3)
    )
    assert intervals.supports("About 3 years", cited)
    assert not intervals.supports("About 5 years", cited)
    assert not intervals.supports("Three delegations came", cited)


def test_the_day_that_opens_a_range_takes_the_year_that_closes_it() -> None:
    """"from 23 June to 9 July 2016" dates both days in 2016, whatever the page's own date; a range over the new
    year ("28 December to 3 January 2019") opens in the year before."""
    from datetime import date

    from rag.text import dates

    page = date(2003, 9, 1)
    held = dates.mentions("It was held in Cape Town from 23 June to 9 July 2016 (preceded by DebCamp).", page)
    assert [(m.text, m.value) for m in held] == [("23 June", date(2016, 6, 23)), ("9 July 2016", date(2016, 7, 9))]
    over = dates.mentions("The freeze ran from 28 December to 3 January 2019.", page)
    assert over[0].value == date(2018, 12, 28)
    assert dates.mentions("On 5 May the talks began.", page)[0].value == date(2003, 5, 5)  # no range: the page's year


def test_a_text_whose_dates_run_over_years_has_no_date_of_its_own() -> None:
    """A history or a changelog states dates over decades: no publication date is inferred from them (a news
    story's dates, within months, still give one); "May of 1998" is a month of 1998, not a May of the page's year."""
    from datetime import date

    from rag.text import dates

    history = [
        "Debian was begun in August 1993 by Ian Murdock.",
        "Debian 1.1 was released on June 17th, 1996.",
        "Debian 3.0 followed on July 19th, 2002.",
        "The 5th of July saw the first conference, and Debian 11 came on August 14th, 2021.",
    ]
    assert dates.infer_date(history) is None
    story = ["Talks began on 1 September 2018.", "A deal followed in October 2018.", "It was signed on 3 October."]
    assert dates.infer_date(story) == date(2018, 10, 3)
    [may] = dates.mentions("It was first proposed to the list in May of 1998.", date(2003, 7, 5))
    assert (may.text, may.value) == ("May of 1998", date(1998, 5, 1))
