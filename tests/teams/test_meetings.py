"""Meetings: the scoping meeting (Day 4) and the midway review (Day 15), and the plan that follows."""

import json
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from aiohttp.test_utils import TestClient, TestServer
from icalendar import Calendar
from sqlalchemy import delete, select

from imr_bot.documents.calendar_invite import Invitee, invitation
from imr_bot.domain.notification import About, OutgoingNotification
from imr_bot.domain.plain_text import plain
from imr_bot.domain.plan import Milestone
from imr_bot.domain.stages import Stage
from imr_bot.services.access import REFUSAL
from imr_bot.store import tables as t
from imr_bot.store.unit_of_work import UnitOfWork
from imr_bot.teams import notice_views
from tests.teams.harness import AUTHOR, HEAD_OF_CP, LINE_MANAGER, QA_LEAD, card_text, cards, texts
from tests.teams.test_allocation import DEV, offer, offer_card, pool  # noqa: F401

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
async def allocated(pool):  # noqa: F811
    await offer(pool)
    accept = next(a for a in (await offer_card(pool))["actions"] if a["title"] == "Accept")
    await pool.submit(AUTHOR, {**accept["data"], "declaration": "true"})
    return pool


def last_card(teams, user, title: str) -> dict:
    return [c for c in cards(teams.inbox(user)) if title in card_text(c)][-1]


def action(card: dict, title: str) -> dict:
    for candidate in card["actions"]:
        if candidate["title"] == title:
            return candidate
    raise AssertionError(f"no action {title!r}")


async def review(teams):
    async with UnitOfWork(teams.app.database) as uow:
        return await uow.reviews.get("DDSCP/CSPR/2026/014")


async def fetch_calendar(teams, card: dict) -> Calendar:
    url = action(card, "Add to my calendar")["url"]
    path = url[url.index("/calendar/"):]
    async with TestClient(TestServer(teams.app.web)) as client:
        response = await client.get(path)
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/calendar")
        return Calendar.from_ical(await response.read())


async def test_the_qa_lead_gets_a_scoping_meeting_to_arrange_on_day_four(allocated):
    card = last_card(allocated, QA_LEAD, "Arrange the Scoping meeting")
    inputs = {e["id"]: e.get("value") for col in card["body"][2]["columns"] for e in col["items"]}
    assert inputs == {"day": "2026-11-26", "time": "10:00", "minutes": 60}


async def test_the_scoping_meeting_with_a_counter_proposal_then_a_rebased_plan(allocated):
    teams = allocated
    propose = last_card(teams, QA_LEAD, "Arrange the Scoping meeting")
    send = action(propose, "Send to participants")["data"]
    reply = texts(await teams.submit(QA_LEAD, {**send, "day": "2026-11-26", "time": "10:00",
                                               "minutes": "60", "location": "Room 4"}))
    assert "Sent: Thu 26 Nov 2026, 10:00–11:00" in reply
    invite = last_card(teams, AUTHOR, "Scoping meeting for DDSCP/CSPR/2026/014")
    assert "Thank you: you have accepted" in texts(
        await teams.submit(AUTHOR, action(invite, "Accept")["data"]))

    invite = last_card(teams, LINE_MANAGER, "Scoping meeting for DDSCP/CSPR/2026/014")
    inner = action(invite, "Propose another time")["card"]["actions"][0]["data"]
    reply = texts(await teams.submit(LINE_MANAGER, {**inner, "day": "2026-11-27", "time": "14:00"}))
    assert "Quinn Lead will confirm a time" in reply

    counter = last_card(teams, QA_LEAD, "Lena Manager proposes another time")
    assert "Fri 27 Nov 2026, 14:00–15:00" in card_text(counter)
    reply = texts(await teams.submit(QA_LEAD, action(counter, "Confirm the new time")["data"]))
    # Arun accepted 10:00, not 14:00: asked again, not told
    assert ("Moved to Fri 27 Nov 2026, 14:00–15:00, agreed by Quinn Lead and Lena Manager. "
            "Arun Author is asked to accept the new time or propose another") in reply
    assert not [c for c in cards(teams.inbox(AUTHOR)) if "Confirmed:" in card_text(c)]
    await teams.deliver()
    assert ("Quinn Lead chose the time you proposed for the scoping meeting for "
            "**DDSCP/CSPR/2026/014**: Fri 27 Nov 2026, 14:00–15:00. Arun Author is asked to "
            "accept it") in texts(teams.inbox(LINE_MANAGER))
    again = last_card(teams, AUTHOR, "Scoping meeting for DDSCP/CSPR/2026/014")
    assert ("you accepted Thu 26 Nov 2026, 10:00–11:00, and Quinn Lead and Lena Manager have "
            "agreed this time instead") in card_text(again)
    assert "Fri 27 Nov 2026, 14:00–15:00" in card_text(again)
    assert "everyone has accepted" in texts(
        await teams.submit(AUTHOR, action(again, "Accept")["data"]))

    for user in (AUTHOR, LINE_MANAGER, QA_LEAD):
        confirmed = last_card(teams, user, "Confirmed: Scoping meeting")
        assert "Fri 27 Nov 2026, 14:00–15:00" in card_text(confirmed)
        assert "Quinn Lead, Arun Author and Lena Manager" in card_text(confirmed)
    calendar = await fetch_calendar(teams, last_card(teams, AUTHOR, "Confirmed: Scoping meeting"))
    assert calendar["method"] == "REQUEST"
    (event,) = calendar.walk("VEVENT")
    assert event.decoded("dtstart").astimezone(UTC) == datetime(2026, 11, 27, 14, 0, tzinfo=UTC)
    assert int(event["sequence"]) == 1  # the time changed from the first proposal
    assert {str(a) for a in event.get("attendee")} == {
        "mailto:arun.author@council.test", "mailto:lena.manager@council.test",
        "mailto:quinn.lead@council.test"}
    assert "DDSCP/CSPR/2026/014" in str(event["summary"]) and "Arun" not in str(event["summary"])

    teams.clock.set(datetime(2026, 11, 27, 16, tzinfo=UTC))
    confirmed = last_card(teams, QA_LEAD, "Confirmed: Scoping meeting")
    (form,) = cards(await teams.submit(QA_LEAD, action(confirmed, "Record the outcome")["data"]))
    assert "Submission to DDSCP (default Wed 13 Jan 2027)" in card_text(form)
    record = action(form, "Record the outcome")["data"]
    reply = texts(await teams.submit(QA_LEAD, {
        **record, "held_on": "2026-11-27", "attendees": "", "notes": "",
        "due_midway_review": "2026-12-11", "due_report_to_qa": "2027-01-15",
        "due_qa_complete": "2027-01-29", "due_ddscp_submission": "2027-02-12"}))
    assert "Dates now:" in reply and "Submission to DDSCP: Fri 12 Feb 2027" in reply
    current = await review(teams)
    assert current.stage == Stage.SCOPING_HELD
    assert current.plan.done[Milestone.SCOPING_MEETING] == date(2026, 11, 27)
    assert current.plan.deadline == date(2027, 2, 12)
    assert all("agreed at the scoping meeting" in c.reason for c in current.plan.changes)
    assert "Submission to DDSCP: Fri 12 Feb 2027" in texts(teams.inbox(AUTHOR))
    midway = last_card(teams, QA_LEAD, "Arrange the Midway review")
    assert "2026-12-11" in str(midway)


async def test_the_midway_review_can_extend_the_ddscp_date_with_ddscps_agreement(allocated):
    teams = allocated
    send = action(last_card(teams, QA_LEAD, "Arrange the Scoping meeting"), "Send to participants")
    await teams.submit(QA_LEAD, {**send["data"], "day": "2026-11-26", "time": "10:00",
                                 "minutes": "60", "location": ""})
    for user in (AUTHOR, LINE_MANAGER):
        await teams.submit(user, action(last_card(teams, user, "Scoping meeting for"), "Accept")["data"])
    teams.clock.set(datetime(2026, 11, 26, 15, tzinfo=UTC))
    (form,) = cards(await teams.submit(QA_LEAD, action(
        last_card(teams, QA_LEAD, "Confirmed: Scoping meeting"), "Record the outcome")["data"]))
    await teams.submit(QA_LEAD, {**action(form, "Record the outcome")["data"],
                                 "held_on": "2026-11-26"})  # defaults kept
    midway = last_card(teams, QA_LEAD, "Arrange the Midway review")
    await teams.submit(QA_LEAD, {**action(midway, "Send to participants")["data"],
                                 "day": "2026-12-11", "time": "09:30", "minutes": "45"})
    for user in (AUTHOR, LINE_MANAGER):
        await teams.submit(user, action(last_card(teams, user, "Midway review for"), "Accept")["data"])
    assert "everyone has accepted" in texts(teams.inbox(LINE_MANAGER))
    teams.clock.set(datetime(2026, 12, 11, 12, tzinfo=UTC))
    (form,) = cards(await teams.submit(QA_LEAD, action(
        last_card(teams, QA_LEAD, "Confirmed: Midway review"), "Record the outcome")["data"]))
    record = action(form, "Record the outcome")["data"]
    reply = texts(await teams.submit(QA_LEAD, {**record, "held_on": "2026-12-11",
                                               "outcome": "extension", "reason": "new evidence",
                                               "ddscp": "2027-02-26", "ddscp_agreed": "false"}))
    assert "needs DDSCP's agreement" in reply
    assert (await review(teams)).stage == Stage.SCOPING_HELD  # nothing changed
    reply = texts(await teams.submit(QA_LEAD, {**record, "held_on": "2026-12-11",
                                               "outcome": "extension", "reason": "new evidence",
                                               "ddscp": "2027-02-26", "ddscp_agreed": "true"}))
    assert "Midway review: extension needed" in reply
    current = await review(teams)
    assert current.stage == Stage.MIDWAY_HELD and current.plan.deadline == date(2027, 2, 26)
    assert "extension agreed with DDSCP" in current.plan.changes[-1].reason


async def test_someone_not_invited_cannot_answer_the_meeting_card(allocated):
    teams = allocated
    send = action(last_card(teams, QA_LEAD, "Arrange the Scoping meeting"), "Send to participants")
    await teams.submit(QA_LEAD, {**send["data"], "day": "2026-11-26", "time": "10:00"})
    accept = action(last_card(teams, AUTHOR, "Scoping meeting for"), "Accept")["data"]
    assert texts(await teams.submit(DEV, accept)) == REFUSAL
    assert texts(await teams.submit(HEAD_OF_CP, {
        **send["data"], "day": "2026-11-26", "time": "11:00"})) == REFUSAL


async def test_a_proposal_outside_working_hours_or_days_is_refused(allocated):
    teams = allocated
    send = action(last_card(teams, QA_LEAD, "Arrange the Scoping meeting"), "Send to participants")
    assert "not a working day" in texts(await teams.submit(
        QA_LEAD, {**send["data"], "day": "2026-11-28", "time": "10:00"}))
    assert "within working hours" in texts(await teams.submit(
        QA_LEAD, {**send["data"], "day": "2026-11-26", "time": "19:00"}))


async def test_meeting_shows_what_is_awaited_from_whom(allocated):
    teams = allocated
    (card,) = cards(await teams.say(AUTHOR, "imr meeting DDSCP/CSPR/2026/014"))
    assert "Quinn Lead to send it" in card_text(card)


@pytest.mark.parametrize(("local", "utc"), [
    (datetime(2027, 3, 26, 10, 0), datetime(2027, 3, 26, 10, 0)),   # GMT, the Friday before
    (datetime(2027, 3, 29, 10, 0), datetime(2027, 3, 29, 9, 0)),    # BST from 28 March
    (datetime(2027, 10, 29, 10, 0), datetime(2027, 10, 29, 9, 0)),  # still BST
    (datetime(2027, 11, 1, 10, 0), datetime(2027, 11, 1, 10, 0)),   # GMT from 31 October
])
def test_invitations_carry_the_right_instant_across_the_clock_changes(local, utc):
    content = invitation(uid="u@imr-bot", sequence=2, summary="IMR R/1: scoping meeting",
                         description="d", location="", starts=local.replace(tzinfo=LONDON),
                         ends=local.replace(tzinfo=LONDON, hour=11),
                         organiser=Invitee("Q", "q@c.test"), attendees=[Invitee("A", "a@c.test")],
                         stamp=datetime(2027, 1, 1, tzinfo=UTC))
    (event,) = Calendar.from_ical(content).walk("VEVENT")
    assert event.decoded("dtstart").astimezone(UTC) == utc.replace(tzinfo=UTC)
    assert event["uid"] == "u@imr-bot" and int(event["sequence"]) == 2


async def test_an_invitation_for_a_time_since_moved_says_so_and_accepts_nothing(allocated):
    teams = allocated
    propose = last_card(teams, QA_LEAD, "Arrange the Scoping meeting")
    send = action(propose, "Send to participants")["data"]
    await teams.submit(QA_LEAD, {**send, "day": "2026-11-26", "time": "10:00", "minutes": "60",
                                 "location": "Room 4"})
    old = last_card(teams, AUTHOR, "Scoping meeting for DDSCP/CSPR/2026/014")
    await teams.submit(QA_LEAD, {**send, "day": "2026-11-27", "time": "11:00", "minutes": "60",
                                 "location": "Room 4"})
    replies = await teams.submit(AUTHOR, action(old, "Accept")["data"], card_id="old-invite")
    said = texts(replies)
    assert ("out of date: the scoping meeting has changed, and is now Fri 27 Nov 2026, "
            "11:00–12:00, Room 4") in said
    new = last_card(teams, AUTHOR, "Scoping meeting for DDSCP/CSPR/2026/014")
    assert ("The time has changed from Thu 26 Nov 2026, 10:00–11:00: Quinn Lead now proposes "
            "this time.") in card_text(new)
    update = teams.updates(AUTHOR)[-1]
    assert update.id == "old-invite" and not update.attachments[0].content.get("actions")
    review_id = (await review(teams)).id
    async with UnitOfWork(teams.app.database, read_only=True) as uow:
        meetings = await uow.meetings.for_review(review_id)
    assert all(m.answers == {} for m in meetings), meetings  # the old card answered nothing
    new = last_card(teams, AUTHOR, "Scoping meeting for DDSCP/CSPR/2026/014")
    said = texts(await teams.submit(AUTHOR, action(new, "Accept")["data"], card_id="new-invite"))
    assert "Thank you: you have accepted" in said
    assert "Accepted by you" in card_text(teams.updates(AUTHOR)[-1].attachments[0].content)


async def test_the_qa_lead_hears_who_the_invitation_has_not_reached_yet(allocated):
    teams = allocated
    async with teams.app.database.engine.begin() as connection:  # Lena's chat was never opened
        await connection.execute(delete(t.conversation_refs).where(
            t.conversation_refs.c.key == f"user:{LINE_MANAGER.aad}"))
    propose = last_card(teams, QA_LEAD, "Arrange the Scoping meeting")
    send = action(propose, "Send to participants")["data"]
    said = texts(await teams.submit(QA_LEAD, {**send, "day": "2026-11-26", "time": "10:00",
                                              "minutes": "60", "location": "Room 4"}))
    assert ("Lena has not opened the IMR bot yet; the invitation will reach them as soon as "
            "they do.") in said
    assert "Arun has not opened" not in said


TEAMS_LINK = "https://teams.microsoft.com/l/meetup-join/19%3ameeting_NjQ%40thread.v2/0"


async def send_scoping(teams, day="2026-11-26", time="10:00", location="Room 4") -> list:
    send = action(last_card(teams, QA_LEAD, "Arrange the Scoping meeting"),
                  "Send to participants")["data"]
    return await teams.submit(QA_LEAD, {**send, "day": day, "time": time, "minutes": "60",
                                        "location": location})


def invites(teams, user) -> list[dict]:
    return [c for c in cards(teams.inbox(user)) if "Scoping meeting for" in card_text(c)
            and not card_text(c).startswith("Confirmed")]


def titles(card: dict) -> list[str]:
    return [a["title"] for a in card.get("actions", [])]


async def meeting_now(teams):
    async with UnitOfWork(teams.app.database, read_only=True) as uow:
        (meeting,) = await uow.meetings.for_review((await review(teams)).id)
    return meeting


async def test_the_confirmed_card_shows_each_person_only_what_they_may_do(allocated):
    teams = allocated
    await send_scoping(teams)
    for user in (AUTHOR, LINE_MANAGER):
        await teams.submit(user, action(last_card(teams, user, "Scoping meeting for"), "Accept")["data"])
    organiser = last_card(teams, QA_LEAD, "Confirmed: Scoping meeting")
    assert titles(organiser) == ["Add to my calendar", "Change the time", "Record the outcome"]
    assert "will record the outcome" not in card_text(organiser)
    for user in (AUTHOR, LINE_MANAGER):
        card = last_card(teams, user, "Confirmed: Scoping meeting")
        assert titles(card) == ["Add to my calendar"]
        assert "Quinn Lead will record the outcome after the meeting." in card_text(card)
        assert "Quinn Lead, Arun Author and Lena Manager" in card_text(card)  # agreed by
    # the button withheld is still refused when its data is sent anyway
    record = action(organiser, "Record the outcome")["data"]
    assert texts(await teams.submit(AUTHOR, record)) == REFUSAL


async def test_keeping_the_original_time_says_who_asked_for_another(allocated):
    teams = allocated
    await send_scoping(teams)
    await teams.submit(AUTHOR, action(last_card(teams, AUTHOR, "Scoping meeting for"), "Accept")["data"])
    inner = action(last_card(teams, LINE_MANAGER, "Scoping meeting for"),
                   "Propose another time")["card"]["actions"][0]["data"]
    await teams.submit(LINE_MANAGER, {**inner, "day": "2026-11-27", "time": "14:00"})
    counter = last_card(teams, QA_LEAD, "Lena Manager proposes another time")
    reply = texts(await teams.submit(QA_LEAD, action(counter, "Confirm my original time")["data"]))
    assert "Confirmed for Thu 26 Nov 2026, 10:00–11:00, agreed by Quinn Lead and Arun Author" in reply
    card = card_text(last_card(teams, LINE_MANAGER, "Confirmed: Scoping meeting"))
    assert "Asked for another time" in card and "Lena Manager" in card


async def test_sending_an_unchanged_meeting_again_asks_nobody_and_clears_nothing(allocated):
    teams = allocated
    await send_scoping(teams)
    await teams.submit(AUTHOR, action(last_card(teams, AUTHOR, "Scoping meeting for"), "Accept")["data"])
    before = {user: len(teams.inbox(user)) for user in (AUTHOR, LINE_MANAGER)}
    said = texts(await send_scoping(teams, location=" Room 4 "))
    assert ("The scoping meeting was already sent for Thu 26 Nov 2026, 10:00–11:00, and nothing "
            "has changed, so nobody was asked again and no answer was cleared.") in said
    assert "Accepted so far: Arun Author. Still to answer: Lena Manager." in said
    await teams.deliver()
    assert {user: len(teams.inbox(user)) for user in (AUTHOR, LINE_MANAGER)} == before
    assert set((await meeting_now(teams)).answers) == {(await meeting_now(teams)).participant_ids[1]}
    # the line manager's first invitation still works, and confirms the meeting
    await teams.submit(LINE_MANAGER, action(last_card(teams, LINE_MANAGER, "Scoping meeting for"),
                                            "Accept")["data"])
    confirmed = len([c for c in cards(teams.inbox(AUTHOR)) if "Confirmed:" in card_text(c)])
    said = texts(await send_scoping(teams))
    assert ("already confirmed for Thu 26 Nov 2026, 10:00–11:00, and nothing has changed"
            in said)
    await teams.deliver()
    assert len([c for c in cards(teams.inbox(AUTHOR)) if "Confirmed:" in card_text(c)]) == confirmed
    assert (await meeting_now(teams)).status.value == "confirmed"


async def test_a_new_place_keeps_the_answers_and_gives_a_join_button(allocated):
    teams = allocated
    await send_scoping(teams)
    await teams.submit(AUTHOR, action(last_card(teams, AUTHOR, "Scoping meeting for"), "Accept")["data"])
    author_invites = len(invites(teams, AUTHOR))
    said = texts(await send_scoping(teams, location=TEAMS_LINK))
    assert "Updated the place for Thu 26 Nov 2026, 10:00–11:00" in said
    assert "answers already given stand" in said
    await teams.deliver()
    assert len(invites(teams, AUTHOR)) == author_invites  # Arun has answered: not asked again
    invite = invites(teams, LINE_MANAGER)[-1]
    assert "The place has changed; the time is the same." in card_text(invite)
    assert action(invite, "Join the meeting")["url"] == TEAMS_LINK
    assert "Teams meeting (use Join)" in card_text(invite) and TEAMS_LINK not in card_text(invite)
    said = texts(await teams.submit(LINE_MANAGER, action(invite, "Accept")["data"]))
    assert "everyone has accepted" in said
    for user in (AUTHOR, LINE_MANAGER, QA_LEAD):
        card = last_card(teams, user, "Confirmed: Scoping meeting")
        assert action(card, "Join the meeting")["url"] == TEAMS_LINK


@pytest.mark.parametrize("place", ["https://meet.example.org/room/4", "Room 4, County Hall",
                                   "https://teams.microsoft.com.example.org/l/meetup-join/x"])
async def test_a_place_that_is_not_a_teams_link_is_shown_as_text_without_join(allocated, place):
    teams = allocated
    await send_scoping(teams, location=place)
    invite = invites(teams, AUTHOR)[-1]
    assert "Join the meeting" not in titles(invite)
    assert plain(place) in card_text(invite)  # as typed, and no live link


async def test_the_invitation_itself_adds_the_proposed_time_to_the_calendar(allocated):
    teams = allocated
    await send_scoping(teams, location=TEAMS_LINK)
    invite = invites(teams, AUTHOR)[-1]
    assert titles(invite) == ["Accept", "Propose another time", "Join the meeting",
                              "Add to my calendar"]
    calendar = await fetch_calendar(teams, invite)
    (event,) = calendar.walk("VEVENT")
    assert str(event["status"]) == "TENTATIVE"  # proposed, not yet confirmed
    assert event.decoded("dtstart").astimezone(UTC) == datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
    assert str(event["location"]) == TEAMS_LINK


@pytest.mark.parametrize(("day", "time"), [("2026-11-20", "10:00"),  # last Friday
                                           ("2026-11-23", "09:00")])  # earlier today (10:00 now)
async def test_arranging_a_meeting_in_the_past_is_refused_and_nothing_is_sent(allocated, day, time):
    teams = allocated
    said = texts(await send_scoping(teams, day=day, time=time))
    assert "has already passed (it is now Mon 23 Nov 2026, 10:00)" in said
    assert "Please choose a later date or time." in said
    assert (await meeting_now(teams)).status.value == "draft"
    assert invites(teams, AUTHOR) == []
    # the form is still there, and a later time goes out
    assert "Sent: Thu 26 Nov 2026" in texts(await send_scoping(teams))


async def test_a_counter_proposal_in_the_past_is_refused(allocated):
    teams = allocated
    await send_scoping(teams)
    inner = action(last_card(teams, LINE_MANAGER, "Scoping meeting for"),
                   "Propose another time")["card"]["actions"][0]["data"]
    said = texts(await teams.submit(LINE_MANAGER, {**inner, "day": "2026-11-19", "time": "14:00"}))
    assert "Thu 19 Nov 2026, 14:00 has already passed" in said
    assert (await meeting_now(teams)).answers == {}


@pytest.mark.parametrize(("now", "expected"), [
    (datetime(2026, 11, 25, 16, tzinfo=UTC), "2026-11-25"),  # pressed before the day: today
    (datetime(2026, 11, 26, 15, tzinfo=UTC), "2026-11-26"),
    (datetime(2026, 12, 2, 9, tzinfo=UTC), "2026-11-26"),  # pressed days later: the planned day
])
async def test_held_on_defaults_to_a_day_the_form_accepts(allocated, now, expected):
    teams = allocated
    await send_scoping(teams)
    for user in (AUTHOR, LINE_MANAGER):
        await teams.submit(user, action(last_card(teams, user, "Scoping meeting for"), "Accept")["data"])
    teams.clock.set(now)
    (form,) = cards(await teams.submit(QA_LEAD, action(
        last_card(teams, QA_LEAD, "Confirmed: Scoping meeting"), "Record the outcome")["data"]))
    held_on = next(e for e in form["body"] if e.get("id") == "held_on")
    assert held_on["value"] == expected
    said = texts(await teams.submit(QA_LEAD, {**action(form, "Record the outcome")["data"],
                                              "held_on": held_on["value"]}))
    assert "can't have been held in the future" not in said and "Recorded." in said


async def test_the_meetings_table_and_the_counter_card_say_where_things_stand_in_words(allocated):
    teams = allocated
    await send_scoping(teams)
    await teams.submit(AUTHOR, action(last_card(teams, AUTHOR, "Scoping meeting for"), "Accept")["data"])
    inner = action(last_card(teams, LINE_MANAGER, "Scoping meeting for"),
                   "Propose another time")["card"]["actions"][0]["data"]
    await teams.submit(LINE_MANAGER, {**inner, "day": "2026-11-27", "time": "14:00"})
    counter = card_text(last_card(teams, QA_LEAD, "Lena Manager proposes another time"))
    assert "Accepted your time\nArun Author" in counter
    assert "whoever has not agreed to it (including anyone who accepted your time) is asked again" in counter
    (table,) = cards(await teams.say(AUTHOR, "imr meeting DDSCP/CSPR/2026/014"))
    shown = card_text(table)
    assert "Being answered" in shown
    assert "Quinn Lead to confirm a time (1 other time proposed)" in shown
    assert "(s)" not in shown


async def test_a_confirmed_meeting_given_a_new_time_asks_everyone_again(allocated):
    teams = allocated
    await send_scoping(teams)
    for user in (AUTHOR, LINE_MANAGER):
        await teams.submit(user, action(last_card(teams, user, "Scoping meeting for"), "Accept")["data"])
    confirmed = last_card(teams, QA_LEAD, "Confirmed: Scoping meeting")
    (form,) = cards(await teams.submit(QA_LEAD, action(confirmed, "Change the time")["data"]))
    assert "Sending it unchanged asks nobody again" in card_text(form)
    said = texts(await teams.submit(QA_LEAD, {**action(form, "Send to participants")["data"],
                                              "day": "2026-11-30", "time": "11:00",
                                              "minutes": "60", "location": "Room 4"}))
    assert "Sent: Mon 30 Nov 2026, 11:00–12:00" in said
    meeting = await meeting_now(teams)
    assert meeting.status.value == "proposed" and meeting.answers == {}
    for user in (AUTHOR, LINE_MANAGER):
        invite = card_text(invites(teams, user)[-1])
        assert ("The time has changed: you accepted Thu 26 Nov 2026, 10:00–11:00, and Quinn Lead "
                "now proposes this time.") in invite


async def test_changing_a_meeting_whose_time_has_passed_says_so_on_the_form(allocated):
    teams = allocated
    await send_scoping(teams)
    for user in (AUTHOR, LINE_MANAGER):
        await teams.submit(user, action(last_card(teams, user, "Scoping meeting for"), "Accept")["data"])
    teams.clock.set(datetime(2026, 11, 26, 12, tzinfo=UTC))
    confirmed = last_card(teams, QA_LEAD, "Confirmed: Scoping meeting")
    (form,) = cards(await teams.submit(QA_LEAD, action(confirmed, "Change the time")["data"]))
    assert "The time shown has already passed" in card_text(form)


async def test_a_confirmed_meeting_given_a_teams_link_stays_confirmed_and_everyone_can_join(allocated):
    teams = allocated
    await send_scoping(teams)
    for user in (AUTHOR, LINE_MANAGER):
        await teams.submit(user, action(last_card(teams, user, "Scoping meeting for"), "Accept")["data"])
    confirmed = last_card(teams, QA_LEAD, "Confirmed: Scoping meeting")
    (form,) = cards(await teams.submit(QA_LEAD, action(confirmed, "Change the time")["data"]))
    said = texts(await teams.submit(QA_LEAD, {**action(form, "Send to participants")["data"],
                                              "day": "2026-11-26", "time": "10:00",
                                              "minutes": "60", "location": TEAMS_LINK}))
    assert "everyone is sent the confirmed meeting with the new place" in said
    meeting = await meeting_now(teams)
    assert meeting.status.value == "confirmed" and len(meeting.answers) == 2
    for user in (AUTHOR, LINE_MANAGER, QA_LEAD):
        card = last_card(teams, user, "Confirmed: Scoping meeting")
        assert action(card, "Join the meeting")["url"] == TEAMS_LINK
    assert titles(last_card(teams, AUTHOR, "Confirmed: Scoping meeting")) == [
        "Join the meeting", "Add to my calendar"]


async def person_of(teams, user):
    async with UnitOfWork(teams.app.database) as uow:
        return await uow.people.by_email(user.email)


async def _queued(teams, user, kind: str) -> list[dict]:
    recipient = f"person:{(await person_of(teams, user)).id}"
    async with teams.app.database.engine.connect() as connection:
        rows = (await connection.execute(select(t.notifications).where(
            t.notifications.c.recipient == recipient, t.notifications.c.kind == kind)
            .order_by(t.notifications.c.id))).all()
    return [json.loads(row.payload) for row in rows]


async def test_a_queued_meeting_notice_is_json_facts_rendered_as_the_card_a_reply_gives(allocated):
    """The outbox carries what the meeting was (JSON facts, dates as ISO), not card data; sent,
    it is the same card as the one the reply routes show (the change form, the to-do list)."""
    teams = allocated
    (draft,) = await _queued(teams, QA_LEAD, "meeting_draft")
    assert draft["view"] == "meeting_propose" and "card" not in draft and "data" not in draft
    assert draft["facts"]["starts"] == "2026-11-26T10:00:00+00:00"
    assert draft["facts"]["kind"] == "scoping" and draft["facts"]["resend"] is False
    propose = last_card(teams, QA_LEAD, "Arrange the Scoping meeting")
    (change,) = cards(await teams.submit(QA_LEAD, {"verb": "meeting.change",
                                                   "meetingId": draft["facts"]["meeting_id"]}))
    assert change == propose

    send = action(propose, "Send to participants")["data"]
    await teams.submit(QA_LEAD, {**send, "day": "2026-12-01", "time": "14:30", "minutes": "90",
                                 "location": "Committee room 2"})
    (queued,) = await _queued(teams, LINE_MANAGER, "meeting_invite")
    facts = queued["facts"]
    assert queued["view"] == "meeting_invite"
    assert facts["starts"] == "2026-12-01T14:30:00+00:00" and facts["minutes"] == 90
    assert facts["greeting"] == "Lena" and facts["may_answer"] is True and facts["note"] == ""
    data = notice_views.render(queued)["data"]
    assert data["when"] == "Tue 1 Dec 2026, 14:30–16:00"
    assert (data["where"], data["day"], data["time"], data["noAnswer"]) == (
        "Committee room 2", "2026-12-01", "14:30", False)
    sent = last_card(teams, LINE_MANAGER, "Scoping meeting for DDSCP/CSPR/2026/014")
    (again,) = cards(await teams.submit(LINE_MANAGER, {"verb": "todo.invite",
                                                       "meetingId": facts["meeting_id"]}))
    assert again == sent


async def test_a_meeting_notice_queued_as_card_data_before_still_sends(allocated):
    """A row queued by the earlier version ({"card", "data"}) is sent as it was."""
    teams = allocated
    data = json.loads((Path(__file__).resolve().parents[2] / "cards" / "meeting_invite.data.json")
                      .read_text(encoding="utf-8"))
    data["title"] = "Queued long ago"
    meeting_id = (await _queued(teams, QA_LEAD, "meeting_draft"))[0]["facts"]["meeting_id"]
    author, review_id = await person_of(teams, AUTHOR), (await review(teams)).id
    async with UnitOfWork(teams.app.database) as uow:
        await uow.outbox.queue(OutgoingNotification(
            key="meeting:old-shape", recipient=f"person:{author.id}", kind="meeting_draft",
            review_id=review_id, about=About(meeting_id=meeting_id),
            payload={"card": "meeting_invite", "data": data}), teams.clock.now())
        await uow.commit()
    await teams.deliver()
    assert last_card(teams, AUTHOR, "Queued long ago")
