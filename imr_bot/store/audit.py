"""The audit log: append-only and hash-chained, each entry's hash an HMAC under a key kept
outside the database."""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from . import tables as t


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    actor: str
    review_id: int | None
    action: str
    detail: dict[str, Any]
    prev_hash: str
    hash: str
    scheme: str = ""  # KEYED, or PLAIN for entries written before the chain was keyed
    detail_json: str = ""  # the detail as stored, which the hash covers


GENESIS = "0" * 64
PLAIN = "sha256"  # before migration 0013: anyone could recompute these
KEYED = "hmac-sha256"
# Local mode and tests only (config.Settings refuses to start signed in without IMR_AUDIT_KEY):
# a key everyone knows protects nothing, but keeps the chain's code the same everywhere.
DEVELOPMENT_AUDIT_KEY = hashlib.sha256(b"imr-bot development audit key: not for production").digest()


def _audit_material(prev_hash: str, at: datetime, actor: str, review_id: int | None, action: str,
                    detail_json: str) -> bytes:
    return json.dumps([prev_hash, at.astimezone(UTC).isoformat(), actor, review_id, action,
                       detail_json], separators=(",", ":")).encode()


def audit_hash(prev_hash: str, at: datetime, actor: str, review_id: int | None, action: str,
               detail_json: str) -> str:
    """The plain hash of the entries written before the chain was keyed."""
    return hashlib.sha256(_audit_material(prev_hash, at, actor, review_id, action,
                                          detail_json)).hexdigest()


def keyed_audit_hash(key: bytes, prev_hash: str, at: datetime, actor: str, review_id: int | None,
                     action: str, detail_json: str) -> str:
    return hmac.new(key, _audit_material(prev_hash, at, actor, review_id, action, detail_json),
                    hashlib.sha256).hexdigest()


class AuditLog:
    """Append-only, hash-chained: each entry carries the hash of the one before it, and its own
    hash is an HMAC under a key kept outside the database, so that rows rewritten in the database
    cannot be given hashes that hold."""

    def __init__(self, connection: AsyncConnection, key: bytes | None = None):
        self._c = connection
        self._key = key or DEVELOPMENT_AUDIT_KEY

    async def record(self, *, actor: str, action: str, at: datetime, review_id: int | None = None,
                     **detail: Any) -> None:
        await self.record_many(actor=actor, action=action, at=at,
                               entries=[(review_id, detail)])

    async def record_many(self, *, actor: str, action: str, at: datetime,
                          entries: list[tuple[int | None, dict[str, Any]]]) -> None:
        """One action on many reviews, (review_id, detail) each, chained in one statement."""
        if not entries:
            return
        if self._c.dialect.name == "postgresql":
            # one writer at a time extends the chain; released when the transaction ends
            await self._c.execute(text("SELECT pg_advisory_xact_lock(7242001)"))
        prev = await self._c.scalar(select(t.audit.c.hash).order_by(t.audit.c.id.desc()).limit(1))
        prev = prev or GENESIS
        rows = []
        for review_id, detail in entries:
            detail_json = json.dumps(detail, sort_keys=True, default=str)
            digest = keyed_audit_hash(self._key, prev, at, actor, review_id, action, detail_json)
            rows.append({"at": at, "actor": actor, "review_id": review_id, "action": action,
                         "detail": detail_json, "prev_hash": prev, "hash": digest,
                         "scheme": KEYED})
            prev = digest
        await self._c.execute(insert(t.audit), rows)

    def expected_hash(self, entry: AuditEntry) -> str | None:
        """What `entry`'s hash must be under its scheme (and this log's key); None: no scheme
        this code knows."""
        fields = (entry.prev_hash, entry.at, entry.actor, entry.review_id, entry.action,
                  entry.detail_json)
        if entry.scheme == KEYED:
            return keyed_audit_hash(self._key, *fields)
        if entry.scheme == PLAIN:
            return audit_hash(*fields)
        return None

    def sign(self, text_value: str) -> str:
        """An HMAC of `text_value` under the audit key (the exported head is signed so)."""
        return hmac.new(self._key, text_value.encode(), hashlib.sha256).hexdigest()

    async def last(self) -> AuditEntry | None:
        row = (await self._c.execute(select(t.audit).order_by(t.audit.c.id.desc()).limit(1))).first()
        return _audit_entry(row) if row is not None else None

    async def count(self) -> int:
        return int(await self._c.scalar(select(func.count()).select_from(t.audit)) or 0)

    async def for_review(self, review_id: int, limit: int | None = None) -> list[AuditEntry]:
        query = select(t.audit).where(t.audit.c.review_id == review_id).order_by(t.audit.c.id.desc())
        if limit:
            query = query.limit(limit)
        rows = (await self._c.execute(query)).all()
        return [_audit_entry(r) for r in rows]

    async def counts_by_review(self, actions: list[str]) -> dict[int, int]:
        """How many entries of these actions each review has (the tab's amendment rounds)."""
        rows = (await self._c.execute(
            select(t.audit.c.review_id, func.count()).where(
                t.audit.c.action.in_(actions), t.audit.c.review_id.is_not(None))
            .group_by(t.audit.c.review_id))).all()
        return {int(review_id): int(n) for review_id, n in rows}

    async def all(self) -> list[AuditEntry]:
        rows = (await self._c.execute(select(t.audit).order_by(t.audit.c.id))).all()
        return [_audit_entry(r) for r in rows]


def _audit_entry(row) -> AuditEntry:
    return AuditEntry(row.id, row.at, row.actor, row.review_id, row.action, json.loads(row.detail),
                      row.prev_hash, row.hash, row.scheme, row.detail)
