"""Submission and approval: the author submits report and chronology; the QA senior lead, then the
Service Director (EH&S), approve or ask for amendments; Business Services record the submission to
DDSCP. One decision per version and level, recorded once, audited."""

from __future__ import annotations

import contextlib
import hashlib
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from imr_bot.documents import jobs
from imr_bot.documents.checker import stored_summary
from imr_bot.domain.dates import format_date, format_when, parse_date
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
from imr_bot.domain.rag import deadline_words
from imr_bot.domain.review import Review
from imr_bot.domain.roles import Role
from imr_bot.domain.stages import Event
from imr_bot.domain.submissions import (
    ACCEPTED_TYPES,
    GUIDANCE_QUESTIONS,
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
from imr_bot.domain.words import in_sentence
from imr_bot.store.submissions import StoredDocument

from . import access, links, notifications
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
    kinds: dict[DocumentKind, str]  # kind -> filename
    ready: bool

    def missing(self) -> list[str]:
        return [k.value for k in DocumentKind if k not in self.kinds]


async def start(ctx: ServiceContext, actor: Actor, reference: str) -> Gathered:
    async with ctx.unit_of_work(read_only=True) as uow:
        review = await uow.reviews.require(reference)
        _require_author(review, actor)
        submission_event(review.stage)  # says clearly if nothing can be submitted now
        return await _gathered(uow, review, actor)


async def _gathered(uow, review: Review, actor: Actor) -> Gathered:
    kinds = {DocumentKind(d.kind): d.filename for d in await uow.submissions.drafts(review.id, actor.key)}
    return Gathered(review, kinds, len(kinds) == len(DocumentKind))


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
        pending = await to_check(ctx, uow, review,
                                 await uow.submissions.drafts(review.id, actor.key))
    # the check runs before the write transaction opens, which then finds it remembered (a
    # refusal too: the approvers' card says why nothing was checked)
    with contextlib.suppress(DocumentRefused):
        await run_check(ctx, review, pending)
    async with ctx.unit_of_work() as uow:
        review = await uow.reviews.require(reference)
        _require_author(review, actor)
        event = submission_event(review.stage)
        drafts = await uow.submissions.drafts(review.id, actor.key)
        kinds = {d.kind for d in drafts}
        missing = [k.value for k in DocumentKind if k.value not in kinds]
        if missing:
            raise DomainError(f"Both a report and a chronology are needed; the {' and the '.join(missing)} "
                              "is missing.")
        level = Level.SD if event == Event.RESUBMIT_TO_SD else Level.QA
        version = await uow.submissions.submit(review_id=review.id,
                                               document_ids=[d.id for d in drafts],
                                               level=level.value, by=actor.key, at=now)
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
                               documents=[d.sha256 for d in drafts])
        await _ask_approvers(ctx, uow, updated, version, level)
        if level == Level.SD:
            await notifications.publish(uow, [ReportResubmitted(ReviewFacts.of(updated), version)],
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


async def _ask_approvers(ctx, uow, review: Review, version: int, level: Level) -> None:
    await _publish(ctx, uow, review, version, [ApprovalRequested(
        ReviewFacts.of(review), version, level.value)])


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
    """Queue what the events call for; an approval card is the card as its approver sees it
    (the approval record read once for them all)."""
    read: dict[Level, _Approval] = {}

    async def fill(notice, person: Person) -> dict:
        if notice.card == "amendments":
            return amendments
        level = Level(notice.to.level)
        if level not in read:
            read[level] = await _approval(uow, review, version, level)
        return await card_data(ctx, uow, review, version, level, viewer=person,
                               approval=read[level])

    async def approvers(level: str) -> list[Person]:
        return await _approvers_now(uow, review, Level(level))

    await notifications.publish(uow, events, ctx.clock.now(), fill, approvers)


# -- the approval card ---------------------------------------------------------------------------
async def card_data(ctx: ServiceContext, uow, review: Review, version: int, level: Level,
                    viewer: Person | None, error: str = "",
                    approval: _Approval | None = None) -> dict:
    """The approval card as `viewer` should see it: with the buttons only for an approver of a
    version not yet decided; everyone else sees the status. (`approval`: already read.)"""
    approval = approval or await _approval(uow, review, version, level)
    approvers, decided, latest = approval.approver_ids, approval.decided, approval.latest
    submitted = approval.submitted_at
    milestone = Milestone.QA_COMPLETE if level == Level.QA else Milestone.DDSCP_SUBMISSION
    # the days left count to one date whatever the stage: the review's deadline (Day 35)
    left = deadline_words(review.plan, review.stage, ctx.clock.today(), ctx.calendar)
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
        documents.append({"title": f"{document.kind.title()}: {document.filename}",
                          "url": url, "isLink": bool(document.link)})
    approver_people = approval.approvers
    can_decide = (viewer is not None and viewer.id in approvers and decided is None
                  and version == latest and pending_level(review.stage) == level)
    status = "Waiting for a decision"
    if decided is not None:
        status = (f"{decided.decision.title} by {decided.decided_by} on "
                  f"{format_when(decided.decided_at)}")
    elif version != latest:
        status = f"Superseded by version {latest}"
    due = review.plan.due[milestone]
    check_text, check_colour = stored_summary(approval.check_summary)
    return {
        "reference": review.reference, "levelTitle": level.title, "version": version,
        "level": level.value, "reviewId": review.id,
        "submittedAt": format_when(submitted),
        "due": (f"{milestone.title} by {format_date(due)}; {in_sentence(left)}"
                if milestone != Milestone.DDSCP_SUBMISSION else left),
        "documents": documents,
        "checklist": [{"id": f"check_{n}", "title": q} for n, q in enumerate(GUIDANCE_QUESTIONS)],
        "status": status, "decided": decided is not None,
        "comment": decided.comment if decided else "",
        "canDecide": can_decide, "error": error,
        "approvers": ", ".join(p.name for p in approver_people if p),
        "userIds": [p.teams_user_id for p in approver_people if p and p.teams_user_id],
        "documentCheck": check_text,
        "documentCheckColour": check_colour,
    }


async def view(ctx: ServiceContext, actor: Actor, review_id: int, version: int, level: Level,
               error: str = "") -> dict:
    async with ctx.unit_of_work(read_only=True) as uow:
        review = await uow.reviews.read_by_id(review_id)
        if review is None:
            raise DomainError("That review no longer exists.")
        return await card_data(ctx, uow, review, version, level, actor.person, error)


@dataclass(frozen=True)
class ClickOutcome:
    card: dict  # the approval card to show the clicker in place of theirs
    recorded: bool  # whether this click recorded the decision


async def click(ctx: ServiceContext, actor: Actor, review_id: int, version: int, level: Level,
                decision: Decision, comment: str, checklist: list[str]) -> ClickOutcome:
    """An approve/amend click. A click that cannot decide (already decided, not an approver, an
    old version) is answered from one read, with no write lock taken; only a click that may
    decide goes on to `decide`, which checks again inside its transaction."""
    async with ctx.unit_of_work(read_only=True) as uow:
        review = await uow.reviews.read_by_id(review_id)
        if review is None:
            raise DomainError("That review no longer exists.")
        approval = await _approval(uow, review, version, level)
        refusal = _refusal(approval, review, actor, version, level)
        if refusal is not None:
            return ClickOutcome(await card_data(ctx, uow, review, version, level, actor.person,
                                                str(refusal), approval), recorded=False)
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
                     this.check_summary if this else None, record.documents)


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
                 decision: Decision, comment: str, checklist: list[str]) -> dict:
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
        data = await card_data(ctx, uow, updated, version, level, actor.person, approval=decided)
        await uow.commit()
    return data


async def _after_decision(ctx, uow, review: Review, version: int, level: Level,
                          decision: Decision, comment: str, actor: Actor) -> None:
    """Who is told of a decision is the notification policy's to say."""
    facts = ReviewFacts.of(review)
    if decision == Decision.AMENDMENTS:
        await _publish(ctx, uow, review, version, [AmendmentsRequested(
            facts, version, level.value, level.title, actor.name, comment)], amendments={
                "reference": review.reference, "who": actor.name, "levelTitle": level.title,
                "version": version, "comment": comment, "nextVersion": version + 1})
    elif level == Level.QA:
        await _publish(ctx, uow, review, version, [QaApproved(facts, version, actor.name)])
    else:
        await _publish(ctx, uow, review, version, [SignedOff(facts, version)])


async def record_ddscp_submission(ctx: ServiceContext, actor: Actor, reference: str,
                                  date_text: str) -> Review:
    require(Permission.EDIT_REVIEW, actor)
    now, today = ctx.clock.now(), ctx.clock.today()
    try:
        on = parse_date(date_text, today=today) if date_text.strip() else today
    except BadDate as error:
        raise DomainError(str(error)) from error
    if on > today:
        raise DomainError("The submission date can't be in the future.")
    async with ctx.unit_of_work() as uow:
        review = await uow.reviews.require(reference)
        updated = review.apply(Event.RECORD_DDSCP_SUBMISSION, actor.roles, on, ctx.calendar)
        await uow.reviews.save(updated, now)
        await uow.audit.record(actor=actor.key, action="review.submitted_to_ddscp", at=now,
                               review_id=review.id, on=on.isoformat())
        await notifications.publish(uow, [SubmittedToDdscp(ReviewFacts.of(updated), on)], now)
        await uow.commit()
    return updated


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
        data = await card_data(ctx, uow, review, version, level, viewer=person)
        await uow.outbox.queue(OutgoingNotification(
            key=f"review:{review.id}:approval:{level.value}:v{version}:person:{person.id}",
            recipient=person_recipient(person), kind="approval_request", review_id=review.id,
            payload={"card": "approval", "data": data}), now)
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
