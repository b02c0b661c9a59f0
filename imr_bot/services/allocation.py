"""Days 1-4: the Head of CP & IRO allocates a report author and a QA senior lead.

The author answers: accept (declaring independence) or decline with a reason, which goes back to
the Head of CP with the next suggestions. Acceptance moves the review on and tells the QA lead and
the author's line manager.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta

from imr_bot.clock import LONDON
from imr_bot.domain.allocation import (
    CaseContext,
    Exclusion,
    PoolEntry,
    Suggestion,
    check_acceptance,
    check_decline,
    suggest,
)
from imr_bot.domain.dates import format_date
from imr_bot.domain.errors import DomainError, MomentPassed, NotAllowed
from imr_bot.domain.events import AllocationAccepted, AllocationDeclined, ReviewFacts
from imr_bot.domain.people import Actor, Person
from imr_bot.domain.plan import Milestone
from imr_bot.domain.policy import Permission, require
from imr_bot.domain.review import Review
from imr_bot.domain.roles import Role
from imr_bot.domain.stages import Event, Stage
from imr_bot.domain.words import in_sentence
from imr_bot.store.allocations import AllocationRecord

from . import notifications
from .context import ServiceContext


@dataclass(frozen=True)
class AllocationOptions:
    review: Review
    authors: list[Suggestion]
    authors_excluded: list[Exclusion]
    qa_leads: list[Suggestion]
    qa_excluded: list[Exclusion]
    involved: set[str]
    people: list[Person]
    history: list[str]
    pending: AllocationRecord | None


async def _options(ctx: ServiceContext, uow, review: Review,
                   involved: set[str] | None = None) -> AllocationOptions:
    (found,) = await options_for_many(ctx, uow, [review],
                                      {} if involved is None else {review.id: involved})
    return found


async def options_for_many(ctx: ServiceContext, uow, reviews: list[Review],
                           involved: dict[int, set[str]] | None = None) -> list[AllocationOptions]:
    """Suggestions for each review, with the pool and its loads read once for all of them;
    `involved` (emails, by review id) replaces a review's recorded involved managers."""
    people = await uow.people.all()
    by_id = {p.id: p for p in people}
    author_loads = await uow.open_loads(Role.AUTHOR)
    for author, count in (await uow.allocations.open_offer_counts()).items():
        author_loads[author] = author_loads.get(author, 0) + count
    qa_loads = await uow.open_loads(Role.QA_LEAD)
    last = await uow.allocations.last_allocated()
    ids = [review.id for review in reviews]
    recorded_involved = await uow.allocations.involved_for(ids)
    conflicts = await uow.allocations.conflicts_for(ids)
    records_of = await uow.allocations.for_reviews(ids)
    today = ctx.clock.today()
    author_pool = [PoolEntry(p, author_loads.get(p.id, 0), last[p.id].date() if p.id in last else None)
                   for p in people]
    last_qa = await uow.allocations.last_qa_allocated()
    qa_pool = [PoolEntry(p, qa_loads.get(p.id, 0),
                         last_qa[p.id].date() if p.id in last_qa else None) for p in people]
    said = {"offered": lambda r: "asked, no answer yet", "accepted": lambda r: "accepted",
            "declined": lambda r: f"declined: {r.reason}",
            "withdrawn": lambda r: f"offer withdrawn: {r.reason}",
            "reallocated": lambda r: f"accepted, then withdrawn to reallocate: {r.reason}"}
    found = []
    for review in reviews:
        involved_here = (involved or {}).get(review.id, recorded_involved.get(review.id, set()))
        records = records_of.get(review.id, [])
        case = CaseContext(plan_first=today, plan_last=review.plan.deadline,
                           involved_emails=frozenset(involved_here),
                           conflicts=conflicts.get(review.id, {}),
                           declined={r.author_id: r.reason or "no reason given"
                                     for r in records if r.status == "declined"})
        authors, authors_excluded = suggest(author_pool, case, today, role=Role.AUTHOR)
        qa_leads, qa_excluded = suggest(qa_pool, case, today, role=Role.QA_LEAD)
        history = [f"{by_id[r.author_id].name if r.author_id in by_id else 'someone'}, "
                   f"{format_date(r.offered_at.date())}: {said[r.status](r)}" for r in records]
        offers = [r for r in records if r.status == "offered"]
        found.append(AllocationOptions(
            review, authors, authors_excluded, qa_leads, qa_excluded, set(involved_here),
            [p for p in people if p.active], history, offers[-1] if offers else None))
    return found


async def options(ctx: ServiceContext, actor: Actor, reference: str,
                  involved: set[str] | None = None) -> AllocationOptions:
    """Suggestions for a review; `involved` (emails) replaces the recorded involved managers."""
    require(Permission.ALLOCATE, actor)
    async with ctx.unit_of_work() as uow:
        review = await uow.reviews.require(reference)
        if involved is not None:
            involved = {e.strip().lower() for e in involved if e.strip()}
            if involved != await uow.allocations.involved(review.id):
                await uow.allocations.set_involved(review.id, involved)
                await uow.audit.record(actor=actor.key, action="review.involved_managers",
                                       at=ctx.clock.now(), review_id=review.id,
                                       count=len(involved))
                await uow.commit()
        return await _options(ctx, uow, review, involved)


async def offer(ctx: ServiceContext, actor: Actor, reference: str, author_id: int,
                qa_lead_id: int, involved: set[str] | None = None) -> tuple[Review, Person]:
    """Offer the review to an author, with a QA senior lead; the author is asked on a card."""
    require(Permission.ALLOCATE, actor)
    now = ctx.clock.now()
    async with ctx.unit_of_work() as uow:
        review = await uow.reviews.require(reference)
        if not review.is_open or review.stage == Stage.ON_HOLD:
            raise DomainError(f"{review.reference} is '{review.stage.title}'; it can't be allocated.")
        if involved is not None:
            await uow.allocations.set_involved(review.id, {e.strip().lower() for e in involved})
        current = await _options(ctx, uow, review)
        if current.pending is not None:
            asked = next((p.name for p in current.people if p.id == current.pending.author_id),
                         "an author")
            raise DomainError(f"{asked} has already been asked and has not answered. Use "
                              f"`imr reallocate {review.reference} REASON` to ask someone else.")
        if review.stage != Stage.COMMISSIONED and Role.AUTHOR in review.people:
            raise DomainError(f"{review.reference} already has an author. Use "
                              f"`imr reallocate {review.reference} REASON` to change it.")
        author = _pick(current.authors, current.authors_excluded, author_id, "report author")
        qa_lead = _pick(current.qa_leads, current.qa_excluded, qa_lead_id, "QA senior lead")
        if author.id == qa_lead.id:
            raise DomainError("The author and the QA senior lead must be different people.")
        allocation_id = await uow.allocations.offer(review_id=review.id, author_id=author.id,
                                                    qa_lead_id=qa_lead.id, by=actor.key, at=now)
        await uow.audit.record(actor=actor.key, action="allocation.offered", at=now,
                               review_id=review.id, author=author.email, qa_lead=qa_lead.email)
        await uow.outbox.queue(notifications.allocation_offer(
            review, allocation_id, author, qa_lead, ctx.calendar), now)
        await uow.commit()
    return review, author


def _offer_closed(record: AllocationRecord) -> str:
    """What became of an offer, truthfully, for whoever presses its card afterwards."""
    # the reason for a withdrawal is the Head of CP's note, not the author's to read here
    on = (f" on {format_date(record.answered_at.astimezone(LONDON).date())}"
          if record.answered_at else "")
    if record.status == "withdrawn":
        return f"This offer was withdrawn{on}."
    if record.status == "reallocated":
        return f"You were withdrawn as the report author{on}, to reallocate the review."
    if record.status == "accepted":
        return f"You accepted this offer{on}."
    if record.status == "declined":
        return f"You declined this offer{on}."
    return "This offer is closed."


def _pick(suggested: list[Suggestion], excluded: list[Exclusion], person_id: int,
          role_name: str) -> Person:
    for suggestion in suggested:
        if suggestion.person.id == person_id:
            return suggestion.person
    for exclusion in excluded:
        if exclusion.person.id == person_id:
            raise DomainError(f"{exclusion.person.name} can't be the {role_name}: "
                              f"{exclusion.reason}.")
    raise DomainError(f"Please choose a {role_name} from the suggestions.")


async def answer(ctx: ServiceContext, actor: Actor, allocation_id: int, *, accept: bool,
                 declared_independent: bool = False, reason: str = "") -> tuple[Review, str]:
    """The offered author accepts (declaring independence) or declines with a reason."""
    now, today = ctx.clock.now(), ctx.clock.today()
    async with ctx.unit_of_work() as uow:
        record = await uow.allocations.get(allocation_id)
        if record is None:
            raise DomainError("That allocation no longer exists.")
        if actor.person is None or actor.person.id != record.author_id:
            raise NotAllowed("Only the person this review was offered to can answer.")
        review = await uow.reviews.get_by_id(record.review_id)
        if record.status != "offered":
            raise MomentPassed(_offer_closed(record), review.reference if review else "")
        if review is None or not review.is_open:
            raise MomentPassed(
                f"{review.reference} is closed ({in_sentence(review.stage.title)}), so this offer "
                "can no longer be answered." if review else "That review no longer exists.",
                review.reference if review else "")
        if review.stage == Stage.ON_HOLD:
            raise DomainError(f"{review.reference} is on hold. You can answer this offer when it "
                              "resumes.")
        if accept:
            check_acceptance(declared_independent)
        else:
            reason = check_decline(reason)
        if not await uow.allocations.answer(allocation_id, "accepted" if accept else "declined",
                                            now, None if accept else reason):
            raise DomainError("This offer was answered a moment ago.")
        author = actor.person
        if not accept:
            await uow.audit.record(actor=actor.key, action="allocation.declined", at=now,
                                   review_id=review.id, reason=reason)
            options_now = await _options(ctx, uow, review)

            async def declined_card(_notice, _head) -> dict:
                return notifications.allocation_declined_facts(author, reason, options_now)

            published = await notifications.publish(uow, [AllocationDeclined(
                ReviewFacts.of(review), allocation_id, author.name, reason,
                by=author.id)], now, declined_card)
            await uow.commit()
            return review, _with("Thank you. The Head of CP & IRO will ask someone else.",
                                 published)
        qa_lead = await uow.people.by_id(record.qa_lead_id)
        line_manager = (await uow.people.by_email(author.line_manager_email)
                        if author.line_manager_email else None)
        people = {**review.people, Role.AUTHOR: author.id, Role.QA_LEAD: qa_lead.id}
        if line_manager is not None:
            people[Role.LINE_MANAGER] = line_manager.id
        else:
            people.pop(Role.LINE_MANAGER, None)
        updated = replace(review, people=people)
        if review.stage == Stage.COMMISSIONED:
            updated = updated.apply(Event.ACCEPT_ALLOCATION, {Role.AUTHOR}, today, ctx.calendar)
        await uow.reviews.save(updated, now)
        await uow.audit.record(actor=actor.key, action="allocation.accepted", at=now,
                               review_id=review.id, declaration=True)
        scoping = format_date(updated.plan.due[Milestone.SCOPING_MEETING])
        published = await notifications.publish(uow, [AllocationAccepted(
            ReviewFacts.of(updated), allocation_id, author.id, author.name, qa_lead.id,
            qa_lead.name, line_manager.id if line_manager is not None else None,
            by=author.id)], now)
        if review.stage == Stage.COMMISSIONED:
            # the next step: the QA lead arranges the scoping meeting
            from .meetings import MeetingKind, create_draft

            await create_draft(ctx, uow, updated, MeetingKind.SCOPING)
        await uow.commit()
    return updated, _with(f"Thank you: you are the report author for {updated.reference}, with "
                          f"{qa_lead.name} as QA senior lead. The scoping meeting is due "
                          f"{scoping}.", published)


def _with(said: str, published: notifications.Published) -> str:
    """A reply, and who was told because of it."""
    return f"{said} {published.words}".strip()


async def reallocate(ctx: ServiceContext, actor: Actor, reference: str,
                     reason: str) -> AllocationOptions:
    """Withdraw the current author (or the unanswered offer), keeping the history, and start the
    author's answer step again."""
    require(Permission.ALLOCATE, actor)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("Please give a reason for reallocating; it is kept in the history.")
    now = ctx.clock.now()
    async with ctx.unit_of_work() as uow:
        review = await uow.reviews.require(reference)
        if not review.is_open:
            raise DomainError(f"{review.reference} is closed ({review.stage.title}).")
        withdrawn = await uow.allocations.withdraw_open(review.id, now, reason)
        if not withdrawn:
            raise DomainError(f"{review.reference} has no author or offer to withdraw; use "
                              f"`imr allocate {review.reference}`.")
        people = {r: p for r, p in review.people.items() if r not in (Role.AUTHOR, Role.LINE_MANAGER)}
        updated = replace(review, people=people)
        await uow.reviews.save(updated, now)
        await uow.audit.record(actor=actor.key, action="allocation.reallocated", at=now,
                               review_id=review.id, reason=reason)
        await uow.commit()
        return await _options(ctx, uow, updated)


async def declare_conflict(ctx: ServiceContext, actor: Actor, reference: str, reason: str) -> Review:
    require(Permission.DECLARE_CONFLICT, actor)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("Please say what the conflict is (it is kept, and only the Head of CP "
                          "sees it).")
    async with ctx.unit_of_work() as uow:
        review = await uow.reviews.require(reference)
        await uow.allocations.declare_conflict(review.id, actor.person.id, reason[:500],
                                               ctx.clock.now())
        await uow.audit.record(actor=actor.key, action="allocation.conflict_declared",
                               at=ctx.clock.now(), review_id=review.id)
        await uow.commit()
    return review


LOAD_WINDOW = timedelta(days=365)


@dataclass(frozen=True)
class LoadRow:
    person: Person
    open_imrs: int
    open_offers: int
    qa_open: int
    allocations_12_months: int  # as author: offers they accepted
    qa_allocations_12_months: int = 0  # reviews they were made QA senior lead of


async def loads(ctx: ServiceContext, actor: Actor) -> list[LoadRow]:
    """The fairness view: open IMRs and allocations in the last 12 months per person."""
    require(Permission.VIEW_PEOPLE, actor)
    async with ctx.unit_of_work(read_only=True) as uow:
        people = [p for p in await uow.people.all() if p.active]
        authors = await uow.open_loads(Role.AUTHOR)
        qa = await uow.open_loads(Role.QA_LEAD)
        offers = await uow.allocations.open_offer_counts()
        since = ctx.clock.now() - LOAD_WINDOW
        recent = await uow.allocations.accepted_since(since)
        recent_qa = await uow.allocations.qa_accepted_since(since)
    return [LoadRow(p, authors.get(p.id, 0), offers.get(p.id, 0), qa.get(p.id, 0),
                    recent.get(p.id, 0), recent_qa.get(p.id, 0))
            for p in people if {Role.AUTHOR, Role.QA_LEAD} & p.roles]
