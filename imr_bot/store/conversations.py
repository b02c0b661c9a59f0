"""Conversation references: where the bot can reach a person or a channel proactively."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from . import tables as t


class ConversationRefs:
    def __init__(self, connection: AsyncConnection):
        self._c = connection

    async def save(self, key: str, kind: str, reference: dict[str, Any], at: datetime) -> None:
        payload = json.dumps(reference, sort_keys=True)
        updated = await self._c.execute(update(t.conversation_refs).where(
            t.conversation_refs.c.key == key).values(reference=payload, kind=kind, updated_at=at))
        if updated.rowcount == 0:
            try:
                async with self._c.begin_nested():
                    await self._c.execute(insert(t.conversation_refs).values(
                        key=key, kind=kind, reference=payload, updated_at=at))
            except IntegrityError:  # saved by a concurrent turn: theirs is as fresh as ours
                pass

    async def get(self, key: str) -> dict[str, Any] | None:
        value = await self._c.scalar(select(t.conversation_refs.c.reference).where(
            t.conversation_refs.c.key == key))
        return json.loads(value) if value else None
