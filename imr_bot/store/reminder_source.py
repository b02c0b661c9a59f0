"""What the reminder sweep reads, in as few queries as possible: only the reviews whose next
milestone falls within the reminder horizon are loaded, whatever the size of the tracker."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, case, select
from sqlalchemy.ext.asyncio import AsyncConnection

from imr_bot.domain.roles import Role
from imr_bot.domain.stages import CLOSED_STAGES, NEXT_MILESTONE, Stage

from . import tables as t


@dataclass(frozen=True)
class DueRow:
    review_id: int
    reference: str
    stage: Stage
    due: date


@dataclass(frozen=True)
class DirectoryRow:
    id: int
    email: str
    roles: frozenset[str]
    line_manager_email: str | None
    active: bool


class ReminderSource:
    def __init__(self, connection: AsyncConnection):
        self._c = connection

    async def due_by(self, horizon: date) -> list[DueRow]:
        next_milestone = case({s.value: m.value for s, m in NEXT_MILESTONE.items()},
                              value=t.reviews.c.stage)
        rows = (await self._c.execute(
            select(t.reviews.c.id, t.reviews.c.reference, t.reviews.c.stage, t.milestones.c.due)
            .join(t.milestones, and_(t.milestones.c.review_id == t.reviews.c.id,
                                     t.milestones.c.milestone == next_milestone))
            .where(t.reviews.c.stage.in_([s.value for s in NEXT_MILESTONE]),
                   t.milestones.c.due <= horizon))).all()
        return [DueRow(r.id, r.reference, Stage(r.stage), r.due) for r in rows]

    async def open_with_next_due(self) -> list[tuple[int, str, str, Stage, date | None]]:
        """Every open review with the due date of the milestone it works towards:
        (id, reference, review type, stage, due)."""
        next_milestone = case({s.value: m.value for s, m in NEXT_MILESTONE.items()},
                              value=t.reviews.c.stage)
        rows = (await self._c.execute(
            select(t.reviews.c.id, t.reviews.c.reference, t.reviews.c.review_type,
                   t.reviews.c.stage, t.milestones.c.due)
            .select_from(t.reviews.outerjoin(t.milestones, and_(
                t.milestones.c.review_id == t.reviews.c.id,
                t.milestones.c.milestone == next_milestone)))
            .where(t.reviews.c.stage.not_in([s.value for s in CLOSED_STAGES])))).all()
        return [(r.id, r.reference, r.review_type, Stage(r.stage), r.due) for r in rows]

    async def directory(self) -> list[DirectoryRow]:
        rows = (await self._c.execute(select(
            t.people.c.id, t.people.c.email, t.people.c.roles, t.people.c.line_manager_email,
            t.people.c.active))).all()
        return [DirectoryRow(r.id, r.email, frozenset((r.roles or "").split(",")),
                             r.line_manager_email, bool(r.active)) for r in rows]

    async def people_of(self, review_ids: list[int]) -> dict[int, dict[Role, int]]:
        found: dict[int, dict[Role, int]] = {}
        for start in range(0, len(review_ids), 5000):
            for link in (await self._c.execute(select(t.review_people).where(
                    t.review_people.c.review_id.in_(review_ids[start:start + 5000])))).all():
                found.setdefault(link.review_id, {})[Role(link.role)] = link.person_id
        return found
