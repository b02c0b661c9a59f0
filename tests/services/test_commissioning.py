"""Logging a commission at the service layer, on the in-memory unit of work."""

from datetime import date

import pytest

from imr_bot.domain.errors import NotAllowed, ValidationFailed
from imr_bot.domain.plan import Milestone
from imr_bot.domain.stages import Stage
from imr_bot.services import commissioning
from tests.services.helpers import REFERENCE, a_scene

NEW = "DDSCP/CSPR/2026/020"


def form(reference=NEW, **changes) -> dict[str, str]:
    return {"reference": reference, "review_type": "CSPR", "body": "DDSCP", "received": "",
            "tor_start": "2025-01-01", "tor_end": "2026-06-30", "subject_initials": "AB",
            **changes}


@pytest.fixture
async def scene(clock):
    return await a_scene(clock)


async def test_a_check_computes_the_plan_and_saves_nothing(scene):
    checked = await commissioning.check(scene.ctx, scene.business_services, form())
    assert checked.commission.reference == NEW
    assert checked.rows[0].milestone == Milestone.REQUEST_LOGGED
    assert checked.rows[0].due == date(2026, 11, 23)  # received today when left empty
    assert scene.world.commits == 0


async def test_a_commission_is_saved_audited_and_told_in_one_commit(scene):
    review = await commissioning.commission(scene.ctx, scene.business_services, form())
    assert scene.world.commits == 1
    assert scene.world.review(NEW) == review and review.stage == Stage.COMMISSIONED
    (entry,) = scene.world.audit("review.commissioned")
    assert entry.review_id == review.id and entry.detail == {
        "reference": NEW, "review_type": "CSPR", "body": "DDSCP", "received": "2026-11-23",
        "ddscp_due": review.plan.deadline.isoformat()}
    head = scene.head_of_cp.person
    assert [(n.recipient, n.kind) for n in scene.world.queued()] == [
        (f"person:{head.id}", "new_review"), ("tracker", "new_review")]
    card = scene.world.queued(f"person:{head.id}")[0].payload
    assert card["card"] == "new_review" and card["data"]["loggedBy"] == "Bea Services"


async def test_a_reference_is_unique_whatever_its_case(scene):
    with pytest.raises(ValidationFailed) as checked:
        await commissioning.check(scene.ctx, scene.business_services, form(REFERENCE.lower()))
    with pytest.raises(ValidationFailed) as saved:
        await commissioning.commission(scene.ctx, scene.business_services,
                                       form(REFERENCE.lower()))
    assert ("already exists (references are unique, whatever the case)."
            in checked.value.errors["reference"])
    assert "already exists" in saved.value.errors["reference"]
    assert scene.world.commits == 0


async def test_only_those_who_may_commission_can(scene):
    with pytest.raises(NotAllowed):
        await commissioning.commission(scene.ctx, scene.author, form())
    assert scene.world.commits == 0


async def test_the_head_of_cp_hears_who_logged_it_once_and_is_not_named_to_themselves(scene):
    await commissioning.commission(scene.ctx, scene.business_services, form())
    head = scene.head_of_cp.person
    (card,) = scene.world.queued(f"person:{head.id}")
    assert card.payload["data"]["intro"] == "Hal, Bea Services has logged a new commission."
    await commissioning.commission(scene.ctx, scene.head_of_cp, form("DDSCP/CSPR/2026/021"))
    mine = scene.world.queued(f"person:{head.id}")[-1]
    assert mine.payload["data"]["intro"] == "You logged this new commission."
