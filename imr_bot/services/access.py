"""Who may see, or act on, one review: the entitlement every card action and every command that
names a review is checked against, at the moment it arrives.

A card's data is attacker-controlled and review ids are small numbers, so a refusal says nothing:
it is the same whether the review exists or not, whether the person is a stranger, deactivated,
or simply has no part in it; it is audited and counted, and nothing else changes. For a command
that names a review, someone who may not see it gets exactly what they would get for a reference
that does not exist.

What a person holds on a review (`held_on`): each review role the review names them in (author,
line manager, QA lead, the Service Director who signs it off), the approver's role for a level
whose decision was delegated to them, the author's role while an offer to write it waits for
their answer, and the line manager's role for the line manager of anyone it names (its
reminders reach them). The rule itself is `domain.policy.allowed_on_review`.
"""

from __future__ import annotations

import logging
from enum import StrEnum

from imr_bot.domain.errors import NotAllowed, UnknownReview
from imr_bot.domain.inputs import whole_number
from imr_bot.domain.people import Actor, Person
from imr_bot.domain.policy import Permission, allowed, allowed_on_review
from imr_bot.domain.policy import may_read_documents as _may_read_documents
from imr_bot.domain.review import Review
from imr_bot.domain.roles import Role
from imr_bot.domain.submissions import Level

from .context import ServiceContext
from .tracker import closest

log = logging.getLogger(__name__)

REFUSAL = "That isn't something I can do for you. Type imr help to see what you can do."
MAX_REFERENCE = 80  # longer is no reference; a refusal's audit keeps no more than this


class Target(StrEnum):
    """The card-data field that names the review an action is about."""
    REFERENCE = "reference"
    REVIEW_ID = "reviewId"
    MEETING_ID = "meetingId"
    ALLOCATION_ID = "allocationId"
    ACTION_ID = "actionId"  # an action of a review's action plan


class Refused(NotAllowed):
    """A card action this person may not take. Its message is the same for every refusal."""

    def __init__(self, reason: str):
        # for the audit and the metrics (observability.ACTION_REFUSALS) only, never shown
        self.reason = reason
        super().__init__(REFUSAL)




async def held_on(uow, review: Review, actor: Actor) -> frozenset[Role]:
    """The roles `actor` holds on `review` (nothing for someone not active in the directory)."""
    if not actor.is_known or review.id is None:
        return frozenset()
    me = actor.person.id
    held = {role for role, person_id in review.people.items() if person_id == me}
    for level, delegate in (await _delegates(uow, review)).items():
        if delegate == me:
            held.add(level.approver_role)
    offers = (await uow.allocations.for_reviews([review.id])).get(review.id, [])
    if any(offer.status == "offered" and offer.author_id == me for offer in offers):
        held.add(Role.AUTHOR)
    if Role.LINE_MANAGER not in held and review.people:
        # the review's reminders reach the line manager of each person it names
        named = await uow.people.by_ids(list(review.people.values()))
        if any(p.line_manager_email and p.line_manager_email == actor.person.email
               for p in named.values()):
            held.add(Role.LINE_MANAGER)
    return frozenset(held)


async def _delegates(uow, review: Review) -> dict[Level, int]:
    """Who was named to decide each level of `review` in its approver's place."""
    found = {}
    for level in Level:
        delegate = await uow.submissions.delegate(review.id, level.value)
        if delegate is not None:
            found[level] = delegate
    return found


async def may_read_documents(uow, person: Person | None, review: Review) -> bool:
    """Whether `person` may read `review`'s submitted documents now: the one question a document
    link asks when it is made and again when it is opened (the rule: domain.policy)."""
    if person is None or person.id is None or review.id is None:
        return False
    return _may_read_documents(
        person, named_on_review=person.id in review.people.values(),
        delegate=person.id in (await _delegates(uow, review)).values(),
        review_has_own_sd=Role.SD_EHS in review.people)


async def may(uow, actor: Actor, permission: Permission, review: Review,
              also: frozenset[Role] = frozenset()) -> bool:
    """Whether `actor` may see `review` and do `permission` on it, now (holding `also` there
    besides what `held_on` finds)."""
    if not actor.is_known:
        return False
    held = await held_on(uow, review, actor) | also
    return (allowed_on_review(Permission.VIEW_REVIEW, actor, held)
            and allowed_on_review(permission, actor, held))


async def _review_for(uow, target: Target, value) -> Review | None:
    if target == Target.REFERENCE:
        reference = str(value or "").strip()
        if not reference or len(reference) > MAX_REFERENCE:
            return None
        return await uow.reviews.get(reference)
    number = whole_number(value, low=1)
    if number is None:
        return None
    if target == Target.MEETING_ID:
        meeting = await uow.meetings.get(number)
        number = meeting.review_id if meeting is not None else None
    elif target == Target.ALLOCATION_ID:
        offer = await uow.allocations.get(number)
        number = offer.review_id if offer is not None else None
    elif target == Target.ACTION_ID:
        number = await uow.action_plans.review_of(number)
    if number is None:
        return None
    return await uow.reviews.read_by_id(number)


async def _addressed_to(uow, actor: Actor, target: Target, data: dict) -> frozenset[Role]:
    """An offer's card stays the answer of the person it was made to after the moment passed
    (withdrawn, answered): they may press it and be told what became of it."""
    if target != Target.ALLOCATION_ID:
        return frozenset()
    number = whole_number(data.get(target.value), low=1)
    offer = await uow.allocations.get(number) if number is not None else None
    if offer is not None and offer.author_id == actor.person.id:
        return frozenset({Role.AUTHOR})
    return frozenset()


async def check_action(ctx: ServiceContext, actor: Actor, verb: str, permission: Permission,
                       target: Target | None, data: dict) -> None:
    """Raise `Refused` unless `actor` may take the card action `verb` with this data now:
    they are active in the directory and, for an action about a review, may see that review and
    do `permission` there; otherwise `permission` by their directory roles."""
    reason = None
    if not actor.is_known:
        reason = "not_in_directory"
    elif target is None:
        reason = None if allowed(permission, actor) else "not_permitted"
    else:
        async with ctx.unit_of_work(read_only=True) as uow:
            review = await _review_for(uow, target, data.get(target.value))
            if review is None:
                reason = "no_review"
            elif not await may(uow, actor, permission, review,
                               await _addressed_to(uow, actor, target, data)):
                reason = "no_role"
    if reason is not None:
        await refuse(ctx, actor, verb, reason, target, data)


async def refuse(ctx: ServiceContext, actor: Actor, verb: str, reason: str,
                 target: Target | None = None, data: dict | None = None) -> None:
    """Audit a refused card action, then raise `Refused`. The audit names no review (a review's
    history is for its people, and a flood of attempts must not push out its real entries)."""
    asked = str((data or {}).get(target.value, "")) if target is not None else ""
    now = ctx.clock.now()
    try:
        async with ctx.unit_of_work() as uow:
            await uow.audit.record(actor=actor.key[:200], action="access.refused", at=now,
                                   verb=verb[:60], reason=reason,
                                   target=target.value if target else "",
                                   asked=asked[:MAX_REFERENCE])
            await uow.commit()
    except Exception:  # the refusal stands even if it cannot be written down
        log.warning("could not audit a refused card action", exc_info=True)
    raise Refused(reason)


async def visible_review(ctx: ServiceContext, actor: Actor, reference: str) -> Review:
    """The review a command names, if `actor` may see it; otherwise exactly what a reference
    that does not exist gets (with suggestions only from reviews they may see)."""
    wanted = reference.strip()
    async with ctx.unit_of_work(read_only=True) as uow:
        review = (await uow.reviews.get(wanted)
                  if wanted and len(wanted) <= MAX_REFERENCE else None)
        if review is not None and await may(uow, actor, Permission.VIEW_REVIEW, review):
            return review
        # only someone who may see every review is offered near misses from all of them
        sees_all = actor.is_known and allowed_on_review(Permission.VIEW_REVIEW, actor,
                                                        frozenset())
        suggestions = (closest(wanted, await uow.reviews.references())
                       if sees_all and wanted else [])
    raise UnknownReview(wanted[:MAX_REFERENCE], suggestions)
