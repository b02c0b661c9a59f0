"""Meetings: the scoping meeting (Day 4) and the midway review (Day 15), and the plan that follows."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from aiohttp.test_utils import TestClient, TestServer
from icalendar import Calendar
from sqlalchemy import delete

from imr_bot.documents.calendar_invite import Invitee, invitation
from imr_bot.domain.plan import Milestone
from imr_bot.domain.stages import Stage
from imr_bot.services.access import REFUSAL
from imr_bot.store import tables as t
from imr_bot.store.unit_of_work import UnitOfWork
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
    assert "out of date: the scoping meeting has moved to Fri 27 Nov 2026, 11:00–12:00" in said
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
