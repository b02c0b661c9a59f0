"""What a person must do now: every pending step of the workflow that is theirs, derived from the
reviews' state (never from the messages they were sent, which may not have arrived).

A step says what it is, which review, by when, and what answers it (the same card action a
message would carry, and the command that does it by typing).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from .calendar import WorkingCalendar
from .meetings import Meeting, MeetingStatus
from .plan import Milestone
from .review import Review
from .roles import Role
from .stages import Stage
from .submissions import Level, pending_level
from .words import in_sentence


class Step(StrEnum):
    ANSWER_OFFER = "answer_offer"  # an author offered a review answers it
    ANSWER_MEETING = "answer_meeting"  # a participant answers a proposed meeting
    SEND_MEETING = "send_meeting"  # the QA lead sends a drafted meeting
    CONFIRM_MEETING = "confirm_meeting"  # the QA lead settles a counter-proposal
    RECORD_OUTCOME = "record_outcome"  # the QA lead records a meeting that has taken place
    SUBMIT = "submit"  # the author sends the report and chronology
    DECIDE = "decide"  # the QA lead or Service Director approves or asks for amendments
    ALLOCATE = "allocate"  # the Head of CP & IRO offers the review to an author
    RECORD_DDSCP = "record_ddscp"  # Business Services record the submission to DDSCP
    REMINDER = "reminder"  # a reminder the person asked for
    INTERVIEW = "interview"  # an interview's record to attach, correct or agree

    @property
    def group(self) -> str:
        return STEP_GROUPS[self]


STEP_GROUPS = {
    Step.ANSWER_OFFER: "Offers to answer", Step.ANSWER_MEETING: "Meetings",
    Step.SEND_MEETING: "Meetings", Step.CONFIRM_MEETING: "Meetings",
    Step.RECORD_OUTCOME: "Meetings", Step.SUBMIT: "Documents to submit",
    Step.DECIDE: "Decisions to make", Step.ALLOCATE: "Decisions to make",
    Step.RECORD_DDSCP: "Decisions to make", Step.REMINDER: "Reminders you asked for",
    Step.INTERVIEW: "Interview records",
}


@dataclass(frozen=True)
class Todo:
    step: Step
    reference: str
    review_id: int
    what: str  # one line, the bot's own words
    due: date | None
    target_id: int | None = None  # the allocation, meeting or submitted version it is about
    level: Level | None = None  # for a decision


@dataclass(frozen=True)
class Offer:
    """An allocation offered to an author and not yet answered."""
    allocation_id: int
    review_id: int
    author_id: int


def offer_steps(offers: list[Offer], reviews: dict[int, Review], person_id: int) -> list[Todo]:
    found = []
    for offer in offers:
        review = reviews.get(offer.review_id)
        if offer.author_id != person_id or review is None or not review.is_open \
                or review.stage == Stage.ON_HOLD:
            continue
        found.append(Todo(Step.ANSWER_OFFER, review.reference, review.id,
                          "Accept or decline the offer to write this IMR",
                          review.plan.due.get(Milestone.ALLOCATION), offer.allocation_id))
    return found


def meeting_steps(meetings: list[Meeting], reviews: dict[int, Review], person_id: int,
                  now: datetime) -> list[Todo]:
    found = []
    for meeting in meetings:
        review = reviews.get(meeting.review_id)
        if review is None or not review.is_open or review.stage == Stage.ON_HOLD:
            continue
        title = meeting.kind.title
        due = review.plan.due.get(meeting.kind.milestone) if meeting.kind.milestone else None
        organiser = meeting.organiser_id == person_id
        step = None
        if organiser and meeting.status == MeetingStatus.DRAFT:
            step, what = Step.SEND_MEETING, f"Send the {in_sentence(title)} invitation"
        elif organiser and meeting.status == MeetingStatus.PROPOSED and meeting.counter_proposals():
            step, what = Step.CONFIRM_MEETING, f"Settle another time proposed for the {in_sentence(title)}"
        elif (organiser and meeting.status == MeetingStatus.CONFIRMED and meeting.starts <= now
              and _outcome_awaited(meeting, review)):
            step, what = Step.RECORD_OUTCOME, f"Record the outcome of the {in_sentence(title)}"
        elif (not organiser and meeting.status == MeetingStatus.PROPOSED
              and person_id in meeting.awaiting()):
            step, what = Step.ANSWER_MEETING, f"Answer the {in_sentence(title)} invitation"
            due = meeting.starts.date()
        if step is not None:
            found.append(Todo(step, review.reference, review.id, what, due, meeting.id))
    return found


def _outcome_awaited(meeting: Meeting, review: Review) -> bool:
    """A scoping or midway meeting's outcome moves the review on; a QA meeting has none to wait for."""
    waiting = {Milestone.SCOPING_MEETING: Stage.ALLOCATED, Milestone.MIDWAY_REVIEW: Stage.SCOPING_HELD}
    milestone = meeting.kind.milestone
    return milestone is not None and waiting.get(milestone) == review.stage


SUBMITTING_STAGES = {Stage.MIDWAY_HELD: "Submit the report and chronology to the QA senior lead",
                     Stage.QA_AMENDMENTS: "Resubmit the report and chronology after QA amendments",
                     Stage.SD_AMENDMENTS: "Resubmit the report and chronology after the Service "
                                          "Director's amendments"}


def stage_steps(review: Review, person_id: int, roles: frozenset[Role], *,
                delegated: set[Level], latest_version: int, offer_pending: bool) -> list[Todo]:
    """The steps a review's stage asks of this person: by the role they hold on the review, an
    organisation role that holds the stage's next step, or a decision delegated to them."""
    if not review.is_open or review.stage == Stage.ON_HOLD:
        return []
    stage, due = review.stage, review.next_due
    mine = {role for role, holder in review.people.items() if holder == person_id}
    found = []
    if stage in SUBMITTING_STAGES and Role.AUTHOR in mine:
        found.append(Todo(Step.SUBMIT, review.reference, review.id, SUBMITTING_STAGES[stage], due))
    level = pending_level(stage)
    if level is not None and latest_version > 0:
        holder = review.people.get(level.approver_role)
        approver = (holder == person_id if holder is not None
                    else level == Level.SD and Role.SD_EHS in roles)
        if approver or level in delegated:
            what = ("Approve, or ask for amendments to, the report (QA)" if level == Level.QA else
                    "Sign off, or ask for amendments to, the report (Service Director)")
            found.append(Todo(Step.DECIDE, review.reference, review.id,
                              f"{what}: version {latest_version}", due, latest_version, level))
    if stage == Stage.COMMISSIONED and Role.HEAD_OF_CP in roles and not offer_pending:
        found.append(Todo(Step.ALLOCATE, review.reference, review.id,
                          "Allocate a report author and a QA senior lead", due))
    if stage == Stage.SD_APPROVED and Role.BUSINESS_SERVICES in roles:
        found.append(Todo(Step.RECORD_DDSCP, review.reference, review.id,
                          "Send the signed-off IMR to DDSCP and record it", due))
    return found


def in_order(items: list[Todo]) -> list[Todo]:
    """Soonest first; a step without a date after those with one."""
    return sorted(items, key=lambda t: (t.due is None, t.due or date.max, t.reference.casefold(),
                                        t.step.value))


def end_of_working_week(today: date, calendar: WorkingCalendar) -> date:
    """The last working day of this week, Monday to Friday (a bank holiday Friday gives the
    Thursday); on a Saturday or Sunday, of the week ahead."""
    friday = today + timedelta(days=(4 - today.weekday()) % 7)
    day = friday
    while day > friday - timedelta(days=4) and not calendar.is_working_day(day):
        day -= timedelta(days=1)
    return day


def due_by(items: list[Todo], last_day: date) -> list[Todo]:
    """The steps due on or before a day (the overdue among them); undated steps are not."""
    return [item for item in items if item.due is not None and item.due <= last_day]
