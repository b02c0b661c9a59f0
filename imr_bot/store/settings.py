"""Settings: small named values the bot keeps in the database (keys, the last sweep...)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from . import tables as t


class Settings:
    def __init__(self, connection: AsyncConnection):
        self._c = connection

    async def get(self, key: str) -> str | None:
        return await self._c.scalar(select(t.settings.c.value).where(t.settings.c.key == key))

    async def put(self, key: str, value: str, at: datetime) -> None:
        await self._c.execute(delete(t.settings).where(t.settings.c.key == key))
        await self._c.execute(insert(t.settings).values(key=key, value=value, updated_at=at))

    async def remove(self, key: str) -> None:
        await self._c.execute(delete(t.settings).where(t.settings.c.key == key))
