"""PostgreSQL tells this process of every change to people, their leave and the bot's state, so
a ReadCache may answer the reads every turn makes from memory (ADR 0004). SQLite is asked
instead, before each lookup, whether anything was committed since (`SqliteChanges`).

Triggers (migration 0011) send a notification on channel `imr_changes` when such a row changes,
whichever process changed it: "people" (people or leave; the directory is small and changes
rarely) or "state:<key>" ("state" after a TRUNCATE). The notification goes out when the change
commits. The feed listens on a connection of its own; while it is not listening (not yet
connected, PostgreSQL restarting) the cache is suspended and every read goes to the database."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3

from sqlalchemy.engine import make_url

from .read_cache import PEOPLE, STATE, ReadCache

log = logging.getLogger(__name__)

CHANNEL = "imr_changes"


class ChangeFeed:
    def __init__(self, url: str, cache: ReadCache, *, check_every: float = 5.0,
                 retry_after: float = 1.0):
        """`check_every`: how often the listening connection is asked whether it is still
        there (a connection that died without a word would otherwise leave the cache live and
        deaf). `retry_after`: the wait before reconnecting after the connection is lost."""
        self._url = make_url(url)
        self._cache = cache
        self._check_every = check_every
        self._retry_after = retry_after
        self._task: asyncio.Task | None = None
        self.listening = asyncio.Event()  # set while changes are being heard (tests wait on it)
        self.reconnects = 0
        self.backend_pid: int | None = None  # the listening connection's, for diagnostics

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="imr-change-feed")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        self._cache.suspend()

    def _on_notification(self, _connection, _pid, _channel, payload: str) -> None:
        topic, _, key = payload.partition(":")
        if topic == PEOPLE:
            self._cache.forget(PEOPLE)
        elif topic == STATE and key:
            self._cache.forget(STATE, key)
        elif topic == STATE:
            self._cache.forget(STATE)
        else:  # a payload this version does not know: keep nothing rather than guess
            self._cache.suspend()
            self._cache.resume()

    async def _run(self) -> None:
        import asyncpg  # here: a process on SQLite never loads it

        failing = False
        while True:
            connection = None
            try:
                connection = await asyncpg.connect(**self._connect_arguments())
                lost = asyncio.Event()
                connection.add_termination_listener(lambda _c, lost=lost: lost.set())
                await connection.add_listener(CHANNEL, self._on_notification)
                self._cache.resume()  # only now: a change made before we listened went unheard
                self.backend_pid = connection.get_server_pid()
                self.listening.set()
                failing = False
                while not lost.is_set():
                    try:
                        await asyncio.wait_for(lost.wait(), self._check_every)
                    except TimeoutError:
                        await asyncio.wait_for(connection.fetchval("SELECT 1"), self._check_every)
                log.warning("change feed: connection lost; reads go to the database until it is back")
            except asyncio.CancelledError:
                raise
            except Exception as error:  # said once while PostgreSQL stays away, not every second
                (log.debug if failing else log.warning)(
                    "change feed: not listening (%s); reads go to the database", error)
                failing = True
            finally:
                self.listening.clear()
                self.backend_pid = None
                self._cache.suspend()
                if connection is not None:
                    connection.terminate()
            self.reconnects += 1
            await asyncio.sleep(self._retry_after)

    def _connect_arguments(self) -> dict:
        url = self._url
        arguments: dict = {"host": url.host or "localhost", "port": url.port or 5432,
                           "user": url.username, "password": url.password,
                           "database": url.database, "timeout": 10}
        mode = url.query.get("ssl") or url.query.get("sslmode")
        if mode:  # as the engine's URL asks (asyncpg takes libpq's sslmode names)
            arguments["ssl"] = mode
        return arguments


class SqliteChanges:
    """SQLite sends no notifications, but a connection can tell whether any other connection,
    in this process or another (`imr-bot people import`), committed since it last asked:
    `PRAGMA data_version` (4 µs). A connection of its own, which never writes, is asked before
    each lookup in the cache, and anything committed anywhere empties it: coarse, as the bot's
    own writes do too, but a status turn writes nothing, and the reads it then saves (who is
    asking, the conversation's state) were a sixth of its time."""

    def __init__(self, path: str, cache: ReadCache):
        self._path = path
        self._cache = cache
        self._connection: sqlite3.Connection | None = None
        self._seen: int | None = None
        self.listening = asyncio.Event()

    def start(self) -> None:
        if self._connection is None:
            # used on the event loop's thread only (as the bot's SQLite reads are)
            self._connection = sqlite3.connect(self._path, check_same_thread=False)
            self._seen = self._data_version()
            self._cache.ask_before_each_lookup(self._changed_since)
            self.listening.set()

    async def stop(self) -> None:
        self._cache.suspend()
        self.listening.clear()
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def _data_version(self) -> int:
        return self._connection.execute("PRAGMA data_version").fetchone()[0]

    def _changed_since(self) -> bool:
        try:
            version = self._data_version()
        except sqlite3.Error:  # the file went away or is locked out: keep nothing
            return True
        changed, self._seen = version != self._seen, version
        return changed
