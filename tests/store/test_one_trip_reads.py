"""Reads made in one round trip (the database builds the lists as JSON) give what the plain
reads give, on both backends."""

from dataclasses import replace
from datetime import date

from imr_bot.domain.people import Person
from imr_bot.domain.plan import Milestone
from imr_bot.domain.roles import Role
from imr_bot.domain.stages import Event
from imr_bot.store.unit_of_work import UnitOfWork

from .test_store import AT, CAL, a_review


async def test_a_review_read_by_id_is_the_review_read_by_reference(database):
    async with UnitOfWork(database) as uow:
        qa, _ = await uow.people.upsert(Person(email="qa@council.test", name="Quinn Lead",
                                               roles=frozenset({Role.QA_LEAD})), AT)
        review = await uow.reviews.add(a_review(), AT)
        review = review.apply(Event.ACCEPT_ALLOCATION, {Role.AUTHOR}, date(2026, 11, 25), CAL)
        review = replace(review, people={Role.QA_LEAD: qa.id},
                         plan=review.plan.rebase_to_deadline(date(2027, 2, 26), CAL, by="bs",
                                                             reason="DDSCP agreed", at=AT))
        await uow.reviews.save(review, AT)
        await uow.commit()
    async with UnitOfWork(database) as uow:
        by_reference = await uow.reviews.get(review.reference)
        by_id = await uow.reviews.get_by_id(review.id)
        for_reading = await uow.reviews.get_by_id(review.id, with_changes=False)
        missing = await uow.reviews.get_by_id(review.id + 1)
    assert by_id == by_reference
    assert by_id.people == {Role.QA_LEAD: qa.id}
    assert by_id.plan.done == {Milestone.REQUEST_LOGGED: date(2026, 11, 23),
                               Milestone.ALLOCATION: date(2026, 11, 25)}
    assert len(by_id.plan.changes) >= 1
    assert for_reading.plan.changes == () and for_reading.plan.due == by_id.plan.due
    assert missing is None
