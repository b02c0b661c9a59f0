from datetime import date

import pytest

from imr_bot.domain.calendar import WorkingCalendar
from imr_bot.domain.commission_form import FieldError, parse_initials, validate_commission
from imr_bot.domain.dates import format_date, parse_date
from imr_bot.domain.errors import BadDate, ValidationFailed
from imr_bot.domain.review import CommissioningBody, ReviewType

CAL = WorkingCalendar.for_england()
TODAY = date(2026, 11, 23)

GOOD = {"reference": " DDSCP/CSPR/2026/014 ", "review_type": "cspr", "body": "DDSCP",
        "received": "", "tor_start": "01/01/2025", "tor_end": "30 Jun 2026",
        "subject_initials": "J.S.", "ddscp_date": "skip", "notes": ""}


@pytest.mark.parametrize("text", ["2026-12-21", "21/12/2026", "21 Dec 2026", "21 December 2026",
                                  "21st Dec 2026", "Mon 21 Dec 2026"])
def test_dates_are_read_in_each_accepted_form(text):
    assert parse_date(text) == date(2026, 12, 21)


def test_an_unreadable_date_says_which_forms_work():
    with pytest.raises(BadDate, match="2026-12-21, 21/12/2026 or 21 Dec 2026"):
        parse_date("next tuesday-ish")


def test_dates_are_shown_the_british_way_with_the_weekday():
    assert format_date(date(2026, 12, 24)) == "Thu 24 Dec 2026"


@pytest.mark.parametrize(("typed", "kept"), [("JS", "JS"), ("J.S.", "JS"), ("J S", "JS"),
                                             ("j s", "JS"), ("A", "A"), ("ABCD", "ABCD")])
def test_initials_are_kept_as_capital_letters(typed, kept):
    assert parse_initials(typed, TODAY) == kept


@pytest.mark.parametrize("name", ["John Smith", "Jo", "Smith", "john", "JOHNSMITH", "Jo Smith"])
def test_anything_that_looks_like_a_name_is_refused_with_the_reason(name):
    with pytest.raises(FieldError, match="name"):
        parse_initials(name, TODAY)


def test_a_good_commission_is_validated_and_trimmed():
    commission = validate_commission(GOOD, TODAY, CAL)
    assert commission.reference == "DDSCP/CSPR/2026/014"
    assert commission.review_type == ReviewType.CSPR
    assert commission.body == CommissioningBody.DDSCP
    assert commission.received == TODAY
    assert commission.subject_initials == "JS"
    assert commission.ddscp_date is None


def test_each_wrong_field_gets_its_own_message():
    bad = {**GOOD, "reference": "", "subject_initials": "John Smith", "tor_end": "31/12/2024",
           "received": "soon"}
    with pytest.raises(ValidationFailed) as caught:
        validate_commission(bad, TODAY, CAL)
    assert set(caught.value.errors) == {"reference", "subject_initials", "tor_end", "received"}
    assert "before its start" in caught.value.errors["tor_end"]


def test_a_received_date_in_the_future_is_refused():
    with pytest.raises(ValidationFailed) as caught:
        validate_commission({**GOOD, "received": "2027-01-04"}, TODAY, CAL)
    assert "future" in caught.value.errors["received"]


def test_an_unworkable_ddscp_date_is_refused_at_commission():
    with pytest.raises(ValidationFailed) as caught:
        validate_commission({**GOOD, "ddscp_date": "25/12/2026"}, TODAY, CAL)
    assert "not a working day" in caught.value.errors["ddscp_date"]


@pytest.mark.parametrize(("typed", "kept"), [("js", "JS"), ("Js", "JS"), ("kl", "KL"),
                                             ("j-s", "JS"), ("jks", "JKS"), ("  m.k  ", "MK")])
def test_initials_typed_in_lower_case_are_read_as_initials(typed, kept):
    assert parse_initials(typed, TODAY) == kept


@pytest.mark.parametrize("name", ["Jane Smith", "jane smith", "Mr Smith", "Mary-Jane",
                                  "O'Brien", "O\u2019Neill", "J Smith", "Jean-Luc Picard", "Amy",
                                  "tom", "Smith-Jones"])
def test_names_with_titles_hyphens_and_apostrophes_are_refused_as_names(name):
    with pytest.raises(FieldError, match="looks like a name"):
        parse_initials(name, TODAY)


@pytest.mark.parametrize(("typed", "said"), [
    ("31/02", "There is no 31 February."), ("31/02/2026", "There is no 31 February."),
    ("30 Feb 2027", "There is no 30 February."), ("31 April 2026", "There is no 31 April."),
    ("29/02/2027", "There is no 29 February in 2027."),
    ("12/31/2026", "There is no month 31"), ("28/02", "Please give the year too")])
def test_a_date_that_does_not_exist_is_said_so_not_blamed_on_the_format(typed, said):
    with pytest.raises(BadDate) as caught:
        parse_date(typed)
    assert str(caught.value).startswith(said)
    assert "couldn't read" not in str(caught.value)


def test_29_february_in_a_leap_year_is_a_date():
    assert parse_date("29/02/2028") == date(2028, 2, 29)


def test_a_refused_reference_or_initials_that_may_be_a_name_is_not_kept():
    from imr_bot.domain.commission_form import without_refused_names

    raw = {**GOOD, "reference": "Jane Smith", "subject_initials": "Mr Smith", "notes": "n"}
    kept = without_refused_names(raw, TODAY)
    assert kept["reference"] == "" and kept["subject_initials"] == ""
    assert kept["notes"] == "n" and kept["tor_start"] == GOOD["tor_start"]
    assert without_refused_names(GOOD, TODAY) == GOOD


@pytest.mark.parametrize(("name", "typed", "held"), [
    ("subject_initials", "js", "JS"), ("notes", "skip", ""), ("ddscp_date", "skip", ""),
    ("received", "today", "2026-11-23"), ("tor_start", "1 Jan 2025", "2025-01-01"),
    ("body", "csp", "Community Safety Partnership"), ("review_type", "dhr", "DHR"),
    ("template_pack", "skip", "derbyshire")])
def test_a_typed_answer_is_held_as_the_form_would_hold_it(name, typed, held):
    from imr_bot.domain.commission_form import form_value

    assert form_value(name, typed, TODAY) == held
