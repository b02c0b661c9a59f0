"""Named deputies, and approvals routed around leave (issue 26, item 5).

The people CSV names a person's deputy (`deputy_email`). When an approval is asked of someone
who is on leave that day (the directory's leave dates) and every approver at that level is away,
the decision is delegated to the first away approver's deputy, if the deputy is active, not on
leave and not the report's author; the audit says so and why, and the approver is told (a
message sent at 9am on their first working day back). A delegate the Head of CP named for the
review stands: it is never replaced.

The deputy is kept in the settings store (`deputy:<email>`), so no schema change is needed.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from imr_bot.clock import LONDON

from imr_bot.domain.dates import format_date
from imr_bot.domain.notification import OutgoingNotification
from imr_bot.domain.people import LeavePeriod, Person
from imr_bot.domain.plain_text import plain
from imr_bot.domain.review import Review
from imr_bot.domain.roles import Role

from .context import ServiceContext
from .notifications import person_recipient

LEVEL_TITLES = {"qa": "QA senior lead's approval", "sd": "Service Director's approval"}


def key(email: str) -> str:
    return f"deputy:{email.strip().lower()}"


def leave_on(person: Person, day: date) -> LeavePeriod | None:
    """The leave period `person` is in on `day`, if any."""
    return next((period for period in person.leave if period.starts <= day <= period.ends), None)


def back_at(ctx: ServiceContext, period: LeavePeriod) -> datetime:
    """9am on the first working day after the leave: when the person is told."""
    day = period.ends + timedelta(days=1)
    while not ctx.calendar.is_working_day(day):
        day += timedelta(days=1)
    return datetime.combine(day, time(9, 0), LONDON)


async def deputy_of(uow, person: Person) -> Person | None:
    email = await uow.settings.get(key(person.email))
    return await uow.people.by_email(email) if email else None


async def set_deputy(uow, email: str, deputy_email: str | None, at) -> None:
    if deputy_email:
        await uow.settings.put(key(email), deputy_email.strip().lower(), at)
    elif await uow.settings.get(key(email)) is not None:
        await uow.settings.remove(key(email))


async def cover_leave(ctx: ServiceContext, uow, review: Review, version: int, level: str,
                      approver_ids: list[int]) -> Person | None:
    """Delegate `level` to a deputy when every approver is on leave today; the deputy, or None."""
    if not approver_ids or await uow.submissions.delegate(review.id, level) is not None:
        return None
    today, now = ctx.clock.today(), ctx.clock.now()
    away: list[tuple[Person, LeavePeriod]] = []
    for person_id in approver_ids:
        person = await uow.people.by_id(person_id)
        period = leave_on(person, today) if person is not None else None
        if period is None:
            return None  # someone who can decide is at work
        away.append((person, period))
    for approver, period in away:
        deputy = await deputy_of(uow, approver)
        if (deputy is None or not deputy.active or leave_on(deputy, today) is not None
                or deputy.id == review.people.get(Role.AUTHOR) or deputy.id in approver_ids):
            continue
        await uow.submissions.set_delegate(review.id, level, deputy.id, "leave", now)
        await uow.audit.record(actor="leave", action="decision.delegated_for_leave", at=now,
                               review_id=review.id, level=level, delegate=deputy.email,
                               away=approver.email, until=period.ends.isoformat())
        title = LEVEL_TITLES.get(level, "approval")
        await uow.outbox.queue(OutgoingNotification(
            key=f"review:{review.id}:leave_cover:{level}:v{version}:person:{approver.id}",
            recipient=person_recipient(approver), kind="leave_cover", review_id=review.id,
            payload={"text": f"While you were on leave (until {format_date(period.ends)}), "
                             f"**{review.reference}** was submitted for the {title}. It was "
                             f"sent to your deputy, {plain(deputy.name)}, so it did not wait. "
                             "You can still see it with `imr status "
                             f"{review.reference}`."}), max(now, back_at(ctx, period)))
        return deputy
    return None
