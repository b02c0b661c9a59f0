"""The todo read and the typed answers at the service layer, on SQLite and PostgreSQL."""

import pytest

from imr_bot.app import build
from imr_bot.config import Settings
from imr_bot.domain.errors import DomainError, NotAllowed
from imr_bot.domain.people import Actor, Person
from imr_bot.domain.roles import Role
from imr_bot.domain.stages import Stage
from imr_bot.domain.todo import Step
from imr_bot.services import allocation, commissioning, todo
from imr_bot.store.unit_of_work import UnitOfWork

PEOPLE = {
    "bs": (Role.BUSINESS_SERVICES,), "head": (Role.HEAD_OF_CP,), "author": (Role.AUTHOR,),
    "other": (Role.AUTHOR,), "qa": (Role.QA_LEAD,), "lm": (Role.LINE_MANAGER,),
}


@pytest.fixture
async def world(database, clock):
    app = build(Settings(database_url=database.url, scheduler=False), clock=clock,
                database=database)
    actors = {}
    async with UnitOfWork(database) as uow:
        for key, roles in PEOPLE.items():
            person, _ = await uow.people.upsert(Person(
                email=f"{key}@c.test", name=f"{key.title()} Person", roles=frozenset(roles),
                line_manager_email="lm@c.test" if key == "author" else None), clock.now())
            actors[key] = Actor(person.email, person.name, person)
        await uow.commit()
    for n in range(3):
        await commissioning.commission(app.ctx, actors["bs"], {
            "reference": f"R/{n}", "review_type": "CSPR", "body": "DDSCP", "received": "",
            "tor_start": "2025-01-01", "tor_end": "2026-06-30", "subject_initials": "AB"})
    await allocation.offer(app.ctx, actors["head"], "R/1", actors["author"].person.id,
                           actors["qa"].person.id)
    return app, actors


async def test_an_offer_is_on_its_authors_list_from_the_offer_itself(world):
    app, actors = world
    listed = await todo.for_person(app.ctx, actors["author"])
    assert [(t.step, t.reference) for t in listed.items] == [(Step.ANSWER_OFFER, "R/1")]
    assert (await todo.for_person(app.ctx, actors["other"])).items == []


async def test_the_head_of_cp_has_the_reviews_without_an_offer_to_allocate(world):
    app, actors = world
    listed = await todo.for_person(app.ctx, actors["head"])
    assert sorted(t.reference for t in listed.items) == ["R/0", "R/2"]
    assert {t.step for t in listed.items} == {Step.ALLOCATE}


async def test_a_typed_accept_makes_the_author_and_a_typed_decline_needs_a_reason(world):
    app, actors = world
    with pytest.raises(DomainError, match="Please say why you are declining"):
        await todo.decline(app.ctx, actors["author"], "R/1", "  ")
    with pytest.raises(DomainError, match="nothing of yours to accept"):
        await todo.accept(app.ctx, actors["other"], "R/1")
    said = await todo.accept(app.ctx, actors["author"], "r/1")  # as typed, any case
    assert "report author for R/1" in said
    async with UnitOfWork(app.database) as uow:
        review = await uow.reviews.get("R/1")
    assert review.stage == Stage.ALLOCATED
    assert review.people[Role.AUTHOR] == actors["author"].person.id
    listed = await todo.for_person(app.ctx, actors["qa"])
    assert [t.step for t in listed.items] == [Step.SEND_MEETING]


async def test_an_unknown_reference_suggests_the_closest(world):
    app, actors = world
    with pytest.raises(DomainError, match="Did you mean R/1"):
        await todo.accept(app.ctx, actors["author"], "R/11")


async def test_an_offer_card_is_only_for_its_author(world):
    app, actors = world
    (item,) = (await todo.for_person(app.ctx, actors["author"])).items
    data = await todo.offer_card(app.ctx, actors["author"], item.target_id)
    assert data["reference"] == "R/1" and data["allocationId"] == item.target_id
    with pytest.raises(NotAllowed):
        await todo.offer_card(app.ctx, actors["other"], item.target_id)
