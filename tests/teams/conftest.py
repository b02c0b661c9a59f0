import asyncio

import pytest

from tests.teams.harness import FakeTeams


@pytest.fixture
async def teams(database, clock):
    """The bot as Teams drives it. It follows the database's changes as the running bot does
    (PostgreSQL's notifications, SQLite's count of commits), so every conversation here also
    runs with who is asking and the conversation's state kept in memory."""
    feed = database.follow_changes()
    await asyncio.wait_for(feed.listening.wait(), 10)
    fake = FakeTeams(database, clock)
    await fake.add_people()
    yield fake
    await database.stop_following_changes()
