"""Allocation, Days 1-4: the Head of CP allocates, the author answers, escalation after Day 4."""

from datetime import UTC, date, datetime

import pytest

from imr_bot.domain.people import LeavePeriod
from imr_bot.domain.roles import Role
from imr_bot.domain.stages import Stage
from imr_bot.services import escalation
from imr_bot.services.access import REFUSAL
from imr_bot.store.unit_of_work import UnitOfWork
from tests.teams.harness import (
    AUTHOR,
    BUSINESS_SERVICES,
    HEAD_OF_CP,
    LINE_MANAGER,
    QA_LEAD,
    SD,
    SD_QPP,
    User,
    card_text,
    cards,
    texts,
)
from tests.teams.test_tracker import log_review

CARA = User("cara", "Cara Author", "cara.author@council.test", frozenset({Role.AUTHOR}),
            line_manager="lena.manager@council.test",
            leave=(LeavePeriod(date(2026, 12, 21), date(2027, 1, 1)),))
DEV = User("dev", "Dev Author", "dev.author@council.test", frozenset({Role.AUTHOR}),
           line_manager="mo.manager@council.test")
MO = User("mo", "Mo Manager", "mo.manager@council.test", frozenset({Role.LINE_MANAGER}))


@pytest.fixture
async def pool(teams):
    await teams.add_people((CARA, DEV, MO, SD_QPP))
    for user in (HEAD_OF_CP, AUTHOR, LINE_MANAGER, QA_LEAD, SD, SD_QPP, DEV):
        await teams.say(user, "hello")  # each has the app installed
    await log_review(teams, "DDSCP/CSPR/2026/014")
    await teams.deliver()
    return teams


async def person_id(teams, user) -> int:
    async with UnitOfWork(teams.app.database) as uow:
        return (await uow.people.by_email(user.email)).id


def choices(card: dict, input_id: str) -> list[str]:
    def walk(node):
        if isinstance(node, dict):
            if node.get("id") == input_id:
                return [c["title"] for c in node["choices"]]
            for value in node.values():
                found = walk(value)
                if found is not None:
                    return found
        elif isinstance(node, list):
            for item in node:
                found = walk(item)
                if found is not None:
                    return found
        return None
    return walk(card)


async def offer(teams, author=AUTHOR, involved=""):
    return await teams.submit(HEAD_OF_CP, {
        "verb": "allocate.offer", "reference": "DDSCP/CSPR/2026/014", "involved": involved,
        "author": str(await person_id(teams, author)),
        "qa_lead": str(await person_id(teams, QA_LEAD))})


async def offer_card(teams, user=AUTHOR) -> dict:
    return [c for c in cards(teams.inbox(user)) if "Will you write the IMR" in card_text(c)][-1]


async def test_the_allocation_card_ranks_authors_and_shows_why_others_are_left_out(pool):
    (card,) = cards(await pool.say(HEAD_OF_CP, "imr allocate DDSCP/CSPR/2026/014"))
    authors = choices(card, "author")
    assert authors[0].startswith("Arun Author — 0 open IMRs") or authors[0].startswith("Dev Author")
    assert "Cara Author: on leave Mon 21 Dec 2026 to Fri 1 Jan 2027" in card_text(card)
    (card,) = cards(await pool.submit(HEAD_OF_CP, {
        "verb": "allocate.refresh", "reference": "DDSCP/CSPR/2026/014",
        "involved": MO.email}))
    assert "Dev Author: their line manager is involved in this case" in card_text(card)
    assert [a.split(" — ")[0] for a in choices(card, "author")] == ["Arun Author"]


async def test_the_head_of_cp_gets_an_allocate_button_on_the_new_imr_card(pool):
    new_card = [c for c in cards(pool.inbox(HEAD_OF_CP)) if "New IMR to allocate" in card_text(c)][-1]
    allocate = next(a for a in new_card["actions"] if a["title"] == "Allocate")
    (card,) = cards(await pool.submit(HEAD_OF_CP, allocate["data"]))
    assert "Allocate DDSCP/CSPR/2026/014" in card_text(card)


async def test_only_the_head_of_cp_can_allocate(pool):
    assert "only Head of CP & IRO" in texts(await pool.say(BUSINESS_SERVICES,
                                                           "imr allocate DDSCP/CSPR/2026/014"))
    replies = await pool.submit(QA_LEAD, {"verb": "allocate.offer",
                                          "reference": "DDSCP/CSPR/2026/014", "author": "1",
                                          "qa_lead": "2"})
    assert texts(replies) == REFUSAL


async def test_accepting_needs_the_independence_declaration(pool):
    assert "Asked Arun Author" in texts(await offer(pool))
    card = await offer_card(pool)
    accept = next(a for a in card["actions"] if a["title"] == "Accept")
    reply = texts(await pool.submit(AUTHOR, {**accept["data"], "declaration": "false"}))
    assert "Please tick the declaration" in reply
    reply = texts(await pool.submit(AUTHOR, {**accept["data"], "declaration": "true"}))
    assert "you are the report author for DDSCP/CSPR/2026/014" in reply
    async with UnitOfWork(pool.app.database) as uow:
        review = await uow.reviews.get("DDSCP/CSPR/2026/014")
    assert review.stage == Stage.ALLOCATED
    assert set(review.people) == {Role.AUTHOR, Role.QA_LEAD, Role.LINE_MANAGER}
    assert "you are its QA senior lead" in texts(pool.inbox(QA_LEAD))
    assert "who reports to you, has accepted" in texts(pool.inbox(LINE_MANAGER))
    assert "Arun Author accepted **DDSCP/CSPR/2026/014**" in texts(pool.inbox(HEAD_OF_CP))
    reply = texts(await pool.submit(AUTHOR, {**accept["data"], "declaration": "true"}))
    assert "You accepted this offer on Mon 23 Nov 2026." in reply


async def test_declining_returns_to_the_head_of_cp_with_the_next_suggestions(pool):
    await offer(pool)
    card = await offer_card(pool)
    decline = next(a for a in card["actions"] if a["title"] == "Decline")
    assert "say why" in texts(await pool.submit(AUTHOR, {**decline["data"], "reason": " "}))
    reply = texts(await pool.submit(AUTHOR, {**decline["data"], "reason": "I know the family"}))
    assert "ask someone else" in reply
    head_card = cards(pool.inbox(HEAD_OF_CP))[-1]
    shown = card_text(head_card)
    assert "Arun Author declined: I know the family" in shown
    assert "Arun Author: declined this review: I know the family" in shown
    assert [a.split(" — ")[0] for a in choices(head_card, "author")] == ["Dev Author"]


async def test_someone_else_cannot_answer_by_replaying_the_offer(pool):
    await offer(pool)
    card = await offer_card(pool)
    accept = next(a for a in card["actions"] if a["title"] == "Accept")
    reply = texts(await pool.submit(DEV, {**accept["data"], "declaration": "true"}))
    assert reply == REFUSAL


async def test_an_excluded_author_cannot_be_offered_by_a_crafted_payload(pool):
    replies = await offer(pool, author=CARA)
    assert "Cara Author can't be the report author: on leave" in card_text(cards(replies)[0])


async def test_an_unallocated_review_escalates_after_day_four_exactly_once(pool):
    pool.clock.set(datetime(2026, 11, 26, 12, tzinfo=UTC))  # Day 4, midday: not yet
    assert await escalation.escalate_unallocated(pool.app.ctx) == 0
    pool.clock.set(datetime(2026, 11, 26, 18, 30, tzinfo=UTC))  # the end of Day 4
    assert await escalation.escalate_unallocated(pool.app.ctx) == 1
    assert await escalation.escalate_unallocated(pool.app.ctx) == 0
    await pool.deliver()
    for user in (SD, SD_QPP, HEAD_OF_CP):
        escalations = [c for c in cards(pool.inbox(user)) if "No author for" in card_text(c)]
        assert len(escalations) == 1, user.name
    async with UnitOfWork(pool.app.database) as uow:
        review = await uow.reviews.get("DDSCP/CSPR/2026/014")
        entries = [e.action for e in await uow.audit.for_review(review.id)]
    assert entries.count("review.escalated") == 1


async def test_an_accepted_review_does_not_escalate(pool):
    await offer(pool)
    accept = next(a for a in (await offer_card(pool))["actions"] if a["title"] == "Accept")
    await pool.submit(AUTHOR, {**accept["data"], "declaration": "true"})
    pool.clock.set(datetime(2026, 11, 27, 9, tzinfo=UTC))
    assert await escalation.escalate_unallocated(pool.app.ctx) == 0


async def test_reallocation_keeps_the_history_and_asks_again(pool):
    await offer(pool)
    accept = next(a for a in (await offer_card(pool))["actions"] if a["title"] == "Accept")
    await pool.submit(AUTHOR, {**accept["data"], "declaration": "true"})
    assert "give a reason" in texts(await pool.say(HEAD_OF_CP, "imr reallocate DDSCP/CSPR/2026/014"))
    (card,) = cards(await pool.say(HEAD_OF_CP,
                                   "imr reallocate DDSCP/CSPR/2026/014 because long-term sick"))
    assert ("Arun Author, Mon 23 Nov 2026: accepted, then withdrawn to reallocate: long-term sick"
            in card_text(card))
    await offer(pool, author=DEV)
    accept = next(a for a in (await offer_card(pool, DEV))["actions"] if a["title"] == "Accept")
    await pool.submit(DEV, {**accept["data"], "declaration": "true"})
    async with UnitOfWork(pool.app.database) as uow:
        review = await uow.reviews.get("DDSCP/CSPR/2026/014")
    assert review.people[Role.AUTHOR] == await person_id(pool, DEV)
    assert review.stage == Stage.ALLOCATED


async def test_a_declared_conflict_excludes_the_person(pool):
    reply = texts(await pool.say(AUTHOR, "imr conflict DDSCP/CSPR/2026/014 I supervised the SW"))
    assert "will not be suggested" in reply
    (card,) = cards(await pool.say(HEAD_OF_CP, "imr allocate DDSCP/CSPR/2026/014"))
    assert "Arun Author: declared a conflict: I supervised the SW" in card_text(card)


async def test_people_lists_the_pool_with_load_and_records_leave(pool):
    await offer(pool)
    (card,) = cards(await pool.say(BUSINESS_SERVICES, "imr people"))
    shown = card_text(card)
    assert "Arun Author" in shown and "1 of 2" in shown
    reply = texts(await pool.say(BUSINESS_SERVICES, "imr people leave dev.author@council.test "
                                                    "1/12/2026 to 4/12/2026"))
    assert "Leave recorded for Dev Author" in reply
    reply = texts(await pool.say(BUSINESS_SERVICES, "imr people deactivate dev.author@council.test"))
    assert "deactivated" in reply
    (card,) = cards(await pool.say(BUSINESS_SERVICES, "imr people load"))
    assert "Fairness" in card_text(card)
    assert "Sorry, only Administrator, Business Services or Head of CP & IRO" in texts(
        await pool.say(AUTHOR, "imr people leave x@y.z 1/1/2027 2/1/2027"))


async def test_on_it_on_the_day_four_escalation_is_recorded(pool):
    pool.clock.set(datetime(2026, 11, 26, 18, 30, tzinfo=UTC))  # the end of Day 4
    assert await escalation.escalate_unallocated(pool.app.ctx) == 1
    await pool.deliver()
    (card,) = [c for c in cards(pool.inbox(SD_QPP)) if "No author for" in card_text(c)]
    assert "Waiting for" in card_text(card)
    (on_it,) = [a["data"] for a in card["actions"] if a["title"] == "On it"]
    assert "noted that you're on it" in texts(await pool.submit(SD_QPP, on_it))
    async with UnitOfWork(pool.app.database) as uow:
        review = await uow.reviews.get("DDSCP/CSPR/2026/014")
        entries = [(e.action, e.actor) for e in await uow.audit.for_review(review.id)]
    assert ("reminder.acknowledged", SD_QPP.email) in entries
    # an author not on it: the neutral refusal
    assert texts(await pool.submit(DEV, on_it)) == REFUSAL


async def test_the_allocation_card_shows_a_qa_leads_real_allocation_history(pool):
    await offer(pool)
    accept = next(a for a in (await offer_card(pool))["actions"] if a["title"] == "Accept")
    await pool.submit(AUTHOR, {**accept["data"], "declaration": "true"})
    await log_review(pool, "DDSCP/CSPR/2026/015")
    pool.clock.set(pool.clock.now() + (datetime(2026, 11, 26, tzinfo=UTC)
                                       - datetime(2026, 11, 23, tzinfo=UTC)))
    (card,) = cards(await pool.say(HEAD_OF_CP, "imr allocate DDSCP/CSPR/2026/015"))
    (quinn,) = [c for c in choices(card, "qa_lead") if c.startswith("Quinn Lead")]
    assert "1 open IMR (max" in quinn and "last allocated 3 days ago" in quinn
    assert "never allocated" not in quinn
    (loads,) = cards(await pool.say(BUSINESS_SERVICES, "imr people load"))
    shown = card_text(loads)
    assert "Quinn Lead\n" in shown and "1 as QA senior lead" in shown
    (pool_card,) = cards(await pool.say(BUSINESS_SERVICES, "imr people"))
    quinn_row = card_text(pool_card).split("Quinn Lead", 1)[1].split("\n\n", 1)[0]
    assert " of " in quinn_row and "1 of" in quinn_row and "as QA senior lead" in quinn_row
