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
