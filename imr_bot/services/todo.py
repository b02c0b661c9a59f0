"""`imr todo` (and `imr status mine`): the read of what one person must do now, and the typed
answers (`imr accept`, `imr decline`, `imr approve`, `imr amend`), which go through the same use
cases as the buttons, with the same checks.

The steps come from the reviews' state (domain/todo.py), so an offer whose card never reached
the author is on their list all the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from imr_bot.domain.allocation import INDEPENDENCE_DECLARATION, check_decline
from imr_bot.domain.errors import DomainError, NotAllowed
from imr_bot.domain.interviews import todo_steps as interview_steps
from imr_bot.domain.meetings import MeetingStatus
from imr_bot.domain.people import Actor
from imr_bot.domain.policy import Permission, require
from imr_bot.domain.review import Review
from imr_bot.domain.roles import Role
from imr_bot.domain.stages import Stage
from imr_bot.domain.submissions import Decision, Level, pending_level
from imr_bot.domain.todo import (
    Step,
    Todo,
    due_by,
    end_of_working_week,
    in_order,
    meeting_steps,
    offer_steps,
    stage_steps,
)
from imr_bot.domain.words import in_sentence

from . import allocation, approvals, meetings, notifications
from .context import ServiceContext

REVIEW_LIMIT = 100  # reviews read for one person's list, soonest due first; the card shows 25
SHOWN = 25

# the stages whose next step an organisation role holds for every review
ORGANISATION_STAGES = {Role.HEAD_OF_CP: (Stage.COMMISSIONED,), Role.SD_EHS: (Stage.SD_REVIEW,),
                       Role.BUSINESS_SERVICES: (Stage.SD_APPROVED,)}


@dataclass(frozen=True)
class TodoList:
    items: list[Todo]  # soonest first, at most SHOWN
    total: int  # of those asked for
    due_by: date | None = None  # asked for those due by then alone
    later: int = 0  # then: how many more are due after it, or have no date


def _known(actor: Actor) -> int:
    require(Permission.VIEW_STATUS, actor)
    assert actor.person is not None and actor.person.id is not None
    return actor.person.id


async def for_person(ctx: ServiceContext, actor: Actor, *, this_week: bool = False) -> TodoList:
    """Every pending step that is the actor's, soonest first; `this_week`: those due by the end
    of this working week alone (and how many more there are)."""
    person_id = _known(actor)
    roles = actor.roles
    now, today = ctx.clock.now(), ctx.clock.today()
    stages = [stage for role, held in ORGANISATION_STAGES.items() if role in roles
              for stage in held]
    async with ctx.unit_of_work(read_only=True) as uow:
        source = uow.todo_source
        ids = await source.review_ids(person_id, stages, REVIEW_LIMIT)
        reviews = {review.id: review for review in await uow.reviews.get_many(ids)}
        offers = await source.offers(person_id)
        pending = await source.offers_pending(
            [i for i, r in reviews.items() if r.stage == Stage.COMMISSIONED])
        found = [await uow.meetings.get(i) for i in await source.meeting_ids(person_id, ids)]
        delegated = await source.delegated(person_id)
        latest = await source.latest_versions(
            [i for i, r in reviews.items() if pending_level(r.stage) is not None])
        days = await source.reminder_days(person_id)
        interviewed = await uow.interviews.for_person(person_id)
        interviewed_in = {r.id: r.reference for r in await uow.reviews.get_many(
            sorted({i.review_id for i in interviewed}))} if interviewed else {}
        interview_names = {p.id: p.name for p in (await uow.people.by_ids(sorted(
            {i.interviewee.person_id for i in interviewed if i.interviewee.person_id}))).values()
        } if interviewed else {}
    items = offer_steps(offers, reviews, person_id)
    items += meeting_steps([m for m in found if m is not None], reviews, person_id, now)
    for review in reviews.values():
        items += stage_steps(review, person_id, roles,
                             delegated={Level(v) for v in delegated.get(review.id, set())},
                             latest_version=latest.get(review.id, 0),
                             offer_pending=review.id in pending)
    for review_id, milestone, day in days:
        review = reviews.get(review_id)
        if review is None or day < today or review.stage.next_milestone != milestone:
            continue
        items.append(Todo(Step.REMINDER, review.reference, review.id,
                          f"You asked to be reminded: {milestone.title}", day))
    items += interview_steps(interviewed, interviewed_in, person_id, today, interview_names)
    ordered = in_order(items)
    if this_week:
        last_day = end_of_working_week(today, ctx.calendar)
        due = due_by(ordered, last_day)
        return TodoList(due[:SHOWN], len(due), last_day, len(ordered) - len(due))
    return TodoList(ordered[:SHOWN], len(ordered))


# -- the cards behind a step's button --------------------------------------------------------
async def offer_card(ctx: ServiceContext, actor: Actor, allocation_id: int) -> dict:
    """The offer card again (its first one may never have arrived), for its author only."""
    person_id = _known(actor)
    async with ctx.unit_of_work(read_only=True) as uow:
        record = await uow.allocations.get(allocation_id)
        if record is None or record.author_id != person_id:
            raise NotAllowed("Only the person this review was offered to can answer.")
        if record.status != "offered":
            raise DomainError(f"You have already answered this offer ({record.status}).")
        review = await uow.reviews.read_by_id(record.review_id)
        qa_lead = await uow.people.by_id(record.qa_lead_id)
        notification = notifications.allocation_offer(review, allocation_id, actor.person,
                                                      qa_lead, ctx.calendar)
    return notification.payload["facts"]


async def invite_card(ctx: ServiceContext, actor: Actor,
                      meeting_id: int) -> meetings.Invitation:
    """A meeting invitation again, for someone still to answer it."""
    person_id = _known(actor)
    async with ctx.unit_of_work(read_only=True) as uow:
        meeting = await uow.meetings.get(meeting_id)
        if meeting is None or not meeting.is_participant(person_id):
            raise NotAllowed("Only the people invited to this meeting can answer it.")
        if meeting.status != MeetingStatus.PROPOSED:
            raise DomainError(f"This {in_sentence(meeting.kind.title)} is {meeting.status.value}; there "
                              "is nothing to answer.")
        review = await uow.reviews.read_by_id(meeting.review_id)
        return await meetings.invitation_for(ctx, uow, review, meeting, actor.person)


# -- typed answers -----------------------------------------------------------------------------
async def _awaiting_me(ctx: ServiceContext, actor: Actor, reference: str):
    """The review, this person's unanswered offer on it (its id) and the meeting on it they are
    still to answer (its id), either of which may be None."""
    person_id = _known(actor)
    async with ctx.unit_of_work(read_only=True) as uow:
        review = await uow.reviews.require(reference)
        offer = next((o.allocation_id for o in await uow.todo_source.offers(person_id)
                      if o.review_id == review.id), None)
        meeting = next((m.id for m in await uow.meetings.for_review(review.id)
                        if m.status == MeetingStatus.PROPOSED and person_id in m.awaiting()),
                       None)
    return review, offer, meeting


async def accept(ctx: ServiceContext, actor: Actor, reference: str) -> str:
    """`imr accept REF`: the offer of the authorship (typing it makes the declaration of
    independence, which the reply repeats), else the meeting invitation awaiting an answer."""
    review, offer, meeting = await _awaiting_me(ctx, actor, reference)
    if offer is not None:
        _review_now, said = await allocation.answer(ctx, actor, offer, accept=True,
                                                    declared_independent=True)
        return f"{said} You declared: “{INDEPENDENCE_DECLARATION}”"
    if meeting is not None:
        _meeting, said = await meetings.answer(ctx, actor, meeting, accept=True)
        return said
    raise DomainError(f"There is nothing of yours to accept on {review.reference}. "
                      "`imr todo` lists what is waiting for you.")


async def decline(ctx: ServiceContext, actor: Actor, reference: str, reason: str) -> str:
    """`imr decline REF REASON`: decline the offer of the authorship, with the reason (required)."""
    review, offer, meeting = await _awaiting_me(ctx, actor, reference)
    if offer is None:
        if meeting is not None:
            raise DomainError("To turn down a meeting time, propose another on its invitation "
                              "(`imr todo` has a button that shows it).")
        raise DomainError(f"There is no offer of yours to decline on {review.reference}.")
    try:
        check_decline(reason)
    except DomainError:
        raise DomainError(f"Please say why you are declining, so the Head of CP can find someone "
                          f"else, e.g. `imr decline {review.reference} on leave for most of the "
                          "review`. Nothing was changed.") from None
    _review_now, said = await allocation.answer(ctx, actor, offer, accept=False, reason=reason)
    return said


async def decide(ctx: ServiceContext, actor: Actor, reference: str, decision: Decision,
                 comment: str) -> tuple[Review, Level, int]:
    """`imr approve REF` / `imr amend REF REASON`: the decision the approval card's buttons make,
    on the latest version waiting at the review's level, through the same use case."""
    _known(actor)
    async with ctx.unit_of_work(read_only=True) as uow:
        review = await uow.reviews.require(reference)
        level = pending_level(review.stage)
        version = await uow.submissions.latest_version(review.id) if level else 0
    if level is None or not version:
        raise DomainError(f"{review.reference} is '{review.stage.title}': no decision is waiting.")
    if decision == Decision.AMENDMENTS and not (comment or "").strip():
        raise DomainError(f"Please say what needs amending, e.g. `imr amend {review.reference} "
                          "the chronology stops in March`. Nothing was changed.")
    outcome = await approvals.click(ctx, actor, review.id, version, level, decision, comment, [])
    if not outcome.recorded:
        raise DomainError(outcome.view.error or "Nothing was recorded.")
    return review, level, version



async def approval_card(ctx: ServiceContext, actor: Actor, review_id: int, version: int,
                        level: Level) -> approvals.ApprovalView:
    """The approval card, from the todo list, for one of its approvers (its document links are
    signed for the viewer, so nobody else is given one this way)."""
    person_id = _known(actor)
    async with ctx.unit_of_work(read_only=True) as uow:
        review = await uow.reviews.read_by_id(review_id)
        if review is None:
            raise DomainError("That review no longer exists.")
        approval = await approvals._approval(uow, review, version, level)
        if person_id not in approval.approver_ids:
            raise NotAllowed("Only the approvers of this review can open its approval card.")
        return await approvals._view(ctx, uow, review, version, level, actor.person,
                                     approval=approval)
