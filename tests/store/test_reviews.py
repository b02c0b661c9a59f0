from datetime import date

import pytest

from imr_bot.domain.errors import UnknownReview
from imr_bot.domain.roles import Role
from imr_bot.domain.stages import Event
from imr_bot.store.reviews import NotLoadedForSaving, closest
from imr_bot.store.unit_of_work import UnitOfWork
from tests.store.test_store import AT, CAL, a_review


async def test_requiring_a_review_that_is_not_there_names_the_nearest_ones(database):
    async with UnitOfWork(database) as uow:
        await uow.reviews.add(a_review(), AT)
        assert (await uow.reviews.require(" ddscp/cspr/2026/014 ")).reference == "DDSCP/CSPR/2026/014"
        with pytest.raises(UnknownReview) as refused:
            await uow.reviews.require(" DDSCP/CSPR/2026/015 ")
    assert refused.value.reference == "DDSCP/CSPR/2026/015"
    assert refused.value.suggestions == ["DDSCP/CSPR/2026/014"]
    assert str(refused.value) == ("There is no review DDSCP/CSPR/2026/015. "
                                  "Did you mean DDSCP/CSPR/2026/014?")


def test_the_nearest_references_fall_back_to_a_matching_ending():
    assert closest("014", ["DDSCP/CSPR/2026/014", "DDSCP/CSPR/2026/200"]) == ["DDSCP/CSPR/2026/014"]
    assert closest("", ["A/1"]) == []


async def test_a_review_read_for_showing_cannot_be_saved(database):
    async with UnitOfWork(database) as uow:
        added = await uow.reviews.add(a_review(), AT)
        await uow.commit()
    async with UnitOfWork(database) as uow:
        shown = await uow.reviews.read_by_id(added.id)
        (listed,) = await uow.reviews.get_many([added.id])
        for review in (shown, listed):
            with pytest.raises(NotLoadedForSaving):
                await uow.reviews.save(review.apply(Event.HOLD, {Role.HEAD_OF_CP},
                                                    date(2026, 11, 24), CAL), AT)


async def test_reading_a_review_for_showing_leaves_the_whole_one_saveable(database):
    async with UnitOfWork(database) as uow:
        added = await uow.reviews.add(a_review(), AT)
        await uow.commit()
    async with UnitOfWork(database) as uow:
        whole = await uow.reviews.get_by_id(added.id)
        await uow.reviews.read_by_id(added.id)  # does not forget what `whole` was read with
        await uow.reviews.save(whole.apply(Event.HOLD, {Role.HEAD_OF_CP}, date(2026, 11, 24),
                                           CAL), AT)
        await uow.commit()
    async with UnitOfWork(database, read_only=True) as uow:
        assert (await uow.reviews.require(added.reference)).stage.value == "on_hold"
