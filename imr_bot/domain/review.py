"""A review: the IMR that Children's Services write for a safeguarding review.

We hold a reference and the subject's initials, never a child's or family member's name.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum

from .calendar import WorkingCalendar
from .errors import InvalidTransition
from .plan import Milestone, Plan
from .roles import Role
from .stages import TRANSITIONS, Event, Stage, next_stage
from .words import plural


class ReviewType(StrEnum):
    CSPR = "CSPR"
    DHR = "DHR"
    OTHER = "other"

    @property
    def title(self) -> str:
        return {"CSPR": "Child Safeguarding Practice Review", "DHR": "Domestic Homicide Review",
                "other": "Other review"}[self.value]


class CommissioningBody(StrEnum):
    DDSCP = "DDSCP"
    CSP = "Community Safety Partnership"
    OTHER = "other"


@dataclass(frozen=True)
class Commission:
    """What Business Services log on Day 1, validated."""
    reference: str
    review_type: ReviewType
    body: CommissioningBody
    received: date
    tor_start: date
    tor_end: date
    subject_initials: str
    ddscp_date: date | None = None
    notes: str = ""
    template_pack: str = "derbyshire"


@dataclass(frozen=True)
class Review:
    reference: str
    review_type: ReviewType
    body: CommissioningBody
    received: date
    tor_start: date
    tor_end: date
    subject_initials: str
    plan: Plan
    stage: Stage = Stage.COMMISSIONED
    notes: str = ""
    id: int | None = None
    stage_before_hold: Stage | None = None
    held_since: date | None = None
    people: dict[Role, int] = field(default_factory=dict)  # per-review roles -> person id
    template_pack: str = "derbyshire"  # the partnership's templates this review uses

    @classmethod
    def commission(cls, commission: Commission, calendar: WorkingCalendar, *, by: str,
                   at: datetime) -> Review:
        plan = Plan.default(commission.received, calendar).mark_done(
            Milestone.REQUEST_LOGGED, commission.received)
        if commission.ddscp_date and commission.ddscp_date != plan.deadline:
            plan = plan.rebase_to_deadline(commission.ddscp_date, calendar, by=by,
                                           reason="DDSCP date agreed at commission", at=at)
        return cls(reference=commission.reference, review_type=commission.review_type,
                   body=commission.body, received=commission.received,
                   tor_start=commission.tor_start, tor_end=commission.tor_end,
                   subject_initials=commission.subject_initials, plan=plan,
                   notes=commission.notes, template_pack=commission.template_pack)

    @property
    def next_due(self) -> date | None:
        """When the milestone this review works towards is due (none on hold or closed)."""
        milestone = self.stage.next_milestone
        return self.plan.due.get(milestone) if milestone is not None else None

    @property
    def is_open(self) -> bool:
        return self.stage.is_open

    def apply(self, event: Event, roles: frozenset[Role] | set[Role], today: date,
              calendar: WorkingCalendar, *, by: str = "", at: datetime | None = None) -> Review:
        """Make a transition of the workflow, as someone holding `roles`."""
        target = next_stage(self.stage, event, roles, self.stage_before_hold)
        transition = TRANSITIONS[event]
        plan = self.plan
        if transition.milestone_done is not None:
            plan = plan.mark_done(transition.milestone_done, today)
        if event == Event.HOLD:
            return replace(self, stage=target, stage_before_hold=self.stage, held_since=today,
                           plan=plan)
        if event == Event.RESUME:
            if self.held_since is None:
                raise InvalidTransition("This review is not on hold.")
            held = max(calendar.working_days_between(self.held_since, today), 0)
            if held and at is not None:
                plan = plan.shift_pending(held, calendar, by=by, at=at,
                                          reason=f"resumed after {plural(held, 'working day')} on hold")
            return replace(self, stage=target, stage_before_hold=None, held_since=None, plan=plan)
        return replace(self, stage=target, plan=plan)
