"""Who is told what, when something happens to a review: each event to its notices (to a person,
to everyone holding a role) and its channel posts. Pure: no I/O, no Teams.

It is also the one place that decides what a channel may carry. A channel is read by many who
are not on the review, so a post holds a reference, a review type, a stage and dates (and, in the
digest, what follows from them: days left and RAG) and nothing else: no name, no reason, no
comment. `ChannelPost` has no field that could hold one, and `check_channel` refuses any post
that does not keep to that; the test feeds every event in imr_bot/domain/events.py through here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import date
from types import MappingProxyType
from typing import Any

from .dates import format_date
from .events import (
    ActionChangeProposed,
    ActionDone,
    ActionToAgree,
    AllocationAccepted,
    AllocationDeclined,
    AmendmentsRequested,
    ApprovalRequested,
    BoardLine,
    DigestDue,
    ImpactDecided,
    InterviewToAgree,
    MeetingRecorded,
    MessageHeld,
    MessageHeldWithoutReview,
    OverdueActionsLine,
    QaApproved,
    ReportResubmitted,
    ReviewEvent,
    ReviewFacts,
    ReviewLogged,
    SignedOff,
    StageChanged,
    SubmittedToDdscp,
)
from .plain_text import plain
from .rag import Rag
from .roles import Role
from .stages import Stage
from .words import in_sentence


@dataclass(frozen=True)
class ToPerson:
    id: int


@dataclass(frozen=True)
class ToHolders:
    """Everyone who holds an organisation-wide role (the Head of CP, Business Services...)."""
    role: Role


@dataclass(frozen=True)
class ToApprovers:
    """Whoever decides this level now: the review's approver, or a delegate standing in (the use
    case reads them)."""
    level: str  # "qa" or "sd"


@dataclass(frozen=True)
class Notice:
    """A message to one person (or each holder of a role): a text, or a card the use case fills.
    `key` is the start of its unique key; ":person:<id>" is added for each recipient."""
    to: ToPerson | ToHolders | ToApprovers
    kind: str
    key: str
    text: str = ""
    card: str = ""
    allocation_id: int | None = None
    # a card that asks its recipient to take the next step (allocate, decide): it goes to them
    # even when they are the one who acted, since the reply to what they did has no such button
    asks: bool = False


# what a channel post may say before the reference: a fixed set, never built from input
CHANNEL_HEADLINES = frozenset({
    "New IMR logged", "Author and QA lead allocated", "Signed off", "Submitted to DDSCP",
    "IMR on hold", "IMR resumed", "IMR withdrawn", "Business Services", "IMR tracker"})
_STAGE_HEADLINES = {"review.held": "IMR on hold", "review.resumed": "IMR resumed",
                    "review.withdrawn": "IMR withdrawn"}
_REFERENCE = re.compile(r"[A-Za-z0-9][A-Za-z0-9/._-]{0,63}")
_REVIEW_TYPES = frozenset({"CSPR", "DHR", "other"})


@dataclass(frozen=True)
class ChannelPost:
    """A post to the tracker channel: only a reference, review type, stage and dates."""
    kind: str  # new_review, stage_change, unreachable, digest
    key: str
    headline: str
    review_id: int | None = None
    reference: str = ""
    review_type: str = ""
    stage: Stage | None = None
    dates: tuple[date, ...] = ()
    # the review's milestones still to come, with their dates (for its card in the channel)
    milestones: tuple[tuple[str, date], ...] = ()
    total: int = 0  # the digest's count of open reviews
    lines: tuple[BoardLine, ...] = field(default=())  # the digest's
    # the digest's reviews with overdue actions: references, counts and dates only
    action_lines: tuple[OverdueActionsLine, ...] = field(default=())
    action_reviews: int = 0  # how many reviews have overdue actions


Message = Notice | ChannelPost


class ChannelRuleBroken(ValueError):
    pass


def check_channel(post: ChannelPost) -> ChannelPost:
    """The post, if it keeps to what a channel may carry; else ChannelRuleBroken."""
    problems = []
    if post.headline not in CHANNEL_HEADLINES:
        problems.append(f"headline {post.headline!r} is not one of the fixed headlines")
    references = [post.reference] if post.reference else []
    references += [line.reference for line in post.lines]
    references += [line.reference for line in post.action_lines]
    problems += [f"{r!r} is not a reference" for r in references if not _REFERENCE.fullmatch(r)]
    if post.review_type and post.review_type not in _REVIEW_TYPES:
        problems.append(f"{post.review_type!r} is not a review type")
    if post.stage is not None and not isinstance(post.stage, Stage):
        problems.append("the stage is not a stage")
    if not all(isinstance(d, date) for d in post.dates):
        problems.append("the dates are not all dates")
    stages, milestones = {s.title for s in Stage}, _milestone_titles()
    for title, due in post.milestones:
        if title not in milestones or not isinstance(due, date):
            problems.append(f"{title!r}: not one of our milestones with its date")
    for line in post.lines:
        if line.stage not in stages or line.milestone not in milestones | {"—"}:
            problems.append(f"{line.reference}: the stage or milestone is not one of ours")
        if not (line.due is None or isinstance(line.due, date)) or not isinstance(line.rag, Rag):
            problems.append(f"{line.reference}: the date or RAG is not a date or RAG")
        if not (line.working_days_left is None or type(line.working_days_left) is int):
            problems.append(f"{line.reference}: the days left is not a number")
    for line in post.action_lines:
        if not (type(line.overdue) is int and type(line.total) is int
                and isinstance(line.earliest, date)):
            problems.append(f"{line.reference}: the counts or date are not counts and a date")
    if type(post.action_reviews) is not int:
        problems.append("the count of reviews with overdue actions is not a number")
    if problems:
        raise ChannelRuleBroken("; ".join(problems))
    return post


def _milestone_titles() -> set[str]:
    from .plan import Milestone

    return {m.title for m in Milestone}


def channel_text(post: ChannelPost) -> str:
    """A text post in words (the digest is a card: its lines are its data)."""
    check_channel(post)
    if post.kind == "new_review":
        scoping, ddscp = post.dates
        return (f"{post.headline}: **{post.reference}** ({post.review_type}). "
                f"Allocation and scoping due {format_date(scoping)}; "
                f"submission to DDSCP due {format_date(ddscp)}.")
    if post.kind == "stage_change":
        (ddscp,) = post.dates
        return (f"{post.headline}: **{post.reference}** ({post.review_type}) is now "
                f"{in_sentence(post.stage.title)}; submission to DDSCP due {format_date(ddscp)}.")
    if post.kind == "unreachable":
        ref = f" about **{post.reference}**" if post.reference else ""
        return (f"Business Services: a message{ref} is waiting for a recipient who has not "
                "opened the IMR bot in Teams yet (or has removed or blocked it). It will be "
                "delivered when they open it; "
                + (f"`imr status {post.reference}` shows who." if post.reference
                   else "`imr status` shows who."))
    raise ChannelRuleBroken(f"a {post.kind} post is not a text")


def _stage_post(review: ReviewFacts, headline: str, key_suffix: str) -> ChannelPost:
    return ChannelPost("stage_change", f"review:{review.review_id}:stage:{key_suffix}", headline,
                       review.review_id, review.reference, review.review_type, review.stage,
                       (review.ddscp_due,), review.pending_dates)


def messages_for(event: Any) -> list[Message]:
    """Everything to send because of `event`, in the order it is to be queued."""
    return [check_channel(m) if isinstance(m, ChannelPost) else m for m in _messages(event)]


def _messages(event: Any) -> Iterator[Message]:  # noqa: C901 - one branch per event
    if isinstance(event, DigestDue):
        yield ChannelPost("digest", f"digest:{event.day.isoformat()}", "IMR tracker",
                          dates=(event.day,), total=event.total, lines=event.lines,
                          action_lines=event.overdue_actions,
                          action_reviews=event.reviews_with_overdue_actions)
        return
    if isinstance(event, MessageHeldWithoutReview):
        yield ChannelPost("unreachable", f"unreachable:{event.recipient}:{event.occurrence}",
                          "Business Services")
        return
    if not isinstance(event, ReviewEvent):
        raise TypeError(f"not an event: {event!r}")
    review = event.review
    rid, ref, people = review.review_id, review.reference, review.people
    if isinstance(event, ReviewLogged):
        yield Notice(ToHolders(Role.HEAD_OF_CP), "new_review", f"review:{rid}:new_review",
                     card="new_review", asks=True)
        yield ChannelPost("new_review", f"review:{rid}:new_review:tracker", "New IMR logged", rid,
                          ref, review.review_type, review.stage,
                          (review.scoping_due, review.ddscp_due), review.pending_dates)
    elif isinstance(event, MessageHeld):
        yield ChannelPost("unreachable", f"unreachable:{event.recipient}:{event.occurrence}",
                          "Business Services", rid, ref)
    elif isinstance(event, AllocationDeclined):
        yield Notice(ToHolders(Role.HEAD_OF_CP), "allocation_declined",
                     f"allocation:{event.allocation_id}:declined", card="allocate",
                     allocation_id=event.allocation_id)
    elif isinstance(event, AllocationAccepted):
        yield from _accepted(event)
        yield _stage_post(review, "Author and QA lead allocated",
                          f"allocated:{event.allocation_id}")
    elif isinstance(event, MeetingRecorded):
        text = recorded_text(event)
        for person_id in _involved(people):
            yield Notice(ToPerson(person_id), "meeting_recorded",
                         f"meeting:{event.meeting_id}:recorded", text=text)
    elif isinstance(event, ApprovalRequested):
        yield _ask(rid, event.level, event.version)
    elif isinstance(event, ReportResubmitted):
        if Role.QA_LEAD in people:
            yield _told(people[Role.QA_LEAD], rid, f"resubmitted:{event.version}",
                        f"The author resubmitted **{ref}** (version {event.version}) to the "
                        "Service Director after amendments.")
    elif isinstance(event, AmendmentsRequested):
        key = f"review:{rid}:decision:{event.level}:v{event.version}"
        yield Notice(ToPerson(people[Role.AUTHOR]), "amendments", key, card="amendments")
        if event.level == "sd" and Role.QA_LEAD in people:
            yield Notice(ToPerson(people[Role.QA_LEAD]), "approval_notice", key,
                         text=f"The Service Director asked for amendments to **{ref}** (version "
                              f"{event.version}): {plain(event.comment)}")
    elif isinstance(event, QaApproved):
        key = f"decision:qa:v{event.version}"
        yield _told(people[Role.AUTHOR], rid, key,
                    f"{plain(event.by_name)} approved **{ref}** (version {event.version}). It "
                    "has gone to the Service Director for sign-off.")
        yield _ask(rid, "sd", event.version)
        yield Notice(ToHolders(Role.SD_QPP), "approval_notice", f"review:{rid}:{key}:cc",
                     text=f"For information: **{ref}** (version {event.version}) passed QA and is "
                          "with the Service Director (Early Help & Safeguarding) for sign-off.")
    elif isinstance(event, SignedOff):
        key = f"decision:sd:v{event.version}"
        for person_id in _involved(people, (Role.AUTHOR, Role.QA_LEAD, Role.LINE_MANAGER)):
            yield _told(person_id, rid, key,
                        f"The Service Director signed off **{ref}** (version {event.version}). "
                        "Business Services will submit it to DDSCP.")
        yield Notice(ToHolders(Role.BUSINESS_SERVICES), "approval_notice",
                     f"review:{rid}:{key}:ready",
                     text=f"**{ref}** is signed off and ready for DDSCP (due "
                          f"{format_date(review.ddscp_due)}). Record it with `imr submitted "
                          f"{ref} [date]`.")
        yield Notice(ToHolders(Role.SD_QPP), "approval_notice", f"review:{rid}:{key}:cc",
                     text=f"For information: the Service Director (Early Help & Safeguarding) "
                          f"signed off **{ref}** (version {event.version}). Business Services "
                          f"will submit it to DDSCP (due {format_date(review.ddscp_due)}).")
        yield _stage_post(review, "Signed off", f"signed_off:{event.version}")
    elif isinstance(event, SubmittedToDdscp):
        closed = (f"**{ref}** was submitted to DDSCP on {format_date(event.on)}. "
                  "Thank you: the review is closed.")
        for person_id in _involved(people):
            yield _told(person_id, rid, "ddscp", closed)
        for role in (Role.HEAD_OF_CP, Role.SD_QPP):
            yield Notice(ToHolders(role), "approval_notice", f"review:{rid}:ddscp:{role.value}",
                         text=f"For information: **{ref}** was submitted to DDSCP on "
                              f"{format_date(event.on)}, and the review is closed.")
        yield _stage_post(review, "Submitted to DDSCP", "ddscp")
    elif isinstance(event, StageChanged):
        text = _stage_text(event)
        key = f"review:{rid}:{event.action}:{event.occurrence}"
        for person_id in _involved(people):
            yield Notice(ToPerson(person_id), "review_notice", key, text=text)
        yield Notice(ToHolders(Role.HEAD_OF_CP), "review_notice", key, text=text)
        yield _stage_post(review, _STAGE_HEADLINES[event.action],
                          f"{event.action}:{event.occurrence}")
    elif isinstance(event, ActionToAgree | ActionChangeProposed | ActionDone | ImpactDecided):
        yield from _action_plan(event)
    elif isinstance(event, InterviewToAgree):  # to the party asked, never to a channel
        yield Notice(ToPerson(event.person_id), "interview_to_agree",
                     f"interview:{event.interview_id}:agree:{event.version}",
                     card="interview_agree", asks=True)
    else:
        raise TypeError(f"no policy for {type(event).__name__}")


def _involved(people: dict[Role, int], roles=None) -> list[int]:
    """The review's people (or those in `roles`), each once, in the order of their roles."""
    found: list[int] = []
    for role in roles or list(Role):
        person_id = people.get(role)
        if person_id is not None and person_id not in found:
            found.append(person_id)
    return found


def _stage_text(event: StageChanged) -> str:
    """What the review's people are told when it is held, resumed or withdrawn (the reason is
    theirs to know; it never goes to a channel)."""
    review = event.review
    ref, reason = review.reference, plain(event.reason)
    if event.action == "review.held":
        return (f"**{ref}** is on hold: {reason}. Working days on hold don't count; its later "
                "dates move when it resumes.")
    if event.action == "review.resumed":
        return (f"**{ref}** has resumed ({review.stage.title.lower()}). Submission to DDSCP is "
                f"now due {format_date(review.ddscp_due)}.")
    return f"**{ref}** was withdrawn: {reason}. Nothing more is needed on it."


def recorded_text(event: MeetingRecorded) -> str:
    """What a meeting's outcome tells the review's people (and the QA lead who recorded it)."""
    dates = "; ".join(f"{title}: {format_date(due)}" for title, due in event.review.pending_dates)
    return f"{event.headline} for **{event.review.reference}**. Dates now: {dates}."


def _ask(review_id: int, level: str, version: int) -> Notice:
    return Notice(ToApprovers(level), "approval_request",
                  f"review:{review_id}:approval:{level}:v{version}", card="approval", asks=True)


def _told(person_id: int, review_id: int, key: str, text: str) -> Notice:
    return Notice(ToPerson(person_id), "approval_notice", f"review:{review_id}:{key}", text=text)


def _accepted(event: AllocationAccepted) -> Iterator[Notice]:
    """Everyone who needs to know an author accepted: the QA lead, the author's line manager
    (unless they are the QA lead) and the Head of CP."""
    review = event.review
    ref, scoping = review.reference, format_date(review.scoping_due)
    author, qa = plain(event.author_name), plain(event.qa_lead_name)
    key = f"allocation:{event.allocation_id}:accepted"

    def notice(to, text: str) -> Notice:
        return Notice(to, "allocation_accepted", key, text=text,
                      allocation_id=event.allocation_id)

    yield notice(ToPerson(event.qa_lead_id),
                 f"{author} has accepted the IMR **{ref}** and you are its QA senior lead. The "
                 f"scoping meeting (you, the author and their line manager) is due {scoping}.")
    if event.line_manager_id is not None and event.line_manager_id != event.qa_lead_id:
        yield notice(ToPerson(event.line_manager_id),
                     f"{author}, who reports to you, has accepted the IMR **{ref}**. The scoping "
                     f"meeting with you, the author and the QA senior lead ({qa}) is due "
                     f"{scoping}.")
    yield notice(ToHolders(Role.HEAD_OF_CP), f"{author} accepted **{ref}**, with {qa} as QA "
                                             "senior lead.")


def _action_plan(event) -> Iterator[Notice]:
    """An action plan's notices: to the person who is to answer, never to a channel."""
    review = event.review
    key = f"action:{event.action_id}"
    qa_lead = review.people.get(Role.QA_LEAD)
    if isinstance(event, ActionToAgree):
        yield Notice(ToPerson(event.owner_id), "action_to_agree",
                     f"{key}:agree:{event.occurrence}", card="action_owner", asks=True)
    elif isinstance(event, ActionChangeProposed):
        yield Notice(ToHolders(Role.BUSINESS_SERVICES), "action_change",
                     f"{key}:change:{event.occurrence}", card="action_change", asks=True)
        if qa_lead is not None:
            yield Notice(ToPerson(qa_lead), "action_change", f"{key}:change:{event.occurrence}",
                         card="action_change", asks=True)
    elif isinstance(event, ActionDone):
        to = ToHolders(Role.SD_QPP) if event.decider == "sd_qpp" or qa_lead is None else (
            ToPerson(qa_lead))
        yield Notice(to, "action_evidence", f"{key}:evidence:v{event.evidence_version}",
                     card="action_evidence", asks=True)
    elif isinstance(event, ImpactDecided):
        confirmed = event.decision == "confirmed"
        text = (f"The evidence for your action on **{review.reference}** was confirmed: it shows "
                "the intended outcome. Thank you." if confirmed else
                f"The evidence for your action on **{review.reference}** was sent back: "
                f"{plain(event.comment.rstrip('. '))}. Please post more when you have it "
                "(`imr actions mine`).")
        yield Notice(ToPerson(event.owner_id), "action_notice",
                     f"{key}:decision:v{event.evidence_version}", text=text)


@dataclass(frozen=True)
class Told:
    """One person told because of an event: the notice they get, and as what (their role on the
    review, or the role the notice went to), for the reply that says who was told."""
    person_id: int
    notice: Notice
    role: Role | None


_APPROVER_ROLES = {"qa": Role.QA_LEAD, "sd": Role.SD_EHS}


def addressed(event: Any, messages: list[Message], holders: Mapping[Role, Sequence[int]],
              approvers: Mapping[str, Sequence[int]] = MappingProxyType({})) -> list[Told]:
    """Who gets which notice: each person once (the first notice that reaches them), and never
    the person who acted (the reply to what they did says it), unless it asks them to take the
    next step. `holders`: who holds each organisation role now; `approvers`: who decides each
    level now."""
    actor = getattr(event, "by", None)
    review = getattr(event, "review", None)
    roles_on_review: dict[int, Role] = {}
    for role, person_id in (review.people.items() if review is not None else ()):
        roles_on_review.setdefault(person_id, role)
    told: list[Told] = []
    seen: set[int] = set()
    for message in messages:
        if not isinstance(message, Notice):
            continue
        to = message.to
        if isinstance(to, ToPerson):
            ids, role = [to.id], None
        elif isinstance(to, ToHolders):
            ids, role = list(holders.get(to.role, ())), to.role
        else:
            ids, role = list(approvers.get(to.level, ())), _APPROVER_ROLES.get(to.level)
        for person_id in ids:
            if person_id in seen or (person_id == actor and not message.asks):
                continue
            seen.add(person_id)
            told.append(Told(person_id, message, roles_on_review.get(person_id, role)))
    return told


def channel_fields() -> list[str]:
    return [f.name for f in fields(ChannelPost)]
