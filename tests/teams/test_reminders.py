"""Reminders: derived each sweep, sent once, delivered within Teams' limits."""

import asyncio
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from imr_bot.domain.notification import OutgoingNotification
from imr_bot.domain.roles import Role
from imr_bot.domain.stages import Stage
from imr_bot.services import reminders
from imr_bot.store import tables as t
from imr_bot.store.outbox_queue import OutboxQueue
from imr_bot.store.unit_of_work import UnitOfWork
from imr_bot.teams.delivery import Delivery, classify
from imr_bot.teams.rate_limit import TeamsLimits
from tests.teams.harness import (
    AUTHOR,
    BUSINESS_SERVICES,
    CHANNEL_ID,
    HEAD_OF_CP,
    LINE_MANAGER,
    QA_LEAD,
    SD,
    card_text,
    cards,
)
from tests.teams.test_tracker import log_review

REF = "DDSCP/CSPR/2026/014"


def at(day: int, month: int = 12, hour: int = 10, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


@pytest.fixture
async def drafting(teams):
    """A review in drafting (midway held), report due Thu 24 Dec 2026."""
    for user in (AUTHOR, LINE_MANAGER, QA_LEAD, SD, HEAD_OF_CP, BUSINESS_SERVICES):
        await teams.say(user, "hello")
    await teams.say_in_channel(BUSINESS_SERVICES, "<at>IMR bot</at> subscribe")
    await log_review(teams, REF, received="2026-11-13")
    await teams.place(REF, {Role.AUTHOR: AUTHOR, Role.LINE_MANAGER: LINE_MANAGER,
                            Role.QA_LEAD: QA_LEAD}, Stage.MIDWAY_HELD)
    await teams.deliver()
    return teams


async def sweep_on(teams, when: datetime) -> int:
    teams.clock.set(when)
    result = await reminders.sweep(teams.app.ctx)
    await teams.deliver()
    return result.queued


def reminders_for(teams, user) -> list[str]:
    """What each reminder the person was sent says: a reminder card's words, or a text's."""
    said = []
    for activity in teams.inbox(user):
        if (activity.text or "").startswith("Reminder:"):
            said.append(activity.text)
        for card in cards([activity]):
            if card_text(card).startswith("Reminder:"):
                said.append(card_text(card))
    return said


async def test_reminders_follow_the_policy_and_go_out_once_across_christmas(drafting):
    teams = drafting
    # report due Day 25 from Fri 13 Nov 2026: Thu 17 Dec 2026
    assert await sweep_on(teams, at(14, 12)) == 0            # 3 working days before
    assert await sweep_on(teams, at(15, 12)) == 1            # 2 before: the author
    assert await sweep_on(teams, at(15, 12, hour=15)) == 0   # the same day again: nothing new
    assert "in 2 working days" in reminders_for(teams, AUTHOR)[-1]
    assert await sweep_on(teams, at(17, 12)) == 1            # on the day
    assert await sweep_on(teams, at(18, 12)) == 1            # 1 working day overdue
    assert await sweep_on(teams, at(21, 12)) == 3            # 2 overdue: + line manager, QA lead
    assert "overdue by 2 working days" in reminders_for(teams, LINE_MANAGER)[-1]
    assert await sweep_on(teams, at(25, 12)) == 0            # Christmas Day
    assert await sweep_on(teams, at(28, 12)) == 0            # Boxing Day substitute
    assert await sweep_on(teams, at(24, 12, hour=19)) == 0   # after 18:00
    assert await sweep_on(teams, at(29, 12)) == 5            # 5 overdue: + Head of CP, SD
    assert reminders_for(teams, SD) and reminders_for(teams, HEAD_OF_CP)
    assert len(reminders_for(teams, AUTHOR)) == 5


async def test_a_repeat_sweep_on_the_same_day_looks_at_nothing_already_handled(drafting):
    drafting.clock.set(at(21, 12))
    first = await reminders.sweep(drafting.app.ctx)
    drafting.clock.set(at(21, 12, hour=14))
    again = await reminders.sweep(drafting.app.ctx)
    assert (first.considered, first.queued) == (1, 3)
    assert (again.considered, again.queued) == (0, 0)
    drafting.clock.set(at(22, 12))  # a new working day: looked at afresh
    assert (await reminders.sweep(drafting.app.ctx)).considered == 1


async def test_sweeps_running_at_once_queue_each_reminder_once(drafting):
    drafting.clock.set(at(21, 12))
    results = await asyncio.gather(*(reminders.sweep(drafting.app.ctx) for _ in range(3)))
    assert sum(r.queued for r in results) == 3


async def test_a_qa_lead_replaced_during_the_day_is_reminded_that_day(drafting):
    assert await sweep_on(drafting, at(21, 12)) == 3  # author, line manager, QA lead
    await drafting.place(REF, {Role.AUTHOR: AUTHOR, Role.LINE_MANAGER: LINE_MANAGER,
                               Role.QA_LEAD: SD})
    assert await sweep_on(drafting, at(21, 12, hour=11)) == 1
    assert "overdue by 2 working days" in reminders_for(drafting, SD)[-1]
    assert len(reminders_for(drafting, AUTHOR)) == 1  # the others are not told twice


async def test_a_line_manager_changed_in_the_directory_is_reminded_that_day(drafting):
    assert await sweep_on(drafting, at(21, 12)) == 3
    async with UnitOfWork(drafting.app.database) as uow:
        author = await uow.people.by_email(AUTHOR.email)
        await uow.people.upsert(replace(author, line_manager_email=HEAD_OF_CP.email), at(21, 12))
        await uow.commit()
    assert await sweep_on(drafting, at(21, 12, hour=11)) == 1
    assert "overdue by 2 working days" in reminders_for(drafting, HEAD_OF_CP)[-1]


async def test_reviews_on_hold_get_no_reminders(drafting):
    await drafting.say(HEAD_OF_CP, f"imr hold {REF} police investigation")
    assert await sweep_on(drafting, at(21, 12)) == 0


async def test_reminders_lists_what_is_planned_and_sent(drafting):
    await sweep_on(drafting, at(15, 12))
    (card,) = cards(await drafting.say(AUTHOR, f"imr reminders {REF}"))
    shown = card_text(card)
    assert "Coming up: Report and chronology to QA lead" in shown and "Planned" in shown
    assert "Reminder: coming up" in shown and "_" not in shown and "sent-log" not in shown


async def test_the_daily_digest_goes_to_the_channel_once_with_no_names(drafting):
    drafting.clock.set(at(15, 12, hour=9))
    assert await reminders.daily_digest(drafting.app.ctx)
    assert not await reminders.daily_digest(drafting.app.ctx)
    await drafting.deliver()
    (digest,) = [c for c in cards(drafting.inbox(CHANNEL_ID)) if "IMR tracker," in card_text(c)]
    assert REF in card_text(digest) and "Midway review held" in card_text(digest)


# -- delivery ---------------------------------------------------------------------------------
class FailingResponse:
    def __init__(self, status: int, body: str = "", headers: dict | None = None):
        self.status_code = status
        self.headers = headers or {}
        self._body = body

    def text(self) -> str:
        return self._body


class ConnectorError(Exception):
    def __init__(self, status: int, body: str = "", headers: dict | None = None):
        super().__init__(f"Operation returned an invalid status code {status}")
        self.response = FailingResponse(status, body, headers)


class ScriptedAdapter:
    """Stands in for the Bot Connector: fails as scripted, then delivers."""

    def __init__(self, script):
        self.script = list(script)
        self.sent: list[str] = []

    async def continue_conversation(self, reference, callback, bot_id):
        if self.script:
            failure = self.script.pop(0)
            if failure is not None:
                raise failure
        self.sent.append(reference.conversation.id)


class FakeTime:
    def __init__(self):
        self.now = 0.0
        self.slept = 0.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        self.slept += seconds


def delivery_for(teams, adapter, time=None) -> Delivery:
    time = time or FakeTime()
    return Delivery(adapter, "", teams.app.database, teams.app.cards, teams.clock,
                    limits=TeamsLimits(now=time, sleep=time.sleep))


async def queued_reminder(teams) -> None:
    await sweep_on(teams, at(15, 12))


@pytest.mark.parametrize(("failure", "wait"), [
    (ConnectorError(429, headers={"Retry-After": "7"}), 7),
    (ConnectorError(503), None), (ConnectorError(502), None), (ConnectorError(504), None),
    (ConnectorError(412), None), (TimeoutError(), None),
])
async def test_failed_sends_are_retried_later_and_then_delivered(drafting, failure, wait):
    teams = drafting
    teams.clock.set(at(15, 12))
    await reminders.sweep(teams.app.ctx)
    adapter = ScriptedAdapter([failure])
    delivery = delivery_for(teams, adapter)
    assert await delivery.flush() == 0
    async with UnitOfWork(teams.app.database) as uow:
        review = await uow.reviews.get(REF)
        (record,) = await uow.outbox.reminders_for(review.id)
    assert record.status == "pending" and record.last_error
    if wait is not None:
        teams.clock.set(at(15, 12, hour=10).replace(second=wait - 1))
        assert await delivery.flush() == 0  # Retry-After is honoured
    teams.clock.set(at(15, 12, hour=11))
    assert await delivery.flush() == 1
    assert len(adapter.sent) == 1


async def test_a_blocked_recipient_is_marked_unreachable_and_business_services_told_once(drafting):
    teams = drafting
    teams.clock.set(at(21, 12))
    await reminders.sweep(teams.app.ctx)  # author, line manager and QA lead
    blocked = ConnectorError(403, body='{"error":{"code":"MessageWritesBlocked"}}')
    adapter = ScriptedAdapter([blocked, ConnectorError(404)])
    delivery = delivery_for(teams, adapter)
    await delivery.flush()
    await teams.deliver()
    lines = [a.text for a in teams.inbox(CHANNEL_ID) if "is waiting for a recipient" in (a.text or "")]
    assert len(lines) == 2 and REF in lines[0]  # one for each unreachable person, once each
    (card,) = cards(await teams.say(SD, f"imr status {REF}"))
    assert "removed or blocked in" in card_text(card)


def test_classification_of_connector_answers():
    assert classify(ConnectorError(429, headers={"Retry-After": "3"}), 1).delay == 3
    assert classify(ConnectorError(403, body="MessageWritesBlocked"), 1).kind == "unreachable"
    assert classify(ConnectorError(404), 1).kind == "unreachable"
    assert classify(ConnectorError(503), 1).kind == "retry"
    slow = [classify(ConnectorError(503), attempt).delay for attempt in (1, 4, 8)]
    assert slow[0] < 2 and 4 <= slow[1] <= 12 and slow[2] >= 64


async def test_the_rate_limits_are_held_per_conversation_and_per_app():
    time = FakeTime()
    limits = TeamsLimits(now=time, sleep=time.sleep)
    stamps = []
    for _ in range(61):
        await limits.acquire("conv-1")
        stamps.append(time.now)
    assert stamps[6] == 0 and stamps[7] > 0          # 7 in the first second, then wait
    assert stamps[60] >= 30                          # the 61st waits for the 30-second window
    for limit, seconds in ((7, 1.0), (8, 2.0), (60, 30.0)):
        for start in stamps:
            assert len([s for s in stamps if start <= s < start + seconds]) <= limit
    time2 = FakeTime()
    app_limits = TeamsLimits(now=time2, sleep=time2.sleep)
    app_stamps = []
    for n in range(120):
        await app_limits.acquire(f"conv-{n}")
        app_stamps.append(time2.now)
    assert app_stamps[49] == 0 and app_stamps[50] == 1 and app_stamps[119] == 2  # 50 a second


async def test_a_lease_left_by_a_killed_sender_is_taken_again_after_it_expires(drafting):
    teams = drafting
    teams.clock.set(at(15, 12))
    await reminders.sweep(teams.app.ctx)
    queue = OutboxQueue(teams.app.database)
    claimed = await queue.claim(teams.clock.now(), 10)  # a sender takes it, then dies
    assert len(claimed) == 1
    assert await queue.claim(teams.clock.now(), 10) == []  # nobody else takes it meanwhile
    teams.clock.set(at(15, 12, hour=10).replace(minute=3))  # the two-minute lease has expired
    adapter = ScriptedAdapter([])
    assert await delivery_for(teams, adapter).flush() == 1
    assert json.dumps(adapter.sent)


async def test_a_recipient_at_the_thirty_second_limit_does_not_hold_up_the_others(drafting):
    teams, time = drafting, FakeTime()
    async with UnitOfWork(teams.app.database) as uow:
        author = await uow.people.by_email(AUTHOR.email)
        qa = await uow.people.by_email(QA_LEAD.email)
        await uow.outbox.queue_many(
            [OutgoingNotification(key=f"busy:{n}", recipient=f"person:{author.id}", kind="test",
                                  payload={"text": f"busy {n}"}) for n in range(70)]
            + [OutgoingNotification(key="other", recipient=f"person:{qa.id}", kind="test",
                                    payload={"text": "other"})], teams.clock.now())
        await uow.commit()
    sent_at: dict[str, list[float]] = {}

    class Timed(ScriptedAdapter):
        async def continue_conversation(self, reference, callback, bot_id):
            sent_at.setdefault(reference.conversation.id, []).append(time.now)

    assert await delivery_for(teams, Timed([]), time).flush() == 61
    (author_chat,) = [c for c in sent_at if len(sent_at[c]) == 60]
    (other,) = [stamps for c, stamps in sent_at.items() if c != author_chat]
    assert other[0] < 30  # not kept waiting for the busy chat's 30-second window
    async with UnitOfWork(teams.app.database) as uow:
        held = (await uow.connection.execute(
            select(t.notifications.c.attempts).where(t.notifications.c.status == "pending"))).all()
    assert len(held) == 10 and all(attempts == 0 for (attempts,) in held)  # held back, not failed
    teams.clock.set(teams.clock.now() + timedelta(seconds=31))
    time.now += 31
    assert await delivery_for(teams, Timed([]), time).flush() == 10
