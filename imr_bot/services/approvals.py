"""Submission and approval: the author submits report and chronology; the QA senior lead, then the
Service Director (EH&S), approve or ask for amendments; Business Services record the submission to
DDSCP. One decision per version and level, recorded once, audited."""

from __future__ import annotations

import contextlib
import hashlib
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from imr_bot.documents import jobs
from imr_bot.domain.dates import format_when, parse_date
from imr_bot.domain.errors import BadDate, DocumentRefused, DomainError, NotAllowed
from imr_bot.domain.events import (
    AmendmentsRequested,
    ApprovalRequested,
    QaApproved,
    ReportResubmitted,
    ReviewFacts,
    SignedOff,
    SubmittedToDdscp,
)
from imr_bot.domain.notification import OutgoingNotification
from imr_bot.domain.people import Actor, Person
from imr_bot.domain.plan import Milestone
from imr_bot.domain.policy import Permission, require
from imr_bot.domain.rag import days_to_deadline
from imr_bot.domain.review import Review
from imr_bot.domain.roles import Role
from imr_bot.domain.stages import Event, Stage
from imr_bot.domain.submissions import (
    ACCEPTED_TYPES,
    MAX_FILE_BYTES,
    AlreadyDecided,
    Decision,
    DocumentKind,
    Level,
    RecordedDecision,
    check_comment,
    decision_event,
    file_kind,
    guess_kind,
    is_document_link,
    pending_level,
    submission_event,
)
from imr_bot.domain.urls import document_link
from imr_bot.store.submissions import StoredDocument

from . import access, deputies, links, notifications
from .context import ServiceContext
from .notifications import person_recipient
from .templates import check_version, run_check, to_check

DOCUMENT_PURPOSE = "document"


def _require_author(review: Review, actor: Actor) -> None:
    if actor.person is None or review.people.get(Role.AUTHOR) != actor.person.id:
        raise NotAllowed(f"Only the report author of {review.reference} can submit it.")


# -- gathering the documents ------------------------------------------------------------------
@dataclass(frozen=True)
class Gathered:
    review: Review
    kinds: dict[DocumentKind, str]  # kind -> filename, sent for this version
    ready: bool
    # after amendments: what the new version carries forward unchanged, unless it is sent
    # again: kind -> the earlier version's document
    carried: dict[DocumentKind, StoredDocument] = field(default_factory=dict)
    previous: int = 0  # the version the amendments were asked for (0 before the first)

    def missing(self) -> list[str]:
        return [k.value for k in DocumentKind if k not in self.kinds and k not in self.carried]


async def start(ctx: ServiceContext, actor: Actor, reference: str) -> Gathered:
    async with ctx.unit_of_work(read_only=True) as uow:
        review = await uow.reviews.require(reference)
        _require_author(review, actor)
        submission_event(review.stage)  # says clearly if nothing can be submitted now
        return await _gathered(uow, review, actor)


async def _gathered(uow, review: Review, actor: Actor) -> Gathered:
    kinds = {DocumentKind(d.kind): d.filename for d in await uow.submissions.drafts(review.id, actor.key)}
    previous, carried = await _carried(uow, review, set(kinds))
    return Gathered(review, kinds, bool(kinds) and len(kinds) + len(carried) == len(DocumentKind),
                    carried, previous)


async def _carried(uow, review: Review, sent: set) -> tuple[int, dict[DocumentKind, StoredDocument]]:
    """After amendments, the latest version's documents of the kinds not sent again: a new
    version carries them forward unchanged. Before the first version, nothing."""
    if submission_event(review.stage) == Event.SUBMIT_TO_QA:
        return 0, {}
    previous = await uow.submissions.latest_version(review.id)
    if not previous:
        return 0, {}
    return previous, {DocumentKind(d.kind): d
                      for d in await uow.submissions.documents(review.id, previous)
                      if DocumentKind(d.kind) not in sent}


async def add_file(ctx: ServiceContext, actor: Actor, reference: str, filename: str,
                   content: bytes, kind: DocumentKind | None = None) -> Gathered:
    extension = file_kind(filename)
    if len(content) > MAX_FILE_BYTES:
        raise DomainError(f"“{filename}” is {len(content) // (1024 * 1024)} MB; the limit is "
                          f"{MAX_FILE_BYTES // (1024 * 1024)} MB. Please share a SharePoint or "
                          "OneDrive link instead.")
    if not content:
        raise DomainError(f"“{filename}” is empty.")
    if extension == "docx":  # its archive checked in a document worker before anything is kept
        await ctx.documents.run(jobs.inspect, ctx.documents.limits, filename, content,
                                name=filename)
    return await _add(ctx, actor, reference, filename, ACCEPTED_TYPES[extension], content, None,
                      kind or guess_kind(filename))


async def add_link(ctx: ServiceContext, actor: Actor, reference: str, url: str,
                   kind: DocumentKind | None = None) -> Gathered:
    link = document_link(url, ctx.document_hosts)  # BadLink says why not
    return await _add(ctx, actor, reference, link.filename, "text/uri-list", None, link.url,
                      kind or guess_kind(link.filename))


async def _add(ctx, actor, reference, filename, content_type, content, link, kind) -> Gathered:
    now = ctx.clock.now()
    async with ctx.unit_of_work() as uow:
        review = await uow.reviews.require(reference)
        _require_author(review, actor)
        submission_event(review.stage)
        for draft in await uow.submissions.drafts(review.id, actor.key):
            if draft.kind == kind.value:  # a newer file of the same kind replaces the older
                await uow.submissions.discard_draft(draft.id)
        digest = hashlib.sha256(content or link.encode()).hexdigest()
        await uow.submissions.add_document(review_id=review.id, kind=kind.value,
                                           filename=filename[:255], content_type=content_type,
                                           content=content, link=link, sha256=digest,
                                           by=actor.key, at=now)
        await uow.audit.record(actor=actor.key, action="document.added", at=now,
                               review_id=review.id, kind=kind.value, filename=filename,
                               size=len(content or b""), sha256=digest)
        gathered = await _gathered(uow, review, actor)
        await uow.commit()
    return gathered


async def discard(ctx: ServiceContext, actor: Actor, reference: str) -> int:
    async with ctx.unit_of_work() as uow:
        review = await uow.reviews.require(reference)
        _require_author(review, actor)
        removed = await uow.submissions.discard_drafts(review.id, actor.key)
        await uow.commit()
    return removed


# -- submitting -------------------------------------------------------------------------------
async def submit(ctx: ServiceContext, actor: Actor, reference: str) -> tuple[Review, int, Level]:
    now, today = ctx.clock.now(), ctx.clock.today()
    async with ctx.unit_of_work(read_only=True) as uow:
        review = await uow.reviews.require(reference)
        _require_author(review, actor)
        submission_event(review.stage)
        drafts = await uow.submissions.drafts(review.id, actor.key)
        _, carried = await _carried(uow, review, {DocumentKind(d.kind) for d in drafts})
        # the check reads the new version as it will be: what was sent, with what is carried
        pending = await to_check(ctx, uow, review, [*drafts, *carried.values()])
    # the check runs before the write transaction opens, which then finds it remembered (a
    # refusal too: the approvers' card says why nothing was checked)
    with contextlib.suppress(DocumentRefused):
        await run_check(ctx, review, pending)
    async with ctx.unit_of_work() as uow:
        review = await uow.reviews.require(reference)
        _require_author(review, actor)
        event = submission_event(review.stage)
        drafts = await uow.submissions.drafts(review.id, actor.key)
        kinds = {DocumentKind(d.kind) for d in drafts}
        previous, carried = await _carried(uow, review, kinds)
        if not drafts and previous:
            raise DomainError(f"Nothing new has been sent for {review.reference}: send the "
                              "amended report, the chronology, or both, then submit.")
        missing = [k.value for k in DocumentKind if k not in kinds and k not in carried]
        if missing:
            raise DomainError(f"Both a report and a chronology are needed; the {' and the '.join(missing)} "
                              "is missing.")
        level = Level.SD if event == Event.RESUBMIT_TO_SD else Level.QA
        version = await uow.submissions.submit(
            review_id=review.id, document_ids=[d.id for d in drafts], level=level.value,
            by=actor.key, at=now, carry_forward=[d.id for d in carried.values()])
        updated = review.apply(event, {Role.AUTHOR}, today, ctx.calendar)
        await uow.reviews.save(updated, now)
        # the automated document check, which the approvers see on their card
        try:
            checked = await check_version(ctx, uow, updated, version)
        except DocumentRefused as refused:
            checked = jobs.not_checked(refused.reason)
        await uow.submissions.set_check(review.id, version, checked.without_text().to_json())
        await uow.audit.record(actor=actor.key, action="review.submitted", at=now,
                               review_id=review.id, version=version, level=level.value,
                               documents=[d.sha256 for d in drafts],
                               **({"carried_forward": sorted(k.value for k in carried)}
                                  if carried else {}))
        await _ask_approvers(ctx, uow, updated, version, level, by=actor.person_id)
        if level == Level.SD:
            await notifications.publish(uow, [ReportResubmitted(ReviewFacts.of(updated), version,
                                                                      by=actor.person_id)],
                                        now)
        await uow.commit()
    return updated, version, level


async def _approver_ids(uow, review: Review, level: Level, delegate: int | None) -> list[int]:
    ids: list[int] = []
    if level == Level.QA and Role.QA_LEAD in review.people:
        ids.append(review.people[Role.QA_LEAD])
    if level == Level.SD:
        if Role.SD_EHS in review.people:
            ids.append(review.people[Role.SD_EHS])
        else:
            ids += [p.id for p in await uow.people.with_role(Role.SD_EHS)]
    if delegate is not None and delegate not in ids:
        ids.append(delegate)
    return ids


async def _ask_approvers(ctx, uow, review: Review, version: int, level: Level,
                         by: int | None = None) -> None:
    # an approver on leave today: their named deputy decides instead (services/deputies.py)
    await deputies.cover_leave(ctx, uow, review, version, level.value,
                               await _approver_ids(uow, review, level, None))
    await _publish(ctx, uow, review, version, [ApprovalRequested(
        ReviewFacts.of(review), version, level.value, by=by)])


async def _approvers_now(uow, review: Review, level: Level) -> list[Person]:
    """Who decides `level` now: the review's approver(s), and a delegate standing in."""
    delegate = await uow.submissions.delegate(review.id, level.value)
    found = []
    for person_id in await _approver_ids(uow, review, level, delegate):
        person = await uow.people.by_id(person_id)
        if person is not None:
            found.append(person)
    return found


async def _publish(ctx, uow, review: Review, version: int, events: list,
                   amendments: dict | None = None) -> None:
    """Queue what the events call for; an approval card is queued as the facts of the card as
    its approver sees it (the approval record read once for them all), rendered at send time by
    the same view as a click's and a refresh's."""
    read: dict[Level, _Approval] = {}

    async def fill(notice, person: Person):
        if notice.card == "amendments":  # what was asked, by whom: notice_views.amendments_card
            return {"view": "amendments", "facts": amendments}
        level = Level(notice.to.level)
        if level not in read:
            read[level] = await _approval(uow, review, version, level)
        shown = await _view(ctx, uow, review, version, level, viewer=person,
                            approval=read[level])
        return {"view": "approval", "facts": shown.facts()}

    async def approvers(level: str) -> list[Person]:
        return await _approvers_now(uow, review, Level(level))

    await notifications.publish(uow, events, ctx.clock.now(), fill, approvers)


# -- the approval card ---------------------------------------------------------------------------
@dataclass(frozen=True)
class ApprovalDocument:
    kind: str  # a DocumentKind's value
    filename: str
    url: str  # "" when this viewer is given no link
    is_link: bool  # a SharePoint/OneDrive link the author sent, not a file kept here
    carried_from: int | None = None  # carried forward unchanged from this version


@dataclass(frozen=True)
class ApprovalRound:
    """One decision: who, at which level, on which version, when, and what they said."""
    version: int
    level: Level
    decision: Decision
    by: str  # the decider's name
    at: datetime
    comment: str

    @classmethod
    def of(cls, recorded: RecordedDecision) -> ApprovalRound:
        return cls(recorded.version, recorded.level, recorded.decision, recorded.decided_by,
                   recorded.decided_at, recorded.comment)


@dataclass(frozen=True)
class ApprovalView:
    """The approval card of one version at one level as one person sees it, from one read of
    the approval record: what every route that shows the card (queued, clicked, refreshed,
    opened from the todo list) renders with `teams.notice_views.approval_card`."""
    review_id: int
    reference: str
    version: int
    level: Level
    submitted_at: datetime | None
    milestone: str  # the milestone this approval counts towards, by its title
    due: date
    working_days_left: int | None
    documents: tuple[ApprovalDocument, ...]
    approvers: tuple[str, ...]  # names
    approver_user_ids: tuple[str, ...]  # their Teams ids: whose card refreshes itself
    latest: int  # the latest version submitted
    decided: ApprovalRound | None  # this version's decision at this level
    can_decide: bool  # this viewer may decide it now
    check_summary: str | None  # the automated document check, as stored
    rounds: tuple[ApprovalRound, ...] = ()  # the decisions before this one, the earliest first
    error: str = ""  # why the last click did nothing
    confirm_unticked: bool = False  # Approve was pressed with nothing ticked: ask first
    draft_comment: str = ""  # the comment typed before that question
    deadline: date | None = None  # the review's, that working_days_left counts to (Day 35)
    # the review's interviews: (interviewee, their record's status, agreed), in date order
    interviews: tuple[tuple[str, str, bool], ...] = ()

    def facts(self) -> dict:
        """As JSON, for the outbox: the card as it stood when queued."""
        def when(value):
            return value.isoformat() if value is not None else None

        def round_facts(r: ApprovalRound) -> dict:
            return {"version": r.version, "level": r.level.value, "decision": r.decision.value,
                    "by": r.by, "at": r.at.isoformat(), "comment": r.comment}
        return {
            "reviewId": self.review_id, "reference": self.reference, "version": self.version,
            "level": self.level.value, "submittedAt": when(self.submitted_at),
            "milestone": self.milestone, "due": self.due.isoformat(),
            "workingDaysLeft": self.working_days_left,
            "deadline": when(self.deadline),
            "documents": [[d.kind, d.filename, d.url, d.is_link, d.carried_from]
                          for d in self.documents],
            "approvers": list(self.approvers), "approverUserIds": list(self.approver_user_ids),
            "latest": self.latest,
            "decided": round_facts(self.decided) if self.decided else None,
            "canDecide": self.can_decide, "checkSummary": self.check_summary,
            "rounds": [round_facts(r) for r in self.rounds], "error": self.error,
            "interviews": [list(i) for i in self.interviews]}

    @classmethod
    def from_facts(cls, facts: dict) -> ApprovalView:
        def round_of(f: dict) -> ApprovalRound:
            return ApprovalRound(f["version"], Level(f["level"]), Decision(f["decision"]),
                                 f["by"], datetime.fromisoformat(f["at"]), f["comment"])
        return cls(
            facts["reviewId"], facts["reference"], facts["version"], Level(facts["level"]),
            datetime.fromisoformat(facts["submittedAt"]) if facts["submittedAt"] else None,
            facts["milestone"], date.fromisoformat(facts["due"]), facts["workingDaysLeft"],
            tuple(ApprovalDocument(*d) for d in facts["documents"]), tuple(facts["approvers"]),
            tuple(facts["approverUserIds"]), facts["latest"],
            round_of(facts["decided"]) if facts["decided"] else None, facts["canDecide"],
            facts["checkSummary"], tuple(round_of(r) for r in facts["rounds"]), facts["error"],
            deadline=date.fromisoformat(facts["deadline"]) if facts.get("deadline") else None,
            interviews=tuple((str(n), str(s), bool(a)) for n, s, a in facts.get("interviews") or []))


def _earlier(rounds, version: int, level: Level) -> tuple[ApprovalRound, ...]:
    """The rounds that came before this card's decision: every decision on an earlier version,
    and, on the Service Director's card, the QA lead's on this one."""
    return tuple(ApprovalRound.of(r) for r in rounds
                 if r.version < version or (r.version == version and r.level != level
                                            and level == Level.SD))


async def _view(ctx: ServiceContext, uow, review: Review, version: int, level: Level,
                viewer: Person | None, error: str = "",
                approval: _Approval | None = None) -> ApprovalView:
    """The approval card as `viewer` should see it: the buttons only for an approver of a
    version not yet decided; everyone else sees the status. (`approval`: already read.)"""
    approval = approval or await _approval(uow, review, version, level)
    decided = approval.decided
    milestone = Milestone.QA_COMPLETE if level == Level.QA else Milestone.DDSCP_SUBMISSION
    # the days left count to one date whatever the stage: the review's deadline (Day 35)
    left = days_to_deadline(review.plan, review.stage, ctx.clock.today(), ctx.calendar)
    documents = []
    # a link is made afresh each time the card is shown, for this viewer only, and only if they
    # may see the documents; it works for minutes, and is checked again when opened
    may_see = any(not d.link for d in approval.documents) and await access.may_read_documents(
        uow, viewer, review)
    for document in approval.documents:
        if document.link:  # read again: a link stored before today's rules may not pass them
            url = document.link if is_document_link(document.link, ctx.document_hosts) else ""
        elif may_see:
            url = await document_url(ctx, uow, review, document.id, viewer)
        else:
            url = ""
        documents.append(ApprovalDocument(document.kind, document.filename, url,
                                          bool(document.link), document.carried_from))
    can_decide = (viewer is not None and viewer.id in approval.approver_ids and decided is None
                  and version == approval.latest and pending_level(review.stage) == level)
    return ApprovalView(
        review.id, review.reference, version, level, approval.submitted_at, milestone.title,
        review.plan.due[milestone], left, tuple(documents),
        tuple(p.name for p in approval.approvers),
        tuple(p.teams_user_id for p in approval.approvers if p.teams_user_id), approval.latest,
        ApprovalRound.of(decided) if decided else None, can_decide, approval.check_summary,
        _earlier(approval.rounds, version, level), error, deadline=review.plan.deadline,
        interviews=await _interviews(uow, review))


async def _interviews(uow, review: Review) -> tuple[tuple[str, str, bool], ...]:
    """The review's interviews as the QA card lists them (services/interviews.line)."""
    from .interviews import line

    found = await uow.interviews.for_review(review.id)
    people = await uow.people.by_ids(sorted({p for i in found for p in i.parties().values()
                                             if p})) if found else {}
    return tuple((shown.interviewee, shown.status, i.agreed)
                 for i in found for shown in (line(i, people),))


async def view(ctx: ServiceContext, actor: Actor, review_id: int, version: int, level: Level,
               error: str = "") -> ApprovalView:
    async with ctx.unit_of_work(read_only=True) as uow:
        review = await uow.reviews.read_by_id(review_id)
        if review is None:
            raise DomainError("That review no longer exists.")
        return await _view(ctx, uow, review, version, level, actor.person, error)


@dataclass(frozen=True)
class ClickOutcome:
    view: ApprovalView  # the approval card to show the clicker in place of theirs
    recorded: bool  # whether this click recorded the decision


async def click(ctx: ServiceContext, actor: Actor, review_id: int, version: int, level: Level,
                decision: Decision, comment: str, checklist: list[str],
                unticked_confirmed: bool = True) -> ClickOutcome:
    """An approve/amend click. A click that cannot decide (already decided, not an approver, an
    old version) is answered from one read, with no write lock taken; only a click that may
    decide goes on to `decide`, which checks again inside its transaction. An approval with
    nothing on the checklist ticked, not yet confirmed, is answered with the question."""
    async with ctx.unit_of_work(read_only=True) as uow:
        review = await uow.reviews.read_by_id(review_id)
        if review is None:
            raise DomainError("That review no longer exists.")
        approval = await _approval(uow, review, version, level)
        refusal = _refusal(approval, review, actor, version, level)
        if refusal is not None:
            return ClickOutcome(await _view(ctx, uow, review, version, level, actor.person,
                                            str(refusal), approval), recorded=False)
        if decision == Decision.APPROVED and not checklist and not unticked_confirmed:
            shown = await _view(ctx, uow, review, version, level, actor.person,
                                approval=approval)
            return ClickOutcome(replace(shown, confirm_unticked=True,
                                        draft_comment=(comment or "").strip()[:4000]),
                                recorded=False)
    try:
        return ClickOutcome(await decide(ctx, actor, review_id, version, level, decision, comment,
                                         checklist), recorded=True)
    except DomainError as error:  # lost a race, or e.g. an empty comment: the card, with why
        return ClickOutcome(await view(ctx, actor, review_id, version, level, str(error)),
                            recorded=False)


@dataclass(frozen=True)
class _Approval:
    """Where one version's decision at one level stands: what a click is refused from and the
    approval card shows, read once."""
    approvers: list[Person]
    decided: RecordedDecision | None
    latest: int  # the latest version submitted
    submitted_at: datetime | None  # this version's
    check_summary: str | None  # this version's automated check
    documents: list[StoredDocument]  # this version's
    rounds: tuple[RecordedDecision, ...] = ()  # every decision on the review, the earliest first

    @property
    def approver_ids(self) -> list[int]:
        return [person.id for person in self.approvers]


async def _approval(uow, review: Review, version: int, level: Level) -> _Approval:
    record = await uow.submissions.approval_record(review.id, version, level.value)
    ids = await _approver_ids(uow, review, level, record.delegate)
    people = await uow.people.by_ids(ids)
    this = record.versions.get(version)
    return _Approval([people[i] for i in ids if i in people], record.decision,
                     max(record.versions, default=0), this.submitted_at if this else None,
                     this.check_summary if this else None, record.documents,
                     tuple(record.rounds))


def _refusal(approval: _Approval, review: Review, actor: Actor, version: int,
             level: Level) -> DomainError | None:
    """Why this actor cannot decide this version now, or None."""
    if actor.person is None or actor.person.id not in approval.approver_ids:
        names = ", ".join(person.name for person in approval.approvers) or "nobody"
        return NotAllowed(f"Only {names} can decide this.")
    if approval.decided is not None:
        return AlreadyDecided(approval.decided)
    if version != approval.latest or pending_level(review.stage) != level:
        return DomainError(f"This card is for version {version}, which is no longer waiting "
                           f"for a decision (the review is '{review.stage.title}').")
    return None


async def decide(ctx: ServiceContext, actor: Actor, review_id: int, version: int, level: Level,
                 decision: Decision, comment: str, checklist: list[str]) -> ApprovalView:
    """Record the decision and move the review on; returns the decided card for the clicker."""
    now, today = ctx.clock.now(), ctx.clock.today()
    async with ctx.unit_of_work() as uow:
        review = await uow.reviews.get_by_id(review_id)
        if review is None:
            raise DomainError("That review no longer exists.")
        approval = await _approval(uow, review, version, level)
        refusal = _refusal(approval, review, actor, version, level)
        if refusal is not None:
            raise refusal
        comment = check_comment(decision, comment)
        await uow.submissions.record_decision(
            review_id=review.id, version=version, level=level.value, decision=decision.value,
            comment=comment, checklist=checklist, by=actor.key, by_name=actor.name, at=now)
        roles = {level.approver_role}
        updated = review.apply(decision_event(level, decision), roles, today, ctx.calendar)
        if level == Level.QA and decision == Decision.APPROVED:
            sds = await uow.people.with_role(Role.SD_EHS)
            if sds:
                updated = replace(updated, people={**updated.people, Role.SD_EHS: sds[0].id})
            updated = updated.apply(Event.SEND_TO_SD, {Role.QA_LEAD}, today, ctx.calendar)
        await uow.reviews.save(updated, now)
        await uow.audit.record(actor=actor.key, action=f"decision.{level.value}.{decision.value}",
                               at=now, review_id=review.id, version=version,
                               comment=comment, checklist=len(checklist))
        await _after_decision(ctx, uow, updated, version, level, decision, comment, actor)
        # the card as decided: the record read above, with the decision just recorded (read
        # back for the name it is shown under), not the whole record again
        decided = replace(approval, decided=await uow.submissions.decision(
            review.id, version, level.value))
        shown = await _view(ctx, uow, updated, version, level, actor.person, approval=decided)
        await uow.commit()
    return shown


async def _after_decision(ctx, uow, review: Review, version: int, level: Level,
                          decision: Decision, comment: str, actor: Actor) -> None:
    """Who is told of a decision is the notification policy's to say."""
    facts = ReviewFacts.of(review)
    if decision == Decision.AMENDMENTS:
        await _publish(ctx, uow, review, version, [AmendmentsRequested(
            facts, version, level.value, level.title, actor.name, comment,
            by=actor.person_id)], amendments={
                "reference": review.reference, "who": actor.name, "level": level.value,
                "version": version, "comment": comment})
    elif level == Level.QA:
        await _publish(ctx, uow, review, version, [QaApproved(facts, version, actor.name,
                                                              by=actor.person_id)])
    else:
        await _publish(ctx, uow, review, version, [SignedOff(facts, version, by=actor.person_id)])


@dataclass(frozen=True)
class DdscpToConfirm:
    """`imr submitted REF [DATE]` read and checked, nothing changed yet: what the
    confirmation card asks about."""
    review: Review
    on: date


def _ddscp_day(ctx: ServiceContext, date_text: str) -> date:
    today = ctx.clock.today()
    try:
        on = parse_date(date_text, today=today) if date_text.strip() else today
    except BadDate as error:
        raise DomainError(str(error)) from error
    if on > today:
        raise DomainError("The submission date can't be in the future.")
    return on


def _closable(review: Review, actor: Actor, on: date, ctx: ServiceContext) -> Review:
    """The review as closed on `on`; a clear refusal when it cannot be (already closed too)."""
    if review.stage == Stage.SUBMITTED_TO_DDSCP:
        raise DomainError(f"{review.reference} is already recorded as submitted to DDSCP, and "
                          "the review is closed. Nothing more was recorded.")
    return review.apply(Event.RECORD_DDSCP_SUBMISSION, actor.roles, on, ctx.calendar)


async def prepare_ddscp_submission(ctx: ServiceContext, actor: Actor, reference: str,
                                   date_text: str) -> DdscpToConfirm:
    """Everything `record_ddscp_submission` would refuse, said now, with nothing changed: the
    closing is asked about on a card first, as it cannot be undone."""
    require(Permission.EDIT_REVIEW, actor)
    on = _ddscp_day(ctx, date_text)
    async with ctx.unit_of_work(read_only=True) as uow:
        review = await uow.reviews.require(reference)
        _closable(review, actor, on, ctx)
    return DdscpToConfirm(review, on)


async def record_ddscp_submission(ctx: ServiceContext, actor: Actor, reference: str,
                                  date_text: str) -> tuple[Review, str]:
    """Close the review as submitted to DDSCP; returns it and who was told, in words."""
    require(Permission.EDIT_REVIEW, actor)
    now = ctx.clock.now()
    on = _ddscp_day(ctx, date_text)
    async with ctx.unit_of_work() as uow:
        review = await uow.reviews.require(reference)
        updated = _closable(review, actor, on, ctx)
        await uow.reviews.save(updated, now)
        await uow.audit.record(actor=actor.key, action="review.submitted_to_ddscp", at=now,
                               review_id=review.id, on=on.isoformat())
        published = await notifications.publish(uow, [SubmittedToDdscp(
            ReviewFacts.of(updated), on, by=actor.person_id)], now)
        await uow.commit()
    return updated, published.words


async def delegate(ctx: ServiceContext, actor: Actor, reference: str, email: str) -> tuple[Review, Person, Level]:
    require(Permission.ALLOCATE, actor)
    now = ctx.clock.now()
    async with ctx.unit_of_work() as uow:
        review = await uow.reviews.require(reference)
        level = pending_level(review.stage)
        if level is None:
            raise DomainError(f"{review.reference} is not waiting for an approval "
                              f"('{review.stage.title}').")
        person = await uow.people.by_email(email)
        if person is None or not person.active:
            raise DomainError(f"There is nobody active with the email {email} in the directory.")
        if person.id == review.people.get(Role.AUTHOR):
            raise DomainError("The author can't approve their own report.")
        await uow.submissions.set_delegate(review.id, level.value, person.id, actor.key, now)
        await uow.audit.record(actor=actor.key, action="decision.delegated", at=now,
                               review_id=review.id, level=level.value, delegate=person.email)
        version = await uow.submissions.latest_version(review.id)
        shown = await _view(ctx, uow, review, version, level, viewer=person)
        await uow.outbox.queue(OutgoingNotification(
            key=f"review:{review.id}:approval:{level.value}:v{version}:person:{person.id}",
            recipient=person_recipient(person), kind="approval_request", review_id=review.id,
            payload={"view": "approval", "facts": shown.facts()}), now)
        await uow.commit()
    return review, person, level


async def document_url(ctx: ServiceContext, uow, review: Review, document_id: int,
                       viewer: Person) -> str:
    """A link to one submitted document for `viewer`: it names the review, the document and the
    person, and works for `ctx.document_link_minutes`."""
    expires = ctx.clock.now() + timedelta(minutes=ctx.document_link_minutes)
    token = await links.sign(ctx, DOCUMENT_PURPOSE, f"{review.id}:{document_id}:{viewer.id}",
                             expires, uow=uow)
    return f"{ctx.base_url}/documents/{token}"


async def document_for(ctx: ServiceContext, token: str, client: str):
    """A submitted document for a signed link, audited; None when the link is refused (also
    audited). Checked now, not only when the link was made: the person it names is still active
    and still may see this review's documents."""
    checked = await links.check(ctx, DOCUMENT_PURPOSE, token)
    ids = links.whole_numbers(checked.subject, 3) if checked.subject else None
    if ids is None:
        await links.refused(ctx, DOCUMENT_PURPOSE, checked.refused or links.MALFORMED,
                            client=client)
        return None
    review_id, document_id, person_id = ids
    async with ctx.unit_of_work() as uow:
        person = await uow.people.by_id(person_id)
        actor = person.email if person else f"person:{person_id}"
        found = await uow.submissions.document(document_id)
        review = await uow.reviews.read_by_id(review_id)
        reason = ""
        if found is None or found[1] is None or review is None:
            reason = links.NOT_FOUND
        elif found[0].review_id != review_id:
            reason = links.MISMATCH
        elif person is None or not person.active:
            reason = links.INACTIVE
        elif not await access.may_read_documents(uow, person, review):
            reason = links.NOT_ENTITLED
        if reason:
            await links.refused(ctx, DOCUMENT_PURPOSE, reason, client=client, actor=actor,
                                review_id=review.id if review else None, uow=uow)
            await uow.commit()
            return None
        document, content = found
        await uow.audit.record(actor=actor, action="document.downloaded", at=ctx.clock.now(),
                               review_id=document.review_id, document=document.id,
                               kind=document.kind, version=document.version,
                               filename=document.filename, client=client)
        await uow.commit()
    return document, content


@dataclass(frozen=True)
class HistoryLine:
    at: str
    who: str
    what: str


async def history(ctx: ServiceContext, actor: Actor, reference: str) -> tuple[Review, list[HistoryLine]]:
    require(Permission.VIEW_HISTORY, actor)
    async with ctx.unit_of_work(read_only=True) as uow:
        review = await uow.reviews.require(reference)
        entries = list(reversed(await uow.audit.for_review(review.id)))
        everyone = await uow.people.all()
    from .tracker import actor_words, audit_sentence

    names = {p.email: p.name for p in everyone}
    by_id, by_email = {p.id: p for p in everyone}, {p.email: p for p in everyone}
    # the history names who acted beside each line: the sentence need not say it again
    return review, [HistoryLine(format_when(e.at), actor_words(e.actor, e.action, names),
                                audit_sentence(e.action, "", e.detail, by_id, by_email, full=True))
                    for e in entries]
