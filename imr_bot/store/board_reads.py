"""The board's read side: one page of open reviews, soonest due first, with who holds each next
step, in one round trip whatever the size of the tracker. It reads; it writes nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache

from sqlalchemy import (
    Date,
    Integer,
    String,
    and_,
    bindparam,
    case,
    func,
    literal_column,
    or_,
    select,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from imr_bot.domain.roles import REVIEW_ROLES
from imr_bot.domain.stages import NEXT_STEP_HOLDER, Stage

from . import tables as t
from .database import fetch_rows
from .outbox import HELD_STATUSES


@dataclass(frozen=True)
class BoardRecord:
    review_id: int
    reference: str
    review_type: str
    stage: Stage
    due: date | None
    holder_name: str | None  # when the next step is held by a role on the review
    # when it is held by an organisation role that exactly one active person holds: their name
    organisation_holder: str | None = None
    # something for a person is held until they open the bot (the board then reads what)
    has_held: bool = False


class BoardReads:
    def __init__(self, connection: AsyncConnection):
        self._c = connection

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
        rows = await fetch_rows(self._c, page, values)
        if rows:
            total = rows[0]["total"]
        elif offset:  # past the last page (the board shrank): the count, from the first row
            first = await fetch_rows(self._c, page, {**values, "offset": 0, "limit": 1})
            total = first[0]["total"] if first else 0
        else:
            total = 0
        return [BoardRecord(r["id"], r["reference"], r["review_type"], Stage(r["stage"]), r["due"],
                            r["holder_name"], r["organisation_holder"], bool(r["has_held"]))
                for r in rows], int(total or 0)


def _written_in(value: str):
    return literal_column(f"'{value}'", String)


def _written_in_when_run(name: str, type_, **kwargs):
    return bindparam(name, type_=type_, literal_execute=True, **kwargs)


@cache
def _board_queries(overdue: bool, mine: bool):
    """The board's statement, built once per filter (statements built afresh on every turn cost
    SQLAlchemy more time than SQLite takes to run them): a page of rows in the order of
    `ix_reviews_next_due`, each carrying the count of the whole board, in one round trip.

    Nothing in it is bound: the constants are written in, and the page and filters when it runs.
    PostgreSQL plans a statement with parameters afresh on every execution (0.4 ms of this
    one's 0.8 ms at 1,000 reviews), or once for all values, a plan 1.6 times slower at 100,000;
    one without parameters is planned once, for its values."""
    def filtered(reviews, review_people):
        where = [reviews.c.stage.not_in([_written_in(value) for value in t.CLOSED_STAGE_VALUES])]
        if overdue:
            where.append(reviews.c.next_due < _written_in_when_run("overdue_before", Date))
        if mine:
            where.append(or_(
                reviews.c.id.in_(select(review_people.c.review_id).where(
                    review_people.c.person_id == _written_in_when_run("person_id", Integer))),
                reviews.c.stage.in_(_written_in_when_run("stages", String, expanding=True))))
        return where

    counted = t.reviews.alias("counted")
    total = (select(func.count()).select_from(counted)
             .where(*filtered(counted, t.review_people.alias("counted_people"))).scalar_subquery())
    def next_step_role(held_on_the_review: bool):
        """The role holding a review's next step, where it is (or is not) a role on the review."""
        return case(*[(t.reviews.c.stage == _written_in(stage.value), _written_in(role.value))
                      for stage, role in NEXT_STEP_HOLDER.items()
                      if (role in REVIEW_ROLES) == held_on_the_review])

    holder_role = next_step_role(held_on_the_review=True)
    link, holder = t.review_people.alias("holder_link"), t.people.alias("holder")
    # roles are stored comma-separated: ",qa_lead,sd_ehs," contains ",sd_ehs,"
    organisation_role = next_step_role(held_on_the_review=False)
    holders = t.people.alias("organisation_holder")
    organisation_holder = (
        select(case((func.count() == literal_column("1"), func.max(holders.c.name))))
        .where(holders.c.active.is_(True),
               (_written_in(",") + holders.c.roles + _written_in(",")).like(
                   _written_in("%,") + organisation_role + _written_in(",%")))
        .scalar_subquery())
    # asked only of a review whose next step is an organisation role's (the directory is read
    # for those rows alone)
    organisation_holder = case((organisation_role.is_not(None), organisation_holder))
    # which reviews hold a message for someone not yet reached: one uncorrelated set, read once
    # per statement through the status index (held messages are few), never once per review
    held = t.notifications.alias("held")
    has_held = t.reviews.c.id.in_(select(held.c.review_id).where(
        held.c.status.in_([_written_in(value) for value in HELD_STATUSES])))
    return (select(t.reviews.c.id, t.reviews.c.reference, t.reviews.c.review_type,
                   t.reviews.c.stage, t.reviews.c.next_due.label("due"),
                   holder.c.name.label("holder_name"),
                   organisation_holder.label("organisation_holder"), total.label("total"),
                   has_held.label("has_held"))
            .select_from(t.reviews
                         .outerjoin(link, and_(link.c.review_id == t.reviews.c.id,
                                               link.c.role == holder_role))
                         .outerjoin(holder, holder.c.id == link.c.person_id))
            .where(*filtered(t.reviews, t.review_people))
            .order_by(t.reviews.c.next_due.asc().nulls_last(), t.reviews.c.reference_key)
            .offset(_written_in_when_run("offset", Integer))
            .limit(_written_in_when_run("limit", Integer)))
