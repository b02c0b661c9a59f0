"""Day 1: Business Services (or the Head of CP & IRO) log a commission and start the tracker."""

from __future__ import annotations

from dataclasses import dataclass

from imr_bot.domain.commission_form import validate_commission
from imr_bot.domain.errors import ValidationFailed
from imr_bot.domain.events import ReviewFacts, ReviewLogged
from imr_bot.domain.people import Actor
from imr_bot.domain.plan import PlanRow
from imr_bot.domain.policy import Permission, require
from imr_bot.domain.review import Commission, Review

from . import notifications
from .context import ServiceContext


@dataclass(frozen=True)
class CheckedCommission:
    commission: Commission
    rows: list[PlanRow]


async def check(ctx: ServiceContext, actor: Actor, raw: dict[str, str]) -> CheckedCommission:
    """Validate a commission and compute its plan, saving nothing."""
    require(Permission.COMMISSION, actor)
    commission = validate_commission(raw, ctx.clock.today(), ctx.calendar)
    async with ctx.unit_of_work(read_only=True) as uow:
        if await uow.reviews.exists(commission.reference):
            raise ValidationFailed({"reference": f"A review {commission.reference} already "
                                                 "exists (references are unique, whatever the case)."})
    review = Review.commission(commission, ctx.calendar, by=actor.key, at=ctx.clock.now())
    return CheckedCommission(commission, review.plan.rows(ctx.calendar))


async def commission(ctx: ServiceContext, actor: Actor, raw: dict[str, str]) -> Review:
    """Save a commission with its audit entry, and queue the Head of CP's card and the tracker
    channel's line, all in one transaction."""
    require(Permission.COMMISSION, actor)
    now = ctx.clock.now()
    checked = validate_commission(raw, ctx.clock.today(), ctx.calendar)
    review = Review.commission(checked, ctx.calendar, by=actor.key, at=now)
    async with ctx.unit_of_work() as uow:
        if await uow.reviews.exists(checked.reference):
            raise ValidationFailed({"reference": f"A review {checked.reference} already exists."})
        review = await uow.reviews.add(review, now)
        await uow.audit.record(
            actor=actor.key, action="review.commissioned", at=now, review_id=review.id,
            reference=review.reference, review_type=review.review_type.value,
            body=review.body.value, received=review.received.isoformat(),
            ddscp_due=review.plan.deadline.isoformat())

        async def card(_notice, head) -> dict:
            return notifications.new_review_data(review, head, actor.name, actor.key)

        await notifications.publish(uow, [ReviewLogged(ReviewFacts.of(review), actor.name,
                                                         by=actor.person_id)], now,
                                    card)
        await uow.commit()
    return review


