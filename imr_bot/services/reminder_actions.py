"""What a person does with a reminder: "On it" (recorded in the audit) or "Remind me on …" a
later working day, up to the milestone's own day. The ladder of reminders and escalations on the
milestone's day and after is derived as ever, whatever they choose."""

from __future__ import annotations

from datetime import date

from imr_bot.domain.dates import format_date, parse_date
from imr_bot.domain.errors import BadDate, DomainError, NotAllowed
from imr_bot.domain.notification import OutgoingNotification
from imr_bot.domain.people import Actor, Person
from imr_bot.domain.plan import Milestone
from imr_bot.domain.policy import Permission, require
from imr_bot.domain.reminders import Kind, check_personal_day
from imr_bot.domain.review import Review
from imr_bot.domain.roles import Role
from imr_bot.domain.stages import Stage
from imr_bot.domain.words import plural

from .context import ServiceContext
from .notifications import person_recipient

# organisation roles the reminder ladder (and the Day-4 escalation) reaches for every review
LADDER_ROLES = frozenset({Role.HEAD_OF_CP, Role.SD_EHS, Role.SD_QPP, Role.BUSINESS_SERVICES})


def _milestone(value) -> Milestone:
    try:
        return Milestone(str(value))
    except ValueError:
        raise DomainError("That reminder's data is not valid.") from None


async def _reminded(uow, actor: Actor, review_id: int, milestone: Milestone) -> Review:
    """The review, if this person is one its reminders reach (a role on it, the line manager of
    someone who has one, or an organisation role on the ladder), else a refusal."""
    require(Permission.VIEW_STATUS, actor)
    person: Person = actor.person
    review = await uow.reviews.read_by_id(review_id)
    if review is None:
        raise DomainError("That review no longer exists.")
    on_review = person.id in review.people.values()
    if not on_review and not LADDER_ROLES & actor.roles:
        managed = await uow.people.by_ids(list(review.people.values()))
        if not any(p.line_manager_email == person.email for p in managed.values()):
            raise NotAllowed("Only the people this review's reminders are for can answer them.")
    if not review.is_open or review.stage == Stage.ON_HOLD or \
            review.stage.next_milestone != milestone:
        raise DomainError(f"That reminder is out of date: {review.reference} is "
                          f"'{review.stage.title}' now. `imr status {review.reference}` shows "
                          "where it stands.")
    return review


async def acknowledge(ctx: ServiceContext, actor: Actor, review_id: int, milestone_value,
                      kind_value) -> Review:
    """"On it": recorded in the review's audit trail; the reminders carry on as planned."""
    milestone = _milestone(milestone_value)
    kind = str(kind_value) if str(kind_value) in {*(k.value for k in Kind), "escalation"} else ""
    async with ctx.unit_of_work() as uow:
        review = await _reminded(uow, actor, review_id, milestone)
        await uow.audit.record(actor=actor.key, action="reminder.acknowledged",
                               at=ctx.clock.now(), review_id=review.id,
                               milestone=milestone.value, kind=kind)
        await uow.commit()
    return review


async def remind_me_on(ctx: ServiceContext, actor: Actor, review_id: int, milestone_value,
                       day_text) -> tuple[Review, date]:
    """"Remind me on …": a later working day, no later than the milestone's own day. Anything
    else is refused with why, and changes nothing."""
    milestone = _milestone(milestone_value)
    today = ctx.clock.today()
    text = str(day_text or "").strip()[:40]
    if not text:
        raise BadDate("Please choose the day to be reminded on.")
    day = parse_date(text, today=today)
    async with ctx.unit_of_work() as uow:
        review = await _reminded(uow, actor, review_id, milestone)
        check_personal_day(day, today, review.plan.due.get(milestone), ctx.calendar)
        now = ctx.clock.now()
        await uow.todo_source.set_reminder_day(review.id, actor.person.id, milestone, day, now)
        await uow.audit.record(actor=actor.key, action="reminder.rescheduled", at=now,
                               review_id=review.id, milestone=milestone.value,
                               day=day.isoformat())
        await uow.commit()
    return review, day


async def personal_reminders(ctx: ServiceContext, uow, today: date) -> list[OutgoingNotification]:
    """The sweep's part: the reminders people asked for today, for milestones still ahead (on
    the milestone's own day, the day's reminder says it)."""
    found = []
    for review_id, person_id, milestone in await uow.todo_source.reminders_on(today):
        review = await uow.reviews.read_by_id(review_id)
        if review is None or not review.is_open or review.stage == Stage.ON_HOLD \
                or review.stage.next_milestone != milestone:
            continue
        due = review.plan.due.get(milestone)
        person = await uow.people.by_id(person_id)
        if due is None or due <= today or person is None or not person.active:
            continue
        left = ctx.calendar.working_days_left(today, due)
        holder_role = review.stage.next_step_holder
        holder = await uow.people.by_id(review.people[holder_role]) \
            if holder_role in review.people else None
        headline = (f"You asked to be reminded today: {milestone.title} is due "
                    f"{format_date(due)} (in {plural(left, 'working day')}).")
        found.append(OutgoingNotification(
            key=f"reminder:{review.id}:{milestone.value}:personal:person:{person_id}:"
                f"{today.isoformat()}",
            recipient=person_recipient(person), kind="reminder_personal", review_id=review.id,
            payload={"text": f"Reminder: **{review.reference}**: {headline}", "card": "reminder",
                     "data": {"reference": review.reference, "reviewId": review.id,
                              "milestone": milestone.value, "kind": Kind.UPCOMING.value,
                              "headline": headline, "waiting": milestone.title,
                              "from": holder.name if holder else
                              (f"the {holder_role.title}" if holder_role else ""),
                              "earliest": "", "latest": ""}}))
    return found

