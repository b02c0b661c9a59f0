"""The meeting cards' data is built by teams/meeting_views from the facts the meeting use cases
give; a queued card's facts are JSON and come back as the same facts, so the card sent is the
card the reply would have shown."""

import json
from datetime import UTC, date, datetime

import pytest

from imr_bot.domain.meetings import MeetingKind
from imr_bot.domain.plan import Milestone
from imr_bot.services.meetings import (
    ConfirmedMeeting,
    CounterProposal,
    Invitation,
    OutcomeForm,
    Proposal,
)
from imr_bot.teams import meeting_views, notice_views

TEAMS_LINK = "https://teams.microsoft.com/l/meetup-join/19%3ameeting_NjQ%40thread.v2/0"
WINTER = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
SUMMER = datetime(2027, 6, 3, 13, 15, tzinfo=UTC)  # 14:15 in London
CARD = {"reference": "DDSCP/CSPR/2026/014", "meeting_id": 7, "sequence": 2,
        "organiser": "Quinn Lead", "participants": ("Quinn Lead", "Ada Author", "Lena Manager"),
        "greeting": "Ada", "calendar_path": "/calendar/abc.ics"}


def round_trip(view):
    return type(view).from_facts(json.loads(json.dumps(view.facts())))


EXAMPLES = [
    Proposal("DHR/2026/2", MeetingKind.MIDWAY, 3, ("Quinn Lead", "Ada Author"), SUMMER, 45, "",
             resend=True, error="The time shown has already passed."),
    Invitation(**CARD, kind=MeetingKind.SCOPING, starts=WINTER, minutes=90, location=TEAMS_LINK,
               note="The place has changed; the time is the same. Can you make it?",
               may_answer=True),
    Invitation(**CARD, kind=MeetingKind.QA, starts=SUMMER, minutes=30, location="", may_answer=False),
    CounterProposal("DDSCP/CSPR/2026/014", MeetingKind.SCOPING, 7, "Lena Manager", SUMMER, WINTER,
                    60, ("Ada Author",), ()),
    ConfirmedMeeting(**CARD, kind=MeetingKind.MIDWAY, starts=WINTER, minutes=60, location="Room 4",
                     agreed=("Quinn Lead", "Ada Author"), proposed_other=("Lena Manager",),
                     may_organise=False),
]


@pytest.mark.parametrize("view", EXAMPLES, ids=lambda v: type(v).__name__)
def test_the_facts_are_json_and_come_back_the_same(view):
    facts = view.facts()
    assert json.loads(json.dumps(facts)) == facts
    assert isinstance(facts["starts"], str) and isinstance(facts["kind"], str)
    assert round_trip(view) == view


def test_a_queued_invitation_renders_as_the_reply_would():
    view = EXAMPLES[1]
    sent = notice_views.render(json.loads(json.dumps({"view": "meeting_invite",
                                                      "facts": view.facts()})))
    assert sent == {"card": "meeting_invite", "data": meeting_views.invite_data(view)}
    data = sent["data"]
    assert (data["when"], data["day"], data["time"]) == (
        "Thu 26 Nov 2026, 10:00–11:30", "2026-11-26", "10:00")
    assert (data["where"], data["joinUrl"]) == ("Teams meeting (use Join)", TEAMS_LINK)
    assert data["participants"] == "Quinn Lead, Ada Author, Lena Manager"
    assert data["noAnswer"] is False and data["title"] == "Scoping meeting"


def test_an_invitation_without_a_place_or_the_right_to_answer():
    data = meeting_views.invite_data(EXAMPLES[2])
    assert (data["where"], data["joinUrl"], data["noAnswer"]) == ("to be confirmed", "", True)
    assert (data["day"], data["time"]) == ("2027-06-03", "14:15")  # London summer time


def test_the_counter_proposal_names_who_accepted_and_nobody_awaited():
    data = meeting_views.counter_data(EXAMPLES[3])
    assert data["proposed"] == "Thu 3 Jun 2027, 14:15–15:15"
    assert data["original"] == "Thu 26 Nov 2026, 10:00–11:00"
    assert (data["accepted"], data["awaiting"]) == ("Ada Author", "nobody")
    assert (data["day"], data["time"]) == ("2027-06-03", "14:15")


def test_the_confirmed_meeting_says_who_records_it_to_everyone_but_the_organiser():
    other = meeting_views.confirmed_data(EXAMPLES[4])
    assert other["agreed"] == "Quinn Lead and Ada Author"
    assert (other["proposedOther"], other["notAnswered"]) == ("Lena Manager", "")
    assert (other["isOrganiser"], other["recordable"]) == (False, False)
    assert other["whoActs"] == "Quinn Lead will record the outcome after the meeting."
    from dataclasses import replace
    organiser = meeting_views.confirmed_data(replace(EXAMPLES[4], may_organise=True))
    assert (organiser["isOrganiser"], organiser["recordable"], organiser["whoActs"]) == (
        True, True, "")
    qa = meeting_views.confirmed_data(replace(EXAMPLES[4], kind=MeetingKind.QA))
    assert (qa["recordable"], qa["whoActs"]) == (False, "")  # nothing to record


def test_the_outcome_forms():
    attendees = ((4, "Quinn Lead"), (9, "Ada Author"))
    name, data = meeting_views.outcome_form(OutcomeForm(
        "DHR/2026/2", MeetingKind.SCOPING, 3, date(2026, 11, 26), attendees,
        milestones=((Milestone.MIDWAY_REVIEW, date(2026, 12, 10)),)))
    assert name == "meeting_outcome_scoping"
    assert data["attendees"] == "4,9" and data["heldOn"] == "2026-11-26"
    assert data["attendeeChoices"] == [{"title": "Quinn Lead", "value": "4"},
                                       {"title": "Ada Author", "value": "9"}]
    assert data["milestones"] == [{"id": f"due_{Milestone.MIDWAY_REVIEW.value}",
                                   "label": f"{Milestone.MIDWAY_REVIEW.title} (default Thu 10 Dec 2026)",
                                   "value": "2026-12-10"}]
    name, data = meeting_views.outcome_form(OutcomeForm(
        "DHR/2026/2", MeetingKind.MIDWAY, 3, date(2026, 12, 10), attendees, ddscp=date(2027, 1, 29)))
    assert name == "meeting_outcome_midway" and data["ddscp"] == "2027-01-29"
    assert "milestones" not in data
