"""Delivering queued notifications to people (1:1) and to the tracker channel, within Teams' limits.

Each pass claims what is due (under a lease, so two processes never take the same notification),
checks it is still true, sends it proactively through the adapter, and records the result:
- stale: its reason has gone (an offer withdrawn or answered, a meeting moved or held, a review
  closed or on hold: imr_bot/domain/notification.py): dropped, audited, never sent late;
- held: its recipient has not opened the bot yet, or Teams refused it (403 MessageWritesBlocked,
  404): it waits, with everything else for that person, until they reach the bot (install it,
  open the chat, write), when it all goes out at once, in order; Business Services are told once
  in the tracker channel, and the review card says who is waiting for what;
- sent: marked sent;
- 429: retried after Retry-After; 412, 502, 503, 504, timeouts and network errors: retried with
  jittered exponential backoff;
- anything else: retried with backoff, and given up after MAX_ATTEMPTS.
A recipient whose chat is at Teams' 30-second or hourly limit is held back for a later pass
rather than waited for, so one busy recipient does not hold up everybody else's messages.
"""

from __future__ import annotations

import asyncio
import logging
import random
from dataclasses import dataclass
from datetime import timedelta

from botbuilder.core import CardFactory, MessageFactory, TurnContext
from botbuilder.schema import ConversationReference

from imr_bot.clock import Clock
from imr_bot.domain.notification import About, OutgoingNotification, depends_on
from imr_bot.domain.plain_text import plain
from imr_bot.observability import release_memory
from imr_bot.services import notifications
from imr_bot.services.channels import TRACKER_SETTING
from imr_bot.services.notifications import NOT_OPENED
from imr_bot.store.database import Database
from imr_bot.store.outbox_queue import LEASE, OutboxQueue
from imr_bot.store.unit_of_work import UnitOfWork

from .card_templates import CardLibrary
from .rate_limit import TeamsLimits

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 12
RELEASE_AFTER_SENDING = 1000  # messages between two hand-backs of freed memory in a long drain
WAIT_IN_LINE_SECONDS = 1.0  # a per-second limit is waited out; a longer one lets others go first
RETRYABLE = {412, 429, 500, 502, 503, 504}


@dataclass(frozen=True)
class Outcome:
    kind: str  # "retry" or "unreachable"
    delay: float = 0.0
    reason: str = ""


def classify(error: BaseException, attempts: int) -> Outcome:
    """What to do after a failed send."""
    response = getattr(error, "response", None)
    status = getattr(response, "status_code", None) or getattr(response, "status", None)
    headers = getattr(response, "headers", None) or {}
    body = ""
    try:
        body = response.text() if response is not None and hasattr(response, "text") else ""
    except Exception:  # the body may not be loaded; the status is what matters
        body = ""
    body = body if isinstance(body, str) else ""
    backoff = min(2 ** max(attempts - 1, 0), 300) * (0.5 + random.random())
    if status == 429:
        try:
            delay = float(headers.get("Retry-After", 1))
        except (TypeError, ValueError):
            delay = 1.0
        return Outcome("retry", max(delay, 0.0), "429 Too Many Requests")
    if status == 404 or (status == 403 and ("MessageWritesBlocked" in body or "blocked" in body.lower()
                                            or "MessageWritesBlocked" in str(error))):
        return Outcome("unreachable", reason=f"{status}: the bot was blocked or removed")
    if status in RETRYABLE or status is None:
        return Outcome("retry", backoff, f"{status or type(error).__name__}")
    return Outcome("retry", backoff, f"{status}: {str(error)[:200]}")


def _person_id(recipient: str) -> int | None:
    kind, _, number = recipient.partition(":")
    return int(number) if kind == "person" and number.isdigit() else None


class Delivery:
    def __init__(self, adapter, app_id: str, database: Database, cards: CardLibrary, clock: Clock,
                 base_url: str = "", limits: TeamsLimits | None = None,
                 lease: timedelta = LEASE):
        self._adapter = adapter
        self._base_url = base_url
        self._app_id = app_id
        self._database = database
        self._queue = OutboxQueue(database, lease)
        self._cards = cards
        self._clock = clock
        self.limits = limits or TeamsLimits()
        self._lock = asyncio.Lock()
        self._task: asyncio.Task | None = None
        self._again = False
        self.metrics = None  # set by the app: counts sent and failed

    def _count(self, outcome: str) -> None:
        if self.metrics is not None:
            self.metrics.notifications.labels(outcome).inc()

    def kick(self) -> None:
        """Deliver soon, without holding up the turn that queued something."""
        if self._task is not None and not self._task.done():
            self._again = True
            return
        self._task = asyncio.get_running_loop().create_task(self._drain())

    async def _drain(self) -> None:
        while True:
            self._again = False
            try:
                since_release = 0
                while sent := await self.flush():
                    # a long backlog is many passes: what they freed goes back to the system as
                    # they go, not at the next sweep (the bot's RSS grew with the backlog); a
                    # release stops the loop for a few milliseconds, so not after every pass
                    since_release += sent
                    if since_release >= RELEASE_AFTER_SENDING:
                        release_memory()
                        since_release = 0
            except Exception:  # delivery must never take the bot down; the next kick retries
                log.exception("delivery failed")
            if not self._again:  # (the scheduler's minute job hands back what a drain freed)
                return

    async def wait_idle(self) -> None:
        while self._task is not None and not self._task.done():
            await self._task

    async def flush(self, limit: int = 200) -> int:
        """One pass: claim what is due and send it. Returns how many were sent."""
        async with self._lock:
            sent = 0
            for item in await self._queue.claim(self._clock.now(), limit):
                if await self._deliver(item):
                    sent += 1
            return sent

    async def _deliver(self, item) -> bool:
        now = self._clock.now()
        stale = await self._why_stale(item)
        if stale is not None:
            await self._drop_stale(item, stale)
            return False
        person_id = _person_id(item.recipient)
        if person_id is not None:
            aad, marked = await self._queue.person_contact(person_id)
            reference = await self._queue.conversation(f"user:{aad}") if aad else None
            if reference is None:
                await self._hold(item, person_id, NOT_OPENED)
                return False
            if marked:
                # not reached before: this waits with the rest until they open the bot again
                await self._hold(item, person_id, None)
                return False
        else:
            reference = await self._reference_for(item.recipient)
        if reference is None:
            if item.recipient == "tracker" and not await self._queue.setting(TRACKER_SETTING):
                await self._queue.finish(item.id, "skipped", "no tracker channel subscribed")
            else:
                await self._queue.retry(item.id, "no conversation with the recipient yet",
                                        now + timedelta(hours=1))
            return False
        conversation = reference["conversation"]["id"]
        held = self.limits.conversation_wait(conversation)
        if held > WAIT_IN_LINE_SECONDS:
            # this person's chat is at Teams' 30-second or hourly limit: the rest of the queue
            # goes first, and this waits for a later pass
            await self._queue.postpone(item.id, now + timedelta(seconds=held),
                                       "held back: the conversation is at Teams' limit")
            return False
        await self.limits.acquire(conversation)
        try:
            await self._send(reference, item.payload)
        except Exception as error:  # noqa: BLE001 - every failure is classified below
            outcome = classify(error, item.attempts)
            log.info("send failed key=%s attempts=%s outcome=%s %s", item.key, item.attempts,
                     outcome.kind, outcome.reason)
            self._count("unreachable" if outcome.kind == "unreachable" else "failed")
            if outcome.kind == "unreachable" and person_id is not None:
                await self._hold(item, person_id, outcome.reason)
            elif outcome.kind == "unreachable":
                await self._queue.finish(item.id, "unreachable", outcome.reason)
            elif item.attempts >= MAX_ATTEMPTS:
                await self._queue.finish(item.id, "failed", outcome.reason)
            else:
                await self._queue.retry(item.id, outcome.reason,
                                        now + timedelta(seconds=outcome.delay))
            return False
        await self._queue.mark_sent(item.id, self._clock.now())
        self._count("sent")
        return True

    async def _why_stale(self, item) -> str | None:
        if not depends_on(item.kind):
            return None  # news of something that happened: true whenever it arrives
        async with UnitOfWork(self._database, read_only=True) as uow:
            return await notifications.why_stale(uow, item.kind, item.review_id, About.from_data(
                item.payload.get("about"), item.key))

    async def _drop_stale(self, item, reason: str) -> None:
        """Its reason has gone: recorded as stale, and never sent."""
        now = self._clock.now()
        self._count("stale")
        log.info("dropped stale notification key=%s: %s", item.key, reason)
        async with UnitOfWork(self._database) as uow:
            await uow.outbox.finish(item.id, "stale", reason)
            await uow.audit.record(actor="imr-bot", action="notification.stale", at=now,
                                   review_id=item.review_id, person_id=_person_id(item.recipient),
                                   kind=item.kind, reason=reason)
            await uow.commit()

    async def _hold(self, item, person_id: int, reason: str | None) -> None:
        """Held until the person opens the bot (README: Delivery). The first time a person is
        not reached, Business Services hear of it (reference only, in the channel), and the
        review card says who is waiting for what; whoever offered an author a review that
        could not be delivered is told."""
        now = self._clock.now()
        why = reason or "waiting: the recipient was not reached before"
        await self._queue.finish(item.id, "held", why)
        if reason is None or not await self._queue.mark_unreachable(person_id, reason, now):
            return
        async with UnitOfWork(self._database) as uow:
            review = await uow.reviews.get_by_id(item.review_id) if item.review_id else None
            person = await uow.people.by_id(person_id)
            ref = f" about **{review.reference}**" if review else ""
            await uow.outbox.queue(OutgoingNotification(
                key=f"unreachable:{item.recipient}:{now.isoformat()}", recipient="tracker",
                kind="unreachable", review_id=item.review_id,
                payload={"text": f"Business Services: a message{ref} is waiting for a recipient "
                                 "who has not opened the IMR bot in Teams yet (or has removed "
                                 "or blocked it). It will be delivered when they open it; "
                                 + (f"`imr status {review.reference}` shows who." if review
                                    else "`imr status` shows who.")}), now)
            await uow.audit.record(actor="imr-bot", action="person.unreachable", at=now,
                                   review_id=item.review_id, person_id=person_id,
                                   kind=item.kind, reason=reason)
            if item.kind == "allocation_offer" and reason != NOT_OPENED and person is not None:
                await self._tell_offerer(uow, item, person, review, now)
            await uow.commit()

    async def _tell_offerer(self, uow, item, person, review, now) -> None:
        """The Head of CP was told the offer was sent; it was not, yet: say so."""
        about = About.from_data(item.payload.get("about"), item.key)
        record = (await uow.allocations.get(about.allocation_id)
                  if about.allocation_id is not None else None)
        offerer = await uow.people.by_email(record.offered_by) if record is not None else None
        if offerer is None or review is None:
            return
        await uow.outbox.queue(OutgoingNotification(
            key=f"allocation:{record.id}:held:{now.isoformat()}",
            recipient=notifications.person_recipient(offerer), kind="delivery_notice",
            review_id=review.id, payload={"text": f"Your offer of **{review.reference}** to "
                                                  f"{plain(person.name)} has not reached them: "
                                                  + notifications.will_reach_when_they_open(
                                                      person, "the offer")}), now)

    async def _reference_for(self, recipient: str) -> dict | None:
        if recipient == "tracker":
            channel = await self._queue.setting(TRACKER_SETTING)
            return await self._queue.conversation(channel) if channel else None
        if recipient.startswith("person:"):
            aad = await self._queue.person_aad(int(recipient.split(":", 1)[1]))
            return await self._queue.conversation(f"user:{aad}") if aad else None
        return None

    async def _send(self, reference: dict, payload: dict) -> None:
        if "card" in payload:
            # links in cards are made absolute here: where the bot is reached is the edge's concern
            card = self._cards.render(payload["card"],
                                      {**payload.get("data", {}), "baseUrl": self._base_url})
            activity = MessageFactory.attachment(CardFactory.adaptive_card(card))
        else:
            activity = MessageFactory.text(payload["text"])

        failures: list[BaseException] = []

        async def callback(turn_context: TurnContext) -> None:
            try:
                await turn_context.send_activity(activity)
            except Exception as error:  # kept, because the adapter would swallow it
                failures.append(error)

        await self._adapter.continue_conversation(
            ConversationReference().deserialize(reference), callback, self._app_id)
        if failures:
            # botbuilder hands a failed proactive turn to on_turn_error and carries on; a send
            # that did not happen must not be marked sent
            raise failures[0]
