"""Retention: what the purge finds and removes."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from imr_bot.domain.stages import CLOSED_STAGES

from . import tables as t


class Records:
    """Retention: what the purge finds and removes."""

    def __init__(self, connection: AsyncConnection):
        self._c = connection

    async def closed_before(self, day: date) -> list[tuple[int, str]]:
        cutoff = datetime(day.year, day.month, day.day, tzinfo=UTC)
        rows = (await self._c.execute(select(t.reviews.c.id, t.reviews.c.reference).where(
            t.reviews.c.stage.in_([s.value for s in CLOSED_STAGES]),
            t.reviews.c.updated_at < cutoff, t.reviews.c.subject_initials != "--"))).all()
        return [(r.id, r.reference) for r in rows]

    async def scrub(self, review_id: int) -> int:
        removed = await self._c.execute(delete(t.documents).where(t.documents.c.review_id == review_id))
        await self._c.execute(delete(t.org_templates).where(t.org_templates.c.scope == f"review:{review_id}"))
        await self._c.execute(delete(t.downloads).where(t.downloads.c.review_id == review_id))
        await self._c.execute(update(t.reviews).where(t.reviews.c.id == review_id).values(
            subject_initials="--", notes=""))
        return removed.rowcount
