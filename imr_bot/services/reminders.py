"""The reminder sweep and the daily digest: derived from every open review's plan and stage, with
the notifications table as the sent-log (a key goes out once)."""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from imr_bot.clock import LONDON
from imr_bot.domain.dates import format_date, format_when
from imr_bot.domain.errors import UnknownReview
from imr_bot.domain.events import BoardLine, DigestDue
from imr_bot.domain.meetings import MeetingStatus
from imr_bot.domain.notification import About, OutgoingNotification
from imr_bot.domain.plain_text import plain
from imr_bot.domain.policy import Permission, require
from imr_bot.domain.reminders import (
    DEFAULT_POLICY,
    Kind,
    Owed,
    Reminder,
    ReminderPolicy,
    due_today,
    in_working_hours,
    owed_today,
    reminder_window,
    when_due,
    wording,
)
from imr_bot.domain.roles import Role
from imr_bot.domain.stages import Stage
from imr_bot.domain.words import in_sentence
from imr_bot.store.reminder_source import REFERENCE, OwedRow

from . import action_reminders, escalation, interviews, notifications, reminder_actions
from .context import ServiceContext
from .tracker import board_rows, closest

ORG_ROLES = (Role.HEAD_OF_CP, Role.SD_EHS, Role.BUSINESS_SERVICES)


@dataclass(frozen=True)
class SweepResult:
    considered: int
    queued: int
    skipped_reason: str = ""


def _text(reference: str, owed: Owed | Reminder, due: date) -> str:
    return (f"Reminder: **{reference}**: {owed.milestone.title} is {when_due(owed, due)}. "
            f"Type `imr status {reference}` for details.")


async def sweep(ctx: ServiceContext, policy: ReminderPolicy = DEFAULT_POLICY) -> SweepResult:
    """Queue every reminder and Day-4 escalation due now. Outside working hours, on weekends and
    bank holidays: none. A review handled earlier today is skipped unless it, or the people
    directory, has changed since (`reminder_marks`), so repeat sweeps cost a query.

    The policy is asked once per (stage, due date), not once per review; the database matches
    reviews to what they owe and to people, and writes the reminders in one statement: a first
    sweep of the day at 100,000 reviews queues some 40,000. On PostgreSQL the reviews are split
    between two transactions that run at once (each commits its share, or none of it: a share
    that fails is simply swept again next time); SQLite has one writer, so one transaction."""
    now = ctx.clock.now()
    local = now.astimezone(LONDON)
    if not in_working_hours(local, ctx.calendar, policy):
        return SweepResult(0, 0, "outside working hours")
    # the claim is held until every share is done
    async with ctx.unit_of_work(read_only=True, holds_locks=True) as lock:
        if not await lock.reminder_source.claim_sweep():
            return SweepResult(0, 0, "another process is sweeping")
        shares = lock.reminder_source.shares
        directory = await lock.reminder_source.directory()
        done = await asyncio.gather(*(_sweep_share(ctx, policy, now, directory, share, shares)
                                      for share in range(shares)), return_exceptions=True)
    failed = [result for result in done if isinstance(result, BaseException)]
    if failed:
        raise failed[0]
    return SweepResult(sum(r.considered for r in done), sum(r.queued for r in done))


async def _sweep_share(ctx: ServiceContext, policy: ReminderPolicy, now, directory, share: int,
                       shares: int) -> SweepResult:
    """One transaction's share of a sweep: the reviews whose id is `share` modulo `shares`. (A
    directory changed meanwhile changes its fingerprint: the next sweep looks again.)"""
    today = now.astimezone(LONDON).date()
    horizon, silent = reminder_window(today, ctx.calendar, policy)
    sweep_id = uuid.uuid4().hex
    holders, line_manager_of = _organisation(directory)
    async with ctx.unit_of_work() as uow:
        source = uow.reminder_source
        considered = await source.mark_due(horizon, silent, today, _fingerprint(directory),
                                           sweep_id, share=(share, shares))
        queued = 0
        if share == 0:
            queued += len(await uow.outbox.queue_many(await _meeting_reminders(ctx, uow, today),
                                                      now))
            queued += len(await uow.outbox.queue_many(
                await reminder_actions.personal_reminders(ctx, uow, today), now))
            queued += len(await uow.outbox.queue_many(
                await action_reminders.owed_today(ctx, uow, directory, today, policy), now))
            queued += len(await uow.outbox.queue_many(
                await interviews.reminders(ctx, uow, today), now))
            await uow.todo_source.forget_reminders_before(today)
        if considered:
            owed = []  # read after the marks, in this transaction: every review marked is here
            for stage, due in await source.due_dates(horizon):
                found = owed_today(stage, due, today, ctx.calendar, policy)
                if found is not None:
                    owed.append(OwedRow(stage, due, found.milestone, found.kind,
                                        _text(REFERENCE, found, due), found.recipients,
                                        wording(found, stage, due, today, ctx.calendar)))
            queued += await source.queue_reminders(sweep_id, owed, holders, line_manager_of, today,
                                                   now)
            queued += await escalation.escalate(
                ctx, uow, await source.taken(sweep_id, Stage.COMMISSIONED, today), now)
        await uow.commit()
    return SweepResult(considered, queued)


def _organisation(people) -> tuple[dict[Role, list[int]], dict[int, int]]:
    """Who holds each organisation-wide role (active people only), and each person's line
    manager, by id: what the policy needs beyond a review's own people."""
    people = list(people)
    by_email = {p.email: p.id for p in people}
    holders = {role: [p.id for p in people if p.active and role in p.roles] for role in ORG_ROLES}
    line_manager_of = {p.id: by_email[p.line_manager_email] for p in people
                       if p.line_manager_email in by_email}
    return holders, line_manager_of


def _fingerprint(directory) -> str:
    """What of the people directory the reminders depend on: roles, line managers, who is active."""
    material = sorted((p.id, sorted(p.roles), p.line_manager_email or "", p.active)
                      for p in directory)
    return hashlib.sha256(repr(material).encode()).hexdigest()[:32]


async def _meeting_reminders(ctx: ServiceContext, uow, today: date) -> list[OutgoingNotification]:
    """One working day before a confirmed meeting, each participant is reminded."""
    tomorrow = ctx.calendar.add_working_days(today, 1)
    found = []
    for meeting in await uow.meetings.upcoming():
        if meeting.status != MeetingStatus.CONFIRMED:
            continue
        local = meeting.starts.astimezone(LONDON)
        if local.date() != tomorrow:
            continue
        review = await uow.reviews.get_by_id(meeting.review_id)
        for person_id in meeting.participant_ids:
            found.append(OutgoingNotification(
                key=f"reminder:{review.id}:meeting{meeting.id}:{Kind.MEETING.value}:person:"
                    f"{person_id}:{today.isoformat()}",
                recipient=f"person:{person_id}", kind="reminder_meeting", review_id=review.id,
                about=About(meeting_id=meeting.id, meeting_sequence=meeting.sequence),
                payload={"text": f"Reminder: the {in_sentence(meeting.kind.title)} for "
                                 f"**{review.reference}** is {format_date(local.date())} at "
                                 f"{local:%H:%M}" + (f" ({plain(meeting.location)})" if meeting.location
                                                     else "") + "."}))
    return found


DIGEST_ROWS = 40  # a card, not a spreadsheet: the board has the rest


async def daily_digest(ctx: ServiceContext) -> bool:
    """Once per working day, the tracker channel's card: references, stages, next dates, RAG."""
    local = ctx.clock.now().astimezone(LONDON)
    if not ctx.calendar.is_working_day(local.date()):
        return False
    today = local.date()
    async with ctx.unit_of_work() as uow:
        # the board's first page: the most urgent, read as such (not every open review)
        records, total = await uow.board.board_page(
            overdue_before=None, mine=None, offset=0, limit=DIGEST_ROWS)
        lines = tuple(BoardLine(row.reference, row.stage.title,
                                row.milestone.title if row.milestone else "—", row.due,
                                row.working_days_left, row.rag)
                      for row in board_rows(records, today, ctx.calendar))
        # the channel's card goes through the notification policy like every channel post
        overdue_actions, with_overdue = await action_reminders.digest_lines(uow, today)
        published = await notifications.publish(uow, [DigestDue(
            today, total, lines, overdue_actions, with_overdue)], ctx.clock.now())
        await uow.commit()
    return bool(published.queued)


@dataclass(frozen=True)
class PlannedReminder:
    day: date
    text: str
    recipients: str


async def upcoming(ctx: ServiceContext, actor, reference: str, days: int = 10) -> tuple[object, list[PlannedReminder], list[str]]:
    """`imr reminders REF`: what the policy will send over the next working days, and what went."""
    require(Permission.VIEW_STATUS, actor)
    async with ctx.unit_of_work(read_only=True) as uow:
        review = await uow.reviews.get(reference)
        if review is None:
            raise UnknownReview(reference, closest(reference, await uow.reviews.references()))
        people = {p.id: p for p in await uow.people.all()}
        holders, line_manager_of = _organisation(people.values())
        sent = await uow.outbox.reminders_for(review.id)
    milestone = review.stage.next_milestone
    planned = []
    day = ctx.clock.today()
    for _ in range(days * 2):
        if len(planned) >= days:
            break
        if ctx.calendar.is_working_day(day) and milestone is not None:
            found = due_today(review_id=review.id, stage=review.stage, due=review.plan.due.get(milestone),
                              people=review.people, holders=holders, line_manager_of=line_manager_of,
                              today=day, calendar=ctx.calendar)
            if found:
                planned.append(PlannedReminder(day, f"{found[0].kind.title}: {milestone.title}",
                                               ", ".join(people[r.person_id].name for r in found
                                                         if r.person_id in people)))
        day += timedelta(days=1)
    sent_lines = [SentReminder(format_when(n.created_at), _reminder_words(n.kind),
                               _SENT_WORDS.get(n.status, "in the queue"))
                  for n in sent if n.kind.startswith("reminder") or n.kind.endswith("escalation")]
    return review, planned, sent_lines


@dataclass(frozen=True)
class SentReminder:
    """A reminder already queued for a review, in words: when, what, and what became of it."""
    at: str
    what: str
    status: str


_SENT_WORDS = {"sent": "sent", "pending": "about to be sent", "sending": "being sent",
               "held": "held until the recipient opens the bot",
               "unreachable": "held until the recipient opens the bot",
               "stale": "not sent: no longer true", "failed": "could not be sent"}


def _reminder_words(kind: str) -> str:
    """`reminder_overdue` as "Reminder: overdue", an escalation as "Escalation"."""
    if kind.endswith("escalation"):
        return "Escalation: no author yet"
    rest = kind.removeprefix("reminder_")
    try:
        return f"Reminder: {in_sentence(Kind(rest).title)}"
    except ValueError:
        return {"personal": "Reminder you asked for"}.get(rest, "Reminder")
