"""Sending queued notifications to people (1:1) and to the tracker channel, within Teams' limits.

What is due, whether it is still true, who it goes to and what is recorded of it is the
delivery service's (imr_bot/services/delivery.py); this room sends, and says how a send went:
- sent: marked sent;
- 403 MessageWritesBlocked, 404: the recipient cannot be reached (held until they open the bot);
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
from dataclasses import dataclass, replace
from datetime import timedelta

from botbuilder.core import CardFactory, MessageFactory, TurnContext
from botbuilder.schema import ConversationReference

from imr_bot.clock import Clock
from imr_bot.observability import release_memory
from imr_bot.services.delivery import LEASE, MAX_ATTEMPTS, DeliveryService

from . import notice_views
from .card_templates import CardLibrary
from .rate_limit import TeamsLimits

log = logging.getLogger(__name__)

__all__ = ["MAX_ATTEMPTS", "Delivery", "Outcome", "classify"]

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


class Delivery:
    def __init__(self, adapter, app_id: str, service, cards: CardLibrary, clock: Clock,
                 base_url: str = "", limits: TeamsLimits | None = None,
                 lease: timedelta = LEASE):
        """`service`: the delivery service (or, for tests and tools, the database to build it
        on, with `lease`)."""
        self._adapter = adapter
        self._base_url = base_url
        self._app_id = app_id
        if not isinstance(service, DeliveryService):
            service = DeliveryService(service, clock, lease)
        self.service = service
        self.service.count = self._count
        self._queue = service  # what bench/run.py reads the outbox's counts() through
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
            for item in await self.service.claim(limit):
                if await self._deliver(item):
                    sent += 1
            return sent

    async def _deliver(self, item) -> bool:
        target = await self.service.target(item)
        if target is None:
            return False  # stale, held or not to be sent yet: the service recorded it
        held = self.limits.conversation_wait(target.conversation)
        if held > WAIT_IN_LINE_SECONDS:
            # this person's chat is at Teams' 30-second or hourly limit: the rest of the queue
            # goes first, and this waits for a later pass
            await self.service.postpone(item, held,
                                        "held back: the conversation is at Teams' limit")
            return False
        await self.limits.acquire(target.conversation)
        try:
            try:
                activity_id = await self._send(_in_thread(target), item.payload, target.card)
            except Exception as error:
                if (target.card is None and target.thread is None) or _status(error) != 404:
                    raise
                # the review's card was deleted from the channel: post it (or this) anew
                await self.service.card_gone(item)
                target = replace(target, card=None, thread=None)
                activity_id = await self._send(target.reference, item.payload, None)
        except Exception as error:  # noqa: BLE001 - every failure is classified below
            outcome = classify(error, item.attempts)
            log.info("send failed key=%s attempts=%s outcome=%s %s", item.key, item.attempts,
                     outcome.kind, outcome.reason)
            self._count("unreachable" if outcome.kind == "unreachable" else "failed")
            await self.service.not_sent(item, target, unreachable=outcome.kind == "unreachable",
                                        reason=outcome.reason, retry_after=outcome.delay)
            return False
        await self.service.sent(item, target, activity_id)
        self._count("sent")
        return True

    async def _send(self, reference: dict, payload: dict, card_in_channel=None) -> str | None:
        """Send `payload` in the conversation; a review's card already in the tracker channel
        (`card_in_channel`) is changed in place instead. Returns the message's id."""
        summary = payload.get("text") if "view" in payload else None
        payload = notice_views.render(payload)  # facts queued are rendered now
        if "card" in payload:
            # links in cards are made absolute here: where the bot is reached is the edge's concern
            card = self._cards.render(payload["card"],
                                      {**payload.get("data", {}), "baseUrl": self._base_url})
            activity = MessageFactory.attachment(CardFactory.adaptive_card(card))
            if summary:
                activity.summary = summary  # what a notification of the card says
        else:
            activity = MessageFactory.text(payload["text"])

        failures: list[BaseException] = []
        ids: list[str | None] = []

        async def callback(turn_context: TurnContext) -> None:
            try:
                if card_in_channel is not None:
                    activity.id = card_in_channel.activity_id
                    await turn_context.update_activity(activity)
                    ids.append(card_in_channel.activity_id)
                else:
                    response = await turn_context.send_activity(activity)
                    ids.append(getattr(response, "id", None))
            except Exception as error:  # kept, because the adapter would swallow it
                failures.append(error)

        await self._adapter.continue_conversation(
            ConversationReference().deserialize(reference), callback, self._app_id)
        if failures:
            # botbuilder hands a failed proactive turn to on_turn_error and carries on; a send
            # that did not happen must not be marked sent
            raise failures[0]
        return ids[0] if ids else None


def _in_thread(target) -> dict:
    """The conversation to send in: a reply in the thread of a review's card in the channel
    (Teams names a channel thread "<channel>;messageid=<the first message's id>"), or as it is."""
    if target.thread is None:
        return target.reference
    reference = {**target.reference, "conversation": {
        **target.reference["conversation"],
        "id": f"{target.reference['conversation']['id']};messageid={target.thread.activity_id}"}}
    return reference


def _status(error: BaseException) -> int | None:
    response = getattr(error, "response", None)
    return getattr(response, "status_code", None) or getattr(response, "status", None)
