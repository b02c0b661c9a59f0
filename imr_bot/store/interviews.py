"""Interviews in and out of the database: the interview, its record's versions (content and
checksum), and the one decision each party makes on each version."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from imr_bot.domain.interviews import (
    Decision,
    Interview,
    Interviewee,
    InterviewStatus,
    Party,
    RecordVersion,
)

from . import tables as t
from .common import ConcurrentChange, with_id


class Interviews:
    def __init__(self, connection: AsyncConnection):
        self._c = connection
        self._versions: dict[int, int] = {}

    async def add(self, interview: Interview, at: datetime) -> Interview:
        result = await self._c.execute(insert(t.interviews).values(
            **_row(interview), version=1, created_at=at, updated_at=at))
        interview_id = result.inserted_primary_key[0]
        self._versions[interview_id] = 1
        return with_id(interview, interview_id)

    async def save(self, interview: Interview, at: datetime) -> None:
        version = self._versions[interview.id]
        result = await self._c.execute(update(t.interviews).where(
            t.interviews.c.id == interview.id, t.interviews.c.version == version).values(
            **_row(interview), version=version + 1, updated_at=at))
        if result.rowcount != 1:
            raise ConcurrentChange()
        self._versions[interview.id] = version + 1

    async def add_record(self, interview_id: int, record: RecordVersion, content: bytes,
                         by: str, at: datetime) -> None:
        try:
            await self._c.execute(insert(t.interview_records).values(
                interview_id=interview_id, version=record.number, checksum=record.checksum,
                size=record.size, filename=record.filename, content=content, by=by, at=at))
        except IntegrityError as error:  # two versions numbered at the same moment
            raise ConcurrentChange() from error

    async def record(self, interview_id: int, version: int) -> tuple[RecordVersion,
                                                                     bytes] | None:
        row = (await self._c.execute(select(t.interview_records).where(
            t.interview_records.c.interview_id == interview_id,
            t.interview_records.c.version == version))).first()
        if row is None:
            return None
        return RecordVersion(row.version, row.checksum, row.size, row.filename), row.content

    async def record_decision(self, *, interview_id: int, version: int, party: Party,
                              decision: Decision, comment: str, on: date | None, by: str,
                              at: datetime) -> None:
        """The one decision of `party` on this version; a second raises ConcurrentChange."""
        try:
            await self._c.execute(insert(t.interview_decisions).values(
                interview_id=interview_id, version=version, party=party.value,
                decision=decision.value, comment=comment, on=on, by=by, at=at))
        except IntegrityError as error:
            raise ConcurrentChange() from error

    async def get(self, interview_id: int) -> Interview | None:
        found = await self._hydrate(select(t.interviews).where(t.interviews.c.id == interview_id))
        return found[0] if found else None

    async def for_review(self, review_id: int) -> list[Interview]:
        return await self._hydrate(select(t.interviews).where(
            t.interviews.c.review_id == review_id).order_by(t.interviews.c.held_on,
                                                            t.interviews.c.id))

    async def for_person(self, person_id: int) -> list[Interview]:
        """The interviews not yet agreed that `person_id` is a party to."""
        c = t.interviews.c
        return await self._hydrate(select(t.interviews).where(
            c.status != InterviewStatus.AGREED.value,
            or_(c.interviewee_id == person_id, c.interviewer_id == person_id,
                c.second_interviewer_id == person_id)).order_by(c.held_on, c.id).limit(200))

    async def waiting(self, limit: int = 5000) -> list[tuple[Interview, datetime]]:
        """The interviews whose record is waiting for agreement, with when that version came."""
        r = t.interview_records
        rows = (await self._c.execute(select(t.interviews.c.id, r.c.at).join(r, and_(
            r.c.interview_id == t.interviews.c.id,
            r.c.version == t.interviews.c.record_version)).where(
            t.interviews.c.status == InterviewStatus.SENT.value).order_by(
            t.interviews.c.id).limit(limit))).all()
        sent = {row.id: row.at for row in rows}
        if not sent:
            return []
        found = await self._hydrate(select(t.interviews).where(t.interviews.c.id.in_(sent)))
        return [(i, sent[i.id]) for i in found]

    async def review_of(self, interview_id: int) -> int | None:
        return (await self._c.execute(select(t.interviews.c.review_id).where(
            t.interviews.c.id == interview_id))).scalar()

    async def count(self, review_id: int) -> int:
        return (await self._c.execute(select(func.count()).select_from(t.interviews).where(
            t.interviews.c.review_id == review_id))).scalar_one()

    async def _hydrate(self, statement) -> list[Interview]:
        rows = (await self._c.execute(statement)).all()
        if not rows:
            return []
        d = t.interview_decisions
        decided = (await self._c.execute(select(d.c.interview_id, d.c.version, d.c.party,
                                                d.c.decision).where(
            d.c.interview_id.in_([r.id for r in rows])))).all()
        found = []
        for r in rows:
            self._versions[r.id] = r.version
            decisions = {Party(x.party): Decision(x.decision) for x in decided
                         if x.interview_id == r.id and x.version == r.record_version}
            found.append(Interview(
                review_id=r.review_id,
                interviewee=Interviewee(r.interviewee_id, r.interviewee_role,
                                        r.interviewee_agency),
                on=r.held_on, interviewer_id=r.interviewer_id,
                second_interviewer_id=r.second_interviewer_id,
                status=InterviewStatus(r.status), version=r.record_version,
                checksum=r.checksum, agreed_checksum=r.agreed_checksum, decisions=decisions,
                comment=r.comment, id=r.id))
        return found


def _row(interview: Interview) -> dict[str, Any]:
    who = interview.interviewee
    return {"review_id": interview.review_id, "interviewee_id": who.person_id,
            "interviewee_role": who.role, "interviewee_agency": who.agency,
            "held_on": interview.on, "interviewer_id": interview.interviewer_id,
            "second_interviewer_id": interview.second_interviewer_id,
            "status": interview.status.value, "record_version": interview.version,
            "checksum": interview.checksum, "agreed_checksum": interview.agreed_checksum,
            "comment": interview.comment}
