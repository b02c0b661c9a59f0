"""One unit of work per turn: a use case's change and its audit entry commit together or not at all."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy.ext.asyncio import AsyncConnection

from .database import READ_ONLY, Database
from .repositories import (
    Allocations,
    AuditLog,
    ConversationRefs,
    Downloads,
    Outbox,
    People,
    Reviews,
    Settings,
)


class UnitOfWork:
    reviews: Reviews
    people: People
    audit: AuditLog
    conversations: ConversationRefs
    settings: Settings
    outbox: Outbox
    downloads: Downloads
    allocations: Allocations

    def __init__(self, database: Database, *, read_only: bool = False):
        self._database = database
        self._read_only = read_only
        self._connection: AsyncConnection | None = None
        self._committed = False

    async def __aenter__(self) -> UnitOfWork:
        self._connection = await self._database.engine.connect()
        if self._read_only:
            await self._connection.execution_options(**{READ_ONLY: True})
        await self._connection.begin()
        connection = self._connection
        self.reviews = Reviews(connection)
        self.people = People(connection)
        self.audit = AuditLog(connection)
        self.conversations = ConversationRefs(connection)
        self.settings = Settings(connection)
        self.outbox = Outbox(connection)
        self.downloads = Downloads(connection)
        self.allocations = Allocations(connection)
        self._committed = False
        return self

    async def open_loads(self, role):
        from .repositories import open_loads

        assert self._connection is not None
        return await open_loads(self._connection, role)

    async def commit(self) -> None:
        assert self._connection is not None
        await self._connection.commit()
        self._committed = True

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        assert self._connection is not None
        try:
            if not self._committed:
                await self._connection.rollback()
        finally:
            await self._connection.close()
            self._connection = None


class UnitOfWorkFactory:
    def __init__(self, database: Database):
        self.database = database

    def __call__(self, *, read_only: bool = False) -> UnitOfWork:
        return UnitOfWork(self.database, read_only=read_only)
