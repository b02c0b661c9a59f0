"""A review's detail (`imr status REF`) at the service layer, on the in-memory unit of work."""

from dataclasses import replace

import pytest

from imr_bot.domain.errors import NotAllowed, UnknownReview
from imr_bot.domain.notification import OutgoingNotification
from imr_bot.domain.plan import Milestone
from imr_bot.domain.roles import Role
from imr_bot.services import corrections, tracker
from imr_bot.services.notifications import NOT_OPENED
from tests.services.helpers import REFERENCE, a_scene


@pytest.fixture
async def scene(clock):
    scene = await a_scene(clock)
    async with scene.world() as uow:  # Ann writes the report
        review = await uow.reviews.require(REFERENCE)
        await uow.reviews.save(replace(review, people={Role.AUTHOR: scene.author.person.id}),
                               clock.now())
        await uow.commit()
    scene.world.commits = 0
    return scene


def not_reached(scene, clock) -> None:
    people = scene.world.committed.people
    people[scene.author.person.id] = replace(people[scene.author.person.id],
                                             unreachable_since=clock.now(),
                                             unreachable_reason=NOT_OPENED)


async def test_the_detail_shows_the_plan_the_people_and_who_holds_the_next_step(scene):
    detail = await tracker.detail(scene.ctx, scene.author, REFERENCE.lower())
    assert detail.review.id == scene.review.id
    assert detail.holder == "Hal Head"  # the only Head of CP holds a commissioned review
    assert detail.people == [("Report author", "Ann Author")]
    assert [row.milestone for row in detail.timeline][0] == Milestone.REQUEST_LOGGED
    # the request's row says when it was received; Day 1 is its planned date (the same here)
    assert detail.timeline[0].received == detail.timeline[0].planned == scene.review.received
    assert detail.deadline_left == 34  # Day 1 today: 34 working days to Day 35
    assert detail.recent == [] and detail.waiting == []
    assert scene.world.commits == 0  # reading commits nothing


async def test_the_detail_tells_the_recent_history_in_words(scene):
    await corrections.hold(scene.ctx, scene.head_of_cp, REFERENCE, "police enquiry")
    detail = await tracker.detail(scene.ctx, scene.author, REFERENCE)
    assert detail.holder == "—"
    assert [(line.actor, line.action, line.detail) for line in detail.recent] == [
        ("Hal Head", "Put on hold by Hal Head", {"reason": "police enquiry"})]


async def test_the_detail_says_what_waits_for_someone_not_yet_reached(scene, clock):
    async with scene.world() as uow:
        await uow.outbox.queue(OutgoingNotification(
            key="reminder:1", recipient=f"person:{scene.author.person.id}",
            kind="reminder_upcoming", payload={"text": "soon"}, review_id=scene.review.id),
            clock.now())
        await uow.commit()
    scene.world.committed.outbox["reminder:1"].status = "held"
    not_reached(scene, clock)
    detail = await tracker.detail(scene.ctx, scene.author, REFERENCE)
    assert detail.people == [("Report author", f"Ann Author (not reached in Teams: Ann "
                                               f"{NOT_OPENED})")]
    (line,) = detail.waiting
    assert line.endswith(f"to Ann A. waiting: Ann {NOT_OPENED}")


async def test_the_detail_of_no_review_offers_the_nearest(scene):
    with pytest.raises(UnknownReview, match=f"Did you mean {REFERENCE}"):
        await tracker.detail(scene.ctx, scene.author, "DDSCP/CSPR/2026/41")


async def test_someone_not_in_the_directory_sees_no_detail(scene):
    with pytest.raises(NotAllowed, match="not in the IMR people directory"):
        await tracker.detail(scene.ctx, scene.stranger, REFERENCE)
