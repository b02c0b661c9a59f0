"""What the reminder sweep reads and marks, in as few statements as possible: only the reviews
whose next milestone falls within the reminder horizon, and that no sweep has handled today in their
present form, are loaded, whatever the size of the tracker."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from functools import cache

from sqlalchemy import (
    Integer,
    and_,
    any_,
    bindparam,
    case,
    func,
    literal,
    literal_column,
    or_,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncConnection

from imr_bot.domain.roles import REVIEW_ROLES, Role
from imr_bot.domain.stages import CLOSED_STAGES, NEXT_STEP_HOLDER, Stage

from . import tables as t
from .bulk import insert_many


@dataclass(frozen=True)
class DueRow:
    review_id: int
    reference: str
    stage: Stage
    due: date
    version: int = 0


@dataclass(frozen=True)
class BoardRecord:
    review_id: int
    reference: str
    review_type: str
    stage: Stage
    due: date | None
    holder_name: str | None  # when the next step is held by a role on the review


@dataclass(frozen=True)
class DirectoryRow:
    id: int
    email: str
    name: str
    roles: frozenset[str]
    line_manager_email: str | None
    active: bool


class ReminderSource:
    def __init__(self, connection: AsyncConnection):
        self._c = connection

    async def claim_sweep(self) -> bool:
        """One sweep at a time: on PostgreSQL a transaction-scoped advisory lock (another process
        already sweeping means this one has nothing to add); SQLite's write lock serialises anyway."""
        if self._c.dialect.name != "postgresql":
            return True
        return bool(await self._c.scalar(text("SELECT pg_try_advisory_xact_lock(7242002)")))

    def _due_by(self, horizon: date):
        return (select(t.reviews.c.id, t.reviews.c.reference, t.reviews.c.stage,
                       t.reviews.c.next_due.label("due"), t.reviews.c.version)
                .where(t.reviews.c.next_due <= horizon))

    async def due_by(self, horizon: date) -> list[DueRow]:
        """Open reviews whose next milestone is due on or before `horizon`."""
        return _rows(await self._c.execute(self._due_by(horizon)))

    async def unswept(self, horizon: date, silent: list[date], today: date,
                      directory: str) -> list[DueRow]:
        """As `due_by`, less the reviews due on a `silent` date (they owe nothing today) and those
        a sweep handled today at their present version and with this directory (see
        `tables.reminder_marks`)."""
        mark = t.reminder_marks.c
        query = (self._due_by(horizon)
                 .outerjoin(t.reminder_marks, mark.review_id == t.reviews.c.id)
                 .where(or_(mark.review_id.is_(None), mark.day != today,
                            mark.review_version != t.reviews.c.version,
                            mark.directory != directory)))
        if silent:
            query = query.where(t.reviews.c.next_due.not_in(silent))
        return _rows(await self._c.execute(query))

    async def mark_swept(self, rows: list[DueRow], today: date, directory: str) -> None:
        if not rows:
            return
        await insert_many(self._c, t.reminder_marks, [
            {"review_id": r.review_id, "day": today, "review_version": r.version,
             "directory": directory} for r in rows],
            conflict=["review_id"], update=["day", "review_version", "directory"])

    async def board_page(self, *, overdue_before: date | None, mine: tuple[int, list[Stage]] | None,
                         offset: int, limit: int) -> tuple[list[BoardRecord], int]:
        """One page of open reviews, soonest next due date first (on hold last), with the name of
        whoever holds the next step where that is a role on the review; and how many reviews
        there are in all. `overdue_before`: only those whose next milestone was due before then;
        `mine`: only those where this person holds a role, or whose stage is held by one of the
        person's organisation roles (given as stages)."""
        page = _board_queries(overdue_before is not None, mine is not None)
        values = {"offset": offset, "limit": limit}
        if overdue_before is not None:
            values["overdue_before"] = overdue_before
        if mine is not None:
            values["person_id"], values["stages"] = mine[0], [s.value for s in mine[1]] or [""]
        rows = (await self._c.execute(page, values)).all()
        if rows:
            total = rows[0].total
        elif offset:  # past the last page (the board shrank): the count, from the first row
            first = (await self._c.execute(page, {**values, "offset": 0, "limit": 1})).first()
            total = first.total if first else 0
        else:
            total = 0
        return [BoardRecord(r.id, r.reference, r.review_type, Stage(r.stage), r.due, r.holder_name)
                for r in rows], int(total or 0)

    async def directory(self) -> list[DirectoryRow]:
        rows = (await self._c.execute(select(
            t.people.c.id, t.people.c.email, t.people.c.name, t.people.c.roles,
            t.people.c.line_manager_email, t.people.c.active).order_by(t.people.c.name))).all()
        return [DirectoryRow(r.id, r.email, r.name, frozenset((r.roles or "").split(",")),
                             r.line_manager_email, bool(r.active)) for r in rows]

    async def people_of(self, review_ids: list[int]) -> dict[int, dict[Role, int]]:
        found: dict[int, dict[Role, int]] = {}
        if not review_ids:
            return found
        link = t.review_people.c
        query = select(link.review_id, link.role, link.person_id).where(
            _one_of(self._c, link.review_id, review_ids))
        roles = {role.value: role for role in Role}
        for review_id, role, person_id in await self._c.execute(query):
            found.setdefault(review_id, {})[roles[role]] = person_id
        return found


def _rows(result) -> list[DueRow]:
    return [DueRow(r.id, r.reference, Stage(r.stage), r.due, r.version) for r in result]


def _one_of(connection: AsyncConnection, column, ids: list[int]):
    """`column IN ids` with the whole list as one parameter: tens of thousands of ids cost one
    bind rather than one each (PostgreSQL: an array; SQLite: a JSON list)."""
    if connection.dialect.name == "postgresql":
        return column == any_(literal(ids, ARRAY(Integer)))
    return column.in_(select(literal_column("value")).select_from(
        func.json_each(literal(json.dumps(ids)))).scalar_subquery())


@cache
def _board_queries(overdue: bool, mine: bool):
    """The board's statement, built once per filter (statements built afresh on every turn cost
    SQLAlchemy more time than SQLite takes to run them): a page of rows in the order of
    `ix_reviews_next_due`, each carrying the count of the whole board, in one round trip."""
    def filtered(reviews, review_people):
        where = [reviews.c.stage.not_in([s.value for s in CLOSED_STAGES])]
        if overdue:
            where.append(reviews.c.next_due < bindparam("overdue_before"))
        if mine:
            where.append(or_(
                reviews.c.id.in_(select(review_people.c.review_id).where(
                    review_people.c.person_id == bindparam("person_id"))),
                reviews.c.stage.in_(bindparam("stages", expanding=True))))
        return where

    counted = t.reviews.alias("counted")
    total = (select(func.count()).select_from(counted)
             .where(*filtered(counted, t.review_people.alias("counted_people"))).scalar_subquery())
    holder_role = case({s.value: r.value for s, r in NEXT_STEP_HOLDER.items()
                        if r in REVIEW_ROLES}, value=t.reviews.c.stage)
    link, holder = t.review_people.alias("holder_link"), t.people.alias("holder")
    return (select(t.reviews.c.id, t.reviews.c.reference, t.reviews.c.review_type,
                   t.reviews.c.stage, t.reviews.c.next_due.label("due"),
                   holder.c.name.label("holder_name"), total.label("total"))
            .select_from(t.reviews
                         .outerjoin(link, and_(link.c.review_id == t.reviews.c.id,
                                               link.c.role == holder_role))
                         .outerjoin(holder, holder.c.id == link.c.person_id))
            .where(*filtered(t.reviews, t.review_people))
            .order_by(t.reviews.c.next_due.asc().nulls_last(), t.reviews.c.reference_key)
            .offset(bindparam("offset")).limit(bindparam("limit")))
