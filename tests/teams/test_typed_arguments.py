"""Commands' arguments are read into typed values at the edge, from the declaration; a value
that is there but wrong is said back in words, and the handler never runs."""

from datetime import date

import pytest

from imr_bot.domain.errors import BadDate, DomainError
from imr_bot.domain.policy import Permission
from imr_bot.teams.commands import (
    EMAIL,
    REASON,
    REFERENCE,
    Arg,
    Command,
    MissingArgument,
    date_after,
    date_until,
    optional_date,
)

TODAY = date(2027, 3, 22)


def declared(*arguments: Arg) -> Command:
    return Command("x", "x", "x", Permission.PREVIEW_PLAN, arguments=arguments)


PLAN = declared(Arg("received", date_until("deadline")), Arg("deadline", date_after("deadline")))


@pytest.mark.parametrize("typed, received, deadline", [
    ("21/12/2026", date(2026, 12, 21), None),
    ("2026-12-21", date(2026, 12, 21), None),
    ("21 Dec 2026 deadline 26 Feb 2027", date(2026, 12, 21), date(2027, 2, 26)),
    ("21st December 2026 DEADLINE 26/02/2027", date(2026, 12, 21), date(2027, 2, 26)),
    ("today", TODAY, None),
    ("today deadline 30 Apr 2027", TODAY, date(2027, 4, 30)),
])
def test_dates_are_read_however_people_type_them(typed, received, deadline):
    assert PLAN.parse(typed, today=TODAY) == {"received": received, "deadline": deadline}


@pytest.mark.parametrize("typed", ["the 32nd of Smarch", "31/02/2027", "21 Dec 2026 deadline soon",
                                   "21 Dec 2026 deadline"])
def test_a_date_that_is_not_one_is_refused_in_words(typed):
    with pytest.raises(DomainError) as refused:
        PLAN.parse(typed, today=TODAY)
    assert "Traceback" not in str(refused.value) and str(refused.value)


def test_a_missing_date_asks_for_it():
    for typed in ("", "   ", "deadline 26 Feb 2027"):
        with pytest.raises(MissingArgument):
            PLAN.parse(typed, today=TODAY)


def test_an_optional_date_is_none_when_not_given_and_a_date_when_it_is():
    submitted = declared(REFERENCE, Arg("on", optional_date))
    assert submitted.parse("DDSCP/CSPR/2027/003", today=TODAY) == {
        "reference": "DDSCP/CSPR/2027/003", "on": None}
    assert submitted.parse("DDSCP/CSPR/2027/003 19 Mar 2027", today=TODAY)["on"] == date(2027, 3, 19)
    with pytest.raises(BadDate):
        submitted.parse("DDSCP/CSPR/2027/003 yesterday-ish", today=TODAY)


@pytest.mark.parametrize("typed, email", [
    ("Sam.Director@Council.gov.uk", "sam.director@council.gov.uk"),
    ("<sam.director@council.gov.uk>", "sam.director@council.gov.uk"),
    ("mailto:o'neill@council.gov.uk", "o'neill@council.gov.uk"),
])
def test_an_email_is_read_lower_cased(typed, email):
    delegate = declared(REFERENCE, EMAIL)
    assert delegate.parse(f"DDSCP/CSPR/2027/003 {typed}", today=TODAY)["email"] == email


@pytest.mark.parametrize("typed", ["sam", "sam@", "@council.gov.uk", "sam@council", "<script>@x.y"])
def test_something_that_is_not_an_email_is_refused_in_words(typed):
    with pytest.raises(DomainError, match="is not an email address"):
        declared(REFERENCE, EMAIL).parse(f"DDSCP/CSPR/2027/003 {typed}", today=TODAY)


def test_a_reason_loses_its_leading_because_and_may_be_empty():
    hold = declared(REFERENCE, REASON)
    assert hold.parse("R1 because police investigation", today=TODAY)["reason"] == \
        "police investigation"
    assert hold.parse("R1", today=TODAY)["reason"] == ""
