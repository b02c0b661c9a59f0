"""Meetings the workflow needs: the scoping meeting (Day 4), the midway review (Day 15) and an
optional QA-author meeting during QA. The QA senior lead organises each; every participant answers;
a counter-proposal goes to the QA lead, who confirms a slot."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from .calendar import WorkingCalendar
from .dates import format_date
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
    def same_as_sent(self, starts: datetime, minutes: int, location: str) -> bool:
        """Whether sending these details again would change nothing: already sent (or
        confirmed), at this time, for this long, in this place."""
        return (self.status in (MeetingStatus.PROPOSED, MeetingStatus.CONFIRMED)
                and starts == self.starts and minutes == self.minutes
                and location.strip()[:500] == self.location)

    def send(self, by: int, starts: datetime, minutes: int, location: str,
             calendar: WorkingCalendar, now: datetime | None = None) -> Meeting:
        """The QA lead sends (or re-sends with changes) the proposal. A new time or length is
        answered again by everyone; only a new place keeps the answers given (the time they
        agreed to stands). Sending what was already sent changes nothing."""
        self._require_organiser(by)
        if self.status in (MeetingStatus.HELD, MeetingStatus.CANCELLED):
            raise DomainError(f"This {in_sentence(self.kind.title)} is {self.status.value}.")
        if self.same_as_sent(starts, minutes, location):
            return self
        check_slot(starts, minutes, calendar, now)
        location = location.strip()[:500]
        if self.status == MeetingStatus.DRAFT:
            return replace(self, starts=starts, minutes=minutes, location=location,
                           status=MeetingStatus.PROPOSED, answers={})
        if starts == self.starts and minutes == self.minutes:  # only the place changed
            return replace(self, location=location, sequence=self.sequence + 1)
        return replace(self, starts=starts, minutes=minutes, location=location,
                       status=MeetingStatus.PROPOSED, answers={}, sequence=self.sequence + 1)

    def confirm(self, by: int, starts: datetime | None, calendar: WorkingCalendar,
                now: datetime | None = None) -> Meeting:
        """The QA lead confirms a slot: the proposal, or a participant's counter-proposal. A
        different time is agreed by the organiser and whoever proposed it; everyone else
        (including anyone who accepted the earlier time) is asked again, and the meeting is
        confirmed once they accept. Nobody's acceptance moves with the time."""
        self._require_organiser(by)
        if self.status not in (MeetingStatus.PROPOSED, MeetingStatus.CONFIRMED):
            raise DomainError(f"This {in_sentence(self.kind.title)} can't be confirmed now "
                              f"({self.status.value}).")
        if starts is None or starts == self.starts:
            check_not_past(self.starts, now)
            return replace(self, status=MeetingStatus.CONFIRMED)
        check_slot(starts, self.minutes, calendar, now)
        agreed = {a.person_id: Answer(a.person_id, True) for a in self.answers.values()
                  if not a.accepted and a.proposed == starts}
        moved = replace(self, starts=starts, status=MeetingStatus.PROPOSED, answers=agreed,
                        sequence=self.sequence + 1)
        return replace(moved, status=MeetingStatus.CONFIRMED) if not moved.awaiting() else moved

    def agreed(self) -> list[int]:
        """Who agreed to the meeting's present time: the organiser, and each participant who
        accepted it."""
        return [p for p in self.participant_ids
                if p == self.organiser_id or (p in self.answers and self.answers[p].accepted)]

    def mark_held(self, by: int) -> Meeting:
        self._require_organiser(by)
        if self.status == MeetingStatus.HELD:
            raise DomainError(f"The outcome of this {in_sentence(self.kind.title)} is already recorded.")
        return replace(self, status=MeetingStatus.HELD)

    # -- a participant ---------------------------------------------------------------------------
    def answer(self, person_id: int, *, accept: bool, proposed: datetime | None,
               calendar: WorkingCalendar, now: datetime | None = None) -> Meeting:
        if not self.is_participant(person_id):
            raise NotAllowed("Only the people invited to this meeting can answer it.")
        if self.status != MeetingStatus.PROPOSED:
            raise DomainError(f"This {in_sentence(self.kind.title)} is {self.status.value}; there is "
                              "nothing to answer.")
        if not accept:
            if proposed is None:
                raise DomainError("Please give the date and time you propose instead.")
            check_slot(proposed, self.minutes, calendar, now)
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


def check_not_past(starts: datetime, now: datetime | None) -> None:
    """A meeting is arranged for later than now: a time already passed is refused, saying so."""
    if now is not None and starts <= now:
        local, today = starts.astimezone(LONDON), now.astimezone(LONDON)
        raise DomainError(f"{format_date(local.date())}, {local:%H:%M} has already passed (it is "
                          f"now {format_date(today.date())}, {today:%H:%M}). Please choose a "
                          "later date or time.")


def check_slot(starts: datetime, minutes: int, calendar: WorkingCalendar,
               now: datetime | None = None) -> None:
    local = starts.astimezone(LONDON)
    if not calendar.is_working_day(local.date()):
        raise DomainError(f"{format_date(local.date())} is not a working day.")
    if not 15 <= minutes <= 480:
        raise DomainError("A meeting lasts between 15 minutes and 8 hours.")
    if local.time() < time(8, 0) or (local + timedelta(minutes=minutes)).time() > time(18, 0):
        raise DomainError("Please choose a time within working hours (08:00 to 18:00).")
    check_not_past(starts, now)


def parse_slot(day_text: str, time_text: str) -> datetime:
    """A date from an Input.Date (YYYY-MM-DD) and a time from an Input.Time (HH:MM), London."""
    try:
        day = date.fromisoformat(str(day_text).strip())
        hours, minutes = (int(p) for p in str(time_text).strip().split(":")[:2])
        return datetime.combine(day, time(hours, minutes), tzinfo=LONDON)
    except (ValueError, TypeError):
        raise DomainError("Please give a date and a time (e.g. 2026-11-26 and 10:00).") from None


def default_held_on(starts: datetime, today: date) -> date:
    """What the outcome form offers as the day it was held: the planned day, unless that is
    still to come (a form filled in early), then today; never a day the form would refuse."""
    return min(starts.astimezone(LONDON).date(), today)
