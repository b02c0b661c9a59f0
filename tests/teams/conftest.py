import asyncio

import pytest

from tests.teams.harness import FakeTeams


@pytest.fixture
async def teams(database, clock):
    """The bot as Teams drives it. On PostgreSQL it follows the database's changes as the
    running bot does, so every conversation here also runs with who is asking and the
    conversation's state kept in memory."""
    feed = database.follow_changes()
    if feed is not None:
        await asyncio.wait_for(feed.listening.wait(), 10)
    fake = FakeTeams(database, clock)
    await fake.add_people()
    yield fake
    await database.stop_following_changes()
