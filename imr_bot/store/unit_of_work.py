"""One unit of work per turn: a use case's change and its audit entry commit together or not at all."""

from __future__ import annotations

from contextlib import AsyncExitStack
from contextvars import ContextVar
from types import TracebackType

from sqlalchemy.ext.asyncio import AsyncConnection

from .action_plans import ActionPlans
from .allocations import Allocations
from .audit import AuditLog
from .board_reads import BoardReads
from .conversations import ConversationRefs
from .database import Database
from .downloads import Downloads
from .interviews import Interviews
from .meetings import Meetings
from .org_templates import OrgTemplates
from .outbox import Outbox
from .people import People
from .read_cache import PEOPLE, Writes
from .records import Records
from .reminder_source import ReminderSource
from .reviews import Reviews, open_loads
from .settings import Settings
from .submissions import Submissions
from .todo_source import TodoSource

# A write unit of work opened inside another in the same task would, on SQLite, wait for the
# outer one's lock while the outer one waits for it: say so at once instead of hanging.
_open_writer: ContextVar[bool] = ContextVar("imr_open_writer", default=False)


class NestedUnitOfWork(RuntimeError):
    pass


class UnitOfWork:
    reviews: Reviews
    people: People
    audit: AuditLog
    conversations: ConversationRefs
    settings: Settings
    outbox: Outbox
    downloads: Downloads
    allocations: Allocations
    meetings: Meetings
    submissions: Submissions
    reminder_source: ReminderSource
    board: BoardReads
    org_templates: OrgTemplates
    records: Records
    todo_source: TodoSource
    action_plans: ActionPlans
    interviews: Interviews

    def __init__(self, database: Database, *, read_only: bool = False, holds_locks: bool = False):
        self._database = database
        self._read_only = read_only
        self._holds_locks = holds_locks
        self._connection: AsyncConnection | None = None
        self._committed = False

    async def __aenter__(self) -> UnitOfWork:
        if not self._read_only:
            if _open_writer.get():
                raise NestedUnitOfWork("a write unit of work is already open in this task; "
                                       "pass it down instead of opening another")
            self._writer_token = _open_writer.set(True)
        self._exit = AsyncExitStack()
        try:
            if self._read_only:
                self._connection = await self._exit.enter_async_context(
                    self._database.read_connection(holds_locks=self._holds_locks))
                self._in_transaction = self._database.reads_in_transactions(
                    holds_locks=self._holds_locks)
            else:
                await self._exit.enter_async_context(self._database.writer_turn())
                self._connection = await self._exit.enter_async_context(
                    self._database.engine.connect())
                self._in_transaction = True
            if self._in_transaction:
                await self._connection.begin()
        except BaseException:
            # the database could not be reached: this unit of work never opened, so the task may
            # open another once it is back
            await self._exit.aclose()
            if not self._read_only:
                _open_writer.reset(self._writer_token)
            raise
        connection = self._connection
        self._writes = Writes()
        self.reviews = Reviews(connection)
        self.people = People(connection, self._writes)
        self.audit = AuditLog(connection, self._database.audit_key)
        self.conversations = ConversationRefs(connection)
        self.settings = Settings(connection)
        self.outbox = Outbox(connection)
        self.downloads = Downloads(connection)
        self.allocations = Allocations(connection)
        self.meetings = Meetings(connection)
        self.submissions = Submissions(connection)
        self.reminder_source = ReminderSource(connection)
        self.board = BoardReads(connection)
        self.org_templates = OrgTemplates(connection)
        self.records = Records(connection)
        self.todo_source = TodoSource(connection)
        self.action_plans = ActionPlans(connection)
        self.interviews = Interviews(connection)
        self._committed = False
        return self

    @property
    def read_only(self) -> bool:
        return self._read_only

    @property
    def connection(self) -> AsyncConnection:
        assert self._connection is not None
        return self._connection

    async def open_loads(self, role):
        assert self._connection is not None
        return await open_loads(self._connection, role)

    async def commit(self) -> None:
        assert self._connection is not None
        await self._connection.commit()
        self._committed = True
        # what this process keeps of what was written goes now: PostgreSQL will say so too, a
        # moment later, to every process
        for topic in sorted(self._writes.topics):
            self._database.cache.forget(topic)
        self._writes.topics.clear()

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        assert self._connection is not None
        try:
            if not self._committed and self._in_transaction:
                await self._connection.rollback()
        finally:
            await self._exit.aclose()
            self._connection = None
            if not self._read_only:
                _open_writer.reset(self._writer_token)


class UnitOfWorkFactory:
    def __init__(self, database: Database):
        self.database = database

    def __call__(self, *, read_only: bool = False, holds_locks: bool = False) -> UnitOfWork:
        """`read_only`: no write lock and nothing committed. `holds_locks`: a read-only unit of
        work that takes transaction-scoped locks, kept in one transaction (PostgreSQL)."""
        return UnitOfWork(self.database, read_only=read_only, holds_locks=holds_locks)

    async def person_by_aad(self, aad_object_id: str):
        """Who is asking, read on every turn: from memory while the database reports changes
        to people (PostgreSQL), else from the database."""
        async def load():
            async with self(read_only=True) as uow:
                return await uow.people.by_aad(aad_object_id)

        return await self.database.cache.get_or_load(PEOPLE, aad_object_id, load)
