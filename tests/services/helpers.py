"""What the service-level tests share: a fake world with a review and the people who act on it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from imr_bot.domain.calendar import WorkingCalendar
from imr_bot.domain.people import Actor, Person
from imr_bot.domain.review import Commission, CommissioningBody, Review, ReviewType
from imr_bot.domain.roles import Role
from imr_bot.services.context import ServiceContext
from tests.services.fakes import FakeWorld, service_context

CAL = WorkingCalendar.for_england()
REFERENCE = "DDSCP/CSPR/2026/014"


@dataclass
class Scene:
    world: FakeWorld
    ctx: ServiceContext
    business_services: Actor
    head_of_cp: Actor
    author: Actor
    stranger: Actor
    review: Review


async def a_scene(clock) -> Scene:
    world = FakeWorld()
    ctx = service_context(world, clock, CAL)
    async with world() as uow:
        people = {}
        for key, name, roles in (("bs", "Bea Services", {Role.BUSINESS_SERVICES}),
                                 ("head", "Hal Head", {Role.HEAD_OF_CP}),
                                 ("author", "Ann Author", {Role.AUTHOR})):
            people[key], _ = await uow.people.upsert(
                Person(email=f"{key}@council.test", name=name, roles=frozenset(roles)),
                clock.now())
        review = await uow.reviews.add(Review.commission(Commission(
            REFERENCE, ReviewType.CSPR, CommissioningBody.DDSCP, clock.today(), date(2025, 1, 1),
            date(2026, 6, 30), "JS"), CAL, by="bs@council.test", at=clock.now()), clock.now())
        await uow.commit()

    def actor(person: Person) -> Actor:
        return Actor(person.email, person.name, person)

    world.commits = 0
    world.forgotten.clear()
    return Scene(world, ctx, actor(people["bs"]), actor(people["head"]), actor(people["author"]),
                 Actor("teams:29:someone", "Someone"), review)
