"""Corrections and pauses at the service layer, on the in-memory unit of work."""

from datetime import date

import pytest

from imr_bot.domain.errors import DomainError, NotAllowed, UnknownReview
from imr_bot.domain.stages import Stage
from imr_bot.services import corrections
from tests.services.helpers import REFERENCE, a_scene


@pytest.fixture
async def scene(clock):
    return await a_scene(clock)


async def test_editing_a_field_changes_it_and_audits_who_why_and_what(scene):
    updated, said = await corrections.edit(scene.ctx, scene.business_services, REFERENCE.lower(),
                                           "Notes", "Family asked for a call first", "phoned")
    assert said == f"The notes of {REFERENCE} is updated."  # notes are not echoed
    assert scene.world.review(REFERENCE).notes == "Family asked for a call first" == updated.notes
    (entry,) = scene.world.audit("review.edited")
    assert (entry.actor, entry.review_id, entry.detail) == (
        "bs@council.test", scene.review.id, {"field": "notes", "reason": "phoned"})


async def test_editing_a_date_says_the_new_one(scene):
    _, said = await corrections.edit(scene.ctx, scene.business_services, REFERENCE, "tor-start",
                                     "1 Feb 2025", "typo")
    assert said == f"The tor-start of {REFERENCE} is now Sat 1 Feb 2025."
    assert scene.world.review(REFERENCE).tor_start == date(2025, 2, 1)


async def test_editing_the_ddscp_date_rebases_the_plan_and_keeps_the_change(scene):
    before = scene.review.plan.deadline
    updated, said = await corrections.edit(scene.ctx, scene.business_services, REFERENCE,
                                           "ddscp", "26 Feb 2027", "DDSCP agreed")
    stored = scene.world.review(REFERENCE)
    assert stored.plan.deadline == date(2027, 2, 26)
    assert len(stored.plan.changes) > len(scene.review.plan.changes)
    assert said.startswith(f"The DDSCP date of {REFERENCE} is now Fri 26 Feb 2027 (was ")
    (entry,) = scene.world.audit("review.rebased")
    assert entry.detail == {"old": before.isoformat(), "new": "2027-02-26",
                            "reason": "DDSCP agreed"}


@pytest.mark.parametrize(("field", "value", "reason", "refusal"), [
    ("colour", "blue", "why not", "I can't edit 'colour'. Editable: "),
    ("notes", "x", "  ", "Please give a reason; it is kept in the review's history."),
    ("notes", "x", "r" * 501, "Please keep the reason to 500 characters."),
    ("tor-end", "1 Jan 2024", "typo",
     "The end of the terms-of-reference period would be before its start."),
])
async def test_a_refused_edit_writes_nothing(scene, field, value, reason, refusal):
    with pytest.raises(DomainError) as refused:
        await corrections.edit(scene.ctx, scene.business_services, REFERENCE, field, value, reason)
    assert str(refused.value).startswith(refusal)
    assert scene.world.commits == 0


async def test_an_unknown_reference_is_refused_with_the_nearest_ones(scene):
    with pytest.raises(UnknownReview) as refused:
        await corrections.edit(scene.ctx, scene.business_services, " DDSCP/CSPR/2026/041 ",
                               "notes", "x", "typo")
    assert str(refused.value) == (f"There is no review DDSCP/CSPR/2026/041. Did you mean "
                                  f"{REFERENCE}?")


async def test_only_business_services_may_edit(scene):
    with pytest.raises(NotAllowed):
        await corrections.edit(scene.ctx, scene.author, REFERENCE, "notes", "x", "typo")
    with pytest.raises(NotAllowed, match="not in the IMR people directory"):
        await corrections.edit(scene.ctx, scene.stranger, REFERENCE, "notes", "x", "typo")
    assert scene.world.commits == 0


async def test_a_closed_review_cannot_be_edited(scene):
    await corrections.withdraw(scene.ctx, scene.head_of_cp, REFERENCE, "family withdrew")
    with pytest.raises(DomainError, match=f"{REFERENCE} is closed"):
        await corrections.edit(scene.ctx, scene.business_services, REFERENCE, "notes", "x", "r")


async def test_holding_and_resuming_are_audited_and_told_to_the_tracker(scene, clock):
    held = (await corrections.hold(scene.ctx, scene.head_of_cp, REFERENCE, "police enquiry")).review
    assert held.stage == Stage.ON_HOLD == scene.world.review(REFERENCE).stage
    clock.set_date(date(2026, 12, 7))
    resumed = (await corrections.resume(scene.ctx, scene.head_of_cp, REFERENCE, "  ")).review
    assert resumed.stage == Stage.COMMISSIONED
    assert resumed.plan.deadline > scene.review.plan.deadline  # the held days do not count
    assert [(e.action, e.detail["reason"]) for e in scene.world.audit()] == [
        ("review.held", "police enquiry"), ("review.resumed", "resumed")]
    lines = [n.payload["text"] for n in scene.world.queued("tracker")]
    assert [line.split(":")[0] for line in lines] == ["IMR on hold", "IMR resumed"]
    assert f"**{REFERENCE}** (CSPR) is now at 'On hold'" in lines[0]
    cards = [n.payload for n in scene.world.queued("tracker")]
    assert {c["card_of"] for c in cards} == {scene.review.id}  # the review's one card, changed
    assert [c["facts"]["stage"] for c in cards] == ["on_hold", "commissioned"]


async def test_withdrawing_needs_a_reason(scene):
    with pytest.raises(DomainError, match="Please give a reason"):
        await corrections.withdraw(scene.ctx, scene.head_of_cp, REFERENCE, "")
    withdrawn = (await corrections.withdraw(scene.ctx, scene.head_of_cp, REFERENCE,
                                            "duplicate")).review
    assert withdrawn.stage == Stage.WITHDRAWN
    (line,) = scene.world.queued("tracker")
    assert line.kind == "stage_change" and line.payload["text"].startswith("IMR withdrawn: ")


async def test_a_transition_the_stage_does_not_allow_changes_nothing(scene):
    with pytest.raises(DomainError):
        await corrections.resume(scene.ctx, scene.head_of_cp, REFERENCE, "not held")
    assert scene.world.commits == 0 and scene.world.queued() == []


async def test_a_hold_by_business_services_is_told_to_the_head_of_cp_and_the_reply_says_so(scene):
    change = await corrections.hold(scene.ctx, scene.business_services, REFERENCE,
                                    "police enquiry")
    assert change.told == "I've told Hal Head (Head of CP & IRO)."
    (notice,) = [n for n in scene.world.queued() if n.recipient != "tracker"]
    assert notice.kind == "review_notice"
    assert notice.payload["text"].startswith(f"**{REFERENCE}** is on hold: police enquiry.")


async def test_whoever_holds_a_review_is_not_told_of_it_themselves(scene):
    change = await corrections.hold(scene.ctx, scene.head_of_cp, REFERENCE, "police enquiry")
    assert change.told == ""
    assert [n.recipient for n in scene.world.queued()] == ["tracker"]
