"""The reminder sweep's part for action-plan actions, and the digest's lines for reviews with
overdue actions. The policy is the domain's (domain/action_reminders.py); the notifications table
is the sent-log, so a key goes out once however often the sweep runs."""

from __future__ import annotations

from datetime import date

from imr_bot.domain.action_reminders import (
    ActionReminder,
    Recipient,
    action_reminders,
    action_when,
    ladder,
)
from imr_bot.domain.events import OverdueActionsLine
from imr_bot.domain.notification import About, OutgoingNotification
from imr_bot.domain.plain_text import plain
from imr_bot.domain.reminders import DEFAULT_POLICY, ReminderPolicy
from imr_bot.domain.roles import Role
from imr_bot.domain.stages import Stage

from .notifications import person_recipient

DIGEST_ROWS = 40  # a card, not a spreadsheet: `imr actions overdue` has the rest


def horizon(today: date, calendar, policy: ReminderPolicy = DEFAULT_POLICY) -> date:
    """The latest date an action can have and still owe a reminder today."""
    furthest = max(max(ladder(immediate, policy).before_days) for immediate in (False, True))
    return calendar.add_working_days(today, furthest + 1)


async def owed_today(ctx, uow, directory, today: date,
                     policy: ReminderPolicy = DEFAULT_POLICY) -> list[OutgoingNotification]:
    """Every reminder and escalation the actions still under way owe today, ready to queue (the
    outbox skips keys already sent). `directory` is the people directory, as the sweep read it."""
    if not ctx.calendar.is_working_day(today):
        return []
    people = {p.id: p for p in directory if p.active}
    by_email = {p.email: p.id for p in people.values()}
    line_manager_of = {p.id: by_email[p.line_manager_email] for p in people.values()
                       if p.line_manager_email in by_email}
    directors = [p.id for p in people.values() if Role.SD_QPP in p.roles]
    owed: list[tuple[object, ActionReminder]] = []
    for action in await uow.action_plans.under_way_due_by(horizon(today, ctx.calendar, policy)):
        owed += [(action, r) for r in action_reminders(
            action, line_manager_of=line_manager_of, directors=directors, today=today,
            calendar=ctx.calendar, policy=policy)]
    if not owed:
        return []
    reviews = {r.id: r for r in await uow.reviews.get_many(
        sorted({action.review_id for action, _ in owed}))}
    found = []
    for action, reminder in owed:
        review = reviews.get(action.review_id)
        person = people.get(reminder.person_id)
        if review is None or review.stage == Stage.WITHDRAWN or person is None:
            continue
        found.append(OutgoingNotification(
            key=reminder.key, recipient=person_recipient(person),
            kind="action_reminder" if reminder.recipient == Recipient.OWNER else "action_overdue",
            review_id=review.id, about=About(action_id=action.id,
                                             action_due=action.due.toordinal()),
            payload={"text": _text(review.reference, action, reminder, people, today)}))
    return found


def _text(reference: str, action, reminder: ActionReminder, people: dict, today: date) -> str:
    when = action_when(reminder.kind, reminder.working_days, action.due, today)
    what = plain(action.what)
    if len(what) > 120:
        what = what[:119].rstrip() + "…"
    urgent = " It is needed immediately." if action.immediate else ""
    if reminder.recipient == Recipient.OWNER:
        return (f"Reminder: your action on **{reference}** ({what}) is {when}.{urgent} "
                "Type `imr actions mine` to agree it, post progress or mark it done with its "
                "evidence.")
    owner = people.get(action.owner_id)
    whose = owner.name if owner is not None else "its owner"
    role = ("As their line manager, please" if reminder.recipient == Recipient.LINE_MANAGER
            else "Please")
    return (f"Escalation: an action on **{reference}** owned by {whose} ({what}) is {when}."
            f"{urgent} {whose} has been reminded. {role} help it get done. Type "
            f"`imr actions {reference}` to see the plan.")


async def digest_lines(uow, today: date) -> tuple[tuple[OverdueActionsLine, ...], int]:
    """The tracker channel's lines for reviews with overdue actions (reference, counts and the
    earliest date only), the most overdue first, and how many reviews have any."""
    found = await uow.action_plans.overdue_by_review(today)
    reviews = {r.id: r for r in await uow.reviews.get_many([row[0] for row in found[:DIGEST_ROWS]])}
    return tuple(OverdueActionsLine(reviews[review_id].reference, overdue, total, earliest)
                 for review_id, overdue, total, earliest in found[:DIGEST_ROWS]
                 if review_id in reviews), len(found)
