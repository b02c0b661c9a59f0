"""What the tab's performance figures read of the store: every review, open and closed, and how
many entries of some actions each review's audit holds — on SQLite and PostgreSQL, and the
in-memory fake keeps the same promises."""

from dataclasses import replace
from datetime import UTC, date, datetime

from imr_bot.domain.plan import Milestone
from imr_bot.domain.stages import Stage
from imr_bot.store.unit_of_work import UnitOfWork
from tests.services.fakes import FakeWorld
from tests.store.test_store import a_review

AT = datetime(2026, 11, 23, 10, tzinfo=UTC)


async def fill(uow) -> dict[str, int]:
    ids = {}
    for reference, stage in (("OPEN/1", Stage.ALLOCATED), ("DONE/1", Stage.SUBMITTED_TO_DDSCP),
                             ("GONE/1", Stage.WITHDRAWN)):
        review = a_review(reference, received=date(2026, 10, 1))
        review = replace(review, stage=stage,
                         plan=review.plan.mark_done(Milestone.ALLOCATION, date(2026, 10, 6)))
        ids[reference] = (await uow.reviews.add(review, AT)).id
    for reference, action in (("OPEN/1", "decision.qa.amendments"),
                              ("DONE/1", "decision.qa.amendments"),
                              ("DONE/1", "decision.qa.amendments"),
                              ("DONE/1", "decision.sd.amendments"),
                              ("DONE/1", "decision.qa.approved")):
        await uow.audit.record(actor="qa@council.test", action=action, at=AT,
                               review_id=ids[reference])
    await uow.audit.record(actor="x", action="decision.qa.amendments", at=AT)  # no review
    await uow.commit()
    return ids


async def check(uow, ids) -> None:
    every = {r.reference: r for r in await uow.reviews.all_reviews()}
    assert set(every) == {"OPEN/1", "DONE/1", "GONE/1"}
    assert every["DONE/1"].plan.done[Milestone.ALLOCATION] == date(2026, 10, 6)
    assert await uow.audit.counts_by_review(["decision.qa.amendments"]) == {
        ids["OPEN/1"]: 1, ids["DONE/1"]: 2}
    assert await uow.audit.counts_by_review(["decision.qa.amendments",
                                             "decision.sd.amendments"]) == {
        ids["OPEN/1"]: 1, ids["DONE/1"]: 3}
    assert await uow.audit.counts_by_review(["nothing.like.this"]) == {}


async def test_the_store(database):
    async with UnitOfWork(database) as uow:
        ids = await fill(uow)
    async with UnitOfWork(database) as uow:
        await check(uow, ids)


async def test_the_fake():
    world = FakeWorld()
    async with world() as uow:
        ids = await fill(uow)
    async with world() as uow:
        await check(uow, ids)
