"""Allocations: offers of a review to an author, their answers, conflicts and the managers
involved in a case."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from imr_bot.domain.stages import CLOSED_STAGES

from . import tables as t
from .common import chunks

# an offer the author accepted: still theirs, or since withdrawn to reallocate the review
TAKEN_UP = ("accepted", "reallocated")


@dataclass(frozen=True)
class AllocationRecord:
    id: int
    review_id: int
    author_id: int
    qa_lead_id: int
    offered_by: str
    offered_at: datetime
    status: str
    answered_at: datetime | None
    reason: str | None


class Allocations:
    """Offers of a review to an author (with a QA lead), and their answers."""

    def __init__(self, connection: AsyncConnection):
        self._c = connection

    async def offer(self, *, review_id: int, author_id: int, qa_lead_id: int, by: str,
                    at: datetime) -> int:
        result = await self._c.execute(insert(t.allocations).values(
            review_id=review_id, author_id=author_id, qa_lead_id=qa_lead_id, offered_by=by,
            offered_at=at, status="offered"))
        return result.inserted_primary_key[0]

    async def answer(self, allocation_id: int, status: str, at: datetime,
                     reason: str | None = None) -> bool:
        """Record an answer once: False if the offer was already answered or withdrawn."""
        result = await self._c.execute(update(t.allocations).where(
            t.allocations.c.id == allocation_id, t.allocations.c.status == "offered").values(
            status=status, answered_at=at, reason=reason))
        return result.rowcount == 1

    async def withdraw_open(self, review_id: int, at: datetime, reason: str) -> int:
        """Withdraw the review's open offer ("withdrawn": never taken up) or its author
        ("reallocated": an allocation that was accepted, and counts as one)."""
        withdrawn = 0
        for before, after in (("offered", "withdrawn"), ("accepted", "reallocated")):
            result = await self._c.execute(update(t.allocations).where(
                t.allocations.c.review_id == review_id,
                t.allocations.c.status == before).values(
                status=after, answered_at=at, reason=reason))
            withdrawn += result.rowcount
        return withdrawn

    async def get(self, allocation_id: int) -> AllocationRecord | None:
        row = (await self._c.execute(select(t.allocations).where(
            t.allocations.c.id == allocation_id))).first()
        return AllocationRecord(*row) if row else None

    async def for_reviews(self, review_ids: list[int]) -> dict[int, list[AllocationRecord]]:
        found: dict[int, list[AllocationRecord]] = {}
        for chunk in chunks(review_ids, 5000):
            for row in (await self._c.execute(select(t.allocations).where(
                    t.allocations.c.review_id.in_(chunk)).order_by(t.allocations.c.id))).all():
                found.setdefault(row.review_id, []).append(AllocationRecord(*row))
        return found

    async def open_offer_counts(self) -> dict[int, int]:
        """Unanswered offers per author, on reviews still open: the offer of a withdrawn review
        can no longer be taken up, so it holds none of its author's capacity."""
        rows = (await self._c.execute(select(t.allocations.c.author_id, func.count()).select_from(
            t.allocations.join(t.reviews, t.reviews.c.id == t.allocations.c.review_id)).where(
            t.allocations.c.status == "offered",
            t.reviews.c.stage.not_in([s.value for s in CLOSED_STAGES]))
            .group_by(t.allocations.c.author_id))).all()
        return {author: count for author, count in rows}

    async def last_allocated(self) -> dict[int, datetime]:
        """When each author was last asked (an offer, answered or not, takes their turn)."""
        rows = (await self._c.execute(select(
            t.allocations.c.author_id, func.max(t.allocations.c.offered_at)).where(
            t.allocations.c.status.in_(["offered", "accepted", "withdrawn", *TAKEN_UP])).group_by(
            t.allocations.c.author_id))).all()
        return {author: at for author, at in rows}

    async def last_qa_allocated(self) -> dict[int, datetime]:
        """When each QA senior lead was last named on an offer still open or taken up."""
        rows = (await self._c.execute(select(
            t.allocations.c.qa_lead_id, func.max(t.allocations.c.offered_at)).where(
            t.allocations.c.status.in_(["offered", *TAKEN_UP])).group_by(
            t.allocations.c.qa_lead_id))).all()
        return {person: at for person, at in rows}

    async def accepted_since(self, since: datetime) -> dict[int, int]:
        """Allocations each author took up since `since`: an offer withdrawn or declined before
        it was accepted (or before it ever reached them) is none."""
        rows = (await self._c.execute(select(t.allocations.c.author_id, func.count()).where(
            t.allocations.c.status.in_(TAKEN_UP), t.allocations.c.offered_at >= since)
            .group_by(t.allocations.c.author_id))).all()
        return {author: count for author, count in rows}

    async def qa_accepted_since(self, since: datetime) -> dict[int, int]:
        """Reviews each QA senior lead was allocated since `since` (an author accepting the
        offer that named them), each review once however often it was reallocated."""
        rows = (await self._c.execute(select(
            t.allocations.c.qa_lead_id, func.count(t.allocations.c.review_id.distinct())).where(
            t.allocations.c.status.in_(TAKEN_UP), t.allocations.c.offered_at >= since)
            .group_by(t.allocations.c.qa_lead_id))).all()
        return {person: count for person, count in rows}

    # -- conflicts and the managers involved in a case ---------------------------------------
    async def declare_conflict(self, review_id: int, person_id: int, reason: str,
                               at: datetime) -> None:
        await self._c.execute(delete(t.conflicts).where(t.conflicts.c.review_id == review_id,
                                                        t.conflicts.c.person_id == person_id))
        await self._c.execute(insert(t.conflicts).values(review_id=review_id, person_id=person_id,
                                                         reason=reason, declared_at=at))

    async def conflicts_for(self, review_ids: list[int]) -> dict[int, dict[int, str]]:
        found: dict[int, dict[int, str]] = {}
        for chunk in chunks(review_ids, 5000):
            for r in (await self._c.execute(select(t.conflicts).where(
                    t.conflicts.c.review_id.in_(chunk)))).all():
                found.setdefault(r.review_id, {})[r.person_id] = r.reason
        return found

    async def set_involved(self, review_id: int, emails: set[str]) -> None:
        await self._c.execute(delete(t.involved_managers).where(
            t.involved_managers.c.review_id == review_id))
        if emails:
            await self._c.execute(insert(t.involved_managers), [
                {"review_id": review_id, "email": e} for e in sorted(emails)])

    async def involved(self, review_id: int) -> set[str]:
        return (await self.involved_for([review_id])).get(review_id, set())

    async def involved_for(self, review_ids: list[int]) -> dict[int, set[str]]:
        found: dict[int, set[str]] = {}
        for chunk in chunks(review_ids, 5000):
            for r in (await self._c.execute(select(t.involved_managers).where(
                    t.involved_managers.c.review_id.in_(chunk)))).all():
                found.setdefault(r.review_id, set()).add(r.email)
        return found
