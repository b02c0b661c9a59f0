"""The action plan a review leaves behind: its recommendations, and the actions that carry each
one out, tracked until there is evidence of their impact (Bradford guidance, sections 12 and 13).

A recommendation flows from a lesson the review learnt ("What do we learn from this case?") and
may carry themes from a configurable list. Each of its actions says what is to be done, by whom
(a directory person) and by when, the outcome it should bring about, how that will be evaluated,
and whether it is needed immediately. An action moves

    proposed → agreed → in progress → done → impact evidenced
    proposed → not agreed (with a reason)

Who may ask for each move is `policy.POLICY` (the permissions `MANAGE_ACTION_PLAN`,
`ANSWER_ACTION`, `DECIDE_IMPACT`); this module adds what only the action itself can say: that
the owner is the one answering, and that the move is possible from where the action stands.
Pure: no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum

from .errors import DomainError, InvalidTransition, NotAllowed

# The themes a recommendation may carry unless the organisation sets its own
# (`parse_theme_list`, from IMR_ACTION_THEMES).
DEFAULT_THEMES = ("voice of the child", "information sharing", "supervision",
                  "management oversight", "multi-agency working", "risk assessment",
                  "record keeping", "training")
TEXT_MAX = 2000  # a recommendation's, an action's and its outcome's words
NOTE_MAX = 1000  # a progress note, a reason, a comment
NO_NAMES = ("We store no names of children or families: please describe them by their role "
            "(the child, the mother, Child A) instead.")

# A title before a capitalised word ("Mrs Smith", "Mr. J Bloggs") is a person's name.
_TITLED_NAME = re.compile(r"\b(?:Mr|Mrs|Ms|Miss|Mx|Master|Dr)\.?\s+[A-Z][a-z'’-]+")
# "named Jayden", "called Amy": a name introduced as one.
_INTRODUCED_NAME = re.compile(r"\b(?:named|called|known as)\s+[A-Z][a-z'’-]+")


class ActionStatus(StrEnum):
    PROPOSED = "proposed"
    AGREED = "agreed"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    IMPACT_EVIDENCED = "impact_evidenced"
    NOT_AGREED = "not_agreed"

    @property
    def title(self) -> str:
        return {"proposed": "Proposed", "agreed": "Agreed", "in_progress": "In progress",
                "done": "Done", "impact_evidenced": "Impact evidenced",
                "not_agreed": "Not agreed"}[self.value]


# still to be carried out: counted as overdue once its date has passed
UNDER_WAY = frozenset({ActionStatus.PROPOSED, ActionStatus.AGREED, ActionStatus.IN_PROGRESS})
# what closes an action for the plan: the plan stays open while any action is in none of these
CLOSED = frozenset({ActionStatus.DONE, ActionStatus.IMPACT_EVIDENCED, ActionStatus.NOT_AGREED})


class ImpactDecision(StrEnum):
    CONFIRMED = "confirmed"
    SENT_BACK = "sent_back"


# -- free text ------------------------------------------------------------------------------------
def free_text(text: str | None, what: str, *, required: bool = True,
              limit: int = TEXT_MAX) -> str:
    """Text typed for the plan, trimmed, within `limit`, and with no one's name in it that we
    can see (a titled name, a name introduced as one). It is shown later through
    `plain_text.plain`, as every typed text is."""
    value = re.sub(r"[ \t]+", " ", (text or "").replace("\r\n", "\n")).strip()
    if not value:
        if required:
            raise DomainError(f"Please give {what}.")
        return ""
    if len(value) > limit:
        raise DomainError(f"Keep {what} to {limit} characters (it is {len(value)}).")
    if _TITLED_NAME.search(value) or _INTRODUCED_NAME.search(value):
        raise DomainError(f"That looks like a name in {what}. {NO_NAMES}")
    return value


def parse_theme_list(text: str | None) -> tuple[str, ...]:
    """The organisation's themes, from its setting (one per line or comma-separated)."""
    found = [t.strip().lower() for t in re.split(r"[,\n;]", text or "") if t.strip()]
    return tuple(dict.fromkeys(found)) or DEFAULT_THEMES


def parse_themes(text: str | None, allowed: tuple[str, ...] = DEFAULT_THEMES) -> tuple[str, ...]:
    """The themes a person chose (comma-separated), each one of `allowed`; none is fine."""
    chosen = [t.strip().lower() for t in re.split(r"[,;]", text or "") if t.strip()]
    unknown = [t for t in chosen if t not in allowed]
    if unknown:
        raise DomainError(f"“{unknown[0]}” is not one of the themes. The themes are: "
                          + ", ".join(allowed) + ".")
    return tuple(dict.fromkeys(chosen))


# -- recommendations ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Recommendation:
    review_id: int
    number: int  # 1, 2, 3 ... within its review
    text: str
    lesson: str = ""  # the lesson learnt it flows from
    themes: tuple[str, ...] = ()
    id: int | None = None

    @classmethod
    def new(cls, review_id: int, number: int, text: str, lesson: str = "",
            themes: tuple[str, ...] = ()) -> Recommendation:
        return cls(review_id, number, free_text(text, "the recommendation"),
                   free_text(lesson, "the lesson it flows from", required=False), themes)


def next_number(existing: list[Recommendation]) -> int:
    return max((r.number for r in existing), default=0) + 1


# -- actions --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Proposal:
    """The owner's request for another date or owner, waiting for Business Services or the QA
    lead to accept it."""
    reason: str
    due: date | None = None
    owner_id: int | None = None


@dataclass(frozen=True)
class Action:
    recommendation_id: int
    review_id: int
    what: str
    owner_id: int
    due: date
    outcome: str  # what it should bring about
    evaluation: str  # how the organisation will evaluate it: the evidence expected
    immediate: bool = False
    status: ActionStatus = ActionStatus.PROPOSED
    reason: str = ""  # why it was not agreed
    proposal: Proposal | None = None
    progress: str = ""  # the latest progress update
    evidence_link: str = ""
    evidence_note: str = ""
    evidence_version: int = 0  # 1 for the first evidence posted, 2 after it was sent back...
    decided_version: int = 0  # the evidence version the last impact decision was about
    decision_comment: str = ""  # the last impact decision's comment (a sending back's reason)
    id: int | None = None

    @classmethod
    def new(cls, *, recommendation_id: int, review_id: int, what: str, owner_id: int, due: date,
            outcome: str, evaluation: str, immediate: bool, today: date) -> Action:
        if due < today:
            raise DomainError("The action's date is in the past: give a date from today on.")
        return cls(recommendation_id, review_id, free_text(what, "what is to be done"), owner_id,
                   due, free_text(outcome, "the outcome it should bring about"),
                   free_text(evaluation, "how it will be evaluated (the evidence expected)"),
                   immediate)

    # -- what the owner does ---------------------------------------------------------------------
    def _owner(self, person_id: int | None) -> None:
        if person_id is None or person_id != self.owner_id:
            raise NotAllowed("Only the action's owner can answer for it.")

    def _from(self, *allowed: ActionStatus, doing: str) -> None:
        if self.status not in allowed:
            raise InvalidTransition(f"This action is {self.status.title.lower()}, so it cannot "
                                    f"be {doing} now.")

    def agree(self, person_id: int | None) -> Action:
        self._owner(person_id)
        self._from(ActionStatus.PROPOSED, doing="agreed")
        return replace(self, status=ActionStatus.AGREED, proposal=None)

    def propose(self, person_id: int | None, *, reason: str, due: date | None = None,
                owner_id: int | None = None, today: date) -> Action:
        self._owner(person_id)
        self._from(*UNDER_WAY, doing="changed")
        reason = free_text(reason, "a reason", limit=NOTE_MAX)
        if due is None and (owner_id is None or owner_id == self.owner_id):
            raise DomainError("Propose another date, another owner, or both.")
        if due is not None and due < today:
            raise DomainError("The date proposed is in the past: give a date from today on.")
        return replace(self, proposal=Proposal(reason, due, owner_id if owner_id != self.owner_id
                                                else None))

    def update(self, person_id: int | None, note: str) -> Action:
        self._owner(person_id)
        self._from(ActionStatus.AGREED, ActionStatus.IN_PROGRESS, doing="updated")
        return replace(self, status=ActionStatus.IN_PROGRESS,
                       progress=free_text(note, "the progress update", limit=NOTE_MAX))

    def finish(self, person_id: int | None, link: str, note: str = "") -> Action:
        """Done, with the evidence (a document link already checked against the allow-list)."""
        self._owner(person_id)
        self._from(ActionStatus.AGREED, ActionStatus.IN_PROGRESS, doing="marked done")
        if not link:
            raise DomainError("Done needs its evidence: a SharePoint or OneDrive link to it.")
        return replace(self, status=ActionStatus.DONE, evidence_link=link,
                       evidence_note=free_text(note, "a note on the evidence", required=False,
                                               limit=NOTE_MAX),
                       evidence_version=self.evidence_version + 1, proposal=None)

    # -- what Business Services or the QA lead do -------------------------------------------------
    def accept_proposal(self) -> Action:
        if self.proposal is None:
            raise InvalidTransition("There is no proposed change to this action to accept.")
        self._from(*UNDER_WAY, doing="changed")
        proposal = self.proposal
        changed = replace(self, proposal=None, due=proposal.due or self.due)
        if proposal.owner_id is not None:  # the new owner is asked to agree it
            return replace(changed, owner_id=proposal.owner_id, status=ActionStatus.PROPOSED)
        if self.status == ActionStatus.PROPOSED:  # the owner's own date: agreed
            return replace(changed, status=ActionStatus.AGREED)
        return changed

    def not_agreed(self, reason: str) -> Action:
        self._from(ActionStatus.PROPOSED, doing="recorded as not agreed")
        return replace(self, status=ActionStatus.NOT_AGREED, proposal=None,
                       reason=free_text(reason, "the reason it was not agreed", limit=NOTE_MAX))

    # -- what the QA lead (or the Service Director QPP) decides ----------------------------------
    def decide(self, decision: ImpactDecision, version: int | None, comment: str = "") -> Action:
        """One decision per evidence version: a second one, or one about evidence that has since
        been replaced, is refused."""
        if version is not None and version != self.evidence_version or (
                self.decided_version >= self.evidence_version > 0):
            raise InvalidTransition("That evidence has already been decided on, or replaced by "
                                    "newer evidence.")
        self._from(ActionStatus.DONE, doing="decided on")
        if decision == ImpactDecision.CONFIRMED:
            return replace(self, status=ActionStatus.IMPACT_EVIDENCED,
                           decided_version=self.evidence_version,
                           decision_comment=free_text(comment, "a comment", required=False,
                                                      limit=NOTE_MAX))
        return replace(self, status=ActionStatus.IN_PROGRESS,
                       decided_version=self.evidence_version,
                       decision_comment=free_text(comment, "what is missing from the evidence",
                                                  limit=NOTE_MAX))

    def overdue(self, today: date) -> bool:
        return self.status in UNDER_WAY and self.due < today


@dataclass(frozen=True)
class PlanProgress:
    total: int
    done: int  # done or impact evidenced
    evidenced: int
    overdue: int
    not_agreed: int

    @property
    def open(self) -> bool:
        """The plan stays open until every action is done or not agreed."""
        return self.total > 0 and self.done + self.not_agreed < self.total


def progress(actions: list[Action], today: date) -> PlanProgress:
    return PlanProgress(
        total=len(actions),
        done=sum(a.status in (ActionStatus.DONE, ActionStatus.IMPACT_EVIDENCED) for a in actions),
        evidenced=sum(a.status == ActionStatus.IMPACT_EVIDENCED for a in actions),
        overdue=sum(a.overdue(today) for a in actions),
        not_agreed=sum(a.status == ActionStatus.NOT_AGREED for a in actions))


def _count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def progress_words(plan: PlanProgress) -> str:
    """“3 of 5 actions done; 1 overdue.”, for the plan's lists (and, later, `imr status`)."""
    if plan.total == 0:
        return "No actions yet."
    said = f"{plan.done} of {_count(plan.total, 'action')} done; {plan.overdue} overdue"
    if plan.evidenced:
        said += f"; {plan.evidenced} with impact evidenced"
    if plan.not_agreed:
        said += f"; {plan.not_agreed} not agreed"
    return said + "."
