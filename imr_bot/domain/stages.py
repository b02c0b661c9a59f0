"""The stages of an IMR (Appendix 2) as a state machine.

Each transition names the roles that may make it. Stages also say which milestone the review is
working towards and who holds the next step, which is what the tracker and the reminders need.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from .errors import InvalidTransition, NotAllowed
from .plan import Milestone
from .roles import Role


class Stage(StrEnum):
    COMMISSIONED = "commissioned"
    ALLOCATED = "allocated"
    SCOPING_HELD = "scoping_held"
    MIDWAY_HELD = "midway_held"
    SUBMITTED_TO_QA = "submitted_to_qa"
    QA_AMENDMENTS = "qa_amendments"
    QA_APPROVED = "qa_approved"
    SD_REVIEW = "sd_review"
    SD_AMENDMENTS = "sd_amendments"
    SD_APPROVED = "sd_approved"
    SUBMITTED_TO_DDSCP = "submitted_to_ddscp"
    ON_HOLD = "on_hold"
    WITHDRAWN = "withdrawn"

    @property
    def title(self) -> str:
        return STAGE_TITLES[self]

    @property
    def is_open(self) -> bool:
        return self not in CLOSED_STAGES

    @property
    def next_milestone(self) -> Milestone | None:
        return NEXT_MILESTONE.get(self)

    @property
    def next_step_holder(self) -> Role | None:
        return NEXT_STEP_HOLDER.get(self)


STAGE_TITLES: dict[Stage, str] = {
    Stage.COMMISSIONED: "Commissioned",
    Stage.ALLOCATED: "Author and QA lead allocated",
    Stage.SCOPING_HELD: "Scoping meeting held",
    Stage.MIDWAY_HELD: "Midway review held",
    Stage.SUBMITTED_TO_QA: "Submitted to QA",
    Stage.QA_AMENDMENTS: "QA amendments requested",
    Stage.QA_APPROVED: "QA approved",
    Stage.SD_REVIEW: "Service Director review",
    Stage.SD_AMENDMENTS: "SD amendments requested",
    Stage.SD_APPROVED: "SD approved",
    Stage.SUBMITTED_TO_DDSCP: "Submitted to DDSCP",
    Stage.ON_HOLD: "On hold",
    Stage.WITHDRAWN: "Withdrawn",
}

CLOSED_STAGES = frozenset({Stage.SUBMITTED_TO_DDSCP, Stage.WITHDRAWN})

NEXT_MILESTONE: dict[Stage, Milestone] = {
    Stage.COMMISSIONED: Milestone.ALLOCATION,
    Stage.ALLOCATED: Milestone.SCOPING_MEETING,
    Stage.SCOPING_HELD: Milestone.MIDWAY_REVIEW,
    Stage.MIDWAY_HELD: Milestone.REPORT_TO_QA,
    Stage.SUBMITTED_TO_QA: Milestone.QA_COMPLETE,
    Stage.QA_AMENDMENTS: Milestone.QA_COMPLETE,
    Stage.QA_APPROVED: Milestone.DDSCP_SUBMISSION,
    Stage.SD_REVIEW: Milestone.DDSCP_SUBMISSION,
    Stage.SD_AMENDMENTS: Milestone.DDSCP_SUBMISSION,
    Stage.SD_APPROVED: Milestone.DDSCP_SUBMISSION,
}

NEXT_STEP_HOLDER: dict[Stage, Role] = {
    Stage.COMMISSIONED: Role.HEAD_OF_CP,
    Stage.ALLOCATED: Role.QA_LEAD,
    Stage.SCOPING_HELD: Role.QA_LEAD,
    Stage.MIDWAY_HELD: Role.AUTHOR,
    Stage.SUBMITTED_TO_QA: Role.QA_LEAD,
    Stage.QA_AMENDMENTS: Role.AUTHOR,
    Stage.QA_APPROVED: Role.SD_EHS,
    Stage.SD_REVIEW: Role.SD_EHS,
    Stage.SD_AMENDMENTS: Role.AUTHOR,
    Stage.SD_APPROVED: Role.BUSINESS_SERVICES,
}


class Event(StrEnum):
    ACCEPT_ALLOCATION = "accept_allocation"  # the offered author accepts, declaring independence
    RECORD_SCOPING = "record_scoping"
    RECORD_MIDWAY = "record_midway"
    SUBMIT_TO_QA = "submit_to_qa"
    REQUEST_QA_AMENDMENTS = "request_qa_amendments"
    RESUBMIT_TO_QA = "resubmit_to_qa"
    QA_APPROVE = "qa_approve"
    SEND_TO_SD = "send_to_sd"
    REQUEST_SD_AMENDMENTS = "request_sd_amendments"
    RESUBMIT_TO_SD = "resubmit_to_sd"
    SD_APPROVE = "sd_approve"
    RECORD_DDSCP_SUBMISSION = "record_ddscp_submission"
    HOLD = "hold"
    RESUME = "resume"
    WITHDRAW = "withdraw"


@dataclass(frozen=True)
class Transition:
    event: Event
    sources: frozenset[Stage]
    target: Stage | None  # None: back to the stage before the hold
    roles: frozenset[Role]
    milestone_done: Milestone | None = None


_OPEN_WORKING = frozenset(s for s in Stage if s.is_open and s != Stage.ON_HOLD)
_CASE_OWNERS = frozenset({Role.BUSINESS_SERVICES, Role.HEAD_OF_CP, Role.ADMINISTRATOR})


def _t(event, sources, target, roles, milestone_done=None) -> Transition:
    return Transition(event, frozenset(sources), target, frozenset(roles), milestone_done)


TRANSITIONS: dict[Event, Transition] = {t.event: t for t in (
    _t(Event.ACCEPT_ALLOCATION, {Stage.COMMISSIONED}, Stage.ALLOCATED, {Role.AUTHOR},
       Milestone.ALLOCATION),
    _t(Event.RECORD_SCOPING, {Stage.ALLOCATED}, Stage.SCOPING_HELD, {Role.QA_LEAD},
       Milestone.SCOPING_MEETING),
    _t(Event.RECORD_MIDWAY, {Stage.SCOPING_HELD}, Stage.MIDWAY_HELD, {Role.QA_LEAD},
       Milestone.MIDWAY_REVIEW),
    _t(Event.SUBMIT_TO_QA, {Stage.MIDWAY_HELD}, Stage.SUBMITTED_TO_QA, {Role.AUTHOR},
       Milestone.REPORT_TO_QA),
    _t(Event.REQUEST_QA_AMENDMENTS, {Stage.SUBMITTED_TO_QA}, Stage.QA_AMENDMENTS, {Role.QA_LEAD}),
    _t(Event.RESUBMIT_TO_QA, {Stage.QA_AMENDMENTS}, Stage.SUBMITTED_TO_QA, {Role.AUTHOR}),
    _t(Event.QA_APPROVE, {Stage.SUBMITTED_TO_QA}, Stage.QA_APPROVED, {Role.QA_LEAD},
       Milestone.QA_COMPLETE),
    _t(Event.SEND_TO_SD, {Stage.QA_APPROVED}, Stage.SD_REVIEW,
       {Role.QA_LEAD, Role.BUSINESS_SERVICES}),
    _t(Event.REQUEST_SD_AMENDMENTS, {Stage.SD_REVIEW}, Stage.SD_AMENDMENTS, {Role.SD_EHS}),
    _t(Event.RESUBMIT_TO_SD, {Stage.SD_AMENDMENTS}, Stage.SD_REVIEW, {Role.AUTHOR}),
    _t(Event.SD_APPROVE, {Stage.SD_REVIEW}, Stage.SD_APPROVED, {Role.SD_EHS}),
    _t(Event.RECORD_DDSCP_SUBMISSION, {Stage.SD_APPROVED}, Stage.SUBMITTED_TO_DDSCP,
       {Role.BUSINESS_SERVICES, Role.ADMINISTRATOR}, Milestone.DDSCP_SUBMISSION),
    _t(Event.HOLD, _OPEN_WORKING, Stage.ON_HOLD, _CASE_OWNERS),
    _t(Event.RESUME, {Stage.ON_HOLD}, None, _CASE_OWNERS),
    _t(Event.WITHDRAW, _OPEN_WORKING | {Stage.ON_HOLD}, Stage.WITHDRAWN, _CASE_OWNERS),
)}


def next_stage(current: Stage, event: Event, roles: frozenset[Role] | set[Role],
               stage_before_hold: Stage | None = None) -> Stage:
    """The stage after `event`, or a named error saying why it cannot happen."""
    transition = TRANSITIONS[event]
    if current not in transition.sources:
        raise InvalidTransition(
            f"That can't be done while the review is '{current.title}'.")
    if not transition.roles & set(roles):
        allowed = ", ".join(sorted(r.title for r in transition.roles))
        raise NotAllowed(f"Only the {allowed} can do that.")
    if transition.target is None:
        if stage_before_hold is None:
            raise InvalidTransition("The stage before the hold is unknown.")
        return stage_before_hold
    return transition.target
