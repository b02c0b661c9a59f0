"""The delivery side of the outbox: claim what is due, and record what happened to it.

A claim takes rows under a lease in one statement; on PostgreSQL with SKIP LOCKED, so two bot
processes never take the same row. A row whose sender died keeps its lease until it expires, and
is then taken again: the one case where a message may be sent twice (README: Reminders).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update

from . import tables as t
from .conversations import ConversationRefs
from .database import Database
from .read_cache import PEOPLE
from .settings import Settings

LEASE = timedelta(seconds=120)  # longer than any one send, retries and rate-limit waits included


@dataclass(frozen=True)
class QueuedNotification:
    id: int
    key: str
    recipient: str
    kind: str
    payload: dict[str, Any]
    attempts: int
    review_id: int | None


class OutboxQueue:
    def __init__(self, database: Database, lease: timedelta = LEASE):
        self._database = database
        self._lease = lease

    async def claim(self, now: datetime, limit: int) -> list[QueuedNotification]:
        """Up to `limit` notifications due now: first those whose sender's lease ran out, then
        those waiting, soonest due first. Each is read along ix_notifications_due and stops at
        `limit`, so a claim costs the same whatever the backlog (in id order, as it was, every
        due notification was sorted on every claim: a backlog of 500,000 made each claim sort
        them all)."""
        n = t.notifications.c
        lapsed = select(n.id).where(n.status == "sending", n.lease_until < now).order_by(
            n.lease_until, n.id)
        waiting = select(n.id).where(n.status == "pending", n.next_attempt_at <= now).order_by(
            n.next_attempt_at, n.id)
        async with self._database.write_transaction() as connection:
            ids: list[int] = []
            for query in (lapsed, waiting):
                query = query.limit(limit - len(ids))
                if connection.dialect.name == "postgresql":
                    query = query.with_for_update(skip_locked=True)
                ids += await connection.scalars(query)
                if len(ids) >= limit:
                    break
            if not ids:
                return []
            await connection.execute(update(t.notifications).where(
                t.notifications.c.id.in_(ids)).values(
                status="sending", lease_until=now + self._lease, attempts=t.notifications.c.attempts + 1))
            rows = (await connection.execute(select(t.notifications).where(
                t.notifications.c.id.in_(ids)).order_by(t.notifications.c.id))).all()
        return [QueuedNotification(r.id, r.key, r.recipient, r.kind, json.loads(r.payload),
                                   r.attempts, r.review_id) for r in rows]

    async def mark_sent(self, notification_id: int, at: datetime) -> None:
        await self._update(notification_id, status="sent", sent_at=at, last_error=None,
                           lease_until=None)

    async def retry(self, notification_id: int, error: str, at: datetime) -> None:
        await self._update(notification_id, status="pending", next_attempt_at=at,
                           last_error=error[:500], lease_until=None)

    async def postpone(self, notification_id: int, until: datetime, reason: str) -> None:
        """Back in the queue until `until`, without counting this claim as an attempt: it was
        not sent, only held back (a recipient's conversation is at Teams' limit)."""
        await self._update(notification_id, status="pending", next_attempt_at=until,
                           last_error=reason[:500], lease_until=None,
                           attempts=t.notifications.c.attempts - 1)

    async def finish(self, notification_id: int, status: str, reason: str) -> None:
        """End a notification that will not be sent now: skipped, failed, stale (no longer true)
        or held (until its recipient opens the bot)."""
        await self._update(notification_id, status=status, last_error=reason[:500],
                           lease_until=None)

    async def _update(self, notification_id: int, **values: Any) -> None:
        async with self._database.write_transaction() as connection:
            await connection.execute(update(t.notifications).where(
                t.notifications.c.id == notification_id).values(**values))

    async def setting(self, key: str) -> str | None:
        async with self._database.read_connection() as connection:
            return await Settings(connection).get(key)

    async def conversation(self, key: str) -> dict | None:
        async with self._database.read_connection() as connection:
            return await ConversationRefs(connection).get(key)

    async def person_contact(self, person_id: int) -> tuple[str | None, bool]:
        """The person's AAD object id, and whether they are marked as not reached."""
        async with self._database.read_connection() as connection:
            row = (await connection.execute(select(
                t.people.c.aad_object_id, t.people.c.unreachable_since).where(
                t.people.c.id == person_id))).first()
        return (row.aad_object_id, row.unreachable_since is not None) if row else (None, False)

    async def mark_unreachable(self, person_id: int, reason: str, at: datetime) -> bool:
        """Record that Teams refuses messages to this person; True the first time."""
        async with self._database.write_transaction() as connection:
            result = await connection.execute(update(t.people).where(
                t.people.c.id == person_id, t.people.c.unreachable_since.is_(None)).values(
                unreachable_since=at, unreachable_reason=reason[:500]))
        if result.rowcount != 1:
            return False  # marked before: nothing changed, and what is kept of people still holds
        self._database.cache.forget(PEOPLE)
        return True

    async def counts(self) -> dict[str, int]:
        from sqlalchemy import func

        async with self._database.read_connection() as connection:
            rows = (await connection.execute(select(t.notifications.c.status, func.count())
                                             .group_by(t.notifications.c.status))).all()
        return {status: count for status, count in rows}
