"""The reads behind `imr todo`: which open reviews may owe one person a step, and the offers,
meetings, delegations and reminder days that are theirs. Each is one indexed query, whatever the
size of the tracker."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import delete, func, literal, or_, select, union
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from imr_bot.domain.plan import Milestone
from imr_bot.domain.stages import Stage
from imr_bot.domain.todo import Offer

from . import tables as t

ACTIVE_MEETINGS = ("draft", "proposed", "confirmed")


def _participant(person_id: int):
    # participant ids are stored comma-separated: ",3,12," contains ",12,"
    return (literal(",") + t.meetings.c.participant_ids + literal(",")).like(f"%,{person_id},%")


class TodoSource:
    def __init__(self, connection: AsyncConnection):
        self._c = connection

    async def review_ids(self, person_id: int, stages: list[Stage], limit: int) -> list[int]:
        """Open reviews where the person holds a role, is offered the authorship, is in a
        meeting, has a decision delegated or a reminder day; or whose stage is one of `stages`
        (held by an organisation role the person has). Soonest due first."""
        reviews = t.reviews.c
        involved = union(
            select(t.review_people.c.review_id).where(t.review_people.c.person_id == person_id),
            select(t.allocations.c.review_id).where(t.allocations.c.author_id == person_id,
                                                    t.allocations.c.status == "offered"),
            select(t.meetings.c.review_id).where(
                t.meetings.c.status.in_(ACTIVE_MEETINGS),
                or_(t.meetings.c.organiser_id == person_id, _participant(person_id))),
            select(t.delegates.c.review_id).where(t.delegates.c.person_id == person_id),
            select(t.personal_reminders.c.review_id).where(
                t.personal_reminders.c.person_id == person_id),
        ).subquery("involved")
        where = [reviews.id.in_(select(involved.c.review_id))]
        if stages:
            where.append(reviews.stage.in_([s.value for s in stages]))
        rows = await self._c.execute(
            select(reviews.id).where(or_(*where),
                                     reviews.stage.not_in(list(t.CLOSED_STAGE_VALUES)))
            .order_by(reviews.next_due.is_(None), reviews.next_due, reviews.id).limit(limit))
        return [row.id for row in rows]

    async def offers(self, person_id: int) -> list[Offer]:
        rows = await self._c.execute(select(t.allocations.c.id, t.allocations.c.review_id,
                                            t.allocations.c.author_id).where(
            t.allocations.c.author_id == person_id, t.allocations.c.status == "offered"))
        return [Offer(r.id, r.review_id, r.author_id) for r in rows]

    async def offers_pending(self, review_ids: list[int]) -> set[int]:
        """Of these reviews, those with an offer still waiting for its author's answer."""
        if not review_ids:
            return set()
        rows = await self._c.execute(select(t.allocations.c.review_id).where(
            t.allocations.c.review_id.in_(review_ids), t.allocations.c.status == "offered"))
        return {r.review_id for r in rows}

    async def meeting_ids(self, person_id: int, review_ids: list[int]) -> list[int]:
        if not review_ids:
            return []
        rows = await self._c.execute(select(t.meetings.c.id).where(
            t.meetings.c.review_id.in_(review_ids), t.meetings.c.status.in_(ACTIVE_MEETINGS),
            or_(t.meetings.c.organiser_id == person_id, _participant(person_id)))
            .order_by(t.meetings.c.id))
        return [r.id for r in rows]

    async def delegated(self, person_id: int) -> dict[int, set[str]]:
        rows = await self._c.execute(select(t.delegates.c.review_id, t.delegates.c.level).where(
            t.delegates.c.person_id == person_id))
        found: dict[int, set[str]] = {}
        for r in rows:
            found.setdefault(r.review_id, set()).add(r.level)
        return found

    async def latest_versions(self, review_ids: list[int]) -> dict[int, int]:
        if not review_ids:
            return {}
        rows = await self._c.execute(
            select(t.submissions.c.review_id, func.max(t.submissions.c.version).label("v"))
            .where(t.submissions.c.review_id.in_(review_ids)).group_by(t.submissions.c.review_id))
        return {r.review_id: int(r.v or 0) for r in rows}

    # -- personal reminder days -----------------------------------------------------------
    async def reminder_days(self, person_id: int) -> list[tuple[int, Milestone, date]]:
        rows = await self._c.execute(select(
            t.personal_reminders.c.review_id, t.personal_reminders.c.milestone,
            t.personal_reminders.c.remind_on).where(t.personal_reminders.c.person_id == person_id))
        return [(r.review_id, Milestone(r.milestone), r.remind_on) for r in rows]

    async def set_reminder_day(self, review_id: int, person_id: int, milestone: Milestone,
                               day: date, at: datetime) -> None:
        insert = (postgresql_insert if self._c.dialect.name == "postgresql" else sqlite_insert)
        statement = insert(t.personal_reminders).values(
            review_id=review_id, person_id=person_id, milestone=milestone.value, remind_on=day,
            set_at=at)
        await self._c.execute(statement.on_conflict_do_update(
            index_elements=["review_id", "person_id", "milestone"],
            set_={"remind_on": day, "set_at": at}))

    async def reminders_on(self, day: date) -> list[tuple[int, int, Milestone]]:
        """(review, person, milestone) of every reminder day that falls on `day`."""
        rows = await self._c.execute(select(
            t.personal_reminders.c.review_id, t.personal_reminders.c.person_id,
            t.personal_reminders.c.milestone).where(t.personal_reminders.c.remind_on == day))
        return [(r.review_id, r.person_id, Milestone(r.milestone)) for r in rows]

    async def forget_reminders_before(self, day: date) -> int:
        result = await self._c.execute(delete(t.personal_reminders).where(
            t.personal_reminders.c.remind_on < day))
        return result.rowcount
