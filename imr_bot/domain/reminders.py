"""Who is reminded of what, and when: derived from a review's plan and stage, never stored.

A sweep asks `due_today` for each open review; each answer carries a key (review, milestone, kind,
recipient, working day), and the sent-log makes each key go out once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta
from enum import StrEnum

from .calendar import WorkingCalendar
from .plan import Milestone
from .roles import REVIEW_ROLES, Role
from .stages import Stage
from .words import plural


@dataclass(frozen=True)
class ReminderPolicy:
    """The defaults, in one place (see README: Reminders)."""
    before_days: tuple[int, ...] = (2, 0)  # working days before the milestone: 2 before, on the day
    escalate_to_managers_after: int = 2  # working days overdue: + line manager and QA lead
    escalate_to_directors_after: int = 5  # working days overdue: + Head of CP and SD EH&S
    quiet_before: time = time(8, 0)
    quiet_after: time = time(18, 0)


DEFAULT_POLICY = ReminderPolicy()


class Kind(StrEnum):
    UPCOMING = "upcoming"  # 2 working days before
    DUE_TODAY = "due_today"
    OVERDUE = "overdue"
    MEETING = "meeting"  # a confirmed meeting tomorrow (next working day)

    @property
    def title(self) -> str:
        return {"upcoming": "Coming up", "due_today": "Due today", "overdue": "Overdue",
                "meeting": "Meeting"}[self.value]


@dataclass(frozen=True)
class Reminder:
    review_id: int
    milestone: Milestone
    kind: Kind
    recipient_role: Role
    person_id: int
    day: date
    working_days: int  # days left (negative when overdue)

    @property
    def key(self) -> str:
        return (f"reminder:{self.review_id}:{self.milestone.value}:{self.kind.value}:"
                f"person:{self.person_id}:{self.day.isoformat()}")


def in_working_hours(now_local, calendar: WorkingCalendar, policy: ReminderPolicy = DEFAULT_POLICY) -> bool:
    return (calendar.is_working_day(now_local.date())
            and policy.quiet_before <= now_local.time() < policy.quiet_after)


def reminder_window(today: date, calendar: WorkingCalendar,
                    policy: ReminderPolicy = DEFAULT_POLICY) -> tuple[date, list[date]]:
    """The latest due date that can owe a reminder today, and the due dates up to it that owe
    none (1 working day ahead, with the default policy): a sweep need not look at those. A due
    date on a weekend or bank holiday counts the working days before it, so the window runs to
    the eve of the next working day after the last reminder day."""
    horizon = calendar.add_working_days(today, max(policy.before_days) + 1) - timedelta(days=1)
    silent = []
    day = today
    while day < horizon:
        day += timedelta(days=1)
        if calendar.working_days_left(today, day) not in policy.before_days:
            silent.append(day)
    return horizon, silent


class Via(StrEnum):
    """How a recipient role is turned into people."""
    ROLE = "role"  # the review's own holder of the role; for an organisation role, its holders
    ORGANISATION = "organisation"  # the organisation's holders of the role, whatever the review says
    LINE_MANAGER = "line_manager"  # the line managers of whoever holds the role (as ROLE)


@dataclass(frozen=True)
class Owed:
    """What a review at a stage, with its next milestone due on a date, owes today: the same for
    every review at that stage and date, so a sweep asks once per (stage, date)."""
    milestone: Milestone
    kind: Kind
    working_days: int  # days left (negative when overdue)
    recipients: tuple[tuple[Role, Via], ...]  # in order; a person reached twice is told once


def owed_today(stage: Stage, due: date | None, today: date, calendar: WorkingCalendar,
               policy: ReminderPolicy = DEFAULT_POLICY) -> Owed | None:
    milestone = stage.next_milestone
    if milestone is None or due is None or not stage.is_open or stage == Stage.ON_HOLD:
        return None
    if not calendar.is_working_day(today):
        return None
    left = calendar.working_days_left(today, due)
    holder = stage.next_step_holder
    recipients = [(holder, Via.ROLE)]
    if left >= 0:
        if left not in policy.before_days:
            return None
        kind = Kind.DUE_TODAY if left == 0 else Kind.UPCOMING
    else:
        kind = Kind.OVERDUE
        if -left >= policy.escalate_to_managers_after:
            recipients += [(holder, Via.LINE_MANAGER), (Role.QA_LEAD, Via.ROLE)]
        if -left >= policy.escalate_to_directors_after:
            recipients += [(Role.HEAD_OF_CP, Via.ORGANISATION), (Role.SD_EHS, Via.ROLE)]
    return Owed(milestone, kind, left, tuple(recipients))


def due_today(*, review_id: int, stage: Stage, due: date | None, people: dict[Role, int],
              holders: dict[Role, list[int]], line_manager_of: dict[int, int], today: date,
              calendar: WorkingCalendar, policy: ReminderPolicy = DEFAULT_POLICY) -> list[Reminder]:
    """The reminders a review owes today. `people` are its per-review roles, `holders` the people
    holding each organisation-wide role, `line_manager_of` maps a person to their manager."""
    owed = owed_today(stage, due, today, calendar, policy)
    if owed is None:
        return []
    seen: set[int] = set()
    reminders = []
    for role, via in owed.recipients:
        if via == Via.ORGANISATION:
            found = [(role, p) for p in holders.get(role, [])]
        elif via == Via.LINE_MANAGER:
            found = [(Role.LINE_MANAGER, line_manager_of[p]) for p in _people_in(role, people, holders)
                     if p in line_manager_of]
        else:
            found = [(role, p) for p in _people_in(role, people, holders)]
        for recipient_role, person in found:
            if person not in seen:
                seen.add(person)
                reminders.append(Reminder(review_id, owed.milestone, owed.kind, recipient_role,
                                          person, today, owed.working_days))
    return reminders


def _people_in(role: Role, people: dict[Role, int], holders: dict[Role, list[int]]) -> list[int]:
    if role in people:
        return [people[role]]
    if role in REVIEW_ROLES:
        return []  # not yet allocated: the allocation escalation covers it
    return list(holders.get(role, []))


@dataclass(frozen=True)
class Wording:
    """What a reminder card says: the same for every review at a stage and due date."""
    headline: str  # what is due, and when
    waiting_for: str  # the milestone
    holder: Role | None  # whose step it is
    earliest: date | None  # "Remind me on …" may choose from this working day
    latest: date | None  # to the milestone's own day; None when there is no later day to choose


def when_due(owed, due: date) -> str:
    """'due Tue 1 Dec (in 3 working days)', 'due today, …' or 'overdue by 2 working days …'."""
    from .dates import format_date

    if owed.kind == Kind.UPCOMING:
        return f"due {format_date(due)} (in {plural(owed.working_days, 'working day')})"
    if owed.kind == Kind.DUE_TODAY:
        return f"due today, {format_date(due)}"
    return f"overdue by {plural(-owed.working_days, 'working day')} (was due {format_date(due)})"


def wording(owed: Owed, stage: Stage, due: date, today: date, calendar: WorkingCalendar) -> Wording:
    when = when_due(owed, due)
    earliest = calendar.add_working_days(today, 1)
    later = owed.kind == Kind.UPCOMING and earliest <= due
    return Wording(f"{owed.kind.title}: {owed.milestone.title} is {when}.", owed.milestone.title,
                   stage.next_step_holder, earliest if later else None, due if later else None)


def check_personal_day(day: date, today: date, due: date | None, calendar: WorkingCalendar) -> date:
    """A day someone asks to be reminded on: a working day after today, and never after the
    milestone's own day (the ladder runs on that day whatever they choose)."""
    from .dates import format_date
    from .errors import BadDate

    if due is None:
        raise BadDate("This milestone has no date to be reminded of.")
    if day <= today:
        raise BadDate(f"Please choose a day after today ({format_date(today)}).")
    if day > due:
        raise BadDate(f"Please choose a day no later than {format_date(due)}, the milestone's own "
                      "day: its reminders and escalations go out on that day whatever you choose.")
    if not calendar.is_working_day(day):
        raise BadDate(f"{format_date(day)} is not a working day (weekends and bank holidays in "
                      "England); please choose another.")
    return day
