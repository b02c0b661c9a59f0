"""Arrange, confirm and record the scoping meeting (Day 4), the midway review (Day 15) and the
optional QA-author meeting; the plan follows what is agreed."""

from __future__ import annotations

import types
from dataclasses import dataclass, fields, replace
from datetime import date, datetime, timedelta
from enum import Enum
from typing import Any, Union, get_args, get_origin, get_type_hints

from imr_bot.clock import LONDON
from imr_bot.documents.calendar_invite import Invitee, invitation
from imr_bot.domain.dates import format_date
from imr_bot.domain.errors import DomainError, MomentPassed, NotAllowed, UnknownReview
from imr_bot.domain.events import MeetingRecorded, ReviewFacts
from imr_bot.domain.inputs import whole_number
from imr_bot.domain.meetings import (
    Meeting,
    MeetingKind,
    MeetingStatus,
    MidwayOutcome,
    default_held_on,
    default_start,
    parse_slot,
)
from imr_bot.domain.notification import About, OutgoingNotification
from imr_bot.domain.notification_policy import recorded_text
from imr_bot.domain.people import Actor, Person
from imr_bot.domain.plain_text import plain
from imr_bot.domain.plan import Milestone
from imr_bot.domain.policy import Permission, require
from imr_bot.domain.review import Review
from imr_bot.domain.roles import Role
from imr_bot.domain.stages import Event, Stage
from imr_bot.domain.words import in_sentence

from . import access, links, notifications
from .context import ServiceContext
from .notifications import person_recipient
from .tracker import closest

CALENDAR_PURPOSE = "calendar"
QA_STAGES = (Stage.SUBMITTED_TO_QA, Stage.QA_AMENDMENTS)


def when_text(starts: datetime, minutes: int) -> str:
    local = starts.astimezone(LONDON)
    return f"{format_date(local.date())}, {local:%H:%M}–{(local + timedelta(minutes=minutes)):%H:%M}"


class _Facts:
    """A card's facts as JSON for the outbox (dates as ISO, kinds by value), and back: the card
    as it stood when it was queued, rendered at send time by the edge's meeting views."""

    def facts(self) -> dict[str, Any]:
        return {f.name: _json(getattr(self, f.name)) for f in fields(self)}

    @classmethod
    def from_facts(cls, facts: dict[str, Any]):
        hints = get_type_hints(cls)
        return cls(**{f.name: _from_json(hints[f.name], facts[f.name])
                      for f in fields(cls) if f.name in facts})


def _json(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (tuple, list)):
        return [_json(v) for v in value]
    return value


def _from_json(hint: Any, raw: Any) -> Any:
    if raw is None:
        return None
    origin = get_origin(hint)
    if origin in (Union, types.UnionType):
        hint = next(a for a in get_args(hint) if a is not type(None))
        origin = get_origin(hint)
    if origin is tuple:
        args = get_args(hint)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_from_json(args[0], v) for v in raw)
        return tuple(_from_json(a, v) for a, v in zip(args, raw, strict=True))
    if hint is datetime:
        return datetime.fromisoformat(raw)
    if hint is date:
        return date.fromisoformat(raw)
    if isinstance(hint, type) and issubclass(hint, Enum):
        return hint(raw)
    return raw


@dataclass(frozen=True)
class MeetingCard(_Facts):
    """What every meeting card shows one person: when, where, with whom, and their own
    calendar link (always the meeting's current time)."""
    reference: str
    kind: MeetingKind
    meeting_id: int
    starts: datetime
    minutes: int
    location: str
    sequence: int
    organiser: str
    participants: tuple[str, ...]
    greeting: str = ""
    calendar_path: str = ""


@dataclass(frozen=True)
class Invitation(MeetingCard):
    """The invitation as one person sees it: a note (why they are asked again), and whether
    they may answer it (the answer buttons)."""
    note: str = ""
    may_answer: bool = False


@dataclass(frozen=True)
class ConfirmedMeeting(MeetingCard):
    """The confirmed meeting as one person sees it: who agreed, who proposed another time, who
    did not answer, and whether this person organises it (records its outcome)."""
    agreed: tuple[str, ...] = ()
    proposed_other: tuple[str, ...] = ()
    not_answered: tuple[str, ...] = ()
    may_organise: bool = False


@dataclass(frozen=True)
class Proposal(_Facts):
    """The QA lead's proposal: the draft to adjust and send, or the meeting again to change."""
    reference: str
    kind: MeetingKind
    meeting_id: int
    participants: tuple[str, ...]
    starts: datetime
    minutes: int
    location: str
    resend: bool
    error: str = ""


@dataclass(frozen=True)
class CounterProposal(_Facts):
    """A participant proposed another time: to the QA lead, with who has accepted and who is
    still to answer."""
    reference: str
    kind: MeetingKind
    meeting_id: int
    who: str
    proposed: datetime
    starts: datetime
    minutes: int
    accepted: tuple[str, ...]
    awaiting: tuple[str, ...]


@dataclass(frozen=True)
class OutcomeForm:
    """What the QA lead records the meeting's outcome on: the day it was held (a default), the
    attendees to choose from, and the dates it may agree (scoping) or the deadline (midway)."""
    reference: str
    kind: MeetingKind
    meeting_id: int
    held_on: date
    attendees: tuple[tuple[int, str], ...]
    milestones: tuple[tuple[Milestone, date], ...] = ()
    ddscp: date | None = None


def _participants(review: Review, kind: MeetingKind) -> tuple[int, ...]:
    roles = (Role.QA_LEAD, Role.AUTHOR) if kind == MeetingKind.QA else (
        Role.QA_LEAD, Role.AUTHOR, Role.LINE_MANAGER)
    return tuple(dict.fromkeys(review.people[r] for r in roles if r in review.people))


async def create_draft(ctx: ServiceContext, uow, review: Review, kind: MeetingKind) -> Meeting:
    """A meeting with the QA lead to adjust and send; called when its step of the workflow begins."""
    milestone = kind.milestone
    due = review.plan.due[milestone] if milestone else ctx.calendar.add_working_days(
        ctx.clock.today(), 2)
    meeting = await uow.meetings.add(Meeting(
        review_id=review.id, kind=kind, organiser_id=review.people[Role.QA_LEAD],
        participant_ids=_participants(review, kind),
        starts=default_start(due, ctx.clock.today(), ctx.calendar)), ctx.clock.now())
    qa_lead = await uow.people.by_id(meeting.organiser_id)
    await uow.outbox.queue(OutgoingNotification(
        key=f"meeting:{meeting.id}:draft", recipient=person_recipient(qa_lead),
        kind="meeting_draft", review_id=review.id, about=About(meeting_id=meeting.id),
        payload={"view": "meeting_propose",
                 "facts": (await proposal(uow, review, meeting)).facts()}), ctx.clock.now())
    return meeting


async def proposal(uow, review: Review, meeting: Meeting, error: str = "") -> Proposal:
    return Proposal(review.reference, meeting.kind, meeting.id,
                    tuple(await _name_list(uow, meeting.participant_ids)), meeting.starts,
                    meeting.minutes, meeting.location, meeting.status != MeetingStatus.DRAFT,
                    error)


async def _load(uow, meeting_id: int) -> tuple[Meeting, Review]:
    meeting = await uow.meetings.get(meeting_id)
    if meeting is None:
        raise DomainError("That meeting no longer exists.")
    return meeting, await uow.reviews.get_by_id(meeting.review_id)


def _person_id(actor: Actor) -> int | None:
    return actor.person.id if actor.person is not None else None


@dataclass(frozen=True)
class Sent:
    """What "Send to participants" did: `changed` False when the same details were already
    sent (nobody was asked again, no answer was cleared); `asked`, who was asked to answer now;
    `kept`, whose answers stand (only the place changed)."""
    meeting: Meeting
    changed: bool
    asked: tuple[int, ...] = ()
    kept: tuple[int, ...] = ()
    place_only: bool = False  # the time stands; only the place changed
    said: str = ""  # when nothing changed: what stands


async def send(ctx: ServiceContext, actor: Actor, meeting_id: int, day: str, time_text: str,
               minutes: str, location: str) -> Sent:
    """The QA lead sends the proposal; each participant is asked to accept or propose a time.
    Sent again unchanged, it does nothing; with only a new place, the answers given stand."""
    now = ctx.clock.now()
    async with ctx.unit_of_work() as uow:
        meeting, review = await _load(uow, meeting_id)
        length = whole_number(minutes or "60", low=1, high=24 * 60)
        if length is None:
            raise DomainError("The duration is a number of minutes, e.g. 60.")
        before = meeting
        meeting = meeting.send(_person_id(actor), parse_slot(day, time_text), length,
                               location or "", ctx.calendar, now)
        if meeting == before:
            return Sent(meeting, changed=False, said=await _unchanged_text(uow, meeting))
        await uow.meetings.save(meeting, now)
        await uow.audit.record(actor=actor.key, action="meeting.proposed", at=now,
                               review_id=review.id, kind=meeting.kind.value,
                               starts=meeting.starts.isoformat(), sequence=meeting.sequence)
        kept = tuple(p for p in before.answers if p in meeting.answers)
        if meeting.status == MeetingStatus.CONFIRMED:  # a new place for a confirmed meeting
            await _confirmed(ctx, uow, review, meeting, now, audit=False)
            asked: tuple[int, ...] = ()
        else:
            asked = tuple(meeting.awaiting())
            await _invite(ctx, uow, review, meeting, asked, now,
                          await _resent_notes(uow, before, meeting, asked))
        await uow.commit()
    place_only = before.status != MeetingStatus.DRAFT and (before.starts, before.minutes) == (
        meeting.starts, meeting.minutes)
    return Sent(meeting, changed=True, asked=asked, kept=kept, place_only=place_only)


async def _unchanged_text(uow, meeting: Meeting) -> str:
    title, when = meeting.kind.title, when_text(meeting.starts, meeting.minutes)
    if meeting.status == MeetingStatus.CONFIRMED:
        return (f"The {in_sentence(title)} is already confirmed for {when}, and nothing has changed, "
                "so nobody was asked again.")
    accepted = [p for p in meeting.agreed() if p != meeting.organiser_id]
    said = (f"The {in_sentence(title)} was already sent for {when}, and nothing has changed, so "
            "nobody was asked again and no answer was cleared.")
    if accepted:
        said += f" Accepted so far: {await _names(uow, accepted)}."
    if meeting.awaiting():
        said += f" Still to answer: {await _names(uow, meeting.awaiting())}."
    if meeting.counter_proposals():
        said += (" Proposed another time: "
                 f"{await _names(uow, [a.person_id for a in meeting.counter_proposals()])}.")
    return said


async def _invite(ctx: ServiceContext, uow, review: Review, meeting: Meeting,
                  person_ids, now: datetime, notes: dict[int, str] | None = None) -> None:
    """An invitation to each of `person_ids` (accept, or propose another time), with a note
    for some (why they are asked again)."""
    for person_id in person_ids:
        person = await uow.people.by_id(person_id)
        invited = await invitation_for(ctx, uow, review, meeting, person,
                                       (notes or {}).get(person_id, ""))
        await uow.outbox.queue(OutgoingNotification(
            key=f"meeting:{meeting.id}:invite:{meeting.sequence}:{now.isoformat()}:person:"
                f"{person_id}",
            recipient=person_recipient(person), kind="meeting_invite", review_id=review.id,
            about=About(meeting_id=meeting.id, meeting_sequence=meeting.sequence),
            payload={"view": "meeting_invite", "facts": invited.facts()}), now)


async def invitation_for(ctx: ServiceContext, uow, review: Review, meeting: Meeting,
                         person: Person, note: str = "") -> Invitation:
    """The invitation as `person` sees it: the answer buttons only if they may answer."""
    return Invitation(**await _card_facts(ctx, uow, review, meeting, person), note=note,
                      may_answer=await _may(uow, review, meeting, person,
                                            Permission.ANSWER_MEETING))


async def _may(uow, review: Review, meeting: Meeting, person: Person,
               permission: Permission) -> bool:
    """Whether `person` may press this meeting's button for `permission`: the rules a click is
    checked against (access.may, the policy's; the meeting's own: its organiser organises, its
    participants answer), asked when the card is made for them."""
    if permission == Permission.ORGANISE_MEETING and person.id != meeting.organiser_id:
        return False
    if permission == Permission.ANSWER_MEETING and not meeting.is_participant(person.id):
        return False
    return await access.may(uow, Actor(person.email, person.name, person), permission, review)


async def _card_facts(ctx: ServiceContext, uow, review: Review, meeting: Meeting,
                      person: Person) -> dict[str, Any]:
    """The MeetingCard fields for one person: the meeting as it stands, with their own
    calendar link (always the meeting's current time)."""
    organiser = await uow.people.by_id(meeting.organiser_id)
    token = await links.sign(ctx, CALENDAR_PURPOSE, f"{meeting.id}:{person.id}",
                             meeting.ends + timedelta(days=30), uow=uow)
    return {"reference": review.reference, "kind": meeting.kind, "meeting_id": meeting.id,
            "starts": meeting.starts, "minutes": meeting.minutes, "location": meeting.location,
            "sequence": meeting.sequence, "organiser": organiser.name,
            "participants": tuple(await _name_list(uow, meeting.participant_ids)),
            "greeting": person.first_name, "calendar_path": f"/calendar/{token}.ics"}


async def answer(ctx: ServiceContext, actor: Actor, meeting_id: int, *, accept: bool,
                 day: str = "", time_text: str = "",
                 sequence: int | None = None) -> tuple[Meeting, str]:
    """A participant accepts or proposes another time. `sequence`: the version of the meeting
    the pressed invitation showed; an invitation for a time since moved answers nothing."""
    now = ctx.clock.now()
    async with ctx.unit_of_work() as uow:
        meeting, review = await _load(uow, meeting_id)
        _check_moment(meeting, review, _person_id(actor), sequence)
        proposed = None if accept else parse_slot(day, time_text)
        meeting = meeting.answer(_person_id(actor), accept=accept, proposed=proposed,
                                 calendar=ctx.calendar, now=now)
        await uow.meetings.save(meeting, now)
        await uow.audit.record(actor=actor.key, action="meeting.answered", at=now,
                               review_id=review.id, kind=meeting.kind.value, accepted=accept,
                               proposed=proposed.isoformat() if proposed else None)
        organiser = await uow.people.by_id(meeting.organiser_id)
        if not accept:
            await uow.outbox.queue(OutgoingNotification(
                key=f"meeting:{meeting.id}:counter:{now.isoformat()}",
                recipient=person_recipient(organiser), kind="meeting_counter", review_id=review.id,
                about=About(meeting_id=meeting.id, meeting_sequence=meeting.sequence),
                payload={"view": "meeting_counter", "facts": CounterProposal(
                    review.reference, meeting.kind, meeting.id, actor.name, proposed,
                    meeting.starts, meeting.minutes,
                    tuple(await _name_list(uow, [p for p in meeting.agreed()
                                                 if p != meeting.organiser_id])),
                    tuple(await _name_list(uow, meeting.awaiting()))).facts()}), now)
            said = f"Thank you: {organiser.name} will confirm a time."
        elif meeting.status == MeetingStatus.CONFIRMED:
            await _confirmed(ctx, uow, review, meeting, now)
            said = "Thank you: everyone has accepted, so the meeting is confirmed."
        else:
            said = "Thank you: you have accepted."
        await uow.commit()
    return meeting, said


def _check_moment(meeting: Meeting, review: Review, person_id: int | None,
                  sequence: int | None) -> None:
    """An invitation pressed after its moment says what became of the meeting."""
    if not meeting.is_participant(person_id):
        return  # the domain refuses it, saying why
    title = meeting.kind.title
    when = when_text(meeting.starts, meeting.minutes)
    if not review.is_open:
        raise MomentPassed(f"{review.reference} is closed ({in_sentence(review.stage.title)}); this "
                           f"{in_sentence(title)} will not take place.", review.reference)
    if meeting.status == MeetingStatus.HELD:
        raise MomentPassed(f"This {in_sentence(title)} has been held.", review.reference)
    if meeting.status == MeetingStatus.CANCELLED:
        raise MomentPassed(f"This {in_sentence(title)} was cancelled.", review.reference)
    if sequence is not None and sequence != meeting.sequence:
        where = f", {meeting.location}" if meeting.location else ""
        raise MomentPassed(f"This invitation is out of date: the {in_sentence(title)} has changed, "
                           f"and is now {when}{where}. Please answer the newer invitation.",
                           review.reference)
    if meeting.status == MeetingStatus.CONFIRMED:
        raise MomentPassed(f"This {in_sentence(title)} is already confirmed for {when}.",
                           review.reference)


async def _name_list(uow, ids) -> list[str]:
    return [(await uow.people.by_id(p)).name for p in ids]


async def _names(uow, ids) -> str:
    return names_in_words(await _name_list(uow, ids)) or "nobody"


def names_in_words(names: list[str]) -> str:
    """"A", "A and B", "A, B and C"."""
    return names[0] if len(names) == 1 else (
        ", ".join(names[:-1]) + " and " + names[-1] if names else "")


@dataclass(frozen=True)
class Confirmation:
    """What confirming did: confirmed, or (a different time) asked `asked_again` first."""
    meeting: Meeting
    agreed: str
    asked: tuple[int, ...] = ()
    asked_again: str = ""  # their names

    @property
    def confirmed(self) -> bool:
        return self.meeting.status == MeetingStatus.CONFIRMED


async def confirm(ctx: ServiceContext, actor: Actor, meeting_id: int, day: str = "",
                  time_text: str = "") -> Confirmation:
    """The QA lead confirms a slot (a counter-proposal, or the time already proposed). A
    different time is not confirmed over anyone's head: whoever accepted the earlier time, or
    had not answered, is asked again, and it is confirmed when they accept."""
    now = ctx.clock.now()
    async with ctx.unit_of_work() as uow:
        meeting, review = await _load(uow, meeting_id)
        starts = parse_slot(day, time_text) if day and time_text else None
        before = meeting
        meeting = meeting.confirm(_person_id(actor), starts, ctx.calendar, now)
        await uow.meetings.save(meeting, now)
        asked: tuple[int, ...] = ()
        if meeting.status == MeetingStatus.CONFIRMED:
            await _confirmed(ctx, uow, review, meeting, now)
        else:
            await uow.audit.record(actor=actor.key, action="meeting.proposed", at=now,
                                   review_id=review.id, kind=meeting.kind.value,
                                   starts=meeting.starts.isoformat(), sequence=meeting.sequence)
            asked = tuple(meeting.awaiting())
            await _invite(ctx, uow, review, meeting, asked, now,
                          await _moved_notes(uow, before, meeting, asked))
            await _tell_proposers(uow, review, meeting, asked, now)
        agreed = await _names(uow, meeting.agreed())
        asked_again = await _names(uow, asked) if asked else ""
        await uow.commit()
    return Confirmation(meeting, agreed, asked, asked_again)


async def _resent_notes(uow, before: Meeting, meeting: Meeting, asked) -> dict[int, str]:
    """What changed since the invitation each person had before (nothing: a first one)."""
    if before.status == MeetingStatus.DRAFT:
        return {}
    if (before.starts, before.minutes) == (meeting.starts, meeting.minutes):
        return {p: "The place has changed; the time is the same. Can you make it?"
                for p in asked}
    organiser = (await uow.people.by_id(meeting.organiser_id)).name
    earlier = when_text(before.starts, before.minutes)
    notes = {}
    for person_id in asked:
        answer = before.answers.get(person_id)
        notes[person_id] = (
            f"The time has changed: you accepted {earlier}, and {organiser} now proposes this "
            "time. Can you make it?" if answer is not None and answer.accepted else
            f"The time has changed from {earlier}: {organiser} now proposes this time. Can you "
            "make it?")
    return notes


async def _tell_proposers(uow, review: Review, meeting: Meeting, asked, now: datetime) -> None:
    """Whoever proposed the time chosen hears it was taken up, and whom it waits for; the
    confirmed meeting follows when they accept (this notice is dropped if it is sooner)."""
    organiser = await uow.people.by_id(meeting.organiser_id)
    waiting = await _names(uow, asked)
    for person_id in meeting.agreed():
        if person_id == meeting.organiser_id:
            continue
        person = await uow.people.by_id(person_id)
        await uow.outbox.queue(OutgoingNotification(
            key=f"meeting:{meeting.id}:moved:{meeting.sequence}:person:{person_id}",
            recipient=person_recipient(person), kind="meeting_moved", review_id=review.id,
            about=About(meeting_id=meeting.id, meeting_sequence=meeting.sequence),
            payload={"text": f"{plain(organiser.name)} chose the time you proposed for the "
                             f"{in_sentence(meeting.kind.title)} for **{review.reference}**: "
                             f"{when_text(meeting.starts, meeting.minutes)}. "
                             f"{plain(waiting)} {'is' if len(asked) == 1 else 'are'} asked to "
                             "accept it; you will get the confirmed meeting once they do."}), now)


async def _moved_notes(uow, before: Meeting, meeting: Meeting, asked) -> dict[int, str]:
    """Why each person is asked again: the time they accepted (or were asked about) moved."""
    agreed = await _names(uow, meeting.agreed())
    agreed += " has" if len(meeting.agreed()) == 1 else " have"
    earlier = when_text(before.starts, before.minutes)
    notes = {}
    for person_id in asked:
        answer = before.answers.get(person_id)
        if answer is not None and answer.accepted:
            notes[person_id] = (f"The time has changed: you accepted {earlier}, and "
                                f"{agreed} agreed this time instead. Can you make it?")
        else:
            notes[person_id] = (f"The time has changed from {earlier}: {agreed} agreed "
                                "this time instead. Can you make it?")
    return notes


async def _confirmed(ctx: ServiceContext, uow, review: Review, meeting: Meeting,
                     now: datetime, *, audit: bool = True) -> None:
    """The confirmed meeting to each participant, with only the buttons that person may press;
    the others are told who will act. It says who agreed, and who did not."""
    if audit:
        await uow.audit.record(actor="imr-bot", action="meeting.confirmed", at=now,
                               review_id=review.id, kind=meeting.kind.value,
                               starts=meeting.starts.isoformat(), sequence=meeting.sequence)
    agreed = meeting.agreed()
    other = [p for p in meeting.participant_ids if p not in agreed]
    proposed_other = [p for p in other if p in meeting.answers]
    silent = [p for p in other if p not in meeting.answers]
    for person_id in meeting.participant_ids:
        person = await uow.people.by_id(person_id)
        confirmed = ConfirmedMeeting(
            **await _card_facts(ctx, uow, review, meeting, person),
            agreed=tuple(await _name_list(uow, agreed)),
            proposed_other=tuple(await _name_list(uow, proposed_other)),
            not_answered=tuple(await _name_list(uow, silent)),
            may_organise=await _may(uow, review, meeting, person, Permission.ORGANISE_MEETING))
        await uow.outbox.queue(OutgoingNotification(
            key=f"meeting:{meeting.id}:confirmed:{meeting.sequence}:{now.isoformat()}:person:{person_id}",
            recipient=person_recipient(person), kind="meeting_confirmed", review_id=review.id,
            about=About(meeting_id=meeting.id, meeting_sequence=meeting.sequence),
            payload={"view": "meeting_confirmed", "facts": confirmed.facts()}), now)


async def calendar_file(ctx: ServiceContext, token: str,
                        client: str = "") -> tuple[str, bytes] | None:
    """The .ics for a signed calendar link: always the meeting's current time and sequence. The
    person the link names must still be active and still invited; a refusal is audited."""
    checked = await links.check(ctx, CALENDAR_PURPOSE, token)
    ids = links.whole_numbers(checked.subject, 2) if checked.subject else None
    if ids is None:
        await links.refused(ctx, CALENDAR_PURPOSE, checked.refused or links.MALFORMED,
                            client=client)
        return None
    meeting_id, person_id = ids
    async with ctx.unit_of_work(read_only=True) as uow:
        meeting = await uow.meetings.get(meeting_id)
        person = await uow.people.by_id(person_id)
        reason = _calendar_refusal(meeting, person)
        if not reason:
            review = await uow.reviews.get_by_id(meeting.review_id)
            organiser = await uow.people.by_id(meeting.organiser_id)
            attendees = [await uow.people.by_id(p) for p in meeting.participant_ids]
    if reason:
        await links.refused(ctx, CALENDAR_PURPOSE, reason, client=client,
                            actor=person.email if person else f"person:{person_id}",
                            review_id=meeting.review_id if meeting else None)
        return None
    content = invitation(
        uid=f"imr-meeting-{meeting.id}@imr-bot", sequence=meeting.sequence,
        summary=f"IMR {review.reference}: {in_sentence(meeting.kind.title)}",
        description=f"{meeting.kind.title} for the Individual Management Review {review.reference}.",
        location=meeting.location, starts=meeting.starts, ends=meeting.ends,
        organiser=Invitee(organiser.name, organiser.email),
        attendees=[Invitee(p.name, p.email) for p in attendees], stamp=ctx.clock.now(),
        confirmed=meeting.status == MeetingStatus.CONFIRMED)
    return f"imr-{meeting.kind.value}-meeting.ics", content


def _calendar_refusal(meeting: Meeting | None, person: Person | None) -> str:
    if meeting is None:
        return links.NOT_FOUND
    if person is None or not person.active:
        return links.INACTIVE
    if not meeting.is_participant(person.id):
        return links.NOT_ENTITLED
    return ""


# -- outcomes ------------------------------------------------------------------------------------
LATER_THAN_SCOPING = (Milestone.MIDWAY_REVIEW, Milestone.REPORT_TO_QA, Milestone.QA_COMPLETE,
                      Milestone.DDSCP_SUBMISSION)


async def outcome_form(ctx: ServiceContext, actor: Actor, meeting_id: int) -> OutcomeForm:
    """What the QA lead records the meeting's outcome on."""
    async with ctx.unit_of_work(read_only=True) as uow:
        meeting, review = await _load(uow, meeting_id)
        if _person_id(actor) != meeting.organiser_id:
            raise NotAllowed("Only the QA senior lead for this review can record the outcome.")
        if meeting.kind == MeetingKind.QA:
            raise DomainError("A QA and author meeting has no outcome to record.")
        attendees = tuple(zip(meeting.participant_ids,
                              await _name_list(uow, meeting.participant_ids), strict=True))
    held_on = default_held_on(meeting.starts, ctx.clock.today())
    if meeting.kind == MeetingKind.SCOPING:
        return OutcomeForm(review.reference, meeting.kind, meeting.id, held_on, attendees,
                           milestones=tuple((m, review.plan.due[m]) for m in LATER_THAN_SCOPING))
    return OutcomeForm(review.reference, meeting.kind, meeting.id, held_on, attendees,
                       ddscp=review.plan.deadline)


@dataclass(frozen=True)
class Recorded:
    review: Review
    said: str


async def record_outcome(ctx: ServiceContext, actor: Actor, meeting_id: int,
                         values: dict) -> Recorded:
    now = ctx.clock.now()
    async with ctx.unit_of_work() as uow:
        meeting, review = await _load(uow, meeting_id)
        meeting = meeting.mark_held(_person_id(actor))
        try:
            held_on = date.fromisoformat(str(values.get("held_on") or ""))
        except ValueError:
            raise DomainError("Please give the date the meeting was held.") from None
        if held_on > ctx.clock.today():
            raise DomainError("The meeting can't have been held in the future.")
        attendee_ids = [whole_number(p, low=1) for p in str(values.get("attendees") or "").split(",")
                        if p.strip()]
        if None in attendee_ids:
            raise DomainError("Please choose the attendees from the list.")
        notes = str(values.get("notes") or "").strip()[:2000]
        roles = {Role.QA_LEAD}
        if meeting.kind == MeetingKind.SCOPING:
            new_due = {}
            for milestone in LATER_THAN_SCOPING:
                raw = values.get(f"due_{milestone.value}")
                if raw:
                    try:
                        new_due[milestone] = date.fromisoformat(str(raw))
                    except ValueError:
                        raise DomainError(f"{milestone.title}: please give a date.") from None
            plan = review.plan.agree(new_due, ctx.calendar, by=actor.key, at=now,
                                     reason=f"timescale agreed at the scoping meeting on "
                                            f"{format_date(held_on)}")
            updated = replace(review, plan=plan).apply(Event.RECORD_SCOPING, roles, held_on,
                                                       ctx.calendar)
            detail = {"agreed": {m.value: d.isoformat() for m, d in new_due.items()}}
            headline = "The scoping meeting agreed this timescale"
        else:
            outcome = MidwayOutcome(str(values.get("outcome") or "on_track"))
            reason = str(values.get("reason") or "").strip()
            plan = review.plan
            if outcome == MidwayOutcome.AT_RISK and not reason:
                raise DomainError("Please say why the review is at risk.")
            if outcome == MidwayOutcome.EXTENSION:
                if str(values.get("ddscp_agreed")).lower() != "true":
                    raise DomainError("An extension needs DDSCP's agreement: please tick that "
                                      "DDSCP agreed the new date.")
                try:
                    deadline = date.fromisoformat(str(values.get("ddscp") or ""))
                except ValueError:
                    raise DomainError("Please give the new DDSCP date.") from None
                plan = plan.rebase_to_deadline(deadline, ctx.calendar, by=actor.key, at=now,
                                               reason=f"extension agreed with DDSCP at the midway "
                                                      f"review ({reason or 'no reason given'})")
            updated = replace(review, plan=plan).apply(Event.RECORD_MIDWAY, roles, held_on,
                                                       ctx.calendar)
            detail = {"outcome": outcome.value, "reason": reason}
            headline = f"Midway review: {in_sentence(outcome.title)}"
        await uow.meetings.save(meeting, now)
        await uow.reviews.save(updated, now)
        await uow.audit.record(actor=actor.key, action=f"meeting.{meeting.kind.value}_recorded",
                               at=now, review_id=review.id, held_on=held_on.isoformat(),
                               attendees=len(attendee_ids), notes=bool(notes), **detail)
        recorded = MeetingRecorded(ReviewFacts.of(updated), meeting.id, headline,
                                   by=actor.person_id)
        published = await notifications.publish(uow, [recorded], now)
        text = f"{recorded_text(recorded)} {published.words}".strip()
        if meeting.kind == MeetingKind.SCOPING:
            await create_draft(ctx, uow, updated, MeetingKind.MIDWAY)
        await uow.commit()
    return Recorded(updated, text)


async def propose_qa_meeting(ctx: ServiceContext, actor: Actor, reference: str) -> Meeting:
    """During QA, the QA lead may arrange a meeting with the author."""
    async with ctx.unit_of_work() as uow:
        review = await uow.reviews.get(reference)
        if review is None:
            raise UnknownReview(reference, closest(reference, await uow.reviews.references()))
        if review.people.get(Role.QA_LEAD) != _person_id(actor):
            raise NotAllowed("Only the QA senior lead for this review can arrange that.")
        if review.stage not in QA_STAGES:
            raise DomainError("A QA and author meeting can be arranged once the report is with "
                              "the QA lead.")
        meeting = await create_draft(ctx, uow, review, MeetingKind.QA)
        await uow.commit()
    return meeting


STATUS_WORDS = {MeetingStatus.DRAFT: "Not sent yet", MeetingStatus.PROPOSED: "Being answered",
                MeetingStatus.CONFIRMED: "Confirmed", MeetingStatus.HELD: "Held",
                MeetingStatus.CANCELLED: "Cancelled"}


@dataclass(frozen=True)
class MeetingLine:
    title: str
    status: str
    when: str
    waiting_for: str


async def overview(ctx: ServiceContext, actor: Actor, reference: str) -> tuple[Review, list[MeetingLine]]:
    require(Permission.VIEW_STATUS, actor)
    async with ctx.unit_of_work(read_only=True) as uow:
        review = await uow.reviews.get(reference)
        if review is None:
            raise UnknownReview(reference, closest(reference, await uow.reviews.references()))
        lines = []
        for meeting in await uow.meetings.for_review(review.id):
            if meeting.status == MeetingStatus.DRAFT:
                waiting = f"{(await uow.people.by_id(meeting.organiser_id)).name} to send it"
            elif meeting.status == MeetingStatus.PROPOSED:
                counters = meeting.counter_proposals()
                waiting = (f"answers from {await _names(uow, meeting.awaiting())}"
                           if meeting.awaiting() else "")
                if counters:
                    waiting = (waiting + "; " if waiting else "") + (
                        f"{(await uow.people.by_id(meeting.organiser_id)).name} to confirm a time "
                        f"({len(counters)} other "
                        f"{'time' if len(counters) == 1 else 'times'} proposed)")
            elif meeting.status == MeetingStatus.CONFIRMED and meeting.kind != MeetingKind.QA:
                waiting = f"{(await uow.people.by_id(meeting.organiser_id)).name} to record the outcome"
            else:
                waiting = "nothing"
            lines.append(MeetingLine(meeting.kind.title, STATUS_WORDS[meeting.status],
                                     when_text(meeting.starts, meeting.minutes), waiting or "nothing"))
    return review, lines


async def change_form(ctx: ServiceContext, actor: Actor, meeting_id: int) -> Proposal:
    """The proposal card again, for the QA lead to change a meeting's time or place."""
    async with ctx.unit_of_work(read_only=True) as uow:
        meeting, review = await _load(uow, meeting_id)
        if _person_id(actor) != meeting.organiser_id:
            raise NotAllowed("Only the QA senior lead for this review can change the meeting.")
        passed = ("The time shown has already passed: please choose a later date or time."
                  if meeting.starts <= ctx.clock.now() else "")
        return await proposal(uow, review, meeting, passed)
