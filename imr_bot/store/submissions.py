"""Submissions: documents uploaded for a review, the versions submitted, their decisions and
delegates."""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from datetime import datetime
from functools import cache

from sqlalchemy import Integer, bindparam, delete, func, insert, literal, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from imr_bot.domain.submissions import AlreadyDecided, Decision, Level, RecordedDecision

from . import tables as t
from .common import json_list


@dataclass(frozen=True)
class StoredDocument:
    id: int
    review_id: int
    version: int | None
    kind: str
    filename: str
    content_type: str
    size: int
    link: str | None
    sha256: str
    uploaded_by: str
    carried_from: int | None = None  # carried forward unchanged: the version it was sent in


# what is said of a document: everything but its content, which a card or a list never needs
# (a report can be megabytes, and every approval card view lists the version's documents)
_DOCUMENT_FACTS = [column for column in t.documents.c if column.name != "content"]


class Submissions:
    def __init__(self, connection: AsyncConnection):
        self._c = connection

    async def add_document(self, *, review_id: int, kind: str, filename: str, content_type: str,
                           content: bytes | None, link: str | None, sha256: str, by: str,
                           at: datetime) -> int:
        result = await self._c.execute(insert(t.documents).values(
            review_id=review_id, version=None, kind=kind, filename=filename,
            content_type=content_type, size=len(content or b""), content=content, link=link,
            sha256=sha256, uploaded_by=by, uploaded_at=at))
        return result.inserted_primary_key[0]

    async def document(self, document_id: int) -> tuple[StoredDocument, bytes | None] | None:
        row = (await self._c.execute(select(t.documents).where(
            t.documents.c.id == document_id))).first()
        if row is None:
            return None
        return _document(row), (bytes(row.content) if row.content is not None else None)

    async def drafts(self, review_id: int, by: str) -> list[StoredDocument]:
        rows = (await self._c.execute(select(*_DOCUMENT_FACTS).where(
            t.documents.c.review_id == review_id, t.documents.c.version.is_(None),
            t.documents.c.uploaded_by == by).order_by(t.documents.c.id))).all()
        return [_document(r) for r in rows]

    async def discard_draft(self, document_id: int) -> None:
        await self._c.execute(delete(t.documents).where(t.documents.c.id == document_id,
                                                        t.documents.c.version.is_(None)))

    async def discard_drafts(self, review_id: int, by: str) -> int:
        result = await self._c.execute(delete(t.documents).where(
            t.documents.c.review_id == review_id, t.documents.c.version.is_(None),
            t.documents.c.uploaded_by == by))
        return result.rowcount

    async def documents(self, review_id: int, version: int) -> list[StoredDocument]:
        rows = (await self._c.execute(select(*_DOCUMENT_FACTS).where(
            t.documents.c.review_id == review_id, t.documents.c.version == version)
            .order_by(t.documents.c.kind))).all()
        return [_document(r) for r in rows]

    async def latest_version(self, review_id: int) -> int:
        return int(await self._c.scalar(select(func.max(t.submissions.c.version)).where(
            t.submissions.c.review_id == review_id)) or 0)

    async def submit(self, *, review_id: int, document_ids: list[int], level: str, by: str,
                     at: datetime, carry_forward: list[int] = ()) -> int:
        """A new version of the drafts `document_ids`, and of the earlier versions' documents
        `carry_forward` copied into it unchanged (each saying the version it was first sent in;
        its bytes copied by the database, never read here)."""
        version = await self.latest_version(review_id) + 1
        await self._c.execute(insert(t.submissions).values(
            review_id=review_id, version=version, level=level, submitted_by=by, submitted_at=at))
        await self._c.execute(update(t.documents).where(
            t.documents.c.id.in_(document_ids), t.documents.c.review_id == review_id,
            t.documents.c.version.is_(None)).values(version=version))
        if carry_forward:
            d = t.documents.c
            copied = ("kind", "filename", "content_type", "size", "content", "link", "sha256",
                      "uploaded_by", "uploaded_at")
            await self._c.execute(insert(t.documents).from_select(
                ["review_id", "version", *copied, "carried_from"],
                select(d.review_id, literal(version, Integer), *(d[name] for name in copied),
                       func.coalesce(d.carried_from, d.version)).where(
                    d.id.in_(list(carry_forward)), d.review_id == review_id,
                    d.version.is_not(None))))
        return version

    async def set_check(self, review_id: int, version: int, summary: str) -> None:
        await self._c.execute(update(t.submissions).where(
            t.submissions.c.review_id == review_id, t.submissions.c.version == version).values(
            check_summary=summary))

    async def content(self, document_id: int) -> bytes | None:
        return await self._c.scalar(select(t.documents.c.content).where(
            t.documents.c.id == document_id))

    async def record_decision(self, *, review_id: int, version: int, level: str, decision: str,
                              comment: str, checklist: list[str], by: str, by_name: str,
                              at: datetime) -> None:
        """Insert the decision; if one exists for this version and level, raise AlreadyDecided
        with it (the unique constraint decides races between concurrent clicks)."""
        try:
            async with self._c.begin_nested():
                await self._c.execute(insert(t.decisions).values(
                    review_id=review_id, version=version, level=level, decision=decision,
                    comment=comment, checklist=json.dumps(checklist), decided_by=by,
                    decided_at=at))
        except IntegrityError:
            existing = await self.decision(review_id, version, level)
            raise AlreadyDecided(existing) from None

    async def decision(self, review_id: int, version: int, level: str,
                       names: dict[str, str] | None = None) -> RecordedDecision | None:
        row = (await self._c.execute(select(t.decisions, t.people.c.name).select_from(
            t.decisions.outerjoin(t.people, t.people.c.email == t.decisions.c.decided_by)).where(
            t.decisions.c.review_id == review_id, t.decisions.c.version == version,
            t.decisions.c.level == level))).first()
        if row is None:
            return None
        return RecordedDecision(row.version, Level(row.level), Decision(row.decision),
                                row.comment, row.name or row.decided_by, row.decided_at)

    async def approval_record(self, review_id: int, version: int, level: str) -> ApprovalRecord:
        """What an approval card and a click need of the submissions, in one round trip: the
        delegate at this level, every version submitted, this version's decision at this level and
        its documents (read on every click and card view; four reads were half a click's time)."""
        row = (await self._c.execute(_approval_record(self._c.dialect.name), {
            "review_id": review_id, "version": version, "level": level})).one()
        versions = {number: SubmittedVersion(_utc(at), check)
                    for number, at, check in json.loads(row.versions or "[]")}
        rounds = sorted((RecordedDecision(number, Level(at_level), Decision(decision), comment, by,
                                          _utc(at))
                         for number, at_level, decision, comment, by, at
                         in json.loads(row.rounds or "[]")),
                        key=lambda round: (round.decided_at, round.version))
        decided = next((r for r in rounds if r.version == version and r.level.value == level),
                       None)
        documents = sorted((StoredDocument(*values) for values in json.loads(row.documents or "[]")),
                           key=lambda document: (document.kind, document.id))
        return ApprovalRecord(row.delegate, versions, decided, documents, rounds)

    async def set_delegate(self, review_id: int, level: str, person_id: int, by: str,
                           at: datetime) -> None:
        await self._c.execute(delete(t.delegates).where(t.delegates.c.review_id == review_id,
                                                        t.delegates.c.level == level))
        await self._c.execute(insert(t.delegates).values(review_id=review_id, level=level,
                                                         person_id=person_id, named_by=by, at=at))

    async def delegate(self, review_id: int, level: str) -> int | None:
        return await self._c.scalar(select(t.delegates.c.person_id).where(
            t.delegates.c.review_id == review_id, t.delegates.c.level == level))


@dataclass(frozen=True)
class SubmittedVersion:
    submitted_at: datetime
    check_summary: str | None


@dataclass(frozen=True)
class ApprovalRecord:
    delegate: int | None
    versions: dict[int, SubmittedVersion]
    decision: RecordedDecision | None  # this version's, at this level
    documents: list[StoredDocument]
    rounds: list[RecordedDecision] = ()  # every decision on the review, the earliest first


def _utc(text_value: str) -> datetime:
    """A timestamp as the database wrote it into JSON (PostgreSQL with its offset, SQLite as the
    naive UTC text it stores), made aware UTC as the column type makes it."""
    return _UTC_COLUMN.process_result_value(datetime.fromisoformat(text_value), None)


_UTC_COLUMN = t.UtcDateTime()


@cache
def _approval_record(dialect: str):
    review_id, version, level = bindparam("review_id"), bindparam("version"), bindparam("level")
    s, d, doc, dl = t.submissions.c, t.decisions.c, t.documents.c, t.delegates.c
    return select(
        select(dl.person_id).where(dl.review_id == review_id, dl.level == level)
        .scalar_subquery().label("delegate"),
        json_list(dialect, s.version, s.submitted_at, s.check_summary,
                   where=[s.review_id == review_id]).label("versions"),
        json_list(dialect, d.version, d.level, d.decision, d.comment,
                   func.coalesce(t.people.c.name, d.decided_by), d.decided_at,
                   select_from=t.decisions.outerjoin(t.people, t.people.c.email == d.decided_by),
                   where=[d.review_id == review_id])
        .label("rounds"),
        json_list(dialect, *(doc[field.name] for field in fields(StoredDocument)),  # its order
                   where=[doc.review_id == review_id, doc.version == version]).label("documents"))


def _document(row) -> StoredDocument:
    return StoredDocument(row.id, row.review_id, row.version, row.kind, row.filename,
                          row.content_type, row.size, row.link, row.sha256, row.uploaded_by,
                          row.carried_from)
