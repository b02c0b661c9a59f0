"""Each bot process keeps who is asking and the conversation's state in memory, told of every
change whichever process made it: by PostgreSQL's notifications (LISTEN/NOTIFY), or by asking
SQLite before each lookup whether anything was committed since. While it cannot know, it reads
from the database instead."""

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from imr_bot.domain.people import Person
from imr_bot.domain.roles import Role
from imr_bot.store.database import Database
from imr_bot.store.read_cache import MISSING, PEOPLE, STATE
from imr_bot.store.state_records import StateRecords
from imr_bot.store.unit_of_work import UnitOfWorkFactory

AT = datetime(2026, 11, 23, 10, tzinfo=UTC)


@pytest.fixture
async def bot_database(database):
    """A second Database on the same database: the bot process, following changes made by
    `database` (another process: the CLI, or a second bot)."""
    bot = Database(database.url)
    feed = bot.follow_changes()
    await asyncio.wait_for(feed.listening.wait(), 10)
    yield bot
    await bot.dispose()


@pytest.fixture
async def ann(database):
    """Ann, in the directory before the bot process starts following changes: her arrival is not
    still on its way to it when a test reads (a change heard mid-read rightly keeps nothing)."""
    await add_person(database)


async def until(condition, seconds: float = 5.0) -> None:
    async def poll():
        while not condition():
            await asyncio.sleep(0.005)
    await asyncio.wait_for(poll(), seconds)


async def add_person(database, roles=frozenset({Role.AUTHOR})) -> None:
    async with UnitOfWorkFactory(database)() as uow:
        await uow.people.upsert(Person(email="ann@c.test", name="Ann", roles=roles,
                                       aad_object_id="aad-ann"), AT)
        await uow.commit()


async def test_a_role_changed_by_another_process_is_seen_on_the_next_read(database, ann, bot_database):
    reads = UnitOfWorkFactory(bot_database)
    assert (await reads.person_by_aad("aad-ann")).roles == {Role.AUTHOR}
    assert bot_database.cache.get(PEOPLE, "aad-ann") is not MISSING  # kept

    await add_person(database, roles=frozenset({Role.QA_LEAD}))  # e.g. `imr-bot people import`
    await until(lambda: bot_database.cache.get(PEOPLE, "aad-ann") is MISSING)
    assert (await reads.person_by_aad("aad-ann")).roles == {Role.QA_LEAD}


async def test_leave_and_removals_are_reported_too(database, ann, bot_database):
    reads = UnitOfWorkFactory(bot_database)
    await reads.person_by_aad("aad-ann")
    async with database.engine.begin() as connection:
        await connection.execute(text("DELETE FROM people"))
    await until(lambda: bot_database.cache.get(PEOPLE, "aad-ann") is MISSING)
    assert await reads.person_by_aad("aad-ann") is None


async def test_a_change_made_in_this_process_is_not_waited_for(bot_database):
    await add_person(bot_database)
    reads = UnitOfWorkFactory(bot_database)
    await reads.person_by_aad("aad-ann")
    await add_person(bot_database, roles=frozenset({Role.QA_LEAD}))
    # forgotten on commit, before PostgreSQL's notification arrives
    assert (await reads.person_by_aad("aad-ann")).roles == {Role.QA_LEAD}


async def test_conversation_state_written_elsewhere_is_read_afresh(database, bot_database):
    ours, theirs = StateRecords(bot_database), StateRecords(database)
    assert await ours.read(["user:ann"]) == {}  # none yet: that is kept too
    assert bot_database.cache.get(STATE, "user:ann") is None
    await theirs.write({"user:ann": ('{"step": 1}', None)}, AT)
    await until(lambda: bot_database.cache.get(STATE, "user:ann") is MISSING)
    assert (await ours.read(["user:ann"]))["user:ann"].data == '{"step": 1}'

    await ours.write({"user:ann": ('{"step": 2}', 1)}, AT)  # our own write: forgotten at once
    assert (await ours.read(["user:ann"]))["user:ann"].etag == 2
    await theirs.delete(["user:ann"])
    await until(lambda: bot_database.cache.get(STATE, "user:ann") is MISSING)
    assert await ours.read(["user:ann"]) == {}


async def test_while_the_feed_cannot_listen_every_read_goes_to_the_database(database, ann,
                                                                            bot_database):
    if database.is_sqlite:
        pytest.skip("SQLite is asked on each lookup: there is no channel to lose")
    reads = UnitOfWorkFactory(bot_database)
    await reads.person_by_aad("aad-ann")
    feed = bot_database.follow_changes()
    async with database.engine.begin() as connection:  # what a PostgreSQL restart does to it
        await connection.execute(text("SELECT pg_terminate_backend(:pid)"),
                                 {"pid": feed.backend_pid})
    await until(lambda: not bot_database.cache.live)
    await add_person(database, roles=frozenset({Role.QA_LEAD}))  # nobody hears this one
    assert (await reads.person_by_aad("aad-ann")).roles == {Role.QA_LEAD}
    await asyncio.wait_for(feed.listening.wait(), 10)  # back, and nothing from before kept
    assert bot_database.cache.live and feed.reconnects == 1
    assert bot_database.cache.get(PEOPLE, "aad-ann") is MISSING


async def test_a_process_that_changes_nothing_reads_from_memory(database, ann, bot_database):
    reads, states = UnitOfWorkFactory(bot_database), StateRecords(bot_database)
    await reads.person_by_aad("aad-ann")
    await states.read(["user:ann"])
    hits = bot_database.cache.hits
    for _ in range(3):  # a status turn, three times: nothing written anywhere
        assert (await reads.person_by_aad("aad-ann")).name == "Ann"
        assert await states.read(["user:ann"]) == {}
    assert bot_database.cache.hits == hits + 6


async def test_an_in_memory_sqlite_database_caches_nothing():
    memory = Database("sqlite://")
    assert memory.follow_changes() is None and not memory.cache.live
    await memory.dispose()
