"""Day 4: if no author has accepted by the end of Day 4 (working days), the Service Directors
(EH&S and QPP) and the Head of CP & IRO are asked for support, once."""

from __future__ import annotations

from datetime import date, datetime

from imr_bot.clock import LONDON
from imr_bot.domain.notification import OutgoingNotification
from imr_bot.domain.plan import Milestone
from imr_bot.domain.roles import Role
from imr_bot.domain.stages import Stage
from imr_bot.store.reminder_source import DueRow

from .allocation import options_for_many
from .context import ServiceContext
from .notifications import person_recipient

END_OF_WORKING_DAY_HOUR = 18  # the working day ends at 18:00 Europe/London


def day_has_ended(day: date, now: datetime) -> bool:
    local = now.astimezone(LONDON)
    return local.date() > day or (local.date() == day and local.hour >= END_OF_WORKING_DAY_HOUR)


async def escalate_unallocated(ctx: ServiceContext) -> int:
    """Queue escalations for reviews still without an author after Day 4; returns how many
    reviews were escalated for the first time."""
    now = ctx.clock.now()
    async with ctx.unit_of_work() as uow:
        escalated = await escalate(ctx, uow, await uow.reminder_source.due_by(
            now.astimezone(LONDON).date()), now)
        await uow.commit()
    return escalated


async def escalate(ctx: ServiceContext, uow, rows: list[DueRow], now: datetime) -> int:
    """Within the caller's transaction: escalate those of `rows` (reviews and the due date of
    their next milestone) that are still commissioned after the end of their Day 4, once each.
    The pool and its loads are read once, however many reviews escalate."""
    due = [row for row in rows if row.stage == Stage.COMMISSIONED and day_has_ended(row.due, now)]
    if not due:
        return 0
    done = await uow.outbox.escalated_among([row.review_id for row in due])
    due = [row for row in due if row.review_id not in done]
    if not due:
        return 0
    everyone = await uow.people.all()  # once, for the three roles
    unique = list({p.id: p for role in (Role.SD_EHS, Role.SD_QPP, Role.HEAD_OF_CP)
                   for p in everyone if p.holds(role)}.values())
    if not unique:
        return 0
    reviews = await uow.reviews.get_many([row.review_id for row in due])
    batch = []
    for options in await options_for_many(ctx, uow, reviews):
        review = options.review
        facts = {  # the edge's allocation views build the card from these at send time
            "reference": review.reference, "reviewId": review.id,
            "milestone": Milestone.ALLOCATION.value, "reviewType": review.review_type.title,
            "received": review.received.isoformat(),
            "allocateBy": review.plan.due[Milestone.ALLOCATION].isoformat(),
            "ddscpDue": review.plan.deadline.isoformat(),
            "available": len(options.authors), "history": list(options.history),
            "excluded": [{"name": e.person.name, "reason": e.reason}
                         for e in options.authors_excluded],
        }
        batch += [OutgoingNotification(
            key=f"review:{review.id}:escalation:allocation:person:{person.id}",
            recipient=person_recipient(person), kind="allocation_escalation", review_id=review.id,
            payload={"view": "escalation", "facts": {**facts, "greeting": person.first_name}})
            for person in unique]
    queued = await uow.outbox.queue_many(batch, now)
    per_review: dict[int, int] = {}
    for notification in batch:
        if notification.key in queued:
            per_review[notification.review_id] = per_review.get(notification.review_id, 0) + 1
    await uow.audit.record_many(actor="imr-bot", action="review.escalated", at=now, entries=[
        (review_id, {"reason": "no author by end of Day 4", "recipients": count})
        for review_id, count in per_review.items()])
    return len(per_review)
