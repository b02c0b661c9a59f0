"""Key-value records with an etag, for conversation and dialog state.

The bot's state adapter (in imr_bot.teams) stores its JSON here, so a restart loses no
half-finished dialog. Plain JSON text in, plain JSON text out: this room knows nothing of the SDK.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from . import tables as t
from .database import Database
from .read_cache import MISSING, STATE

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


class BotState:
    """The records on one connection, as every repository works; `StateRecords` opens the
    connections and keeps what it can in memory."""

    def __init__(self, connection: AsyncConnection):
        self._c = connection

    async def read(self, keys: list[str]) -> dict[str, StateRecord]:
        rows = (await self._c.execute(_READ, {"keys": keys})).all()
        return {r.key: StateRecord(r.key, r.data, r.etag) for r in rows}

    async def write(self, key: str, data: str, expected: int | None, at: datetime) -> None:
        """An etag of None means last write wins; otherwise the stored etag must match, or
        StaleRecord is raised."""
        connection = self._c
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
        await self._c.execute(delete(t.bot_state).where(t.bot_state.c.key.in_(keys)))


class StateRecords:
    """The bot's state outside any unit of work: each read and write in a transaction of its
    own, and the records kept in memory while the database reports changes to them."""

    def __init__(self, database: Database):
        self._database = database

    async def read(self, keys: list[str]) -> dict[str, StateRecord]:
        """The records of these keys (a key with none is left out). Read on every message: from
        memory while the database reports changes to them (PostgreSQL), with what is absent."""
        cache = self._database.cache
        found: dict[str, StateRecord] = {}
        unknown = []
        for key in keys:
            record = cache.get(STATE, key)
            if record is MISSING:
                unknown.append(key)
            elif record is not None:
                found[key] = record
        if not unknown:
            return found
        token = cache.token()
        async with self._database.read_connection() as connection:
            read = await BotState(connection).read(unknown)
        for key in unknown:
            cache.put(STATE, key, read.get(key), token)
        return found | read

    async def write(self, records: dict[str, tuple[str, int | None]], at: datetime) -> None:
        """Write each key's data. An etag of None (or "*" upstream) means last write wins;
        otherwise the stored etag must match, or StaleRecord is raised and nothing is written."""
        try:
            async with self._database.write_transaction() as connection:
                state = BotState(connection)
                for key, (data, expected) in records.items():
                    await state.write(key, data, expected, at)
        finally:  # written or not (a stale etag), what this process kept may be out of date
            for key in records:
                self._database.cache.forget(STATE, key)

    async def delete(self, keys: list[str]) -> None:
        if keys:
            try:
                async with self._database.write_transaction() as connection:
                    await BotState(connection).delete(keys)
            finally:
                for key in keys:
                    self._database.cache.forget(STATE, key)
