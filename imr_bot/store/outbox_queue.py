"""The delivery side of the outbox: what is due, and recording what happened to it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update

from . import tables as t
from .database import READ_ONLY, Database


@dataclass(frozen=True)
class QueuedNotification:
    id: int
    key: str
    recipient: str
    kind: str
    payload: dict[str, Any]
    attempts: int


class OutboxQueue:
    def __init__(self, database: Database):
        self._database = database

    async def due(self, now: datetime, limit: int) -> list[QueuedNotification]:
        async with self._database.engine.connect() as connection:
            await connection.execution_options(**{READ_ONLY: True})
            rows = (await connection.execute(
                select(t.notifications).where(t.notifications.c.status == "pending",
                                              t.notifications.c.next_attempt_at <= now)
                .order_by(t.notifications.c.id).limit(limit))).all()
        return [QueuedNotification(r.id, r.key, r.recipient, r.kind, json.loads(r.payload),
                                   r.attempts) for r in rows]

    async def mark_sent(self, notification_id: int, at: datetime) -> None:
        await self._update(notification_id, status="sent", sent_at=at,
                           attempts=t.notifications.c.attempts + 1, last_error=None)

    async def retry(self, notification_id: int, error: str, at: datetime) -> None:
        await self._update(notification_id, next_attempt_at=at, last_error=error,
                           attempts=t.notifications.c.attempts + 1)

    async def skip(self, notification_id: int, reason: str) -> None:
        await self._update(notification_id, status="skipped", last_error=reason)

    async def _update(self, notification_id: int, **values: Any) -> None:
        async with self._database.engine.begin() as connection:
            await connection.execute(update(t.notifications).where(
                t.notifications.c.id == notification_id).values(**values))

    async def setting(self, key: str) -> str | None:
        async with self._database.engine.connect() as connection:
            await connection.execution_options(**{READ_ONLY: True})
            return await connection.scalar(select(t.settings.c.value).where(t.settings.c.key == key))

    async def conversation(self, key: str) -> dict | None:
        async with self._database.engine.connect() as connection:
            await connection.execution_options(**{READ_ONLY: True})
            value = await connection.scalar(select(t.conversation_refs.c.reference).where(
                t.conversation_refs.c.key == key))
        return json.loads(value) if value else None

    async def person_aad(self, person_id: int) -> str | None:
        async with self._database.engine.connect() as connection:
            await connection.execution_options(**{READ_ONLY: True})
            return await connection.scalar(select(t.people.c.aad_object_id).where(
                t.people.c.id == person_id))
