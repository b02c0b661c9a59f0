"""Interviews' use cases: the review's author records an interview, attaches its record (the
interview record sheet, .docx) or has it made prefilled, and sends it for agreement; the
interviewee and any second interviewer agree it or ask for corrections on their card, the
author agrees it too; after corrections a new version is sent; an interviewee outside Teams is
marked agreed on paper by the author, with the date and a reason.

Only the author, the interviewee and those entitled to the review may see a record; only its
parties may agree it (domain/interviews.py). Each change, its audit entry and the notices it
causes are written in one unit of work.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

from imr_bot.clock import LONDON
from imr_bot.documents import safety
from imr_bot.documents.interview_sheet import prefilled_sheet
from imr_bot.documents.safety import ArchiveLimits
from imr_bot.documents.templates import Prefill
from imr_bot.domain.dates import format_date, parse_date
from imr_bot.domain.errors import DomainError, NotAllowed, UnknownReview
from imr_bot.domain.events import InterviewToAgree, ReviewFacts
from imr_bot.domain.interviews import (
    Decision,
    Interview,
    InterviewCount,
    Interviewee,
    InterviewStatus,
    Party,
    RecordVersion,
    count,
)
from imr_bot.domain.notification import OutgoingNotification
from imr_bot.domain.people import Actor, Person
from imr_bot.domain.policy import Permission
from imr_bot.domain.review import Review
from imr_bot.domain.roles import Role

from . import access, notifications
from .context import ServiceContext

MAX_RECORD_BYTES = 10 * 1024 * 1024
NO_INTERVIEW = "That interview no longer exists, or isn't one you can see."
ONLY_AUTHOR = "Only the review's author can record its interviews."


@dataclass(frozen=True)
class InterviewLine:
    """One interview as a person reads it in a list."""
    interview: Interview
    interviewee: str  # a name, or "role, agency"
    role: str  # the interviewee's role as entered (or their directory title)
    interviewers: str
    status: str  # "Agreed", "Sent for agreement (waiting for …)"


def _me(actor: Actor) -> int | None:
    return actor.person.id if actor.is_known else None


def _is_author(review: Review, actor: Actor) -> bool:
    me = _me(actor)
    return me is not None and review.people.get(Role.AUTHOR) == me


async def _may_see(uow, actor: Actor, review: Review, interview: Interview | None) -> bool:
    if interview is not None and interview.involves(_me(actor)):
        return True
    return await access.may(uow, actor, Permission.VIEW_REVIEW, review)


async def _load(uow, actor: Actor, interview_id: int) -> tuple[Interview, Review]:
    interview = await uow.interviews.get(interview_id) if interview_id else None
    if interview is None:
        raise DomainError(NO_INTERVIEW)
    review = await uow.reviews.read_by_id(interview.review_id)
    if not await _may_see(uow, actor, review, interview):
        raise DomainError(NO_INTERVIEW)  # the same words whether it exists or not
    return interview, review


async def _person(uow, email: str, what: str) -> Person:
    wanted = (email or "").strip()
    person = await uow.people.by_email(wanted) if wanted else None
    if person is None or not person.active:
        raise DomainError(f"{wanted[:254] or 'That'} is not in the IMR people directory, so I "
                          f"can't record them as {what}. Ask Business Services to add them, or "
                          "describe the interviewee by their role and agency instead.")
    return person


# -- the author ---------------------------------------------------------------------------------
async def add(ctx: ServiceContext, actor: Actor, reference: str, *, on_text: str,
              interviewee_email: str = "", role: str = "", agency: str = "",
              second_email: str = "") -> tuple[Review, Interview, str]:
    """Record an interview to hold or held: a directory person (by email), or someone outside
    the directory by role and agency."""
    now, today = ctx.clock.now(), ctx.clock.today()
    async with ctx.unit_of_work() as uow:
        review = await uow.reviews.require(reference)
        if not _is_author(review, actor):
            raise NotAllowed(ONLY_AUTHOR)
        if interviewee_email.strip():
            person = await _person(uow, interviewee_email, "the interviewee")
            who, said = Interviewee(person.id), person.name
        else:
            if not role.strip() and not agency.strip():
                raise DomainError("Say who is interviewed: their email address in the IMR "
                                  "directory, or their role and agency if they are not in it.")
            who = Interviewee.outside(role, agency)
            said = f"the {who.role} ({who.agency})"
        second = (await _person(uow, second_email, "the second interviewer")
                  if second_email.strip() else None)
        interview = await uow.interviews.add(Interview.new(
            review_id=review.id, interviewee=who, on=parse_date(on_text, today=today),
            interviewer_id=_me(actor), second_interviewer_id=second.id if second else None), now)
        await uow.audit.record(actor=actor.key, action="interview.added", at=now,
                               review_id=review.id, interview_id=interview.id,
                               person_id=who.person_id, role=who.role, agency=who.agency,
                               on=interview.on.isoformat(),
                               second_interviewer=second.id if second else None)
        await uow.commit()
    return review, interview, said


async def attach(ctx: ServiceContext, actor: Actor, interview_id: int, filename: str,
                 content: bytes) -> Interview:
    """A version of the record (.docx, checked as every sent document is), then sent for
    agreement to the interviewee and any second interviewer."""
    name = (filename or "").strip()[:255]
    if not name.lower().endswith(".docx"):
        raise DomainError(f"“{name}” is not a Word document: please send the interview record "
                          "sheet as a .docx.")
    if not content:
        raise DomainError(f"“{name}” is empty.")
    if len(content) > MAX_RECORD_BYTES:
        raise DomainError(f"“{name}” is over {MAX_RECORD_BYTES // (1024 * 1024)} MB; an "
                          "interview record is smaller than that.")
    await _inspect(ctx, name, content)
    now = ctx.clock.now()
    async with ctx.unit_of_work() as uow:
        interview, review = await _load(uow, actor, interview_id)
        record = RecordVersion(interview.version + 1, hashlib.sha256(content).hexdigest(),
                               len(content), name)
        drafted = interview.attach(_me(actor), record)
        sent = drafted.send(_me(actor))
        await uow.interviews.add_record(interview.id, record, content, actor.key, now)
        await uow.interviews.save(sent, now)
        await uow.audit.record(actor=actor.key, action="interview.record_attached", at=now,
                               review_id=review.id, interview_id=interview.id,
                               version=record.number, checksum=record.checksum)
        await uow.audit.record(actor=actor.key, action="interview.sent", at=now,
                               review_id=review.id, interview_id=interview.id,
                               version=record.number)
        await _ask(ctx, uow, review, sent, actor)
        await uow.commit()
    return sent


async def _inspect(ctx: ServiceContext, name: str, content: bytes) -> None:
    if ctx.documents is not None:
        await ctx.documents.run(safety.inspect, content, ctx.documents.limits, name)
    else:
        safety.inspect(content, ArchiveLimits(), name)


async def prefilled(ctx: ServiceContext, actor: Actor, interview_id: int) -> tuple[str, bytes]:
    """The interview record sheet, prefilled with the review and the interviewee."""
    async with ctx.unit_of_work(read_only=True) as uow:
        interview, review = await _load(uow, actor, interview_id)
        people = await uow.people.by_ids(sorted({p for p in interview.parties().values() if p}))
    shown = line(interview, people)
    who = interview.interviewee
    content = prefilled_sheet(Prefill(reference=review.reference, author=shown.interviewers), {
        "Interviewee": shown.interviewee if who.person_id else "",
        "Role": shown.role, "Organisation": who.agency,
        "Date of interview": interview.on.strftime("%d/%m/%Y"),
        "Interviewer": shown.interviewers})
    return f"{review.reference.replace('/', '-')}-interview-{interview.id}.docx", content


# -- the parties --------------------------------------------------------------------------------
async def decide(ctx: ServiceContext, actor: Actor, interview_id: int, decision: Decision,
                 version: object, comment: str = "") -> Interview:
    """Agree, or ask for corrections: once per version, by the interviewee or an interviewer."""
    now = ctx.clock.now()
    async with ctx.unit_of_work() as uow:
        interview = await uow.interviews.get(interview_id) if interview_id else None
        if interview is None or not interview.involves(_me(actor)):
            raise NotAllowed("Only the interviewee and the interviewers can agree this record.")
        review = await uow.reviews.read_by_id(interview.review_id)
        wanted = int(version) if str(version or "").isdigit() and len(str(version)) < 6 else None
        changed = interview.decide(_me(actor), decision, wanted, comment)
        party = interview.party_of(_me(actor))
        await uow.interviews.record_decision(
            interview_id=interview.id, version=interview.version, party=party,
            decision=decision, comment=changed.comment if decision == Decision.CORRECTIONS
            else "", on=None, by=actor.key, at=now)
        await uow.interviews.save(changed, now)
        await uow.audit.record(
            actor=actor.key, at=now, review_id=review.id, interview_id=interview.id,
            version=interview.version, party=party.value,
            comment=changed.comment if decision == Decision.CORRECTIONS else "",
            action=("interview.corrections_asked" if decision == Decision.CORRECTIONS
                    else "interview.agreed_by"))
        if changed.agreed:
            await uow.audit.record(actor=actor.key, action="interview.agreed", at=now,
                                   review_id=review.id, interview_id=interview.id,
                                   version=changed.version, checksum=changed.agreed_checksum)
        await uow.commit()
    return changed


async def agreed_on_paper(ctx: ServiceContext, actor: Actor, interview_id: int, version: object,
                          on_text: str, reason: str) -> Interview:
    """The author records that the interviewee, outside Teams, agreed the record on paper."""
    now, today = ctx.clock.now(), ctx.clock.today()
    async with ctx.unit_of_work() as uow:
        interview, review = await _load(uow, actor, interview_id)
        wanted = int(version) if str(version or "").isdigit() and len(str(version)) < 6 else None
        on = parse_date(on_text, today=today)
        changed = interview.agreed_on_paper(_me(actor), wanted, on, reason, today)
        await uow.interviews.record_decision(
            interview_id=interview.id, version=interview.version, party=Party.INTERVIEWEE,
            decision=Decision.AGREED_ON_PAPER, comment=changed.comment, on=on, by=actor.key,
            at=now)
        await uow.interviews.save(changed, now)
        await uow.audit.record(actor=actor.key, action="interview.agreed_on_paper", at=now,
                               review_id=review.id, interview_id=interview.id,
                               version=interview.version, on=on.isoformat(),
                               reason=changed.comment)
        if changed.agreed:
            await uow.audit.record(actor=actor.key, action="interview.agreed", at=now,
                                   review_id=review.id, interview_id=interview.id,
                                   version=changed.version, checksum=changed.agreed_checksum)
        await uow.commit()
    return changed


# -- reading ------------------------------------------------------------------------------------
async def listed(ctx: ServiceContext, actor: Actor,
                 reference: str) -> tuple[Review, list[InterviewLine]]:
    """A review's interviews: all of them for those entitled to the review; to an interviewee
    who is not, only their own; to anyone else, as if the review did not exist."""
    async with ctx.unit_of_work(read_only=True) as uow:
        wanted = (reference or "").strip()
        review = await uow.reviews.get(wanted) if wanted and len(wanted) <= 80 else None
        if review is None:  # access.visible_review's answer, suggestions and all
            raise_unknown = True
        else:
            raise_unknown = False
            interviews = await uow.interviews.for_review(review.id)
            if not await access.may(uow, actor, Permission.VIEW_REVIEW, review):
                interviews = [i for i in interviews if i.involves(_me(actor))]
                # someone with no part in it is told what a reference that does not exist gets
                raise_unknown = not interviews
        if not raise_unknown:
            people = await uow.people.by_ids(sorted({p for i in interviews
                                                     for p in i.parties().values() if p}))
    if raise_unknown:
        await access.visible_review(ctx, actor, wanted)  # raises UnknownReview
        raise UnknownReview(wanted[:80], [])
    return review, [line(i, people) for i in interviews]


def line(interview: Interview, people: dict[int, Person]) -> InterviewLine:
    who = interview.interviewee
    person = people.get(who.person_id) if who.person_id else None
    name = person.name if person else (f"{who.role}, {who.agency}" if who.role else "Someone")
    role = who.role or (", ".join(r.title for r in sorted(person.roles, key=list(Role).index))
                        if person and person.roles else "")
    interviewers = " and ".join(people[p].name for p in (interview.interviewer_id,
                                                         interview.second_interviewer_id)
                                if p and p in people)
    status = interview.status.title
    if interview.status == InterviewStatus.SENT and interview.waiting_for:
        waiting = [people[p].name if p in people else "the interviewee (on paper)"
                   for party in interview.waiting_for
                   for p in (interview.parties()[party],)]
        status += f" (waiting for {' and '.join(waiting)})"
    return InterviewLine(interview, name, role, interviewers, status)


async def counted(uow, review_id: int) -> InterviewCount:
    return count(await uow.interviews.for_review(review_id))


# -- notices ------------------------------------------------------------------------------------
async def _ask(ctx: ServiceContext, uow, review: Review, interview: Interview,
               actor: Actor) -> None:
    """The parties other than the author are asked to agree the version just sent."""
    events = [InterviewToAgree(ReviewFacts.of(review), interview.id, person_id,
                               interview.version, by=_me(actor))
              for party, person_id in interview.parties().items()
              if person_id is not None and party != Party.INTERVIEWER]
    if not events:
        return

    async def fill(notice, person: Person) -> dict:
        return await card_data(uow, review, interview, person)

    await notifications.publish(uow, events, ctx.clock.now(), fill=fill)


async def card_data(uow, review: Review, interview: Interview, person: Person | None) -> dict:
    """The agreement card's data, for one party."""
    people = await uow.people.by_ids(sorted({p for p in interview.parties().values() if p}))
    shown = line(interview, people)
    answered = bool(person and interview.party_of(person.id) in interview.decisions)
    is_open = interview.status == InterviewStatus.SENT
    return {"interviewId": interview.id, "reference": review.reference,
            "version": interview.version, "interviewee": shown.interviewee,
            "interviewers": shown.interviewers, "date": format_date(interview.on),
            "status": shown.status, "checksum": interview.checksum[:12],
            "answered": answered, "open": is_open,
            "toAnswer": is_open and not answered and bool(person and interview.involves(
                person.id))}


async def record_file(ctx: ServiceContext, actor: Actor, interview_id: int) -> tuple[
        Review, RecordVersion, bytes]:
    """The latest version of the record, for its parties and those entitled to the review."""
    async with ctx.unit_of_work(read_only=True) as uow:
        interview, review = await _load(uow, actor, interview_id)
        found = await uow.interviews.record(interview.id, interview.version) if (
            interview.version) else None
    if found is None:
        raise DomainError("This interview has no record yet: its author attaches it with "
                          f"`imr interview attach {interview.id}` and the .docx.")
    return review, found[0], found[1]


async def agreement_card(ctx: ServiceContext, actor: Actor, interview_id: int) -> dict:
    async with ctx.unit_of_work(read_only=True) as uow:
        interview, review = await _load(uow, actor, interview_id)
        return await card_data(uow, review, interview, actor.person if actor.is_known else None)


async def form(ctx: ServiceContext, actor: Actor, reference: str) -> dict:
    """The data of the card that records an interview."""
    async with ctx.unit_of_work(read_only=True) as uow:
        review = await uow.reviews.require(reference)
    if not _is_author(review, actor):
        raise NotAllowed(ONLY_AUTHOR)
    return {"reference": review.reference, "error": "", "on": ctx.clock.today().isoformat()}


async def reminders(ctx: ServiceContext, uow, today: date) -> list:
    """Each working day's sweep: a record waiting for agreement is reminded to those who must
    still agree it (not the author, whose todo shows it), from the working day after it was
    sent. The sweep runs on working days only, so a bank holiday reminds nobody."""
    found = []
    waiting = await uow.interviews.waiting()
    for interview, sent_at in waiting:
        if sent_at is not None and sent_at.astimezone(LONDON).date() >= today:
            continue
        review = await uow.reviews.read_by_id(interview.review_id)
        if review is None:
            continue
        days = (ctx.calendar.working_days_between(sent_at.astimezone(LONDON).date(), today)
                if sent_at is not None else None)
        for party in interview.waiting_for:
            person_id = interview.parties()[party]
            if person_id is None or party == Party.INTERVIEWER:
                continue
            since = f" (sent {plural_days(days)} ago)" if days else ""
            found.append(OutgoingNotification(
                key=f"reminder:{review.id}:interview{interview.id}:v{interview.version}:person:"
                    f"{person_id}:{today.isoformat()}",
                recipient=f"person:{person_id}", kind="reminder_interview", review_id=review.id,
                payload={"text": f"Reminder: the record of your interview for "
                                 f"**{review.reference}** is waiting for you to agree it or ask "
                                 f"for corrections{since}. Type `imr interview agree "
                                 f"{interview.id}` to see it."}))
    return found


def plural_days(days: int) -> str:
    return f"{days} working day" if days == 1 else f"{days} working days"
