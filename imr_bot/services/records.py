"""Records: the audit trail's integrity, and the purge of closed reviews after retention."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from imr_bot.store.repositories import GENESIS, audit_hash

from .context import ServiceContext


@dataclass(frozen=True)
class AuditCheck:
    entries: int
    first_broken: int | None  # the id of the first entry whose link does not hold
    reason: str = ""


async def verify_audit(ctx: ServiceContext) -> AuditCheck:
    """Recompute the chain: each entry's hash covers its content and the hash before it."""
    async with ctx.unit_of_work(read_only=True) as uow:
        entries = await uow.audit.all()
    previous = GENESIS
    for entry in entries:
        if entry.prev_hash != previous:
            return AuditCheck(len(entries), entry.id, "it does not follow the entry before it")
        detail_json = json.dumps(entry.detail, sort_keys=True, default=str)
        expected = audit_hash(entry.prev_hash, entry.at, entry.actor, entry.review_id,
                              entry.action, detail_json)
        if expected != entry.hash:
            return AuditCheck(len(entries), entry.id, "its content was changed")
        previous = entry.hash
    return AuditCheck(len(entries), None)


@dataclass(frozen=True)
class PurgeResult:
    reviews: int
    documents: int


async def purge(ctx: ServiceContext, closed_before: date, by: str) -> PurgeResult:
    """Remove closed reviews' documents and personal data (initials, notes, uploaded files and
    supplied templates) when they closed before `closed_before`; each leaves an audit stub."""
    now = ctx.clock.now()
    reviews = documents = 0
    async with ctx.unit_of_work() as uow:
        for review_id, reference in await uow.records.closed_before(closed_before):
            removed = await uow.records.scrub(review_id)
            await uow.audit.record(actor=by, action="review.purged", at=now, review_id=review_id,
                                   reference=reference, documents=removed,
                                   closed_before=closed_before.isoformat())
            reviews += 1
            documents += removed
        await uow.commit()
    return PurgeResult(reviews, documents)
