"""RAG status of a review against its plan.

The rule, as shown in help: take the milestone the review is working towards and count working
days from today to its due date.
- Red: the milestone is overdue (fewer than 0 working days left).
- Amber: due within 2 working days (0, 1 or 2 left) — when the first reminder goes out.
- Green: more than 2 working days left.
Reviews on hold, closed or withdrawn have no RAG.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from .calendar import WorkingCalendar
from .dates import format_date
from .plan import Milestone, Plan
from .stages import Stage
from .words import plural

AMBER_WITHIN_WORKING_DAYS = 2

RAG_RULE = ("Red: the next milestone is overdue. Amber: it is due within "
            f"{AMBER_WITHIN_WORKING_DAYS} working days. Green: more time than that. "
            "Reviews on hold or closed have no RAG.")


class Rag(StrEnum):
    RED = "red"
    AMBER = "amber"
    GREEN = "green"
    NONE = "none"

    @property
    def title(self) -> str:
        return {"red": "Red", "amber": "Amber", "green": "Green", "none": "—"}[self.value]


@dataclass(frozen=True)
class Standing:
    """Where a review stands today: its next milestone, the days left and its RAG."""
    milestone: Milestone | None
    due: date | None
    working_days_left: int | None
    rag: Rag


def standing(plan: Plan, stage: Stage, today: date, calendar: WorkingCalendar) -> Standing:
    milestone = stage.next_milestone
    return standing_from(plan.due.get(milestone) if milestone else None, stage, today, calendar)


def standing_from(due: date | None, stage: Stage, today: date,
                  calendar: WorkingCalendar) -> Standing:
    """The same, from the next milestone's due date alone (the tracker reads only that)."""
    milestone = stage.next_milestone
    if milestone is None or due is None or not stage.is_open or stage == Stage.ON_HOLD:
        return Standing(milestone, due, None, Rag.NONE)
    left = calendar.working_days_left(today, due)
    if left < 0:
        rag = Rag.RED
    elif left <= AMBER_WITHIN_WORKING_DAYS:
        rag = Rag.AMBER
    else:
        rag = Rag.GREEN
    return Standing(milestone, due, left, rag)


def days_to_deadline(plan: Plan, stage: Stage, today: date,
                     calendar: WorkingCalendar) -> int | None:
    """Working days from today to the review's deadline, the submission to DDSCP (Day 35 by
    default): the one count of days left the cards show, so that it never jumps when a stage
    ends and the next milestone changes. None on hold or closed."""
    if not stage.is_open or stage == Stage.ON_HOLD:
        return None
    return calendar.working_days_left(today, plan.deadline)


def left_words(left: int | None) -> str:
    """`3 working days left`, `due today`, `2 working days overdue`, or "" without a count."""
    if left is None:
        return ""
    if left == 0:
        return "due today"
    if left > 0:
        return f"{plural(left, 'working day')} left"
    return f"{plural(-left, 'working day')} overdue"


def deadline_words(plan: Plan, stage: Stage, today: date, calendar: WorkingCalendar) -> str:
    """`Submission to DDSCP by Wed 13 Jan 2027 (20 working days left)`."""
    return deadline_text(plan.deadline, days_to_deadline(plan, stage, today, calendar))


def deadline_text(deadline: date, left: int | None) -> str:
    said = left_words(left)
    return (f"{Milestone.DDSCP_SUBMISSION.title} by {format_date(deadline)}"
            + (f" ({said})" if said else ""))
