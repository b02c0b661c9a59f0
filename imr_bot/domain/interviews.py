"""Interviews with the practitioners involved (Bradford guidance, section 9 and its Appendix I):
"a record of the interview must be signed and agreed by the interviewer and the interviewee".

The review's author records an interview to hold or held: who is interviewed (a person in the
IMR directory, or someone outside it by their role and agency, never a child's or a family
member's name), the date, the author as interviewer and an optional second interviewer. Its record
(the interview record sheet) comes in versions, each kept with its checksum; each version is
agreed, or corrected, once by each party. An interview moves

    planned → record drafted → sent for agreement → agreed
                                                  → corrections asked → record drafted (version 2)…

It is agreed when the interviewee and every interviewer agreed the same version (an interviewee
outside Teams: the author marks it agreed on paper, with the date and a reason). Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum

from .action_plan import NOTE_MAX, free_text
from .errors import DomainError, InvalidTransition, NotAllowed
from .todo import Step, Todo

LABEL_MAX = 120  # a role's or an agency's words


class InterviewStatus(StrEnum):
    PLANNED = "planned"
    DRAFTED = "drafted"
    SENT = "sent"
    AGREED = "agreed"
    CORRECTIONS = "corrections"

    @property
    def title(self) -> str:
        return {"planned": "Planned", "drafted": "Record drafted",
                "sent": "Sent for agreement", "agreed": "Agreed",
                "corrections": "Corrections asked"}[self.value]


class Decision(StrEnum):
    AGREED = "agreed"
    CORRECTIONS = "corrections"
    AGREED_ON_PAPER = "agreed_on_paper"


class Party(StrEnum):
    INTERVIEWEE = "interviewee"
    INTERVIEWER = "interviewer"
    SECOND_INTERVIEWER = "second_interviewer"


@dataclass(frozen=True)
class Interviewee:
    """A person in the directory (`person_id`), or someone outside it by role and agency."""
    person_id: int | None = None
    role: str = ""
    agency: str = ""

    @classmethod
    def outside(cls, role: str, agency: str) -> Interviewee:
        return cls(None, free_text(role, "the interviewee's role", limit=LABEL_MAX),
                   free_text(agency, "the interviewee's agency", limit=LABEL_MAX))

    @property
    def in_directory(self) -> bool:
        return self.person_id is not None


@dataclass(frozen=True)
class RecordVersion:
    number: int
    checksum: str  # sha256 of the record's bytes, hex
    size: int
    filename: str


@dataclass(frozen=True)
class Interview:
    review_id: int
    interviewee: Interviewee
    on: date
    interviewer_id: int  # the review's author
    second_interviewer_id: int | None = None
    status: InterviewStatus = InterviewStatus.PLANNED
    version: int = 0  # the record's latest version: 0 before one is attached
    checksum: str = ""  # the latest version's
    agreed_checksum: str = ""  # the checksum of the version everyone agreed
    # who decided on the latest version: party -> decision
    decisions: dict[Party, Decision] = field(default_factory=dict)
    comment: str = ""  # the last corrections asked for, or the paper agreement's reason
    id: int | None = None

    @classmethod
    def new(cls, *, review_id: int, interviewee: Interviewee, on: date, interviewer_id: int,
            second_interviewer_id: int | None = None) -> Interview:
        if second_interviewer_id is not None and second_interviewer_id == interviewer_id:
            second_interviewer_id = None
        if interviewee.person_id is not None and interviewee.person_id in (
                interviewer_id, second_interviewer_id):
            raise DomainError("The interviewee cannot also be an interviewer.")
        return cls(review_id, interviewee, on, interviewer_id, second_interviewer_id)

    # -- who ------------------------------------------------------------------------------------
    def parties(self) -> dict[Party, int | None]:
        """Who must agree each version (an interviewee outside the directory: None)."""
        found: dict[Party, int | None] = {Party.INTERVIEWEE: self.interviewee.person_id,
                                          Party.INTERVIEWER: self.interviewer_id}
        if self.second_interviewer_id is not None:
            found[Party.SECOND_INTERVIEWER] = self.second_interviewer_id
        return found

    def party_of(self, person_id: int | None) -> Party | None:
        if person_id is None:
            return None
        return next((p for p, who in self.parties().items() if who == person_id), None)

    def involves(self, person_id: int | None) -> bool:
        return self.party_of(person_id) is not None

    @property
    def agreed(self) -> bool:
        return self.status == InterviewStatus.AGREED

    @property
    def waiting_for(self) -> tuple[Party, ...]:
        """The parties still to decide on the version sent for agreement."""
        if self.status != InterviewStatus.SENT:
            return ()
        return tuple(p for p in self.parties() if p not in self.decisions)

    # -- what the author does -------------------------------------------------------------------
    def _author(self, person_id: int | None) -> None:
        if person_id is None or person_id != self.interviewer_id:
            raise NotAllowed("Only the interviewer who recorded this interview can do that.")

    def attach(self, person_id: int | None, record: RecordVersion) -> Interview:
        """A new version of the record (the first, or one after corrections)."""
        self._author(person_id)
        if self.status in (InterviewStatus.AGREED, InterviewStatus.SENT):
            raise InvalidTransition(
                "This interview's record is agreed, so it cannot be replaced." if self.agreed
                else "This record is waiting for agreement: it can be replaced once someone asks "
                     "for corrections.")
        if record.number != self.version + 1:
            raise InvalidTransition("That record has already been replaced by a newer version.")
        return replace(self, status=InterviewStatus.DRAFTED, version=record.number,
                       checksum=record.checksum, decisions={})

    def send(self, person_id: int | None) -> Interview:
        self._author(person_id)
        if self.status != InterviewStatus.DRAFTED:
            raise InvalidTransition("Attach the interview record first: there is no draft to send "
                                    "for agreement." if self.version == 0 else
                                    f"This interview is {self.status.title.lower()}, so its "
                                    "record cannot be sent for agreement now.")
        return replace(self, status=InterviewStatus.SENT, decisions={})

    # -- what each party does -------------------------------------------------------------------
    def decide(self, person_id: int | None, decision: Decision, version: int | None,
               comment: str = "") -> Interview:
        """One decision per version per party: a second, or one on a replaced version, is
        refused; anyone not a party is refused."""
        party = self.party_of(person_id)
        if party is None:
            raise NotAllowed("Only the interviewee and the interviewers can agree this record.")
        if decision == Decision.AGREED_ON_PAPER:
            raise NotAllowed("Only the interviewer can record an agreement on paper.")
        self._deciding(party, version)
        if decision == Decision.CORRECTIONS:
            return replace(self, status=InterviewStatus.CORRECTIONS,
                           decisions={**self.decisions, party: decision},
                           comment=free_text(comment, "the corrections you would like",
                                             limit=NOTE_MAX))
        return self._agreed_by(party, decision)

    def agreed_on_paper(self, person_id: int | None, version: int | None, on: date,
                        reason: str, today: date) -> Interview:
        """The interviewee, outside Teams, signed the record on paper: the author says so."""
        self._author(person_id)
        if on > today:
            raise DomainError("The date it was agreed on paper is in the future.")
        self._deciding(Party.INTERVIEWEE, version)
        reason = free_text(reason, "why it was agreed on paper", limit=NOTE_MAX)
        changed = self._agreed_by(Party.INTERVIEWEE, Decision.AGREED_ON_PAPER)
        return replace(changed, comment=reason)

    def _deciding(self, party: Party, version: int | None) -> None:
        if version is not None and version != self.version:
            raise InvalidTransition("That version of the record has been replaced by a newer "
                                    "one.")
        if party in self.decisions:
            raise InvalidTransition("This version of the record has already been answered.")
        if self.status != InterviewStatus.SENT:
            raise InvalidTransition(f"This interview is {self.status.title.lower()}, so its "
                                    "record cannot be agreed now.")

    def _agreed_by(self, party: Party, decision: Decision) -> Interview:
        decisions = {**self.decisions, party: decision}
        if all(p in decisions for p in self.parties()):
            return replace(self, decisions=decisions, status=InterviewStatus.AGREED,
                           agreed_checksum=self.checksum)
        return replace(self, decisions=decisions)


@dataclass(frozen=True)
class InterviewCount:
    total: int
    agreed: int

    @property
    def outstanding(self) -> int:
        return self.total - self.agreed


def count(interviews: list[Interview]) -> InterviewCount:
    return InterviewCount(len(interviews), sum(i.agreed for i in interviews))


def count_words(counted: InterviewCount) -> str:
    """“2 agreed, 1 outstanding”, for `imr status` and the QA card."""
    if counted.total == 0:
        return "None recorded yet."
    return f"{counted.agreed} agreed, {counted.outstanding} outstanding"


def todo_steps(interviews: list[Interview], references: dict[int, str], person_id: int,
               today: date, names: dict[int, str]) -> list[Todo]:
    """What `person_id` must do now about interviews: agree a record sent to them; as the
    interviewer, attach the record of an interview held, or a corrected one."""
    found = []
    for interview in interviews:
        reference = references.get(interview.review_id)
        if reference is None or interview.id is None:
            continue
        who = names.get(interview.interviewee.person_id or 0) or (
            f"the {interview.interviewee.role}" if interview.interviewee.role else "the interviewee")
        party = interview.party_of(person_id)
        if party is not None and party in interview.waiting_for:
            what = (f"Agree the record of your interview with {who}" if party != Party.INTERVIEWEE
                    else "Agree the record of your interview")
        elif person_id == interview.interviewer_id and (
                interview.status == InterviewStatus.CORRECTIONS):
            what = f"Send a corrected record of the interview with {who}"
        elif person_id == interview.interviewer_id and (
                interview.status in (InterviewStatus.PLANNED, InterviewStatus.DRAFTED)
                and interview.on <= today):
            what = f"Attach the record of the interview with {who}"
        else:
            continue
        found.append(Todo(Step.INTERVIEW, reference, interview.review_id,
                          f"{what} (interview {interview.id})", None, target_id=interview.id))
    return found
