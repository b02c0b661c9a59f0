"""An author's capacity counts the offers they could still take up, on SQLite and PostgreSQL."""

import pytest

from imr_bot.app import build
from imr_bot.config import Settings
from imr_bot.domain.people import Actor, Person
from imr_bot.domain.roles import Role
from imr_bot.services import allocation, commissioning, corrections
from imr_bot.store.unit_of_work import UnitOfWork

PEOPLE = {"bs": (Role.BUSINESS_SERVICES,), "head": (Role.HEAD_OF_CP,), "author": (Role.AUTHOR,),
          "qa": (Role.QA_LEAD,)}


@pytest.fixture
async def world(database, clock):
    app = build(Settings(database_url=database.url, scheduler=False), clock=clock,
                database=database)
    actors = {}
    async with UnitOfWork(database) as uow:
        for key, roles in PEOPLE.items():
            person, _ = await uow.people.upsert(Person(
                email=f"{key}@c.test", name=f"{key.title()} Person", roles=frozenset(roles),
                max_concurrent=1 if key == "author" else 3), clock.now())
            actors[key] = Actor(person.email, person.name, person)
        await uow.commit()
    for n in range(3):
        await commissioning.commission(app.ctx, actors["bs"], {
            "reference": f"R/{n}", "review_type": "CSPR", "body": "DDSCP", "received": "",
            "tor_start": "2025-01-01", "tor_end": "2026-06-30", "subject_initials": "AB"})
    await allocation.offer(app.ctx, actors["head"], "R/0", actors["author"].person.id,
                           actors["qa"].person.id)
    return app, actors


def suggested(options) -> list[str]:
    return [s.person.email for s in options.authors]


async def test_an_unanswered_offer_takes_its_authors_place(world):
    app, actors = world
    options = await allocation.options(app.ctx, actors["head"], "R/1")
    assert "author@c.test" not in suggested(options)


@pytest.mark.parametrize("closing", ["withdraw", "reallocate"])
async def test_an_offer_whose_review_was_withdrawn_or_reallocated_frees_its_author(world, closing):
    app, actors = world
    if closing == "withdraw":
        await corrections.withdraw(app.ctx, actors["bs"], "R/0", "commission withdrawn by DDSCP")
    else:
        await allocation.reallocate(app.ctx, actors["head"], "R/0", "on leave that month")
    options = await allocation.options(app.ctx, actors["head"], "R/1")
    assert "author@c.test" in suggested(options)
