"""Delivery as a use case: what is due, whether it is still true, who it goes to, and what became
of it. The Teams room (imr_bot/teams/delivery.py) only sends, within Teams' limits, and says how
a send went; everything it records goes through here.

- stale: its reason has gone (imr_bot/domain/notification.py): dropped, audited, never sent late;
- held: its recipient has not opened the bot yet, or Teams refused it: it waits, with everything
  else for that person, until they reach the bot; the first time, Business Services hear of it in
  the tracker channel (through the notification policy, like every channel post), the audit says
  so, and whoever offered an author a review that could not reach them is told;
- sent, retried (after a delay), postponed (not an attempt), skipped or given up.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from imr_bot.clock import Clock
from imr_bot.domain.events import MessageHeld, MessageHeldWithoutReview, ReviewFacts
from imr_bot.domain.notification import About, OutgoingNotification, depends_on
from imr_bot.domain.plain_text import plain
from imr_bot.store.database import Database
from imr_bot.store.outbox_queue import LEASE, OutboxQueue, QueuedNotification
from imr_bot.store.unit_of_work import UnitOfWork

from . import notifications
from .channels import TRACKER_SETTING
from .notifications import NOT_OPENED

log = logging.getLogger(__name__)

__all__ = ["LEASE", "MAX_ATTEMPTS", "DeliveryService", "QueuedNotification", "Target"]

MAX_ATTEMPTS = 12
CARD_KIND = "tracker_card"  # conversation_refs.kind of a review's card in the tracker channel


def _card_key(review_id: int) -> str:
    return f"tracker_card:{review_id}"


@dataclass(frozen=True)
class ChannelCard:
    """A review's one card in the tracker channel: the message to change in place."""
    channel: str  # the channel's key, as subscribed
    activity_id: str  # the message Teams gave the card when it was first posted
    sequence: int  # the outbox entry it shows: an older one is never put over a newer one


@dataclass(frozen=True)
class Target:
    """Where a claimed notification goes: the conversation to send it in."""
    reference: dict  # the stored conversation reference
    person_id: int | None  # None: the tracker channel
    # a review's card already in the channel, to be changed in place rather than posted again
    card: ChannelCard | None = None
    channel: str | None = None  # the tracker channel's key (None: a person's chat)
    thread: ChannelCard | None = None  # the review's card whose thread this is said in

    @property
    def conversation(self) -> str:
        return self.reference["conversation"]["id"]


class DeliveryService:
    def __init__(self, database: Database, clock: Clock, lease: timedelta = LEASE):
        self._database = database
        self._queue = OutboxQueue(database, lease)
        self._clock = clock
        self.count = lambda outcome: None  # set by the sender: counts what became of each

    async def claim(self, limit: int) -> list[QueuedNotification]:
        return await self._queue.claim(self._clock.now(), limit)

    async def counts(self) -> dict[str, int]:
        return await self._queue.counts()

    async def target(self, item: QueuedNotification) -> Target | None:
        """Where `item` goes now; None if it is not to be sent now (stale, held, skipped or to be
        retried), which is recorded here."""
        now = self._clock.now()
        stale = await self._why_stale(item)
        if stale is not None:
            await self._drop_stale(item, stale)
            return None
        person_id = notifications.recipient_person_id(item.recipient)
        if person_id is not None:
            aad, marked = await self._queue.person_contact(person_id)
            reference = await self._queue.conversation(f"user:{aad}") if aad else None
            if reference is None:
                await self._hold(item, person_id, NOT_OPENED, already_marked=marked)
                return None
            if marked:
                # not reached before: this waits with the rest until they open the bot again
                await self._hold(item, person_id, None)
                return None
            return Target(reference, person_id)
        reference = await self._reference_for(item.recipient)
        if reference is None:
            if item.recipient == "tracker" and not await self._queue.setting(TRACKER_SETTING):
                await self._queue.finish(item.id, "skipped", "no tracker channel subscribed")
            else:
                await self._queue.retry(item.id, "no conversation with the recipient yet",
                                        now + timedelta(hours=1))
            return None
        channel = await self._queue.setting(TRACKER_SETTING)
        card = await self.channel_card(item, channel)
        if card is not None and card.sequence > item.id:
            await self._queue.finish(item.id, "skipped",
                                     "a later change is already on the review's card")
            return None
        thread = await self.channel_card(item, channel, "thread_of")
        return Target(reference, None, card, channel, thread)

    async def channel_card(self, item: QueuedNotification, channel: str | None,
                           field: str = "card_of") -> ChannelCard | None:
        """The review's card in the tracker channel, if `item` changes it (`card_of`) or is said
        in its thread (`thread_of`), and it was posted to the channel subscribed now."""
        review_id = item.payload.get(field)
        if type(review_id) is not int or channel is None:
            return None
        stored = await self._queue.conversation(_card_key(review_id))
        if not stored or stored.get("channel") != channel or not stored.get("activity_id"):
            return None
        return ChannelCard(channel, str(stored["activity_id"]), int(stored.get("sequence") or 0))

    async def card_gone(self, item: QueuedNotification) -> None:
        """The review's card was deleted from the channel: the next change posts it again."""
        review_id = item.payload.get("card_of", item.payload.get("thread_of"))
        async with UnitOfWork(self._database) as uow:
            await uow.conversations.save(_card_key(review_id), CARD_KIND, {}, self._clock.now())
            await uow.commit()

    async def postpone(self, item: QueuedNotification, seconds: float, reason: str) -> None:
        """Back in the queue for later, not counted as an attempt."""
        await self._queue.postpone(item.id, self._clock.now() + timedelta(seconds=seconds),
                                   reason)

    async def sent(self, item: QueuedNotification, target: Target | None = None,
                   activity_id: str | None = None) -> None:
        """Marked sent; a review's card posted to the channel is remembered (the message Teams
        gave it), so that the review's next change updates it in place."""
        now = self._clock.now()
        review_id = item.payload.get("card_of")
        if (target is not None and target.channel is not None and type(review_id) is int
                and activity_id):
            async with UnitOfWork(self._database) as uow:
                await uow.conversations.save(_card_key(review_id), CARD_KIND, {
                    "channel": target.channel, "activity_id": activity_id,
                    "sequence": item.id}, now)
                await uow.commit()
        await self._queue.mark_sent(item.id, now)

    async def not_sent(self, item: QueuedNotification, target: Target, *, unreachable: bool,
                       reason: str, retry_after: float) -> None:
        """A send failed: held (a person Teams will not reach), ended (a channel that refuses),
        given up after MAX_ATTEMPTS, or retried after `retry_after` seconds."""
        if unreachable and target.person_id is not None:
            await self._hold(item, target.person_id, reason)
        elif unreachable:
            await self._queue.finish(item.id, "unreachable", reason)
        elif item.attempts >= MAX_ATTEMPTS:
            await self._queue.finish(item.id, "failed", reason)
        else:
            await self._queue.retry(item.id, reason,
                                    self._clock.now() + timedelta(seconds=retry_after))

    async def _why_stale(self, item: QueuedNotification) -> str | None:
        if not depends_on(item.kind):
            return None  # news of something that happened: true whenever it arrives
        async with UnitOfWork(self._database, read_only=True) as uow:
            return await notifications.why_stale(uow, item.kind, item.review_id, About.from_data(
                item.payload.get("about"), item.key))

    async def _drop_stale(self, item: QueuedNotification, reason: str) -> None:
        """Its reason has gone: recorded as stale, and never sent."""
        now = self._clock.now()
        self.count("stale")
        log.info("dropped stale notification key=%s: %s", item.key, reason)
        async with UnitOfWork(self._database) as uow:
            await uow.outbox.finish(item.id, "stale", reason)
            await uow.audit.record(actor="imr-bot", action="notification.stale", at=now,
                                   review_id=item.review_id,
                                   person_id=notifications.recipient_person_id(item.recipient), kind=item.kind,
                                   reason=reason)
            await uow.commit()

    async def _hold(self, item: QueuedNotification, person_id: int, reason: str | None, *,
                    already_marked: bool = False) -> None:
        """Held until the person opens the bot (README: Delivery). `reason`: why they are not
        reached, marked on them the first time (None: they were marked before)."""
        now = self._clock.now()
        why = reason or "waiting: the recipient was not reached before"
        await self._queue.finish(item.id, "held", why)
        if reason is None or already_marked:
            return
        if not await self._queue.mark_unreachable(person_id, reason, now):
            return
        async with UnitOfWork(self._database) as uow:
            review = await uow.reviews.read_by_id(item.review_id) if item.review_id else None
            person = await uow.people.by_id(person_id)
            occurrence = now.isoformat()
            held = (MessageHeld(ReviewFacts.of(review), item.recipient, occurrence)
                    if review is not None else MessageHeldWithoutReview(item.recipient, occurrence))
            await notifications.publish(uow, [held], now)
            await uow.audit.record(actor="imr-bot", action="person.unreachable", at=now,
                                   review_id=item.review_id, person_id=person_id,
                                   kind=item.kind, reason=reason)
            if item.kind == "allocation_offer" and reason != NOT_OPENED and person is not None:
                await self._tell_offerer(uow, item, person, review, now)
            await uow.commit()

    async def _tell_offerer(self, uow, item, person, review, now: datetime) -> None:
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
        return None
