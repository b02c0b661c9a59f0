"""What happens to a review, as facts: the events a use case produces with its change.

Each event is frozen at the moment it happens (the reference, stage and dates then, the names of
the people acting then), so that who is told, and what they are told, can be decided from the
event alone: imr_bot/domain/notification_policy.py. An event says nothing about Teams, cards
or the outbox.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date

from .plan import MILESTONE_ORDER, Milestone
from .rag import Rag
from .review import Review
from .roles import Role
from .stages import Stage


@dataclass(frozen=True)
class ReviewFacts:
    """A review as it stood when the event happened: what a channel may learn (reference, type,
    stage and dates) and who holds its roles (for the policy to address people, never to show)."""
    review_id: int
    reference: str
    review_type: str  # CSPR, DHR or other
    stage: Stage
    scoping_due: date
    ddscp_due: date
    pending_dates: tuple[tuple[str, date], ...] = ()  # (milestone title, due) not yet done
    people: dict[Role, int] = field(default_factory=dict, compare=False)

    @classmethod
    def of(cls, review: Review) -> ReviewFacts:
        plan = review.plan
        return cls(review_id=review.id, reference=review.reference,
                   review_type=review.review_type.value, stage=review.stage,
                   scoping_due=plan.due[Milestone.SCOPING_MEETING], ddscp_due=plan.deadline,
                   pending_dates=tuple((m.title, plan.due[m]) for m in MILESTONE_ORDER
                                       if m not in plan.done),
                   people=dict(review.people))


@dataclass(frozen=True)
class ReviewEvent:
    review: ReviewFacts
    # the person who acted (None: the bot itself, e.g. a scheduled step): never told of their own
    # action, since the reply to what they did already says it
    by: int | None = field(default=None, kw_only=True)


@dataclass(frozen=True)
class ReviewLogged(ReviewEvent):
    """Business Services (or the Head of CP) logged a commission."""
    logged_by: str  # the name of who logged it


@dataclass(frozen=True)
class AllocationAccepted(ReviewEvent):
    """The offered author accepted, declaring independence."""
    allocation_id: int
    author_id: int
    author_name: str
    qa_lead_id: int
    qa_lead_name: str
    line_manager_id: int | None


@dataclass(frozen=True)
class AllocationDeclined(ReviewEvent):
    """The offered author declined, with a reason (for the Head of CP only)."""
    allocation_id: int
    author_name: str
    reason: str


@dataclass(frozen=True)
class MeetingRecorded(ReviewEvent):
    """The QA lead recorded a scoping or midway meeting's outcome."""
    meeting_id: int
    headline: str  # "The scoping meeting agreed this timescale", "Midway review: at risk"


@dataclass(frozen=True)
class ApprovalRequested(ReviewEvent):
    """A version is waiting for a decision at a level (submitted, or passed QA)."""
    version: int
    level: str  # "qa" or "sd"


@dataclass(frozen=True)
class ReportResubmitted(ReviewEvent):
    """The author sent a new version to the Service Director after amendments."""
    version: int


@dataclass(frozen=True)
class AmendmentsRequested(ReviewEvent):
    """An approver asked for amendments to a version."""
    version: int
    level: str  # "qa" or "sd"
    level_title: str
    by_name: str
    comment: str


@dataclass(frozen=True)
class QaApproved(ReviewEvent):
    """The QA senior lead approved a version: it goes to the Service Director."""
    version: int
    by_name: str


@dataclass(frozen=True)
class SignedOff(ReviewEvent):
    """The Service Director signed a version off: ready for DDSCP."""
    version: int


@dataclass(frozen=True)
class SubmittedToDdscp(ReviewEvent):
    """Business Services recorded the submission to DDSCP: the review is closed."""
    on: date


@dataclass(frozen=True)
class StageChanged(ReviewEvent):
    """Put on hold, resumed or withdrawn (with the reason, for the audit, never a channel)."""
    action: str  # review.held, review.resumed, review.withdrawn
    reason: str
    occurrence: str  # makes each change's notice its own (a review may be held twice)


@dataclass(frozen=True)
class MessageHeld(ReviewEvent):
    """A message about this review could not reach its recipient, the first time they were not
    reached: Business Services hear of it in the channel (the review's reference only)."""
    recipient: str  # "person:<id>"
    occurrence: str


@dataclass(frozen=True)
class ActionToAgree(ReviewEvent):
    """An action of the review's plan went to its owner to agree (new, or a new owner)."""
    action_id: int
    owner_id: int
    occurrence: str  # makes each asking its own (a new owner is asked afresh)


@dataclass(frozen=True)
class InterviewToAgree(ReviewEvent):
    """A version of an interview's record went to one of its parties (the interviewee, a second
    interviewer) to agree or ask for corrections."""
    interview_id: int
    person_id: int
    version: int


@dataclass(frozen=True)
class ActionChangeProposed(ReviewEvent):
    """An action's owner proposed another date or owner, with a reason: Business Services and
    the QA lead may accept it."""
    action_id: int
    owner_name: str
    reason: str
    occurrence: str


@dataclass(frozen=True)
class ActionDone(ReviewEvent):
    """An action's owner posted the evidence that it is done: whoever decides on impact is asked
    (the review's QA lead, or the Service Director QPP when the setting says so)."""
    action_id: int
    evidence_version: int
    decider: str  # "sd_qpp", or anything else for the review's QA lead


@dataclass(frozen=True)
class ImpactDecided(ReviewEvent):
    """The evidence of an action was confirmed to show its outcome, or sent back."""
    action_id: int
    evidence_version: int
    owner_id: int
    decision: str  # "confirmed" or "sent_back"
    comment: str


@dataclass(frozen=True)
class MessageHeldWithoutReview:
    """The same, for a message about no review."""
    recipient: str
    occurrence: str


@dataclass(frozen=True)
class BoardLine:
    """One line of the daily digest: reference, stage, the next milestone and its date."""
    reference: str
    stage: str
    milestone: str
    due: date | None
    working_days_left: int | None
    rag: Rag


@dataclass(frozen=True)
class OverdueActionsLine:
    """One line of the daily digest for a review whose action plan has overdue actions: its
    reference, how many actions are overdue of how many, and the earliest date missed."""
    reference: str
    overdue: int
    total: int
    earliest: date


@dataclass(frozen=True)
class DigestDue:
    """A working day's digest for the tracker channel: the board's most urgent lines, and a line
    per review with overdue actions."""
    day: date
    total: int
    lines: tuple[BoardLine, ...]
    overdue_actions: tuple[OverdueActionsLine, ...] = ()
    reviews_with_overdue_actions: int = 0


Event = ReviewEvent | MessageHeldWithoutReview | DigestDue


def event_types() -> list[type]:
    """Every event this module defines (for the policy's test, which feeds it each)."""
    found: list[type] = []
    pending = [ReviewEvent]
    while pending:
        cls = pending.pop()
        for sub in cls.__subclasses__():
            found.append(sub)
            pending.append(sub)
    return sorted(found + [MessageHeldWithoutReview, DigestDue], key=lambda c: c.__name__)


def field_names(cls: type) -> list[str]:
    return [f.name for f in fields(cls)]
