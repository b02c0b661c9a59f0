"""Reminders for action-plan actions through the sweep: the owner before, on and after the date,
then their line manager, then the Service Director QPP; each once; none on Good Friday or Easter
Monday; none once the action is done; the tracker channel's digest carries a line per review
with overdue actions, with references, counts and dates only."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from imr_bot.domain.roles import Role
from imr_bot.domain.stages import Stage
from imr_bot.services import reminders
from imr_bot.store import tables as t
from imr_bot.store.unit_of_work import UnitOfWork
from tests.teams.harness import (
    AUTHOR,
    BUSINESS_SERVICES,
    CHANNEL_ID,
    HEAD_OF_CP,
    LINE_MANAGER,
    QA_LEAD,
    SD_QPP,
    card_text,
    cards,
    texts,
)
from tests.teams.test_action_plan import EVIDENCE, button, inner_submit, last_card
from tests.teams.test_tracker import log_review

REF = "DDSCP/CSPR/2026/014"
OTHER = "DDSCP/CSPR/2026/020"
OWNER = AUTHOR  # whose line manager is Lena Manager


def at(day: int, month: int = 3, hour: int = 10) -> datetime:
    return datetime(2027, month, day, hour, tzinfo=UTC)


@pytest.fixture
async def plan(teams):
    """A review submitted to DDSCP whose plan has one action for Arun Author, due Thu 25 Mar 2027
    (the day before Good Friday), and another review whose one action is due much later."""
    await teams.add_people((SD_QPP,))
    await teams.say_in_channel(BUSINESS_SERVICES, "<at>IMR bot</at> subscribe")
    for reference in (REF, OTHER):
        await log_review(teams, reference)
        await teams.place(reference, {Role.AUTHOR: AUTHOR, Role.QA_LEAD: QA_LEAD},
                          Stage.SUBMITTED_TO_DDSCP)
    for user in (BUSINESS_SERVICES, OWNER, LINE_MANAGER, QA_LEAD, HEAD_OF_CP, SD_QPP):
        await teams.say(user, "hello")
    await teams.say(BUSINESS_SERVICES, f"imr recommend {REF} Supervision records the child's "
                                       "wishes | themes: voice of the child")
    await add_action(teams, REF, OWNER, "2027-03-25", "Refresh the supervision template")
    await teams.say(BUSINESS_SERVICES, f"imr recommend {OTHER} Share records within two days")
    await add_action(teams, OTHER, LINE_MANAGER, "2027-06-30", "Audit information sharing")
    return teams


async def add_action(teams, reference, owner, due, what):
    (form,) = cards(await teams.say(BUSINESS_SERVICES, f"imr action add {reference} 1"))
    await teams.submit(BUSINESS_SERVICES, {
        **button(form, "Add the action")["data"], "recommendation": "1", "what": what,
        "owner": owner.email, "due": due, "outcome": "Records show the child's words",
        "evaluation": "An audit of 20 records", "immediate": "false"})
    await teams.deliver()


async def sweep_on(teams, when: datetime) -> int:
    teams.clock.set(when)
    result = await reminders.sweep(teams.app.ctx)
    await teams.deliver()
    return result.queued


def said_to(teams, user, start: str) -> list[str]:
    return [a.text for a in teams.inbox(user) if (a.text or "").startswith(start)]


async def test_an_action_is_reminded_then_escalated_on_working_days_and_each_once(plan):
    teams = plan
    assert await sweep_on(teams, at(22)) == 0                  # 3 working days before
    assert await sweep_on(teams, at(23)) == 1                  # 2 before: the owner
    assert await sweep_on(teams, at(23, hour=15)) == 0         # the same day again: nothing new
    (upcoming,) = said_to(teams, OWNER, "Reminder:")
    assert upcoming.startswith(f"Reminder: your action on **{REF}** (Refresh the supervision "
                               "template) is due Thu 25 Mar 2027 (in 2 working days).")
    assert await sweep_on(teams, at(24)) == 0                  # 1 before
    assert await sweep_on(teams, at(25)) == 1                  # on the day
    assert await sweep_on(teams, at(26)) == 0                  # Good Friday
    assert await sweep_on(teams, at(29)) == 0                  # Easter Monday
    assert await sweep_on(teams, at(30)) == 1                  # 1 working day late: the owner
    assert await sweep_on(teams, at(31)) == 2                  # 2 late: + the line manager
    assert await sweep_on(teams, at(31, hour=16)) == 0
    assert await sweep_on(teams, at(5, month=4)) == 3          # 5 late: + the SD QPP

    assert said_to(teams, OWNER, "Reminder:")[-1].startswith(
        f"Reminder: your action on **{REF}** (Refresh the supervision template) is overdue by "
        "5 working days (was due Thu 25 Mar 2027).")
    (manager, _) = said_to(teams, LINE_MANAGER, "Escalation:")
    assert manager.startswith(f"Escalation: an action on **{REF}** owned by Arun Author")
    assert "overdue by 2 working days (was due Thu 25 Mar 2027)" in manager
    assert "As their line manager" in manager
    (director,) = said_to(teams, SD_QPP, "Escalation:")
    assert "overdue by 5 working days" in director
    # the other review's action is months away; nobody else hears of this one
    assert not said_to(teams, QA_LEAD, "Escalation:") and not said_to(teams, HEAD_OF_CP,
                                                                       "Escalation:")


async def test_a_done_action_is_no_longer_reminded(plan):
    teams = plan
    assert await sweep_on(teams, at(30)) == 1
    card = last_card(teams, OWNER, f"An action for {REF}")
    replies = await teams.submit(OWNER, button(card, "Agree")["data"])
    (card,) = [c for c in cards(replies) if f"An action for {REF}" in card_text(c)]
    replies = await teams.submit(OWNER, {**inner_submit(card, "Done"), "link": EVIDENCE})
    assert "Its evidence has gone to be confirmed" in texts(replies)
    await teams.deliver()
    assert await sweep_on(teams, at(31)) == 0
    assert await sweep_on(teams, at(5, month=4)) == 0


async def test_a_reminder_waiting_to_be_sent_is_dropped_once_the_action_is_done(plan):
    teams = plan
    card = last_card(teams, OWNER, f"An action for {REF}")
    replies = await teams.submit(OWNER, button(card, "Agree")["data"])
    (card,) = [c for c in cards(replies) if f"An action for {REF}" in card_text(c)]
    await teams.deliver()
    teams.clock.set(at(30))
    assert (await reminders.sweep(teams.app.ctx)).queued == 1  # queued, not yet sent
    await teams.submit(OWNER, {**inner_submit(card, "Done"), "link": EVIDENCE})
    await teams.deliver()
    assert not said_to(teams, OWNER, "Reminder:")
    async with UnitOfWork(teams.app.database) as uow:
        (status,) = (await uow.connection.execute(select(t.notifications.c.status).where(
            t.notifications.c.kind == "action_reminder"))).scalars().all()
    assert status == "stale"


async def test_the_digest_has_a_line_per_review_with_overdue_actions_and_no_names(plan):
    teams = plan
    teams.clock.set(at(31))
    assert await reminders.daily_digest(teams.app.ctx)
    await teams.deliver()
    (digest,) = [c for c in cards(teams.inbox(CHANNEL_ID)) if "IMR tracker," in card_text(c)]
    shown = card_text(digest)
    assert "Action plans with overdue actions: 1 review." in shown
    assert "1 of 1 action overdue" in shown and "since Thu 25 Mar 2027" in shown
    tail = shown[shown.index("Action plans with overdue actions"):]
    assert REF in tail and OTHER not in tail
    for word in ("Arun", "Lena", "supervision", "Supervision", "child"):
        assert word not in shown


async def test_a_digest_with_no_overdue_actions_says_nothing_of_them(plan):
    teams = plan
    teams.clock.set(at(24))
    assert await reminders.daily_digest(teams.app.ctx)
    await teams.deliver()
    (digest,) = [c for c in cards(teams.inbox(CHANNEL_ID)) if "IMR tracker," in card_text(c)]
    assert "overdue actions" not in card_text(digest)
