"""Reading a partnership's request email into the commission form, field by field."""

from datetime import date
from pathlib import Path

import pytest

from imr_bot.domain.commission_form import validate_commission
from imr_bot.domain.request_email import plain_text, read_request

EMAILS = Path(__file__).parent / "request_emails"
TODAY = date(2026, 11, 20)


def read(name: str) -> dict[str, str]:
    return read_request((EMAILS / name).read_text(), TODAY).values


def test_a_forwarded_ddscp_request_is_read_from_the_original_message():
    assert read("ddscp_forwarded.txt") == {
        "reference": "DDSCP/CSPR/2026/014", "review_type": "CSPR", "body": "DDSCP",
        "received": "2026-11-09",  # the original's "Sent:", not the forward's
        "tor_start": "2024-04-01", "tor_end": "2026-03-31", "ddscp_date": "2027-01-15"}


def test_a_dhr_from_community_safety_with_numeric_dates():
    assert read("dhr_community_safety.txt") == {
        "reference": "CSP/DHR/2026/03", "review_type": "DHR",
        "body": "Community Safety Partnership", "received": "2026-11-04",
        "tor_start": "2023-06-01", "tor_end": "2026-09-30", "ddscp_date": "2027-01-18"}


def test_html_with_a_reference_split_over_a_line():
    assert read("html_split_reference.txt") == {
        "reference": "DDSCP/CSPR/2026/021", "review_type": "CSPR", "body": "DDSCP",
        "received": "2026-10-27", "tor_start": "2025-01-01", "tor_end": "2026-06-30",
        "ddscp_date": "2026-12-03"}


def test_forwarded_twice_with_short_dates_and_a_hyphenated_reference():
    assert read("fw_fw_short_dates.txt") == {
        "reference": "CSP-DHR-2026-07", "review_type": "DHR",
        "body": "Community Safety Partnership", "received": "2026-11-02",
        "tor_start": "2024-01-01", "tor_end": "2026-08-31", "ddscp_date": "2027-01-29"}


def test_a_quoted_outlook_reply_with_a_date_due_to_something_else():
    assert read("outlook_reply_quoted.txt") == {
        "reference": "DDSCP/CSPR/2026/019", "review_type": "CSPR", "body": "DDSCP",
        "received": "2026-11-03",  # "On Tue, 3 Nov 2026 at 09:14, … wrote:"
        "tor_start": "2025-01-01", "tor_end": "2026-02-28",
        "ddscp_date": "2027-02-12"}  # not "due to concerns raised on 2 March 2026"


def test_a_message_with_no_reference_gives_only_what_it_says():
    assert read("no_reference.txt") == {"review_type": "CSPR", "body": "DDSCP"}


@pytest.mark.parametrize("name", ["ddscp_forwarded.txt", "dhr_community_safety.txt",
                                  "outlook_reply_quoted.txt",
                                  "html_split_reference.txt", "fw_fw_short_dates.txt",
                                  "no_reference.txt"])
def test_no_name_from_the_message_is_read(name):
    text = (EMAILS / name).read_text()
    values = read_request(text, TODAY).values
    assert "subject_initials" not in values and "notes" not in values
    for name_in_email in ("Child K", "Adult B", "Baby M", "Sam Example", "Jo Bloggs", "Alex"):
        assert not any(name_in_email.split()[-1] in v for v in values.values())


def test_a_sent_date_after_today_is_not_taken_as_received():
    values = read_request("Sent: 1 December 2026 09:00\nRef: DDSCP/CSPR/2026/030", TODAY).values
    assert "received" not in values and values["reference"] == "DDSCP/CSPR/2026/030"


def test_a_period_that_runs_backwards_is_not_read():
    values = read_request("Terms of reference: 31/03/2026 to 01/04/2024", TODAY).values
    assert "tor_start" not in values and "tor_end" not in values


def test_what_is_read_passes_the_forms_validation_once_initials_are_given():
    from imr_bot.domain.calendar import WorkingCalendar

    values = {**read("ddscp_forwarded.txt"), "subject_initials": "CK"}
    commission = validate_commission(values, TODAY, WorkingCalendar.for_england())
    assert commission.reference == "DDSCP/CSPR/2026/014"


def test_plain_text_drops_tags_and_decodes_entities():
    assert plain_text("<p>A&amp;B</p><p>next&nbsp;line</p>") == "A&B\nnext line"


def test_a_past_date_due_to_something_is_skipped_for_the_submission_date_after_it():
    text = ("Sent: 10/11/2026 08:30\nA DHR is due to the events of 2 March 2026; "
            "please submit your IMR by 5 Feb 2027.")
    values = read_request(text, TODAY).values
    assert values["ddscp_date"] == "2027-02-05" and values["received"] == "2026-11-10"


@pytest.mark.parametrize(("written", "iso"), [
    ("1st April 2024 to 31st March 2026", ("2024-04-01", "2026-03-31")),
    ("01/04/2024 - 31/03/2026", ("2024-04-01", "2026-03-31")),
    ("1.4.24 – 31.3.26", ("2024-04-01", "2026-03-31")),
    ("2024-04-01 until 2026-03-31", ("2024-04-01", "2026-03-31")),
    ("Monday 1 April 2024 to Tuesday 31 March 2026", ("2024-04-01", "2026-03-31")),
    ("1 Sept 2024 to 3 Dec. 2025", ("2024-09-01", "2025-12-03")),
])
def test_terms_of_reference_periods_in_several_styles(written, iso):
    values = read_request(f"The terms of reference cover {written}.", TODAY).values
    assert (values.get("tor_start"), values.get("tor_end")) == iso
