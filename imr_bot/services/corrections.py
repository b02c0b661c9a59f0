"""Corrections and pauses: edit a field with a reason, re-base the plan, hold, resume, withdraw.

Every change is audited with who, why, and what changed. Working days on hold do not count:
resuming moves every later milestone by the working days the review was held.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from imr_bot.domain.commission_form import (
    FieldError,
    parse_body,
    parse_initials,
    parse_notes,
    parse_required_date,
    parse_review_type,
    parse_template_pack,
)
from imr_bot.domain.dates import format_date, parse_date
from imr_bot.domain.errors import BadDate, DomainError
from imr_bot.domain.events import ReviewFacts, StageChanged
from imr_bot.domain.people import Actor
from imr_bot.domain.policy import Permission, require
from imr_bot.domain.review import Review
from imr_bot.domain.stages import Event

from . import notifications
from .context import ServiceContext

EDITABLE = {
    "type": ("review_type", parse_review_type),
    "body": ("body", parse_body),
    "tor-start": ("tor_start", parse_required_date),
    "tor-end": ("tor_end", parse_required_date),
    "initials": ("subject_initials", parse_initials),
    "notes": ("notes", parse_notes),
    "pack": ("template_pack", parse_template_pack),
}
REBASE_FIELDS = ("ddscp", "deadline", "ddscp-date")
FIELD_HELP = ("type, body, tor-start, tor-end, initials, notes, pack (derbyshire or bradford "
              "templates) or ddscp (the agreed DDSCP date)")


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("Please give a reason; it is kept in the review's history.")
    if len(reason) > 500:
        raise DomainError("Please keep the reason to 500 characters.")
    return reason


async def edit(ctx: ServiceContext, actor: Actor, reference: str, field: str, value: str,
               reason: str) -> tuple[Review, str]:
    """Change one field (or the agreed DDSCP date, which re-bases the plan). Returns the review
    and a sentence saying what changed."""
    require(Permission.EDIT_REVIEW, actor)
    reason = _reason(reason)
    key = field.strip().lower().replace("_", "-")
    today, now = ctx.clock.today(), ctx.clock.now()
    async with ctx.unit_of_work() as uow:
        review = await uow.reviews.require(reference)
        if not review.is_open:
            raise DomainError(f"{review.reference} is closed ({review.stage.title}); it can't be "
                              "edited.")
        if key in REBASE_FIELDS:
            try:
                deadline = parse_date(value, today=today)
            except BadDate as error:
                raise DomainError(str(error)) from error
            old = review.plan.deadline
            plan = review.plan.rebase_to_deadline(deadline, ctx.calendar, by=actor.key,
                                                  reason=reason, at=now)
            updated = replace(review, plan=plan)
            said = (f"The DDSCP date of {review.reference} is now {format_date(deadline)} "
                    f"(was {format_date(old)}); later milestones moved with it.")
            action, detail = "review.rebased", {"old": old.isoformat(), "new": deadline.isoformat()}
        elif key in EDITABLE:
            attribute, parse = EDITABLE[key]
            try:
                new_value = parse(value, today)
            except FieldError as error:
                raise DomainError(str(error)) from error
            updated = replace(review, **{attribute: new_value})
            if updated.tor_end < updated.tor_start:
                raise DomainError("The end of the terms-of-reference period would be before its start.")
            if isinstance(new_value, date):
                shown = f"now {format_date(new_value)}"
            elif attribute in ("review_type", "body"):
                shown = f"now {new_value.value}"
            elif attribute == "template_pack":
                shown = f"now {new_value}"
            else:
                shown = "updated"  # initials and notes are not echoed back into the chat
            said = f"The {field.strip().lower()} of {review.reference} is {shown}."
            action, detail = "review.edited", {"field": attribute}
        else:
            raise DomainError(f"I can't edit '{field}'. Editable: {FIELD_HELP}.")
        await uow.reviews.save(updated, now)
        await uow.audit.record(actor=actor.key, action=action, at=now, review_id=review.id,
                               reason=reason, **detail)
        await uow.commit()
    return updated, said


@dataclass(frozen=True)
class StageChange:
    """A review held, resumed or withdrawn, and who was told of it, in words."""
    review: Review
    told: str


async def _transition(ctx: ServiceContext, actor: Actor, reference: str, event: Event,
                      reason: str, action: str) -> StageChange:
    require(Permission.HOLD_REVIEW, actor)
    today, now = ctx.clock.today(), ctx.clock.now()
    async with ctx.unit_of_work() as uow:
        review = await uow.reviews.require(reference)
        updated = review.apply(event, actor.roles, today, ctx.calendar, by=actor.key, at=now)
        await uow.reviews.save(updated, now)
        await uow.audit.record(actor=actor.key, action=action, at=now, review_id=review.id,
                               reason=reason)
        published = await notifications.publish(uow, [StageChanged(
            ReviewFacts.of(updated), action, reason,
            occurrence=f"{len(updated.plan.changes)}:{now.isoformat()}",
            by=actor.person_id)], now)
        await uow.commit()
    return StageChange(updated, published.words)


async def hold(ctx: ServiceContext, actor: Actor, reference: str,
              reason: str) -> StageChange:
    return await _transition(ctx, actor, reference, Event.HOLD, _reason(reason), "review.held")


async def resume(ctx: ServiceContext, actor: Actor, reference: str,
                reason: str) -> StageChange:
    return await _transition(ctx, actor, reference, Event.RESUME, reason.strip() or "resumed",
                             "review.resumed")


async def withdraw(ctx: ServiceContext, actor: Actor, reference: str,
                  reason: str) -> StageChange:
    return await _transition(ctx, actor, reference, Event.WITHDRAW, _reason(reason),
                             "review.withdrawn")
