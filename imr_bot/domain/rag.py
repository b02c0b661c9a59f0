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
from .plan import Milestone, Plan
from .stages import Stage

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
