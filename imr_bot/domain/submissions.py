"""Days 25-35: the author submits the report and the chronology; the QA senior lead, then the
Service Director for Early Help & Safeguarding, approve or ask for amendments.

Every submission is a numbered version. At each level exactly one decision is recorded per
version: the store enforces it, and this module says who may make it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from .errors import DomainError
from .roles import Role
from .stages import Event, Stage
from .urls import BadLink, document_link
from .words import in_sentence

MAX_FILE_BYTES = 25 * 1024 * 1024
ACCEPTED_TYPES = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                  "pdf": "application/pdf"}


class DocumentKind(StrEnum):
    REPORT = "report"
    CHRONOLOGY = "chronology"


class Level(StrEnum):
    QA = "qa"
    SD = "sd"

    @property
    def title(self) -> str:
        return {"qa": "QA senior lead", "sd": "Service Director (EH&S)"}[self.value]

    @property
    def approver_role(self) -> Role:
        return Role.QA_LEAD if self == Level.QA else Role.SD_EHS


class Decision(StrEnum):
    APPROVED = "approved"
    AMENDMENTS = "amendments"

    @property
    def title(self) -> str:
        return {"approved": "Approved", "amendments": "Amendments requested"}[self.value]


def pending_level(stage: Stage) -> Level | None:
    """Which approval a review is waiting for, if any."""
    return {Stage.SUBMITTED_TO_QA: Level.QA, Stage.SD_REVIEW: Level.SD}.get(stage)


def submission_event(stage: Stage) -> Event:
    """What the author's submission does at this stage."""
    events = {Stage.MIDWAY_HELD: Event.SUBMIT_TO_QA, Stage.QA_AMENDMENTS: Event.RESUBMIT_TO_QA,
              Stage.SD_AMENDMENTS: Event.RESUBMIT_TO_SD}
    if stage not in events:
        raise DomainError(f"The review is '{stage.title}': there is nothing to submit now "
                          "(a report is submitted after the midway review, or after amendments "
                          "were asked for).")
    return events[stage]


def decision_event(level: Level, decision: Decision) -> Event:
    return {(Level.QA, Decision.APPROVED): Event.QA_APPROVE,
            (Level.QA, Decision.AMENDMENTS): Event.REQUEST_QA_AMENDMENTS,
            (Level.SD, Decision.APPROVED): Event.SD_APPROVE,
            (Level.SD, Decision.AMENDMENTS): Event.REQUEST_SD_AMENDMENTS}[(level, decision)]


def check_comment(decision: Decision, comment: str) -> str:
    comment = (comment or "").strip()
    if decision == Decision.AMENDMENTS and not comment:
        raise DomainError("Please say what needs amending: a comment is required.")
    return comment[:4000]


def file_kind(filename: str) -> str:
    """The accepted type of a file by its name (docx or pdf), or a clear refusal."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension not in ACCEPTED_TYPES:
        raise DomainError(f"“{filename}” is not a Word document (.docx) or a PDF; please send "
                          "the report and the chronology as .docx or .pdf.")
    return extension


def guess_kind(filename: str) -> DocumentKind:
    return DocumentKind.CHRONOLOGY if "chron" in filename.lower() else DocumentKind.REPORT


def is_document_link(url: str, organisation_hosts: tuple[str, ...] = ()) -> bool:
    """Whether `url` is a SharePoint or OneDrive link (the organisation's own, when it names
    them) that every parser reads alike; domain.urls says why not."""
    try:
        document_link(url, organisation_hosts)
    except BadLink:
        return False
    return True


@dataclass(frozen=True)
class RecordedDecision:
    version: int
    level: Level
    decision: Decision
    comment: str
    decided_by: str  # name
    decided_at: datetime


class AlreadyDecided(DomainError):
    """A decision exists for this version and level; the late click is told whose it is."""

    def __init__(self, decision: RecordedDecision):
        from .dates import format_when

        self.decision = decision
        super().__init__(f"Already decided by {decision.decided_by} on "
                         f"{format_when(decision.decided_at)}: "
                         f"{in_sentence(decision.decision.title)}.")


# Appendix 1 of the Derbyshire guidance, as a checklist the QA lead can tick.
GUIDANCE_QUESTIONS: tuple[str, ...] = (
    "A comprehensive chronology covers the terms-of-reference period",
    "Practitioners' sensitivity to the child's and family's needs is considered",
    "Compliance with policies, procedures and information-sharing protocols is considered",
    "Key points for assessment and decision making are analysed",
    "Plans are checked against assessments and decisions",
    "The child's wishes and feelings are addressed",
    "The views of relevant family members are addressed",
    "Recording and information sharing are considered",
    "Identity, culture and protected characteristics are considered",
    "Senior managers' and other agencies' involvement is considered",
    "The impact of services provided is considered",
    "Effective practice and lessons learnt are identified",
)
