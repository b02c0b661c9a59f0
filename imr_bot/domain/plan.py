"""The milestone plan of a review, counted in working days from Day 1.

Day 1 is the working day on which the request is received (a request received on a weekend or a
bank holiday starts on the next working day); Day N is N-1 working days after Day 1. The defaults
are Appendix 2 of the Derbyshire IMR workflow; each case then agrees its own timescale with DDSCP,
so a plan can be re-based on a bespoke DDSCP date and single milestones can be moved. Every change
records who made it, when and why.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum

from .calendar import WorkingCalendar
from .dates import format_date
from .errors import InvalidPlan
from .words import in_sentence


class Milestone(StrEnum):
    REQUEST_LOGGED = "request_logged"
    ALLOCATION = "allocation"
    SCOPING_MEETING = "scoping_meeting"
    MIDWAY_REVIEW = "midway_review"
    REPORT_TO_QA = "report_to_qa"
    QA_COMPLETE = "qa_complete"
    DDSCP_SUBMISSION = "ddscp_submission"

    @property
    def title(self) -> str:
        return MILESTONE_TITLES[self]

    @property
    def default_day(self) -> int:
        return DEFAULT_DAYS[self]


MILESTONE_ORDER: tuple[Milestone, ...] = tuple(Milestone)

DEFAULT_DAYS: dict[Milestone, int] = {
    Milestone.REQUEST_LOGGED: 1,
    Milestone.ALLOCATION: 4,
    Milestone.SCOPING_MEETING: 4,
    Milestone.MIDWAY_REVIEW: 15,
    Milestone.REPORT_TO_QA: 25,
    Milestone.QA_COMPLETE: 30,
    Milestone.DDSCP_SUBMISSION: 35,
}

MILESTONE_TITLES: dict[Milestone, str] = {
    Milestone.REQUEST_LOGGED: "Request logged",
    Milestone.ALLOCATION: "Author and QA lead allocated",
    Milestone.SCOPING_MEETING: "Scoping meeting",
    Milestone.MIDWAY_REVIEW: "Midway review",
    Milestone.REPORT_TO_QA: "Report and chronology to QA lead",
    Milestone.QA_COMPLETE: "QA complete",
    Milestone.DDSCP_SUBMISSION: "Submission to DDSCP",
}

# Allocation and scoping happen before the case's own timescale is agreed, so re-basing on a
# bespoke DDSCP date never moves them; it spreads the later milestones in proportion.
_FIXED_BEFORE_AGREEMENT = frozenset(
    {Milestone.REQUEST_LOGGED, Milestone.ALLOCATION, Milestone.SCOPING_MEETING})


@dataclass(frozen=True)
class PlanChange:
    milestone: Milestone
    old: date | None
    new: date
    by: str
    reason: str
    at: datetime


@dataclass(frozen=True)
class PlanRow:
    day: int
    milestone: Milestone
    due: date
    done: date | None


@dataclass(frozen=True)
class Plan:
    day_one: date
    due: dict[Milestone, date]
    done: dict[Milestone, date] = field(default_factory=dict)
    changes: tuple[PlanChange, ...] = ()

    @classmethod
    def default(cls, received: date, calendar: WorkingCalendar) -> Plan:
        day_one = calendar.on_or_after(received)
        due = {m: calendar.add_working_days(day_one, DEFAULT_DAYS[m] - 1) for m in MILESTONE_ORDER}
        return cls(day_one=day_one, due=due)

    @property
    def deadline(self) -> date:
        return self.due[Milestone.DDSCP_SUBMISSION]

    def rows(self, calendar: WorkingCalendar) -> list[PlanRow]:
        return [PlanRow(calendar.day_number(self.day_one, self.due[m]), m, self.due[m],
                        self.done.get(m)) for m in MILESTONE_ORDER]

    # -- changes --------------------------------------------------------------------------
    def mark_done(self, milestone: Milestone, on: date) -> Plan:
        return replace(self, done={**self.done, milestone: on})

    def rebase_to_deadline(self, deadline: date, calendar: WorkingCalendar, *, by: str,
                           reason: str, at: datetime) -> Plan:
        """Agree a bespoke DDSCP date: milestones not yet done after scoping are spread over the
        working days to `deadline` in the same proportions as the default 35-day plan."""
        if not calendar.is_working_day(deadline):
            raise InvalidPlan(
                f"{format_date(deadline)} is not a working day; please choose a working day "
                "for the submission to DDSCP.")
        movable = [m for m in MILESTONE_ORDER
                   if m not in _FIXED_BEFORE_AGREEMENT and m not in self.done]
        if not movable:
            raise InvalidPlan("Every milestone is already done; there is nothing to re-base.")
        first_movable = MILESTONE_ORDER.index(movable[0])
        anchor_milestone = MILESTONE_ORDER[first_movable - 1]
        anchor_date = self.done.get(anchor_milestone, self.due[anchor_milestone])
        span = calendar.working_days_between(anchor_date, deadline)
        if span < len(movable):
            latest_ok = calendar.add_working_days(anchor_date, len(movable))
            raise InvalidPlan(
                f"A DDSCP date of {format_date(deadline)} leaves too few working days after "
                f"the {in_sentence(anchor_milestone.title)} ({format_date(anchor_date)}); the earliest "
                f"workable date is {format_date(latest_ok)}.")
        base = DEFAULT_DAYS[anchor_milestone]
        total = DEFAULT_DAYS[Milestone.DDSCP_SUBMISSION] - base
        new_due = dict(self.due)
        previous = 0
        for position, milestone in enumerate(movable):
            share = round((DEFAULT_DAYS[milestone] - base) * span / total)
            # keep milestones in order and leave room for the ones still to come
            share = max(share, previous + 1)
            share = min(share, span - (len(movable) - 1 - position))
            new_due[milestone] = calendar.add_working_days(anchor_date, share)
            previous = share
        new_due[Milestone.DDSCP_SUBMISSION] = deadline
        return self._with(new_due, by=by, reason=reason, at=at)

    def move(self, milestone: Milestone, to: date, calendar: WorkingCalendar, *, by: str,
             reason: str, at: datetime) -> Plan:
        """Move one milestone; the plan must stay in order."""
        if milestone == Milestone.REQUEST_LOGGED:
            raise InvalidPlan("Day 1 is fixed by the date the request was received.")
        if milestone in self.done:
            raise InvalidPlan(f"The {in_sentence(milestone.title)} is already done.")
        if not calendar.is_working_day(to):
            raise InvalidPlan(f"{format_date(to)} is not a working day.")
        index = MILESTONE_ORDER.index(milestone)
        before = MILESTONE_ORDER[index - 1]
        if to < self.due[before]:
            raise InvalidPlan(
                f"The {in_sentence(milestone.title)} cannot come before the {in_sentence(before.title)} "
                f"({format_date(self.due[before])}).")
        if index + 1 < len(MILESTONE_ORDER):
            after = MILESTONE_ORDER[index + 1]
            if to > self.due[after]:
                raise InvalidPlan(
                    f"The {in_sentence(milestone.title)} cannot come after the {in_sentence(after.title)} "
                    f"({format_date(self.due[after])}); move that first.")
        return self._with({**self.due, milestone: to}, by=by, reason=reason, at=at)

    def agree(self, new_due: dict[Milestone, date], calendar: WorkingCalendar, *, by: str,
              reason: str, at: datetime) -> Plan:
        """Set several milestones at once (the timescale agreed at a meeting); the plan must stay
        in order and every date must be a working day."""
        merged = dict(self.due)
        for milestone, day in new_due.items():
            if milestone in self.done or day == self.due[milestone]:
                continue
            if not calendar.is_working_day(day):
                raise InvalidPlan(f"{milestone.title}: {format_date(day)} is not a working day.")
            merged[milestone] = day
        for before, after in zip(MILESTONE_ORDER, MILESTONE_ORDER[1:], strict=False):
            if merged[after] < merged[before]:
                raise InvalidPlan(f"The {in_sentence(after.title)} ({format_date(merged[after])}) can't "
                                  f"come before the {in_sentence(before.title)} "
                                  f"({format_date(merged[before])}).")
        if merged == self.due:
            return self
        return self._with(merged, by=by, reason=reason, at=at)

    def shift_pending(self, working_days: int, calendar: WorkingCalendar, *, by: str,
                      reason: str, at: datetime) -> Plan:
        """Move every milestone not yet done by `working_days` (time on hold does not count)."""
        if working_days == 0:
            return self
        new_due = {m: (d if m in self.done else calendar.add_working_days(d, working_days))
                   for m, d in self.due.items()}
        return self._with(new_due, by=by, reason=reason, at=at)

    def _with(self, new_due: dict[Milestone, date], *, by: str, reason: str, at: datetime) -> Plan:
        reason = (reason or "").strip()
        if not reason:
            raise InvalidPlan("Please give a reason for changing the plan.")
        changes = tuple(PlanChange(m, self.due.get(m), new_due[m], by, reason, at)
                        for m in MILESTONE_ORDER if new_due[m] != self.due.get(m))
        return replace(self, due=new_due, changes=self.changes + changes)
