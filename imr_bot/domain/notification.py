"""A notification to send: to a person or to the tracker channel, under a unique key; and the rule
that decides, at send time, whether what it says is still true.

A message that waited (for its recipient to open the bot, or for a retry) is sent only if its
reason has not gone: an offer that was withdrawn or answered, a meeting that moved or was held, a
review that closed or went on hold make it stale, and a stale message is dropped, never sent late.
Each kind names the states it depends on in DEPENDS_ON; `why_stale` is the whole rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from .meetings import MeetingStatus
from .stages import Stage
from .words import in_sentence


@dataclass(frozen=True)
class About:
    """What a notification is about, beyond its review: recorded when it is queued, so that at send
    time the rule can look at the same offer or meeting (and the meeting's version)."""
    allocation_id: int | None = None
    meeting_id: int | None = None
    meeting_sequence: int | None = None
    action_id: int | None = None  # an action-plan action, and the date it had (its ordinal)
    action_due: int | None = None

    def as_data(self) -> dict[str, int]:
        return {name: value for name, value in (
            ("allocation", self.allocation_id), ("meeting", self.meeting_id),
            ("sequence", self.meeting_sequence), ("action", self.action_id),
            ("action_due", self.action_due)) if value is not None}

    @classmethod
    def from_data(cls, data: Any, key: str = "") -> About:
        """From a queued payload's "about"; for rows queued before it was recorded, the subject
        the key begins with ("allocation:<id>:…", "meeting:<id>:…")."""
        data = data if isinstance(data, dict) else {}

        def number(value) -> int | None:
            return value if type(value) is int else None

        allocation, meeting = number(data.get("allocation")), number(data.get("meeting"))
        if allocation is None and meeting is None:
            subject, _, rest = key.partition(":")
            first = rest.split(":", 1)[0]
            if first.isdigit() and len(first) < 12:
                allocation = int(first) if subject == "allocation" else None
                meeting = int(first) if subject == "meeting" else None
        return cls(allocation, meeting, number(data.get("sequence")), number(data.get("action")),
                   number(data.get("action_due")))


@dataclass(frozen=True)
class OutgoingNotification:
    key: str  # unique: the same key is never sent twice
    recipient: str  # "person:<id>" or "tracker"
    kind: str
    payload: dict[str, Any]  # {"card": name, "data": {...}} or {"text": "..."}
    review_id: int | None = None
    about: About | None = None


class Needs(StrEnum):
    """A state a notification depends on."""
    REVIEW_ACTIVE = "review_active"  # open, and not on hold
    REVIEW_OPEN = "review_open"  # not submitted to the DDSCP, not withdrawn
    REVIEW_UNALLOCATED = "review_unallocated"  # still waiting for an author
    OFFER_OPEN = "offer_open"  # the offer is unanswered and not withdrawn
    OFFER_ACCEPTED = "offer_accepted"  # accepted, and not withdrawn since
    MEETING_DRAFT = "meeting_draft"  # still with the QA lead to send
    MEETING_PROPOSED = "meeting_proposed"  # being answered, at the time the message names
    MEETING_CONFIRMED = "meeting_confirmed"  # confirmed, at the time the message names
    ACTION_UNDER_WAY = "action_under_way"  # an action still to do, with the date it named


DEPENDS_ON: dict[str, tuple[Needs, ...]] = {
    "new_review": (Needs.REVIEW_ACTIVE, Needs.REVIEW_UNALLOCATED),
    "allocation_offer": (Needs.REVIEW_ACTIVE, Needs.OFFER_OPEN),
    "allocation_declined": (Needs.REVIEW_ACTIVE, Needs.REVIEW_UNALLOCATED),
    "allocation_escalation": (Needs.REVIEW_ACTIVE, Needs.REVIEW_UNALLOCATED),
    "allocation_accepted": (Needs.REVIEW_OPEN, Needs.OFFER_ACCEPTED),
    "meeting_draft": (Needs.REVIEW_ACTIVE, Needs.MEETING_DRAFT),
    "meeting_invite": (Needs.REVIEW_ACTIVE, Needs.MEETING_PROPOSED),
    "meeting_counter": (Needs.REVIEW_ACTIVE, Needs.MEETING_PROPOSED),
    "meeting_moved": (Needs.REVIEW_ACTIVE, Needs.MEETING_PROPOSED),  # to whoever proposed it
    "meeting_confirmed": (Needs.REVIEW_ACTIVE, Needs.MEETING_CONFIRMED),
    "reminder_meeting": (Needs.REVIEW_ACTIVE, Needs.MEETING_CONFIRMED),
    "approval_request": (Needs.REVIEW_ACTIVE,),
    "amendments": (Needs.REVIEW_ACTIVE,),
    "meeting_recorded": (Needs.REVIEW_OPEN,),
    # an action plan's reminders go on after the review is closed for its IMR: the action decides
    "action_reminder": (Needs.ACTION_UNDER_WAY,),
    "action_overdue": (Needs.ACTION_UNDER_WAY,),
}
# Reminders are about a review's next step: a closed or held review has none.
REMINDER_NEEDS = (Needs.REVIEW_ACTIVE,)
# Anything else (channel lines, notices of a decision) is news of something that happened: true
# whenever it arrives.


def depends_on(kind: str) -> tuple[Needs, ...]:
    if kind in DEPENDS_ON:
        return DEPENDS_ON[kind]
    return REMINDER_NEEDS if kind.startswith("reminder") else ()


@dataclass(frozen=True)
class Circumstances:
    """What is true when the notification is about to be sent (None: not known, or no such
    thing: a review, offer or meeting that has gone makes the message stale)."""
    review_stage: Stage | None = None
    allocation_status: str | None = None  # offered, accepted, declined, withdrawn, reallocated
    meeting_status: MeetingStatus | None = None
    meeting_sequence: int | None = None
    action_status: str | None = None  # an ActionStatus value
    action_due: date | None = None


_OFFER_GONE = {"accepted": "the offer was already answered (accepted)",
               "declined": "the offer was already answered (declined)",
               "withdrawn": "the offer was withdrawn",
               "reallocated": "the author was withdrawn to reallocate the review"}
_MEETING_GONE = {MeetingStatus.HELD: "the meeting has been held",
                 MeetingStatus.CANCELLED: "the meeting was cancelled"}


def _action_gone(about: About, now: Circumstances) -> str | None:
    from .action_plan import UNDER_WAY, ActionStatus

    if about.action_id is None:
        return None
    if now.action_status is None:
        return "the action no longer exists"
    status = ActionStatus(now.action_status)
    if status not in UNDER_WAY:
        return f"the action is {status.title.lower()} now"
    if about.action_due is not None and now.action_due is not None and \
            now.action_due.toordinal() != about.action_due:
        return "the action's date has changed"
    return None


def why_stale(kind: str, about: About, now: Circumstances) -> str | None:
    """None if the notification is still true; else, in words, why it is not."""
    for need in depends_on(kind):
        reason = _unmet(need, about, now)
        if reason is not None:
            return reason
    return None


def _unmet(need: Needs, about: About, now: Circumstances) -> str | None:
    stage = now.review_stage
    if need in (Needs.REVIEW_ACTIVE, Needs.REVIEW_OPEN, Needs.REVIEW_UNALLOCATED):
        if stage is None:
            return "the review no longer exists"
        if not stage.is_open:
            return f"the review is closed ({in_sentence(stage.title)})"
        if need == Needs.REVIEW_ACTIVE and stage == Stage.ON_HOLD:
            return "the review is on hold"
        if need == Needs.REVIEW_UNALLOCATED and stage not in (Stage.COMMISSIONED, Stage.ON_HOLD):
            return "the review already has its author"
        return None
    if need in (Needs.OFFER_OPEN, Needs.OFFER_ACCEPTED):
        wanted = "offered" if need == Needs.OFFER_OPEN else "accepted"
        if about.allocation_id is None:
            return None  # nothing recorded to check against: the review's state decides
        if now.allocation_status == wanted:
            return None
        return _OFFER_GONE.get(now.allocation_status or "", "the offer no longer exists")
    if need == Needs.ACTION_UNDER_WAY:
        return _action_gone(about, now)
    if about.meeting_id is None:
        return None
    status = now.meeting_status
    if status is None:
        return "the meeting no longer exists"
    if status in _MEETING_GONE:
        return _MEETING_GONE[status]
    moved = (about.meeting_sequence is not None and now.meeting_sequence is not None
             and now.meeting_sequence != about.meeting_sequence)
    if need == Needs.MEETING_DRAFT:
        return None if status == MeetingStatus.DRAFT else "the meeting has already been sent"
    if moved:
        return "the meeting was moved"
    if need == Needs.MEETING_PROPOSED and status != MeetingStatus.PROPOSED:
        return "everyone has answered: the meeting is confirmed"
    if need == Needs.MEETING_CONFIRMED and status != MeetingStatus.CONFIRMED:
        return "the meeting is being arranged again"
    return None
