import pytest

from tests.teams.harness import FakeTeams


@pytest.fixture
async def teams(database, clock):
    fake = FakeTeams(database, clock)
    await fake.add_people()
    return fake
