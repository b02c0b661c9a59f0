"""Day 4: if no author has accepted by the end of Day 4 (working days), the Service Directors
(EH&S and QPP) and the Head of CP & IRO are asked for support, once."""

from __future__ import annotations

from datetime import date, datetime

from imr_bot.clock import LONDON
from imr_bot.domain.dates import format_date
from imr_bot.domain.notification import OutgoingNotification
from imr_bot.domain.plan import Milestone
from imr_bot.domain.roles import Role
from imr_bot.domain.stages import Stage

from .allocation import _options
from .context import ServiceContext
from .notifications import person_recipient

END_OF_WORKING_DAY_HOUR = 18  # the working day ends at 18:00 Europe/London


def day_has_ended(day: date, now: datetime) -> bool:
    local = now.astimezone(LONDON)
    return local.date() > day or (local.date() == day and local.hour >= END_OF_WORKING_DAY_HOUR)


async def escalate_unallocated(ctx: ServiceContext) -> int:
    """Queue escalations for reviews still without an author after Day 4; returns how many
    reviews were escalated for the first time. Reviews escalated before cost one lookup."""
    now = ctx.clock.now()
    escalated = 0
    today = now.astimezone(LONDON).date()
    async with ctx.unit_of_work() as uow:
        due = [row for row in await uow.reminder_source.due_by(today)
               if row.stage == Stage.COMMISSIONED and day_has_ended(row.due, now)]
        if not due:
            return 0
        done = await uow.outbox.escalated_reviews()
        due = [row for row in due if row.review_id not in done]
        if not due:
            return 0
        recipients = [p for role in (Role.SD_EHS, Role.SD_QPP, Role.HEAD_OF_CP)
                      for p in await uow.people.with_role(role)]
        unique = list({p.id: p for p in recipients}.values())
        for row in due:
            review = await uow.reviews.get_by_id(row.review_id)
            options = await _options(ctx, uow, review)
            data = {
                "reference": review.reference, "reviewType": review.review_type.title,
                "received": format_date(review.received),
                "allocateBy": format_date(review.plan.due[Milestone.ALLOCATION]),
                "ddscpDue": format_date(review.plan.deadline),
                "available": str(len(options.authors)),
                "tried": [{"text": line} for line in options.history]
                + [{"text": f"Not available: {e.person.name} ({e.reason})"}
                   for e in options.authors_excluded],
            }
            queued = 0
            for person in unique:
                queued += await uow.outbox.queue(OutgoingNotification(
                    key=f"review:{review.id}:escalation:allocation:person:{person.id}",
                    recipient=person_recipient(person), kind="allocation_escalation",
                    review_id=review.id,
                    payload={"card": "escalation", "data": {**data, "greeting": person.first_name}}),
                    now)
            if queued:
                await uow.audit.record(actor="imr-bot", action="review.escalated", at=now,
                                       review_id=review.id, reason="no author by end of Day 4",
                                       recipients=queued)
                escalated += 1
        await uow.commit()
    return escalated
