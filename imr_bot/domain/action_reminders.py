"""Who is reminded of an action-plan action, and when: derived from the same policy as a review's
milestones (`reminders.ReminderPolicy`), counted in working days, never stored.

Before, on and after its date, an action still under way reminds its owner; once it is overdue it
escalates to the owner's line manager and then to the Service Director (Quality, Partnerships &
Performance). An action needed immediately has a shorter ladder: reminded the working day before
and on the day, escalated a working day late and to the Service Director two days late.
Each answer carries a key (review, action, kind, person, working day): the sent-log makes each
key go out once. Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from .action_plan import UNDER_WAY, Action
from .calendar import WorkingCalendar
from .dates import format_date
from .reminders import DEFAULT_POLICY, Kind, ReminderPolicy
from .words import plural


@dataclass(frozen=True)
class ActionLadder:
    before_days: tuple[int, ...]  # working days before the date (0: on the day)
    to_line_manager_after: int  # working days overdue: + the owner's line manager
    to_director_after: int  # working days overdue: + the Service Director QPP


def ladder(immediate: bool, policy: ReminderPolicy = DEFAULT_POLICY) -> ActionLadder:
    """The milestones' ladder for an action; for an immediate one, a shorter one (no reminder
    further ahead than the working day before, escalations in half the time, at least a day)."""
    if not immediate:
        return ActionLadder(policy.before_days, policy.escalate_to_managers_after,
                            policy.escalate_to_directors_after)
    before = tuple(sorted({min(day, 1) for day in policy.before_days} | {1, 0}, reverse=True))
    managers = max(1, policy.escalate_to_managers_after // 2)
    return ActionLadder(before, managers,
                        max(managers + 1, policy.escalate_to_directors_after // 2))


class Recipient(StrEnum):
    OWNER = "owner"
    LINE_MANAGER = "line_manager"  # the owner's
    SD_QPP = "sd_qpp"

    @property
    def title(self) -> str:
        return {"owner": "action owner", "line_manager": "owner's line manager",
                "sd_qpp": "Service Director QPP"}[self.value]


@dataclass(frozen=True)
class ActionOwed:
    """What an action due on a date owes today: the same for every action with that date and
    ladder."""
    kind: Kind
    working_days: int  # days left (negative when overdue)
    recipients: tuple[Recipient, ...]


def action_owed(due: date, immediate: bool, today: date, calendar: WorkingCalendar,
                policy: ReminderPolicy = DEFAULT_POLICY) -> ActionOwed | None:
    if not calendar.is_working_day(today):
        return None
    steps = ladder(immediate, policy)
    left = calendar.working_days_left(today, due)
    if left >= 0:
        if left not in steps.before_days:
            return None
        return ActionOwed(Kind.DUE_TODAY if left == 0 else Kind.UPCOMING, left,
                          (Recipient.OWNER,))
    recipients = [Recipient.OWNER]
    if -left >= steps.to_line_manager_after:
        recipients.append(Recipient.LINE_MANAGER)
    if -left >= steps.to_director_after:
        recipients.append(Recipient.SD_QPP)
    return ActionOwed(Kind.OVERDUE, left, tuple(recipients))


@dataclass(frozen=True)
class ActionReminder:
    review_id: int
    action_id: int
    kind: Kind
    recipient: Recipient
    person_id: int
    day: date
    working_days: int

    @property
    def key(self) -> str:
        """Keyed like a milestone's reminders: one per action, kind, person and working day."""
        return (f"reminder:{self.review_id}:action{self.action_id}:{self.kind.value}:"
                f"person:{self.person_id}:{self.day.isoformat()}")


def action_reminders(action: Action, *, line_manager_of: dict[int, int],
                     directors: list[int], today: date, calendar: WorkingCalendar,
                     policy: ReminderPolicy = DEFAULT_POLICY) -> list[ActionReminder]:
    """The reminders `action` owes today. `line_manager_of` maps a person to their manager,
    `directors` are the Service Directors QPP. A person reached twice is told once."""
    if action.id is None or action.status not in UNDER_WAY:
        return []
    owed = action_owed(action.due, action.immediate, today, calendar, policy)
    if owed is None:
        return []
    found: list[tuple[Recipient, int]] = []
    for recipient in owed.recipients:
        if recipient == Recipient.OWNER:
            found.append((recipient, action.owner_id))
        elif recipient == Recipient.LINE_MANAGER:
            if action.owner_id in line_manager_of:
                found.append((recipient, line_manager_of[action.owner_id]))
        else:
            found += [(recipient, person) for person in directors]
    seen: set[int] = set()
    reminders = []
    for recipient, person in found:
        if person not in seen:
            seen.add(person)
            reminders.append(ActionReminder(action.review_id, action.id, owed.kind, recipient,
                                            person, today, owed.working_days))
    return reminders


def action_when(kind: Kind, working_days: int, due: date, today: date | None = None) -> str:
    """'due Fri 26 Mar 2027 (in 2 working days)', 'due today, …', 'overdue by 3 working days
    (was due …)'."""
    if kind == Kind.UPCOMING:
        return f"due {format_date(due)} (in {plural(working_days, 'working day')})"
    if kind == Kind.DUE_TODAY:
        if today is not None and today != due:
            return (f"due {format_date(due)}, not a working day: today is the last working day "
                    "before it")
        return f"due today, {format_date(due)}"
    return f"overdue by {plural(-working_days, 'working day')} (was due {format_date(due)})"
