"""A meeting's own rules: nobody's acceptance moves with the time, sending what was already sent
changes nothing, no meeting is arranged in the past, and the outcome's day is never refused."""

from datetime import UTC, date, datetime, time

import pytest

from imr_bot.domain.calendar import WorkingCalendar
from imr_bot.domain.errors import DomainError
from imr_bot.domain.meetings import (
    LONDON,
    Answer,
    Meeting,
    MeetingKind,
    MeetingStatus,
    check_slot,
    default_held_on,
)
from imr_bot.domain.urls import teams_meeting_link

CAL = WorkingCalendar.for_england()
QA, AUTHOR, MANAGER = 4, 2, 3
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # Mon 23 Nov 2026


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime.combine(date(2026, month, day), time(hour, minute), tzinfo=LONDON)


def draft() -> Meeting:
    return Meeting(review_id=1, kind=MeetingKind.SCOPING, organiser_id=QA,
                   participant_ids=(QA, AUTHOR, MANAGER), starts=at(26, 10), id=7)


def sent(location: str = "Room 4") -> Meeting:
    return draft().send(QA, at(26, 10), 60, location, CAL, NOW)


# -- a counter-proposal confirmed --------------------------------------------------------------
def test_a_confirmed_counter_proposal_asks_again_whoever_accepted_the_earlier_time():
    meeting = sent().answer(AUTHOR, accept=True, proposed=None, calendar=CAL, now=NOW)
    meeting = meeting.answer(MANAGER, accept=False, proposed=at(27, 14), calendar=CAL, now=NOW)
    moved = meeting.confirm(QA, at(27, 14), CAL, NOW)
    assert moved.status == MeetingStatus.PROPOSED and moved.starts == at(27, 14)
    assert moved.awaiting() == [AUTHOR]  # the 10:00 acceptance does not carry over
    assert moved.agreed() == [QA, MANAGER]
    assert moved.sequence == meeting.sequence + 1
    confirmed = moved.answer(AUTHOR, accept=True, proposed=None, calendar=CAL, now=NOW)
    assert confirmed.status == MeetingStatus.CONFIRMED
    assert confirmed.agreed() == [QA, AUTHOR, MANAGER]


def test_when_everyone_else_proposed_the_confirmed_time_it_is_confirmed_at_once():
    meeting = sent().answer(AUTHOR, accept=False, proposed=at(27, 14), calendar=CAL, now=NOW)
    meeting = meeting.answer(MANAGER, accept=False, proposed=at(27, 14), calendar=CAL, now=NOW)
    confirmed = meeting.confirm(QA, at(27, 14), CAL, NOW)
    assert confirmed.status == MeetingStatus.CONFIRMED
    assert confirmed.agreed() == [QA, AUTHOR, MANAGER]


def test_someone_who_proposed_a_third_time_is_asked_about_the_one_confirmed():
    meeting = sent().answer(AUTHOR, accept=False, proposed=at(30, 9), calendar=CAL, now=NOW)
    meeting = meeting.answer(MANAGER, accept=False, proposed=at(27, 14), calendar=CAL, now=NOW)
    moved = meeting.confirm(QA, at(27, 14), CAL, NOW)
    assert moved.awaiting() == [AUTHOR] and moved.counter_proposals() == []


def test_keeping_the_original_time_keeps_its_acceptances_and_names_who_asked_for_another():
    meeting = sent().answer(AUTHOR, accept=True, proposed=None, calendar=CAL, now=NOW)
    meeting = meeting.answer(MANAGER, accept=False, proposed=at(27, 14), calendar=CAL, now=NOW)
    kept = meeting.confirm(QA, None, CAL, NOW)
    assert kept.status == MeetingStatus.CONFIRMED and kept.starts == at(26, 10)
    assert kept.agreed() == [QA, AUTHOR]  # the line manager did not agree to 10:00


# -- sending again ------------------------------------------------------------------------------
def test_sending_the_same_details_again_changes_nothing():
    meeting = sent().answer(AUTHOR, accept=True, proposed=None, calendar=CAL, now=NOW)
    assert meeting.same_as_sent(at(26, 10), 60, "  Room 4 ")
    again = meeting.send(QA, at(26, 10), 60, "Room 4", CAL, NOW)
    assert again == meeting and again.answers == {AUTHOR: Answer(AUTHOR, True)}


def test_a_new_place_keeps_the_answers_a_new_time_or_length_clears_them():
    meeting = sent().answer(AUTHOR, accept=True, proposed=None, calendar=CAL, now=NOW)
    placed = meeting.send(QA, at(26, 10), 60, "Room 9", CAL, NOW)
    assert placed.answers == meeting.answers and placed.location == "Room 9"
    assert placed.sequence == meeting.sequence + 1 and placed.status == MeetingStatus.PROPOSED
    for starts, minutes in ((at(26, 11), 60), (at(26, 10), 90)):
        changed = meeting.send(QA, starts, minutes, "Room 4", CAL, NOW)
        assert changed.answers == {} and changed.sequence == meeting.sequence + 1


def test_a_draft_is_always_sent_even_with_its_suggested_details():
    assert not draft().same_as_sent(at(26, 10), 60, "")
    assert draft().send(QA, at(26, 10), 60, "", CAL, NOW).status == MeetingStatus.PROPOSED


# -- the past -------------------------------------------------------------------------------------
@pytest.mark.parametrize("starts", [at(20, 10), at(23, 8, 30)])  # last Friday; earlier today
def test_a_time_already_passed_is_refused_saying_when_it_is_now(starts):
    with pytest.raises(DomainError) as refused:
        check_slot(starts, 60, CAL, NOW)
    assert "has already passed (it is now Mon 23 Nov 2026, 09:00)" in str(refused.value)
    assert "Please choose a later date or time." in str(refused.value)


def test_the_past_is_refused_to_the_organiser_and_to_a_counter_proposal_alike():
    with pytest.raises(DomainError, match="already passed"):
        draft().send(QA, at(20, 10), 60, "", CAL, NOW)
    with pytest.raises(DomainError, match="already passed"):
        sent().answer(AUTHOR, accept=False, proposed=at(20, 14), calendar=CAL, now=NOW)
    later = datetime(2026, 11, 26, 12, tzinfo=UTC)
    with pytest.raises(DomainError, match="already passed"):  # 10:00 that day has gone by
        sent().confirm(QA, None, CAL, later)


# -- the outcome's day ---------------------------------------------------------------------------
@pytest.mark.parametrize(("starts", "today", "expected"), [
    (at(26, 10), date(2026, 11, 23), date(2026, 11, 23)),  # recorded early: today
    (at(26, 10), date(2026, 11, 26), date(2026, 11, 26)),  # on the day
    (at(26, 10), date(2026, 12, 1), date(2026, 11, 26)),  # later: the planned day
    (datetime(2026, 6, 9, 23, 30, tzinfo=UTC), date(2026, 6, 12),
     date(2026, 6, 10)),  # 00:30 BST: London's day, not UTC's
])
def test_the_outcome_form_offers_a_day_it_accepts(starts, today, expected):
    assert default_held_on(starts, today) == expected


# -- the Join button ----------------------------------------------------------------------------
@pytest.mark.parametrize("text", [
    "https://teams.microsoft.com/l/meetup-join/19%3ameeting_NjQ%40thread.v2/0?context=%7b%22Tid%22%3a%22x%22%7d",
    " https://teams.microsoft.com/meet/2345678?p=abc ",
    "https://teams.live.com/meet/9876543",
])
def test_a_teams_meeting_link_gets_a_join_button(text):
    assert teams_meeting_link(text) is not None


@pytest.mark.parametrize("text", [
    "", "Room 4, County Hall", "http://teams.microsoft.com/l/meetup-join/x",
    "https://teams.microsoft.com.evil.example/l/meetup-join/x",
    "https://evil.example/teams.microsoft.com", "https://user@teams.microsoft.com/l/x",
    "https://teams.microsoft.com:8443/l/x", "javascript:alert(1)",
    "https://teams.microsoft.com/l/meetup-join/{\"Tid\"}",
])
def test_anything_else_is_shown_as_text_never_as_a_button(text):
    assert teams_meeting_link(text) is None
