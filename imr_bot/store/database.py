"""Engine, connections and migrations."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import Iterator
from contextlib import asynccontextmanager
from functools import lru_cache
from pathlib import Path

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DBAPIError, DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from .change_feed import ChangeFeed, SqliteChanges
from .read_cache import ReadCache

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).parent / "migrations"

# A pooled PostgreSQL connection idle longer than this is pinged before use (see _ping_if_idle).
PING_AFTER_IDLE_SECONDS = 1.0


def normalise_url(url: str) -> str:
    """Accept plain postgresql:// and sqlite:// URLs and pick the async drivers we ship."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres", "postgresql+psycopg2"):
        parsed = parsed.set(drivername="postgresql+asyncpg")
    elif parsed.drivername == "sqlite":
        parsed = parsed.set(drivername="sqlite+aiosqlite")
    return parsed.render_as_string(hide_password=False)


_DISCONNECTS = ("CannotConnectNowError", "ConnectionDoesNotExistError", "AdminShutdown",
                "ConnectionFailureError", "InterfaceError", "CrashShutdown")


def causes(error: BaseException) -> Iterator[BaseException]:
    """`error`, then what it was raised from or while handling, and so on (each once)."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def is_unavailable(error: BaseException) -> bool:
    """Whether `error` says the database could not be reached or dropped the connection (a
    restart, a network blip, a lock held too long): the transaction was not saved, and the
    answer is to try again shortly."""
    for current in causes(error):
        if isinstance(current, DBAPIError) and (
                current.connection_invalidated
                or isinstance(current, (OperationalError, InterfaceError))):
            return True
        if isinstance(current, (ConnectionError, TimeoutError)):
            return True
        if isinstance(current, OSError) and "connect" in str(current).lower():
            return True  # asyncpg: "Multiple exceptions: [Errno 111] Connect call failed"
        if type(current).__name__ in _DISCONNECTS:
            return True
    return False


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


class Database:
    def __init__(self, url: str, *, echo: bool = False, checkpoint_in_background: bool = False):
        """`checkpoint_in_background` (SQLite; the bot sets it): no commit copies the write-ahead
        log into the database file on its way (SQLite's automatic checkpoint, which made the
        commit that crossed 1,000 pages, a user's or a sweep's, wait for it); the bot calls
        `checkpoint` every few seconds instead, as PostgreSQL's own checkpointer does."""
        self.url = normalise_url(url)
        self.is_sqlite = is_sqlite(self.url)
        self._reader = None
        self._writers: tuple[asyncio.AbstractEventLoop, asyncio.Lock] | None = None
        self._writer: asyncio.Task | None = None  # the task whose turn it is
        self._autocommit_reader: AsyncEngine | None = None
        # what every turn reads, from memory while the database reports changes (follow_changes)
        self.cache = ReadCache()
        # the audit chain's HMAC key (IMR_AUDIT_KEY), set by whoever opens the database for the
        # bot or the CLI; None: the development key (audit.DEVELOPMENT_AUDIT_KEY)
        self.audit_key: bytes | None = None
        self._feed: ChangeFeed | SqliteChanges | None = None
        self._sqlite_path: str | None = None
        self.checkpoints_in_background = self.is_sqlite and checkpoint_in_background
        pragmas = _sqlite_pragmas if not self.checkpoints_in_background else _sqlite_pragmas_manual
        if self.is_sqlite:
            database = make_url(self.url).database
            on_disk = bool(database) and database != ":memory:"
            if on_disk:
                self._sqlite_path = database
                Path(database).parent.mkdir(parents=True, exist_ok=True)
            # Every unit of work ends its own transaction, so the pool's extra rollback on
            # return would only cost another trip to aiosqlite's thread, on every turn.
            # Few connections kept (SQLite has one writer at a time, and reads run one at a time
            # on the loop's thread): each keeps up to 2 MB of pages cached, so the pool's size is
            # what the bot's memory grows to as the database grows; a burst opens more, for a while.
            pool = {"pool_size": 2, "max_overflow": 8} if on_disk else {}
            self.engine: AsyncEngine = create_async_engine(
                self.url, echo=echo, connect_args={"timeout": 30}, pool_reset_on_return=None,
                **pool)
            event.listen(self.engine.sync_engine, "connect", pragmas)
            event.listen(self.engine.sync_engine, "begin", _sqlite_begin_immediate)
            if on_disk:  # (an in-memory database is one per connection: reads must share it)
                # Reads run on the event loop's own thread (see read_connection).
                self._reader = create_engine(
                    make_url(self.url).set(drivername="sqlite"), pool_reset_on_return=None,
                    connect_args={"timeout": 30, "check_same_thread": False}, **pool)
                event.listen(self._reader, "connect", pragmas)
                event.listen(self._reader, "begin", lambda c: c.exec_driver_sql("BEGIN"))
        else:
            self.engine = create_async_engine(self.url, echo=echo, pool_size=10, max_overflow=10)
            _ping_if_idle(self.engine)
            # Reads in autocommit (see read_connection) from a pool of their own: a connection
            # set to autocommit for each read and back on its return cost the turn more than
            # the read itself; these stay in autocommit, and have no transaction to roll back.
            self._autocommit_reader = create_async_engine(
                self.url, echo=echo, pool_size=10, max_overflow=10,
                isolation_level="AUTOCOMMIT", pool_reset_on_return=None)
            _ping_if_idle(self._autocommit_reader)

    @asynccontextmanager
    async def read_connection(self, *, holds_locks: bool = False):
        """A connection for reading only, not yet in a transaction. On SQLite it is a
        synchronous connection used on the event loop's own thread: a read here takes tens of
        microseconds, and each trip to aiosqlite's thread and back costs more than that (a
        status turn's three reads: about 3 ms of its 8). WAL readers wait for no writer.

        On PostgreSQL the reads run in autocommit: at READ COMMITTED each statement sees what
        was committed when it began, in a transaction or not, and without one a unit of work
        saves the BEGIN and ROLLBACK round trips. A reader that takes transaction-scoped locks
        (`holds_locks`: the sweep's claim) keeps its transaction, or the lock would go at once."""
        if self._reader is not None:
            with self._reader.connect() as connection:
                yield LoopThreadConnection(connection)
            return
        if self._autocommit_reader is not None and not holds_locks:
            async with self._autocommit_reader.connect() as connection:
                yield connection
            return
        async with self.engine.connect() as connection:
            await connection.execution_options(**{READ_ONLY: True})
            yield connection

    @asynccontextmanager
    async def writer_turn(self):
        """On SQLite, this process's writers take turns here, first come first served. SQLite
        has one writer at a time, and a writer that finds the lock taken sleeps in SQLite's
        busy handler and polls, in ever longer naps: under load a few writers waited seconds
        while later ones got in. Writers in other processes still meet the busy handler."""
        if not self.is_sqlite:
            yield
            return
        loop, task = asyncio.get_running_loop(), asyncio.current_task()
        if self._writers is None or self._writers[0] is not loop:
            self._writers = (loop, asyncio.Lock())
        if self._writer is not None and self._writer is task:
            # it would wait for itself for ever (SQLite's own lock: until busy_timeout)
            raise RuntimeError("this task is already writing: pass its connection down")
        async with self._writers[1]:
            self._writer = task
            try:
                yield
            finally:
                self._writer = None

    @asynccontextmanager
    async def write_transaction(self):
        """A connection in a write transaction, committed on leaving (rolled back on error),
        taken in its turn (writer_turn)."""
        async with self.writer_turn(), self.engine.begin() as connection:
            yield connection

    def reads_in_transactions(self, *, holds_locks: bool) -> bool:
        """Whether a read connection needs a transaction begun (and rolled back): not for
        PostgreSQL's autocommit reads, where BEGIN and ROLLBACK would be two more trips."""
        return self._autocommit_reader is None or holds_locks

    def follow_changes(self) -> ChangeFeed | SqliteChanges | None:
        """Learn of every change to people and the bot's state, so the cache may keep them (the
        bot does this; one-off commands don't): PostgreSQL's notifications, or SQLite's count of
        commits made by other connections. An in-memory SQLite database has no other
        connections to ask: nothing is cached there."""
        if self._feed is None:
            if not self.is_sqlite:
                self._feed = ChangeFeed(self.url, self.cache)
            elif self._sqlite_path:
                self._feed = SqliteChanges(self._sqlite_path, self.cache)
            if self._feed is not None:
                self._feed.start()
        return self._feed

    async def checkpoint(self) -> None:
        """Copy the write-ahead log into the database file (SQLite), on a thread of its own and
        without waiting for or holding up readers and writers (PASSIVE)."""
        if not self.is_sqlite:
            return
        path = make_url(self.url).database

        def run() -> None:
            connection = sqlite3.connect(path, timeout=30)
            try:
                connection.execute("PRAGMA wal_checkpoint(PASSIVE)")
            finally:
                connection.close()

        await asyncio.to_thread(run)

    async def ping(self) -> bool:
        try:
            async with self.engine.connect() as connection:
                await connection.execution_options(**{READ_ONLY: True})
                await connection.execute(text("SELECT 1"))
            return True
        except Exception:  # readiness reports, it does not raise
            log.warning("database ping failed", exc_info=True)
            return False

    async def migrate(self) -> None:
        await asyncio.to_thread(upgrade, self.url)

    async def stop_following_changes(self) -> None:
        if self._feed is not None:
            feed, self._feed = self._feed, None
            await feed.stop()

    async def dispose(self) -> None:
        await self.stop_following_changes()
        await self.engine.dispose()
        if self._autocommit_reader is not None:
            await self._autocommit_reader.dispose()
        if self._reader is not None:
            self._reader.dispose()


class LoopThreadConnection:
    """What our read paths use of an AsyncConnection, over a synchronous connection: each call
    runs at once on the calling (event loop) thread."""

    def __init__(self, connection: Connection):
        self._c = connection

    @property
    def dialect(self):
        return self._c.dialect

    async def begin(self):
        return self._c.begin()

    async def execute(self, statement, parameters=None, **kwargs):
        return self._c.execute(statement, parameters, **kwargs)

    async def scalar(self, statement, parameters=None, **kwargs):
        return self._c.scalar(statement, parameters, **kwargs)

    async def scalars(self, statement, parameters=None, **kwargs):
        return self._c.scalars(statement, parameters, **kwargs)

    async def commit(self) -> None:
        self._c.commit()

    async def rollback(self) -> None:
        self._c.rollback()


async def fetch_rows(connection, statement, values: dict) -> list:
    """The rows of a read made on nearly every turn (the board), each read by column name. On
    PostgreSQL the statement SQLAlchemy compiled once goes straight to asyncpg, past
    SQLAlchemy's execution and result layers (a third of this read's time on this machine).
    Only for statements whose parameters and columns need no conversion: integers, text, dates."""
    if connection.dialect.driver != "asyncpg":
        return (await connection.execute(statement, values)).mappings().all()
    expanded = _compiled(statement, connection.dialect).construct_expanded_state(values)
    driver = (await connection.get_raw_connection()).driver_connection
    try:
        return await driver.fetch(expanded.statement, *expanded.positional_parameters)
    except Exception as error:
        if is_unavailable(error):  # as SQLAlchemy would: the pool must not hand it out again
            await connection.invalidate()
        raise


@lru_cache(maxsize=64)
def _compiled(statement, dialect):
    return statement.compile(dialect=dialect)


def _ping_if_idle(engine: AsyncEngine) -> None:
    """Ping a pooled connection before use only when it has been idle a while. After a
    PostgreSQL restart the first turn then still works (the stale connection is replaced); a busy
    bot, whose connections are never idle that long, skips the three round trips of a ping
    (BEGIN, ping, ROLLBACK) on every unit of work. A connection that fails mid-use is dropped
    with the whole pool's older connections (SQLAlchemy's disconnect handling), so a restart
    costs at most the turn that was running."""

    @event.listens_for(engine.sync_engine, "checkin")
    def checked_in(_dbapi_connection, record) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine.sync_engine, "checkout")
    def checked_out(dbapi_connection, record, _proxy) -> None:
        idle_since = record.info.get("idle_since")
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_SECONDS:
            return  # new, or in use a moment ago
        try:
            engine.sync_engine.dialect.do_ping(dbapi_connection)
        except Exception as error:  # the pool replaces the connection and checks out again
            raise DisconnectionError(str(error)) from error


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # Let SQLAlchemy, not the driver, issue BEGIN (see _sqlite_begin_immediate).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_pragmas_manual(dbapi_connection, record) -> None:
    _sqlite_pragmas(dbapi_connection, record)
    dbapi_connection.execute("PRAGMA wal_autocheckpoint=0")  # see Database(checkpoint_in_background)


READ_ONLY = "imr_read_only"


def _sqlite_begin_immediate(connection) -> None:
    # A deferred transaction that reads and then writes fails at once with "database is locked"
    # when another writer is active; taking the write lock up front makes writers queue instead.
    # Read-only work (marked with the READ_ONLY execution option) takes no write lock.
    if connection.get_execution_options().get(READ_ONLY):
        connection.exec_driver_sql("BEGIN")
    else:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def alembic_config(url: str):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Apply migrations (blocking: run it in a thread from async code)."""
    from alembic import command

    command.upgrade(alembic_config(url), revision)
