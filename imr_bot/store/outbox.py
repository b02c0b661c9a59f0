"""The outbox as a use case sees it: notifications queued with the change that caused them, and
what is held for people not yet reached. (Claiming and sending are outbox_queue.py's.)"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from imr_bot.domain.notification import About, OutgoingNotification

from . import tables as t
from .bulk import insert_many
from .common import chunks


@dataclass(frozen=True)
class NotificationRecord:
    key: str
    kind: str
    status: str
    created_at: datetime
    sent_at: datetime | None
    last_error: str | None


@dataclass(frozen=True)
class HeldNotification:
    key: str
    recipient: str
    kind: str
    about: About


# "held": waiting for its recipient to open the bot; "unreachable": held before holding had a name
HELD_STATUSES = ("held", "unreachable")


def _payload(notification: OutgoingNotification) -> str:
    """The payload as stored, with what it is about beside it (for the send-time check)."""
    payload = notification.payload
    if notification.about is not None and notification.about.as_data():
        payload = {**payload, "about": notification.about.as_data()}
    return json.dumps(payload)


class Outbox:
    """Notifications to send. A key is unique, so a notification is queued at most once; the
    dispatcher marks it sent, and retries it until then."""

    def __init__(self, connection: AsyncConnection):
        self._c = connection

    async def queue(self, notification: OutgoingNotification, at: datetime) -> bool:
        try:
            async with self._c.begin_nested():
                await self._c.execute(insert(t.notifications).values(
                    key=notification.key, review_id=notification.review_id,
                    recipient=notification.recipient, kind=notification.kind,
                    payload=_payload(notification), status="pending", attempts=0,
                    next_attempt_at=at, created_at=at))
            return True
        except IntegrityError:
            return False

    async def queue_many(self, notifications: list[OutgoingNotification], at: datetime) -> set[str]:
        """Queue many in one statement; keys already in the sent-log are skipped. Returns the keys
        that were new."""
        if not notifications:
            return set()
        result = await insert_many(self._c, t.notifications, [
            {"key": n.key, "review_id": n.review_id, "recipient": n.recipient, "kind": n.kind,
             "payload": _payload(n), "status": "pending", "attempts": 0,
             "next_attempt_at": at, "created_at": at} for n in notifications],
            conflict=["key"], returning=t.notifications.c.key)
        return set(result.scalars())

    async def finish(self, notification_id: int, status: str, reason: str) -> None:
        """End a notification within this unit of work (with the audit entry that says why)."""
        await self._c.execute(update(t.notifications).where(
            t.notifications.c.id == notification_id).values(
            status=status, last_error=reason[:500], lease_until=None))

    async def release_held(self, recipient: str, at: datetime) -> int:
        """Everything held for a recipient who could not be reached goes back in the queue, due
        now, in the order it was queued (ids); the send-time check drops what is no longer true."""
        result = await self._c.execute(update(t.notifications).where(
            t.notifications.c.recipient == recipient,
            t.notifications.c.status.in_(HELD_STATUSES)).values(
            status="pending", next_attempt_at=at, attempts=0, lease_until=None))
        return result.rowcount

    async def held_for_review(self, review_id: int, limit: int = 50) -> list[HeldNotification]:
        """The review's notifications waiting for their recipient, oldest first."""
        return [item for _, item in await self.held_for_reviews([review_id], limit)]

    async def held_for_reviews(self, review_ids: list[int], limit: int = 200
                               ) -> list[tuple[int, HeldNotification]]:
        """(review id, notification) for those of these reviews' notifications waiting for their
        recipient, oldest first: in one read, for a page of the board."""
        if not review_ids:
            return []
        n = t.notifications.c
        rows = await self._c.execute(select(n.review_id, n.key, n.recipient, n.kind, n.payload)
                                     .where(n.status.in_(HELD_STATUSES),
                                            n.review_id.in_(review_ids[:1000]))
                                     .order_by(n.id).limit(limit))
        held = []
        for r in rows:
            try:
                about = json.loads(r.payload).get("about")
            except (ValueError, AttributeError):
                about = None
            held.append((r.review_id, HeldNotification(r.key, r.recipient, r.kind,
                                                       About.from_data(about, r.key))))
        return held

    async def escalated_among(self, review_ids: list[int]) -> set[int]:
        """Which of these reviews have had their allocation escalation queued."""
        found: set[int] = set()
        for chunk in chunks(review_ids, 5000):
            found.update(await self._c.scalars(select(t.notifications.c.review_id).where(
                t.notifications.c.review_id.in_(chunk),
                t.notifications.c.kind == "allocation_escalation").distinct()))
        return found

    async def reminders_for(self, review_id: int) -> list[NotificationRecord]:
        """The review's reminders and escalations, found by their keys' prefixes in the key's
        unique index (keys compare byte by byte; ';' follows ':')."""
        key = t.notifications.c.key
        rows = (await self._c.execute(select(t.notifications).where(or_(*(
            and_(key >= f"{prefix}:", key < f"{prefix};")
            for prefix in (f"reminder:{review_id}", f"review:{review_id}:escalation"))))
            .order_by(t.notifications.c.id))).all()
        return [NotificationRecord(r.key, r.kind, r.status, r.created_at, r.sent_at, r.last_error)
                for r in rows]
