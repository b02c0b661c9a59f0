"""Meetings: the aggregate (with its answers) in and out of the database."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from imr_bot.domain.meetings import Answer, Meeting, MeetingKind, MeetingStatus

from . import tables as t
from .common import ConcurrentChange, with_id


class Meetings:
    def __init__(self, connection: AsyncConnection):
        self._c = connection
        self._versions: dict[int, int] = {}

    async def add(self, meeting: Meeting, at: datetime) -> Meeting:
        result = await self._c.execute(insert(t.meetings).values(
            **self._row(meeting), version=1, created_at=at))
        meeting_id = result.inserted_primary_key[0]
        self._versions[meeting_id] = 1
        return with_id(meeting, meeting_id)

    async def save(self, meeting: Meeting, at: datetime) -> None:
        version = self._versions[meeting.id]
        result = await self._c.execute(update(t.meetings).where(
            t.meetings.c.id == meeting.id, t.meetings.c.version == version).values(
            **self._row(meeting), version=version + 1))
        if result.rowcount != 1:
            raise ConcurrentChange()
        self._versions[meeting.id] = version + 1
        await self._c.execute(delete(t.meeting_answers).where(
            t.meeting_answers.c.meeting_id == meeting.id))
        if meeting.answers:
            await self._c.execute(insert(t.meeting_answers), [
                {"meeting_id": meeting.id, "person_id": a.person_id, "accepted": a.accepted,
                 "proposed": a.proposed, "at": at} for a in meeting.answers.values()])

    async def get(self, meeting_id: int) -> Meeting | None:
        rows = (await self._c.execute(select(t.meetings).where(t.meetings.c.id == meeting_id))).all()
        found = await self._hydrate(rows)
        return found[0] if found else None

    async def for_review(self, review_id: int) -> list[Meeting]:
        rows = (await self._c.execute(select(t.meetings).where(
            t.meetings.c.review_id == review_id).order_by(t.meetings.c.id))).all()
        return await self._hydrate(rows)

    async def upcoming(self) -> list[Meeting]:
        rows = (await self._c.execute(select(t.meetings).where(
            t.meetings.c.status.in_(["proposed", "confirmed"])))).all()
        return await self._hydrate(rows)

    @staticmethod
    def _row(meeting: Meeting) -> dict[str, Any]:
        return {"review_id": meeting.review_id, "kind": meeting.kind.value,
                "organiser_id": meeting.organiser_id,
                "participant_ids": ",".join(str(p) for p in meeting.participant_ids),
                "starts": meeting.starts, "minutes": meeting.minutes, "location": meeting.location,
                "status": meeting.status.value, "sequence": meeting.sequence}

    async def _hydrate(self, rows) -> list[Meeting]:
        if not rows:
            return []
        answers: dict[int, dict[int, Answer]] = {r.id: {} for r in rows}
        for a in (await self._c.execute(select(t.meeting_answers).where(
                t.meeting_answers.c.meeting_id.in_(list(answers))))).all():
            answers[a.meeting_id][a.person_id] = Answer(a.person_id, bool(a.accepted), a.proposed)
        meetings = []
        for r in rows:
            self._versions[r.id] = r.version
            meetings.append(Meeting(
                id=r.id, review_id=r.review_id, kind=MeetingKind(r.kind),
                organiser_id=r.organiser_id,
                participant_ids=tuple(int(p) for p in r.participant_ids.split(",") if p),
                starts=r.starts, minutes=r.minutes, location=r.location or "",
                status=MeetingStatus(r.status), sequence=r.sequence, answers=answers[r.id]))
        return meetings
