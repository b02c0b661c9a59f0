"""Reviews: the aggregate (its plan, milestones, change history and people) in and out of the
database.

Two kinds of load: `require`, `get` and `get_by_id` read the whole review, which may be saved;
`read_by_id`, `get_many` and `open_reviews` read it without the plan's change history, for
showing, and `save` refuses those (the history would look shorter)."""

from __future__ import annotations

import difflib
import json
from collections.abc import Sequence
from datetime import date, datetime
from functools import cache
from typing import Any

from sqlalchemy import and_, bindparam, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from imr_bot.domain.errors import DuplicateReference, UnknownReview
from imr_bot.domain.plan import Milestone, Plan, PlanChange
from imr_bot.domain.review import CommissioningBody, Review, ReviewType
from imr_bot.domain.roles import Role
from imr_bot.domain.stages import CLOSED_STAGES, Stage

from . import tables as t
from .common import ConcurrentChange, chunks, json_list, reference_key, with_id


class NotLoadedForSaving(RuntimeError):
    """A review read for showing (without its change history), or never read, was saved."""


def closest(reference: str, references: list[str], limit: int = 3) -> list[str]:
    """The references nearest to one that names no review, for "Did you mean ...?"."""
    wanted = reference.strip().casefold()
    keyed = {r.casefold(): r for r in references}
    matches = difflib.get_close_matches(wanted, list(keyed), n=limit, cutoff=0.5)
    if not matches:
        matches = [k for k in keyed if wanted and (wanted in k or k.endswith(wanted.split("/")[-1]))][:limit]
    return [keyed[m] for m in matches]


class Reviews:
    def __init__(self, connection: AsyncConnection):
        self._c = connection
        # the reviews read whole (or added) in this unit of work, which `save` may write:
        # id -> (version, number of plan changes)
        self._loaded: dict[int, tuple[int, int]] = {}

    async def add(self, review: Review, at: datetime) -> Review:
        values = self._row(review) | {"created_at": at, "updated_at": at, "version": 1}
        try:
            async with self._c.begin_nested():
                result = await self._c.execute(insert(t.reviews).values(**values))
        except IntegrityError as error:
            raise DuplicateReference(review.reference) from error
        review_id = result.inserted_primary_key[0]
        await self._write_plan(review_id, review.plan, already=0)
        await self._write_people(review_id, review.people)
        self._loaded[review_id] = (1, len(review.plan.changes))
        return with_id(review, review_id)

    async def save(self, review: Review, at: datetime) -> None:
        """Write a changed review; fails with ConcurrentChange if it changed since it was read."""
        version, known_changes = self._loaded.get(review.id, (0, -1))
        # a plan's history only grows: a shorter one was read without it
        if len(review.plan.changes) < known_changes or known_changes < 0:
            raise NotLoadedForSaving(
                f"review {review.id} was not read whole in this unit of work (read it with "
                "`require`, `get` or `get_by_id` to change it)")
        result = await self._c.execute(
            update(t.reviews).where(and_(t.reviews.c.id == review.id,
                                         t.reviews.c.version == version))
            .values(**self._row(review), version=version + 1, updated_at=at))
        if result.rowcount != 1:
            raise ConcurrentChange()
        await self._c.execute(delete(t.milestones).where(t.milestones.c.review_id == review.id))
        await self._c.execute(delete(t.review_people).where(
            t.review_people.c.review_id == review.id))
        await self._write_plan(review.id, review.plan, already=known_changes)
        await self._write_people(review.id, review.people)
        self._loaded[review.id] = (version + 1, len(review.plan.changes))

    async def exists(self, reference: str) -> bool:
        found = await self._c.scalar(select(t.reviews.c.id).where(
            t.reviews.c.reference_key == reference_key(reference)))
        return found is not None

    async def require(self, reference: str) -> Review:
        """The review with this reference, whole; UnknownReview (with the nearest references)
        if there is none."""
        review = await self.get(reference)
        if review is None:
            raise UnknownReview(reference.strip(), closest(reference, await self.references()))
        return review

    async def get(self, reference: str) -> Review | None:
        row = (await self._c.execute(select(t.reviews).where(
            t.reviews.c.reference_key == reference_key(reference)))).mappings().first()
        if row is None:
            return None
        (review,) = await self._hydrate([row], with_changes=True)
        return review

    async def get_by_id(self, review_id: int) -> Review | None:
        """The review, whole (it may be saved)."""
        return await self._by_id(review_id, whole=True)

    async def read_by_id(self, review_id: int) -> Review | None:
        """The review for showing, in one round trip: without the plan's change history, so it
        cannot be saved."""
        return await self._by_id(review_id, whole=False)

    async def _by_id(self, review_id: int, *, whole: bool) -> Review | None:
        row = (await self._c.execute(_one_review(self._c.dialect.name),
                                     {"review_id": review_id})).mappings().first()
        if row is None:
            return None
        due: dict[Milestone, date] = {}
        done: dict[Milestone, date] = {}
        for milestone, due_on, done_on in json.loads(row["milestones_json"] or "[]"):
            due[Milestone(milestone)] = date.fromisoformat(due_on)
            if done_on:
                done[Milestone(milestone)] = date.fromisoformat(done_on)
        people = {Role(role): person_id
                  for role, person_id in json.loads(row["people_json"] or "[]")}
        changes = (await self._changes([review_id]))[review_id] if whole else []
        return self._assemble(row, due, done, people, changes, whole=whole)

    async def stage_of(self, review_id: int) -> Stage | None:
        """Only the review's stage (what delivery checks before every send): one column."""
        value = await self._c.scalar(select(t.reviews.c.stage).where(t.reviews.c.id == review_id))
        return Stage(value) if value else None

    async def get_many(self, review_ids: list[int]) -> list[Review]:
        """Reviews by id, in the order asked, for showing (plans without their change history:
        they cannot be saved)."""
        rows = []
        for chunk in chunks(review_ids, 5000):
            rows += (await self._c.execute(select(t.reviews).where(
                t.reviews.c.id.in_(chunk)))).mappings().all()
        order = {review_id: n for n, review_id in enumerate(review_ids)}
        rows.sort(key=lambda row: order[row["id"]])
        return await self._hydrate(rows, with_changes=False)

    async def references(self) -> list[str]:
        return list(await self._c.scalars(select(t.reviews.c.reference)))

    async def open_reviews(self) -> list[Review]:
        """For showing (plans without their change history: they cannot be saved)."""
        rows = (await self._c.execute(select(t.reviews).where(
            t.reviews.c.stage.not_in([s.value for s in CLOSED_STAGES])))).mappings().all()
        return await self._hydrate(rows, with_changes=False)

    async def all_reviews(self) -> list[Review]:
        """Every review, open and closed, for showing (the tab's performance figures)."""
        rows = (await self._c.execute(select(t.reviews))).mappings().all()
        return await self._hydrate(rows, with_changes=False)

    async def count(self) -> int:
        return int(await self._c.scalar(select(func.count()).select_from(t.reviews)) or 0)

    # -- mapping ----------------------------------------------------------------------------
    @staticmethod
    def _row(review: Review) -> dict[str, Any]:
        return {
            "reference": review.reference, "reference_key": reference_key(review.reference),
            "review_type": review.review_type.value, "body": review.body.value,
            "received": review.received, "tor_start": review.tor_start, "tor_end": review.tor_end,
            "subject_initials": review.subject_initials, "notes": review.notes,
            "stage": review.stage.value,
            "stage_before_hold": review.stage_before_hold.value if review.stage_before_hold else None,
            "held_since": review.held_since, "day_one": review.plan.day_one,
            "template_pack": review.template_pack, "next_due": review.next_due,
        }

    async def _write_plan(self, review_id: int, plan: Plan, *, already: int) -> None:
        await self._c.execute(insert(t.milestones), [
            {"review_id": review_id, "milestone": m.value, "due": due, "done": plan.done.get(m)}
            for m, due in plan.due.items()])
        new_changes = plan.changes[already:]
        if new_changes:
            await self._c.execute(insert(t.plan_changes), [
                {"review_id": review_id, "milestone": c.milestone.value, "old_due": c.old,
                 "new_due": c.new, "changed_by": c.by, "reason": c.reason, "at": c.at}
                for c in new_changes])

    async def _write_people(self, review_id: int, people: dict[Role, int]) -> None:
        if people:
            await self._c.execute(insert(t.review_people), [
                {"review_id": review_id, "role": role.value, "person_id": person_id}
                for role, person_id in people.items()])

    async def _hydrate(self, rows: Sequence[Any], *, with_changes: bool) -> list[Review]:
        if not rows:
            return []
        ids = [row["id"] for row in rows]
        due: dict[int, dict[Milestone, date]] = {i: {} for i in ids}
        done: dict[int, dict[Milestone, date]] = {i: {} for i in ids}
        people: dict[int, dict[Role, int]] = {i: {} for i in ids}
        for chunk in chunks(ids, 5000):
            for m in (await self._c.execute(select(t.milestones).where(
                    t.milestones.c.review_id.in_(chunk)))).all():
                due[m.review_id][Milestone(m.milestone)] = m.due
                if m.done:
                    done[m.review_id][Milestone(m.milestone)] = m.done
            for p in (await self._c.execute(select(t.review_people).where(
                    t.review_people.c.review_id.in_(chunk)))).all():
                people[p.review_id][Role(p.role)] = p.person_id
        changes = await self._changes(ids) if with_changes else {i: [] for i in ids}
        return [self._assemble(row, due[row["id"]], done[row["id"]], people[row["id"]],
                               changes[row["id"]], whole=with_changes) for row in rows]

    async def _changes(self, ids: list[int]) -> dict[int, list[PlanChange]]:
        changes: dict[int, list[PlanChange]] = {i: [] for i in ids}
        for chunk in chunks(ids, 5000):
            for c in (await self._c.execute(select(t.plan_changes).where(
                    t.plan_changes.c.review_id.in_(chunk)).order_by(t.plan_changes.c.id))).all():
                changes[c.review_id].append(PlanChange(
                    Milestone(c.milestone), c.old_due, c.new_due, c.changed_by, c.reason, c.at))
        return changes

    def _assemble(self, row, due: dict[Milestone, date], done: dict[Milestone, date],
                  people: dict[Role, int], changes: list[PlanChange], *, whole: bool) -> Review:
        plan = Plan(day_one=row["day_one"], due=due, done=done, changes=tuple(changes))
        if whole:
            self._loaded[row["id"]] = (row["version"], len(plan.changes))
        return Review(
            id=row["id"], reference=row["reference"],
            review_type=ReviewType(row["review_type"]), body=CommissioningBody(row["body"]),
            received=row["received"], tor_start=row["tor_start"], tor_end=row["tor_end"],
            subject_initials=row["subject_initials"], notes=row["notes"] or "",
            stage=Stage(row["stage"]),
            stage_before_hold=Stage(row["stage_before_hold"]) if row["stage_before_hold"] else None,
            held_since=row["held_since"], plan=plan, people=people,
            template_pack=row["template_pack"] or "derbyshire")


@cache
def _one_review(dialect: str):
    """A review with its milestones and people in one round trip (read on nearly every turn that
    names a review): the two lists come as JSON arrays, built by the database."""
    m, p, review_id = t.milestones.c, t.review_people.c, t.reviews.c.id
    milestones = json_list(dialect, m.milestone, m.due, m.done, where=[m.review_id == review_id])
    people = json_list(dialect, p.role, p.person_id, where=[p.review_id == review_id])
    return select(t.reviews, milestones.label("milestones_json"),
                  people.label("people_json")).where(review_id == bindparam("review_id"))


async def open_loads(connection: AsyncConnection, role: Role) -> dict[int, int]:
    """Open reviews per person holding `role` on them."""
    rows = (await connection.execute(
        select(t.review_people.c.person_id, func.count()).select_from(
            t.review_people.join(t.reviews, t.reviews.c.id == t.review_people.c.review_id))
        .where(t.review_people.c.role == role.value,
               t.reviews.c.stage.not_in([s.value for s in CLOSED_STAGES]))
        .group_by(t.review_people.c.person_id))).all()
    return {person: count for person, count in rows}
