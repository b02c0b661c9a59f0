"""The tracker: the board, filters, corrections, pauses and the export."""

import io
from datetime import UTC, date, datetime

from aiohttp.test_utils import TestClient, TestServer
from openpyxl import load_workbook

from imr_bot.domain.people import Actor
from imr_bot.domain.plan import Milestone
from imr_bot.domain.roles import Role
from imr_bot.domain.stages import Stage
from imr_bot.services import commissioning
from imr_bot.store.unit_of_work import UnitOfWork
from tests.teams.harness import (
    AUTHOR,
    BUSINESS_SERVICES,
    CHANNEL_ID,
    HEAD_OF_CP,
    QA_LEAD,
    card_text,
    cards,
    texts,
)


async def log_review(teams, reference: str, received: str = "2026-11-23", initials: str = "JS"):
    async with UnitOfWork(teams.app.database) as uow:
        person = await uow.people.by_email(BUSINESS_SERVICES.email)
    actor = Actor(person.email, person.name, person)
    teams.private_words.add(initials)
    return await commissioning.commission(teams.app.ctx, actor, {
        "reference": reference, "review_type": "CSPR", "body": "DDSCP", "received": received,
        "tor_start": "2025-01-01", "tor_end": "2026-06-30", "subject_initials": initials})


async def test_the_board_pages_after_twenty_with_a_more_button(teams):
    for n in range(25):
        await log_review(teams, f"DDSCP/CSPR/2026/{n:03d}")
    (first,) = cards(await teams.say(QA_LEAD, "imr status"))
    assert "25 open reviews" in card_text(first) and "showing 1–20" in card_text(first)
    more, mine, overdue, tab = first["actions"]
    assert more["data"] == {"verb": "status.more", "page": 1, "scope": "all"}
    # what the reader can do next: open a review, or see their own or the overdue ones, or the
    # whole picture in the tab
    assert mine["data"] == {"verb": "status.more", "page": 0, "scope": "mine"}
    assert overdue["data"] == {"verb": "status.more", "page": 0, "scope": "overdue"}
    assert tab["type"] == "Action.OpenUrl" and tab["title"] == "Open in the tab"
    (second,) = cards(await teams.submit(QA_LEAD, more["data"]))
    assert "showing 21–25" in card_text(second)
    assert [a["title"] for a in second["actions"]] == ["My IMRs", "Overdue IMRs",
                                                      "Open in the tab"]


async def test_the_board_names_who_holds_the_next_step(teams):
    from imr_bot.domain.people import Person

    await log_review(teams, "WAITING/1")  # allocation: the Head of CP & IRO's step
    await log_review(teams, "ALLOCATED/1")
    await teams.place("ALLOCATED/1", {Role.AUTHOR: AUTHOR, Role.QA_LEAD: QA_LEAD}, Stage.ALLOCATED)
    await log_review(teams, "SIGNOFF/1")
    await teams.place("SIGNOFF/1", {Role.AUTHOR: AUTHOR, Role.QA_LEAD: QA_LEAD}, Stage.SD_REVIEW)

    (board,) = cards(await teams.say(QA_LEAD, "imr status"))
    shown = card_text(board)
    # the QA lead on the review; the only Head of CP & IRO; the only Service Director
    for reference, holder in (("ALLOCATED/1", "Quinn Lead"), ("WAITING/1", "Harriet Head"),
                              ("SIGNOFF/1", "Sam Director")):
        assert holder in shown.split(reference, 1)[1].split("/1", 1)[0], (reference, shown)

    # two people hold the role: the board names the role; one of them inactive: the other
    async with UnitOfWork(teams.app.database) as uow:
        await uow.people.upsert(Person(email="hana.head@council.test", name="Hana Head",
                                       roles=frozenset({Role.HEAD_OF_CP})), teams.clock.now())
        await uow.commit()
    (board,) = cards(await teams.say(QA_LEAD, "imr status"))
    assert "Harriet Head" not in card_text(board) and Role.HEAD_OF_CP.title in card_text(board)
    async with UnitOfWork(teams.app.database) as uow:
        await uow.people.upsert(Person(email="hana.head@council.test", name="Hana Head",
                                       roles=frozenset({Role.HEAD_OF_CP}), active=False),
                                teams.clock.now())
        await uow.commit()
    (board,) = cards(await teams.say(QA_LEAD, "imr status"))
    assert "Harriet Head" in card_text(board)


async def test_the_daily_digest_shows_the_forty_most_urgent_of_all_open_reviews(teams):
    from datetime import timedelta

    from imr_bot.services import reminders

    await teams.say_in_channel(BUSINESS_SERVICES, "<at>IMR bot</at> subscribe")
    for n in range(45):  # received a day apart: the oldest is the most urgent
        received = date(2026, 11, 23) - timedelta(days=n)
        await log_review(teams, f"DDSCP/CSPR/2026/{n:03d}", received=received.isoformat())
    teams.clock.set(datetime(2026, 11, 23, 9, tzinfo=UTC))
    assert await reminders.daily_digest(teams.app.ctx)
    await teams.deliver()
    (digest,) = [c for c in cards(teams.inbox(CHANNEL_ID)) if "IMR tracker," in card_text(c)]
    shown = card_text(digest)
    assert "45 open reviews, most urgent first." in shown
    listed = [f"DDSCP/CSPR/2026/{n:03d}" for n in range(45) if f"DDSCP/CSPR/2026/{n:03d}" in shown]
    assert len(listed) == 40 and "DDSCP/CSPR/2026/044" in listed and "DDSCP/CSPR/2026/000" not in listed
    assert shown.index("DDSCP/CSPR/2026/044") < shown.index("DDSCP/CSPR/2026/030")


async def test_the_board_puts_the_most_urgent_first(teams):
    await log_review(teams, "LATER/1", received="2026-11-23")
    await log_review(teams, "SOONER/1", received="2026-11-16")  # allocation already overdue
    (board,) = cards(await teams.say(QA_LEAD, "imr status"))
    shown = card_text(board)
    assert shown.index("SOONER/1") < shown.index("LATER/1")
    assert "Red" in shown and "2 overdue" in shown  # Day 4 was Thu 19 Nov; today is Mon 23 Nov


async def test_overdue_and_mine_filter_the_board(teams):
    await log_review(teams, "LATER/1", received="2026-11-23")
    await log_review(teams, "SOONER/1", received="2026-11-16")
    (overdue,) = cards(await teams.say(QA_LEAD, "imr status overdue"))
    assert "SOONER/1" in card_text(overdue) and "LATER/1" not in card_text(overdue)
    (mine,) = cards(await teams.say(HEAD_OF_CP, "imr status mine"))  # allocation is theirs
    assert "LATER/1" in card_text(mine)
    assert texts(await teams.say(AUTHOR, "imr status mine")).startswith(
        "Nothing is waiting for you just now, and you have no open reviews.")


async def test_mine_has_the_reviews_i_hold_a_role_on_and_held_reviews_come_last(teams):
    await log_review(teams, "HELD/1", received="2026-11-16")
    await log_review(teams, "AUTHORS/1", received="2026-11-23")
    await log_review(teams, "OTHER/1", received="2026-11-20")
    await teams.place("AUTHORS/1", {Role.AUTHOR: AUTHOR, Role.QA_LEAD: QA_LEAD}, Stage.ALLOCATED)
    await teams.say(HEAD_OF_CP, "imr hold HELD/1 police investigation")
    (board,) = cards(await teams.say(QA_LEAD, "imr status"))
    shown = card_text(board)
    assert shown.index("OTHER/1") < shown.index("AUTHORS/1") < shown.index("HELD/1")
    (mine,) = cards(await teams.say(AUTHOR, "imr status mine"))
    assert "AUTHORS/1" in card_text(mine) and "OTHER/1" not in card_text(mine)
    assert "1 open review," in card_text(mine)


async def test_editing_the_ddscp_date_rebases_the_plan_with_a_reason(teams):
    await log_review(teams, "DDSCP/CSPR/2026/014")
    reply = texts(await teams.say(
        BUSINESS_SERVICES, "imr edit DDSCP/CSPR/2026/014 ddscp 26/02/2027 because DDSCP agreed"))
    assert "now Fri 26 Feb 2027 (was Wed 13 Jan 2027)" in reply
    (timeline,) = cards(await teams.say(HEAD_OF_CP, "imr status DDSCP/CSPR/2026/014"))
    assert "Fri 26 Feb 2027" in card_text(timeline)
    assert ("Submission date to DDSCP moved from Wed 13 Jan 2027 to Fri 26 Feb 2027 by Bea "
            "Services") in card_text(timeline)


async def test_an_edit_needs_a_reason_a_known_field_and_business_services(teams):
    await log_review(teams, "R/1")
    assert "Tell me the review" in texts(await teams.say(BUSINESS_SERVICES, "imr edit R/1 ddscp 1/3/2027"))
    assert "can't edit 'colour'" in texts(await teams.say(
        BUSINESS_SERVICES, "imr edit R/1 colour blue because why not"))
    assert "looks like a name" in texts(await teams.say(
        BUSINESS_SERVICES, "imr edit R/1 initials John Smith because typo"))
    assert "only Business Services" in texts(await teams.say(
        HEAD_OF_CP, "imr edit R/1 notes x because y"))


async def test_hold_and_resume_move_later_milestones_by_the_working_days_held(teams):
    await teams.say_in_channel(BUSINESS_SERVICES, "<at>IMR bot</at> subscribe")
    await log_review(teams, "R/1", received="2026-11-23")
    await teams.deliver()  # R/1's card is in the channel
    reply = texts(await teams.say(HEAD_OF_CP, "imr hold R/1 because police investigation"))
    assert "is on hold" in reply
    (card,) = cards(teams.adapter.updated_activities[-1:])  # R/1's card in the channel
    assert "On hold" in card_text(card) and "IMR on hold" in card_text(card)
    teams.clock.set(datetime(2026, 11, 30, 10, tzinfo=UTC))  # five working days later
    reply = texts(await teams.say(HEAD_OF_CP, "imr resume R/1"))
    assert "back to 'Commissioned'" in reply
    assert "Wed 20 Jan 2027" in reply  # Wed 13 Jan 2027 + 5 working days
    async with UnitOfWork(teams.app.database) as uow:
        review = await uow.reviews.get("R/1")
    assert review.plan.due[Milestone.REQUEST_LOGGED] == date(2026, 11, 23)  # Day 1 stays
    assert review.plan.due[Milestone.ALLOCATION] == date(2026, 12, 3)  # was Thu 26 Nov
    assert review.plan.deadline == date(2027, 1, 20)


async def test_hold_needs_a_reason_and_withdraw_closes_the_review(teams):
    await log_review(teams, "R/1")
    assert "give a reason" in texts(await teams.say(BUSINESS_SERVICES, "imr hold R/1"))
    assert "is withdrawn" in texts(await teams.say(BUSINESS_SERVICES, "imr withdraw R/1 duplicate"))
    assert texts(await teams.say(QA_LEAD, "imr status")) == "There are no open reviews."
    assert "can't be done while the review is 'Withdrawn'" in texts(
        await teams.say(BUSINESS_SERVICES, "imr hold R/1 again"))


async def test_only_case_owners_may_hold(teams):
    await log_review(teams, "R/1")
    assert "only" in texts(await teams.say(AUTHOR, "imr hold R/1 because tired"))


async def test_export_gives_a_link_that_works_once(teams):
    await log_review(teams, "DDSCP/CSPR/2026/014")
    reply = texts(await teams.say(BUSINESS_SERVICES, "imr export"))
    path = reply[reply.index("/files/"):reply.index(")")]
    async with TestClient(TestServer(teams.app.web)) as client:
        first = await client.get(path)
        assert first.status == 200
        workbook = load_workbook(io.BytesIO(await first.read()))
        sheet = workbook.active
        header = [c.value for c in sheet[2]]
        assert header[:5] == ["Reference", "Type", "Commissioned by", "Stage", "RAG"]
        assert sheet["A3"].value == "DDSCP/CSPR/2026/014"
        assert "Submission to DDSCP (planned)" in header
        assert (await client.get(path)).status == 404  # single use


async def test_export_links_expire_after_fifteen_minutes(teams):
    reply = texts(await teams.say(BUSINESS_SERVICES, "imr export"))
    path = reply[reply.index("/files/"):reply.index(")")]
    teams.clock.set(datetime(2026, 11, 23, 10, 16, tzinfo=UTC))
    async with TestClient(TestServer(teams.app.web)) as client:
        assert (await client.get(path)).status == 404


async def test_the_author_cannot_export(teams):
    assert "only" in texts(await teams.say(AUTHOR, "imr export"))


async def test_a_more_button_pressed_after_the_board_shrank_shows_the_first_page(teams):
    for n in range(3):
        await log_review(teams, f"DDSCP/CSPR/2026/{n:03d}")
    (board,) = cards(await teams.submit(QA_LEAD, {"verb": "status.more", "page": 4, "scope": "all"}))
    assert "3 open reviews" in card_text(board) and "DDSCP/CSPR/2026/000" in card_text(board)
