"""Meetings the workflow needs: the scoping meeting (Day 4), the midway review (Day 15) and an
optional QA-author meeting during QA. The QA senior lead organises each; every participant answers;
a counter-proposal goes to the QA lead, who confirms a slot."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from .calendar import WorkingCalendar
from .errors import DomainError, NotAllowed
from .plan import Milestone
from .words import in_sentence

LONDON = ZoneInfo("Europe/London")
DEFAULT_START = time(10, 0)
DEFAULT_MINUTES = 60


class MeetingKind(StrEnum):
    SCOPING = "scoping"
    MIDWAY = "midway"
    QA = "qa"

    @property
    def title(self) -> str:
        return {"scoping": "Scoping meeting", "midway": "Midway review",
                "qa": "QA and author meeting"}[self.value]

    @property
    def milestone(self) -> Milestone | None:
        return {"scoping": Milestone.SCOPING_MEETING, "midway": Milestone.MIDWAY_REVIEW}.get(
            self.value)


class MeetingStatus(StrEnum):
    DRAFT = "draft"  # with the QA lead, not yet sent
    PROPOSED = "proposed"
    CONFIRMED = "confirmed"
    HELD = "held"
    CANCELLED = "cancelled"


class MidwayOutcome(StrEnum):
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    EXTENSION = "extension"

    @property
    def title(self) -> str:
        return {"on_track": "On track", "at_risk": "At risk",
                "extension": "Extension needed"}[self.value]


@dataclass(frozen=True)
class Answer:
    person_id: int
    accepted: bool
    proposed: datetime | None = None


@dataclass(frozen=True)
class Meeting:
    review_id: int
    kind: MeetingKind
    organiser_id: int
    participant_ids: tuple[int, ...]
    starts: datetime  # aware
    minutes: int = DEFAULT_MINUTES
    location: str = ""
    status: MeetingStatus = MeetingStatus.DRAFT
    sequence: int = 0
    id: int | None = None
    answers: dict[int, Answer] = field(default_factory=dict)

    @property
    def ends(self) -> datetime:
        return self.starts + timedelta(minutes=self.minutes)

    def is_participant(self, person_id: int | None) -> bool:
        return person_id is not None and person_id in self.participant_ids

    def awaiting(self) -> list[int]:
        return [p for p in self.participant_ids
                if p != self.organiser_id and p not in self.answers]

    def counter_proposals(self) -> list[Answer]:
        return [a for a in self.answers.values() if not a.accepted and a.proposed]

    # -- the organiser ---------------------------------------------------------------------------
    def send(self, by: int, starts: datetime, minutes: int, location: str,
             calendar: WorkingCalendar) -> Meeting:
        """The QA lead sends (or re-sends with changes) the proposal; everyone answers again."""
        self._require_organiser(by)
        if self.status in (MeetingStatus.HELD, MeetingStatus.CANCELLED):
            raise DomainError(f"This {in_sentence(self.kind.title)} is {self.status.value}.")
        check_slot(starts, minutes, calendar)
        changed = self.status != MeetingStatus.DRAFT
        return replace(self, starts=starts, minutes=minutes, location=location.strip()[:500],
                       status=MeetingStatus.PROPOSED, answers={},
                       sequence=self.sequence + 1 if changed else self.sequence)

    def confirm(self, by: int, starts: datetime | None, calendar: WorkingCalendar) -> Meeting:
        """The QA lead confirms a slot: the proposal, or a participant's counter-proposal."""
        self._require_organiser(by)
        if self.status not in (MeetingStatus.PROPOSED, MeetingStatus.CONFIRMED):
            raise DomainError(f"This {in_sentence(self.kind.title)} can't be confirmed now "
                              f"({self.status.value}).")
        if starts is None or starts == self.starts:
            return replace(self, status=MeetingStatus.CONFIRMED)
        check_slot(starts, self.minutes, calendar)
        return replace(self, starts=starts, status=MeetingStatus.CONFIRMED,
                       sequence=self.sequence + 1)

    def mark_held(self, by: int) -> Meeting:
        self._require_organiser(by)
        if self.status == MeetingStatus.HELD:
            raise DomainError(f"The outcome of this {in_sentence(self.kind.title)} is already recorded.")
        return replace(self, status=MeetingStatus.HELD)

    # -- a participant ---------------------------------------------------------------------------
    def answer(self, person_id: int, *, accept: bool, proposed: datetime | None,
               calendar: WorkingCalendar) -> Meeting:
        if not self.is_participant(person_id):
            raise NotAllowed("Only the people invited to this meeting can answer it.")
        if self.status != MeetingStatus.PROPOSED:
            raise DomainError(f"This {in_sentence(self.kind.title)} is {self.status.value}; there is "
                              "nothing to answer.")
        if not accept:
            if proposed is None:
                raise DomainError("Please give the date and time you propose instead.")
            check_slot(proposed, self.minutes, calendar)
        answers = {**self.answers, person_id: Answer(person_id, accept, None if accept else proposed)}
        updated = replace(self, answers=answers)
        if accept and not updated.awaiting() and not updated.counter_proposals():
            updated = replace(updated, status=MeetingStatus.CONFIRMED)
        return updated

    def _require_organiser(self, person_id: int) -> None:
        if person_id != self.organiser_id:
            raise NotAllowed("Only the QA senior lead for this review can do that.")


def default_start(due: date, today: date, calendar: WorkingCalendar) -> datetime:
    """10:00 Europe/London on the milestone's day, or the next working day if that has passed."""
    day = due if due > today else calendar.add_working_days(today, 1)
    return datetime.combine(day, DEFAULT_START, tzinfo=LONDON)


def check_slot(starts: datetime, minutes: int, calendar: WorkingCalendar) -> None:
    local = starts.astimezone(LONDON)
    if not calendar.is_working_day(local.date()):
        raise DomainError(f"{local:%a} {local.day} {local:%b %Y} is not a working day.")
    if not 15 <= minutes <= 480:
        raise DomainError("A meeting lasts between 15 minutes and 8 hours.")
    if local.time() < time(8, 0) or (local + timedelta(minutes=minutes)).time() > time(18, 0):
        raise DomainError("Please choose a time within working hours (08:00 to 18:00).")


def parse_slot(day_text: str, time_text: str) -> datetime:
    """A date from an Input.Date (YYYY-MM-DD) and a time from an Input.Time (HH:MM), London."""
    try:
        day = date.fromisoformat(str(day_text).strip())
        hours, minutes = (int(p) for p in str(time_text).strip().split(":")[:2])
        return datetime.combine(day, time(hours, minutes), tzinfo=LONDON)
    except (ValueError, TypeError):
        raise DomainError("Please give a date and a time (e.g. 2026-11-26 and 10:00).") from None
