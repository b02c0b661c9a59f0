"""Shared fixtures: every store and service test runs on SQLite and on PostgreSQL.

PostgreSQL is at 127.0.0.1:5432 (database `test`, user `postgres`) unless IMR_TEST_POSTGRES_URL
says otherwise. Each test session works in a database of its own, created and dropped here.
Under CI=true an unreachable PostgreSQL fails the run; on a laptop it is skipped with a reason.
"""

from __future__ import annotations

import os
import uuid
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import text

# documents are read in the test's own process, uncapped, unless a test starts real workers
os.environ.setdefault("IMR_DOCUMENT_WORKERS", "0")

from imr_bot.store import tables  # noqa: E402
from imr_bot.store.database import Database

POSTGRES_ADMIN_URL = os.environ.get("IMR_TEST_POSTGRES_URL",
                                    "postgresql://postgres@127.0.0.1:5432/test")
UNDER_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


class FakeClock:
    """Time is passed in: tests move it freely."""

    def __init__(self, now: datetime = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)):
        self._now = now

    def now(self) -> datetime:
        return self._now

    def today(self) -> date:
        from zoneinfo import ZoneInfo

        return self._now.astimezone(ZoneInfo("Europe/London")).date()

    def set(self, now: datetime) -> None:
        self._now = now

    def set_date(self, day: date, hour: int = 10) -> None:
        self._now = datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


async def _create_postgres_database() -> tuple[str, str]:
    import asyncpg
    from sqlalchemy.engine import make_url

    admin = make_url(POSTGRES_ADMIN_URL)
    name = f"imr_test_{uuid.uuid4().hex[:10]}"
    try:
        connection = await asyncpg.connect(host=admin.host, port=admin.port or 5432,
                                           user=admin.username, password=admin.password,
                                           database=admin.database, timeout=5)
    except Exception as error:  # unreachable: fail under CI, skip elsewhere
        message = f"PostgreSQL unreachable at {admin.host}:{admin.port}: {error}"
        if UNDER_CI:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    return admin.set(database=name).render_as_string(hide_password=False), name


async def _drop_postgres_database(name: str) -> None:
    import asyncpg
    from sqlalchemy.engine import make_url

    admin = make_url(POSTGRES_ADMIN_URL)
    connection = await asyncpg.connect(host=admin.host, port=admin.port or 5432,
                                       user=admin.username, password=admin.password,
                                       database=admin.database)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
async def migrated_database(request, tmp_path_factory):
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("db") / "imr.db"
        database = Database(f"sqlite:///{path}")
        await database.migrate()
        yield database
        await database.dispose()
    else:
        url, name = await _create_postgres_database()
        database = Database(url)
        await database.migrate()
        yield database
        await database.dispose()
        await _drop_postgres_database(name)


@pytest.fixture
async def database(migrated_database):
    """A migrated, empty database (each test starts clean), with the development audit key."""
    migrated_database.audit_key = None
    async with migrated_database.engine.begin() as connection:
        if migrated_database.is_sqlite:
            for table in reversed(tables.metadata.sorted_tables):
                await connection.execute(table.delete())
        else:
            names = ", ".join(t.name for t in tables.metadata.sorted_tables)
            await connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    return migrated_database


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()
