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
