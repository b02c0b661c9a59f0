"""Key-value records with an etag, for conversation and dialog state.

The bot's state adapter (in imr_bot.teams) stores its JSON here, so a restart loses no
half-finished dialog. Plain JSON text in, plain JSON text out: this room knows nothing of the SDK.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from . import tables as t
from .database import Database

# built once: this read runs on every message
_READ = select(t.bot_state.c.key, t.bot_state.c.data, t.bot_state.c.etag).where(
    t.bot_state.c.key.in_(bindparam("keys", expanding=True)))


class StaleRecord(Exception):
    """The record changed since it was read (its etag moved on)."""


@dataclass(frozen=True)
class StateRecord:
    key: str
    data: str
    etag: int


class StateRecords:
    def __init__(self, database: Database):
        self._database = database

    async def read(self, keys: list[str]) -> dict[str, StateRecord]:
        if not keys:
            return {}
        async with self._database.read_connection() as connection:
            rows = (await connection.execute(_READ, {"keys": keys})).all()
        return {r.key: StateRecord(r.key, r.data, r.etag) for r in rows}

    async def write(self, records: dict[str, tuple[str, int | None]], at: datetime) -> None:
        """Write each key's data. An etag of None (or "*" upstream) means last write wins;
        otherwise the stored etag must match, or StaleRecord is raised and nothing is written."""
        async with self._database.engine.begin() as connection:
            for key, (data, expected) in records.items():
                if expected is None:
                    changed = await connection.execute(
                        update(t.bot_state).where(t.bot_state.c.key == key)
                        .values(data=data, etag=t.bot_state.c.etag + 1, updated_at=at))
                    if changed.rowcount == 0:
                        try:
                            async with connection.begin_nested():
                                await connection.execute(insert(t.bot_state).values(
                                    key=key, data=data, etag=1, updated_at=at))
                        except IntegrityError:
                            await connection.execute(
                                update(t.bot_state).where(t.bot_state.c.key == key)
                                .values(data=data, etag=t.bot_state.c.etag + 1, updated_at=at))
                else:
                    changed = await connection.execute(
                        update(t.bot_state).where(t.bot_state.c.key == key,
                                                  t.bot_state.c.etag == expected)
                        .values(data=data, etag=expected + 1, updated_at=at))
                    if changed.rowcount == 0:
                        raise StaleRecord(key)

    async def delete(self, keys: list[str]) -> None:
        if keys:
            async with self._database.engine.begin() as connection:
                await connection.execute(delete(t.bot_state).where(t.bot_state.c.key.in_(keys)))
