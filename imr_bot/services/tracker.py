"""The tracker: where every open review stands, for everybody who may ask."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import date, datetime

from imr_bot.domain.errors import UnknownReview
from imr_bot.domain.people import Actor, Person
from imr_bot.domain.plan import MILESTONE_ORDER, Milestone
from imr_bot.domain.policy import Permission, require
from imr_bot.domain.rag import Rag, Standing, standing, standing_from
from imr_bot.domain.review import Review
from imr_bot.domain.roles import REVIEW_ROLES, Role
from imr_bot.domain.stages import Stage

from .context import ServiceContext

AUDIT_TITLES = {
    "review.commissioned": "Commission logged",
    "review.edited": "Details corrected",
    "review.rebased": "Plan re-based",
    "review.held": "Put on hold",
    "review.resumed": "Resumed",
    "review.withdrawn": "Withdrawn",
    "channel.subscribed": "Tracker channel set",
}


@dataclass(frozen=True)
class BoardRow:
    reference: str
    review_type: str
    stage: Stage
    milestone: Milestone | None
    due: date | None
    working_days_left: int | None
    rag: Rag
    holder: str


@dataclass(frozen=True)
class TimelineRow:
    day: int
    milestone: Milestone
    planned: date
    actual: date | None


@dataclass(frozen=True)
class AuditLine:
    at: datetime
    actor: str
    action: str
    detail: dict


@dataclass(frozen=True)
class ReviewDetail:
    review: Review
    standing: Standing
    holder: str
    timeline: list[TimelineRow]
    people: list[tuple[str, str]]  # (role title, name)
    recent: list[AuditLine]


def _urgency(row: BoardRow) -> tuple:
    left = row.working_days_left
    return (left is None, left if left is not None else 0, row.reference.casefold())


async def board(ctx: ServiceContext, actor: Actor, scope: str = "all") -> list[BoardRow]:
    """Open reviews, most urgent first. scope: all, mine (where I hold a role or the next step)
    or overdue. Reads only what the board shows: one row per review and its next due date."""
    require(Permission.VIEW_STATUS, actor)
    today = ctx.clock.today()
    async with ctx.unit_of_work(read_only=True) as uow:
        reviews = await uow.reminder_source.open_with_next_due()
        links = await uow.reminder_source.people_of([r[0] for r in reviews])
        all_people = await uow.people.all()
    people_by_id = {p.id: p for p in all_people}
    holders_by_role: dict = {}
    rows = []
    for review_id, reference, review_type, stage, due in reviews:
        people = links.get(review_id, {})
        if scope == "mine" and not _involves(stage, people, actor):
            continue
        where = standing_from(due, stage, today, ctx.calendar)
        if scope == "overdue" and where.rag != Rag.RED:
            continue
        rows.append(BoardRow(reference, review_type, stage, where.milestone, where.due,
                             where.working_days_left, where.rag,
                             _holder_of(stage, people, people_by_id, all_people, holders_by_role)))
    return sorted(rows, key=_urgency)


def _holder_of(stage: Stage, people: dict, people_by_id: dict, all_people: list,
               cache: dict) -> str:
    role = stage.next_step_holder
    if role is None:
        return "—"
    if role in REVIEW_ROLES:
        person = people_by_id.get(people.get(role, -1))
        return person.name if person else f"{role.title} (not yet allocated)"
    if role not in cache:
        holders = [p.name for p in all_people if role in p.roles and p.active]
        cache[role] = holders[0] if len(holders) == 1 else role.title
    return cache[role]


def _involves(stage: Stage, people: dict, actor: Actor) -> bool:
    """A review is "mine" when I hold a role on it, or the next step is my organisation role."""
    if actor.person is None:
        return False
    if actor.person.id in people.values():
        return True
    holder = stage.next_step_holder
    return holder is not None and holder not in REVIEW_ROLES and holder in actor.roles


async def detail(ctx: ServiceContext, actor: Actor, reference: str) -> ReviewDetail:
    require(Permission.VIEW_STATUS, actor)
    today = ctx.clock.today()
    async with ctx.unit_of_work(read_only=True) as uow:
        review = await uow.reviews.get(reference)
        if review is None:
            raise UnknownReview(reference.strip(), closest(reference, await uow.reviews.references()))
        all_people = await uow.people.all()
        recent = await uow.audit.for_review(review.id, limit=5)
    people_by_id = {p.id: p for p in all_people}
    by_email = {p.email: p.name for p in all_people}
    timeline = [TimelineRow(ctx.calendar.day_number(review.plan.day_one, review.plan.due[m]), m,
                            review.plan.due[m], review.plan.done.get(m)) for m in MILESTONE_ORDER]
    people = [(role.title, people_by_id[pid].name + _unreachable(people_by_id[pid]))
              for role, pid in sorted(
        review.people.items(), key=lambda item: list(Role).index(item[0])) if pid in people_by_id]
    return ReviewDetail(
        review=review, standing=standing(review.plan, review.stage, today, ctx.calendar),
        holder=_holder_of(review.stage, review.people, people_by_id, all_people, {}), timeline=timeline, people=people,
        recent=[AuditLine(e.at, by_email.get(e.actor, e.actor), AUDIT_TITLES.get(e.action, e.action),
                          e.detail) for e in recent])


def _unreachable(person: Person) -> str:
    return " (can't be reached in Teams: blocked or removed the bot)" if person.unreachable_since else ""


def closest(reference: str, references: list[str], limit: int = 3) -> list[str]:
    wanted = reference.strip().casefold()
    keyed = {r.casefold(): r for r in references}
    matches = difflib.get_close_matches(wanted, list(keyed), n=limit, cutoff=0.5)
    if not matches:
        matches = [k for k in keyed if wanted and (wanted in k or k.endswith(wanted.split("/")[-1]))][:limit]
    return [keyed[m] for m in matches]
