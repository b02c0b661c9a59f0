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


async def accept(app, actors, reference: str, author: str = "author") -> None:
    async with UnitOfWork(app.database) as uow:
        review = await uow.reviews.get(reference)
        (record,) = [r for r in (await uow.allocations.for_reviews([review.id]))[review.id]
                     if r.status == "offered"]
    await allocation.answer(app.ctx, actors[author], record.id, accept=True,
                            declared_independent=True)


async def second_author(app, actors) -> None:
    async with UnitOfWork(app.database) as uow:
        person, _ = await uow.people.upsert(Person(
            email="author2@c.test", name="Second Author", roles=frozenset({Role.AUTHOR})),
            app.ctx.clock.now())
        await uow.commit()
    actors["author2"] = Actor(person.email, person.name, person)


def fairness(rows) -> dict[str, tuple[int, int, int, int, int]]:
    return {r.person.email: (r.open_imrs, r.qa_open, r.open_offers, r.allocations_12_months,
                             r.qa_allocations_12_months) for r in rows}


async def test_an_offer_withdrawn_before_it_was_taken_up_is_no_allocation(world):
    app, actors = world  # R/0 is offered to the author, not yet answered (nor perhaps delivered)
    await allocation.reallocate(app.ctx, actors["head"], "R/0", "asked the wrong person")
    rows = fairness(await allocation.loads(app.ctx, actors["head"]))
    assert rows["author@c.test"] == (0, 0, 0, 0, 0)
    assert rows["qa@c.test"] == (0, 0, 0, 0, 0)  # nobody took it up: no QA allocation either


async def test_an_allocation_taken_up_counts_even_after_a_reallocation(world):
    app, actors = world
    await accept(app, actors, "R/0")
    await allocation.reallocate(app.ctx, actors["head"], "R/0", "long-term sickness")
    rows = fairness(await allocation.loads(app.ctx, actors["head"]))
    assert rows["author@c.test"][3] == 1  # they did take it up
    assert rows["qa@c.test"] == (0, 1, 0, 0, 1)  # still QA lead of R/0, allocated once


async def test_a_qa_lead_of_two_reviews_is_counted_and_ranked_by_when_last_allocated(world):
    app, actors = world
    await second_author(app, actors)
    await accept(app, actors, "R/0")
    await allocation.offer(app.ctx, actors["head"], "R/1", actors["author2"].person.id,
                           actors["qa"].person.id)
    await accept(app, actors, "R/1", "author2")
    rows = fairness(await allocation.loads(app.ctx, actors["head"]))
    assert rows["qa@c.test"] == (0, 2, 0, 0, 2)
    assert rows["author@c.test"] == (1, 0, 0, 1, 0)
    options = await allocation.options(app.ctx, actors["head"], "R/2")
    (qa,) = [s for s in options.qa_leads if s.person.email == "qa@c.test"]
    assert qa.why == "2 open IMRs (max 3); last allocated today"
    assert "never allocated" not in qa.why
