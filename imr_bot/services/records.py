"""Records: the audit trail's integrity, and the purge of closed reviews after retention."""

from __future__ import annotations

import hmac
import json
from dataclasses import dataclass, replace
from datetime import date

from imr_bot.store.audit import GENESIS, KEYED, PLAIN

from .context import ServiceContext

HEAD_VERSION = "imr-audit-head/1"


@dataclass(frozen=True)
class AuditCheck:
    entries: int
    first_broken: int | None  # the id of the first entry whose link does not hold
    reason: str = ""
    legacy: int = 0  # entries hashed before the chain was keyed, sealed by the first keyed one


@dataclass(frozen=True)
class AuditHead:
    """Where the chain ended when it was exported: kept outside the database, it shows later
    whether entries were cut from the end (which no link inside the chain can show)."""
    entries: int
    last_id: int | None
    last_hash: str
    exported_at: str
    signature: str = ""

    def signed_text(self) -> str:
        return f"{HEAD_VERSION}|{self.entries}|{self.last_id}|{self.last_hash}|{self.exported_at}"

    def to_json(self) -> str:
        return json.dumps({"version": HEAD_VERSION, "entries": self.entries,
                           "last_id": self.last_id, "last_hash": self.last_hash,
                           "exported_at": self.exported_at, "signature": self.signature})

    @classmethod
    def from_json(cls, text: str) -> AuditHead:
        """Raises ValueError when `text` is not an exported head."""
        try:
            data = json.loads(text)
            if not isinstance(data, dict) or data.get("version") != HEAD_VERSION:
                raise ValueError
            last_id = data["last_id"]
            head = cls(int(data["entries"]), None if last_id is None else int(last_id),
                       str(data["last_hash"]), str(data["exported_at"]), str(data["signature"]))
        except (ValueError, KeyError, TypeError):
            raise ValueError("not an audit head exported by `imr-bot audit head`") from None
        return head


async def audit_head(ctx: ServiceContext) -> AuditHead:
    """The chain's head now, signed with the audit key."""
    async with ctx.unit_of_work(read_only=True) as uow:
        last, count = await uow.audit.last(), await uow.audit.count()
        head = AuditHead(count, last.id if last else None, last.hash if last else GENESIS,
                         ctx.clock.now().isoformat(timespec="seconds"))
        return replace(head, signature=uow.audit.sign(head.signed_text()))


async def verify_audit(ctx: ServiceContext, head: AuditHead | None = None) -> AuditCheck:
    """Recompute the chain: each entry's hash covers its content and the hash before it, as an
    HMAC under the audit key. Entries hashed before the chain was keyed are accepted only before
    the first keyed one, which seals them (its HMAC covers the last of their hashes). With `head`
    (an exported one), the chain must still hold that head's entries, unchanged."""
    async with ctx.unit_of_work(read_only=True) as uow:
        entries = await uow.audit.all()
        if head is not None and not hmac.compare_digest(
                uow.audit.sign(head.signed_text()), head.signature):
            return AuditCheck(len(entries), None, "the exported head's signature does not hold "
                              "under this IMR_AUDIT_KEY (a forged head, or another key)")
        previous, keyed, legacy = GENESIS, False, 0
        for entry in entries:
            if entry.prev_hash != previous:
                return AuditCheck(len(entries), entry.id,
                                  "it does not follow the entry before it (an entry was removed "
                                  "or changed)", legacy)
            if entry.scheme == PLAIN:
                if keyed:
                    return AuditCheck(len(entries), entry.id, "an unkeyed hash after keyed "
                                      "ones: it was rewritten", legacy)
                legacy += 1
            keyed = keyed or entry.scheme == KEYED
            expected = uow.audit.expected_hash(entry)
            if expected is None or not hmac.compare_digest(expected, entry.hash):
                return AuditCheck(len(entries), entry.id,
                                  "its hash does not hold: its content was changed, or "
                                  "IMR_AUDIT_KEY is not the key it was written with", legacy)
            previous = entry.hash
    if legacy and not keyed:
        return AuditCheck(len(entries), entries[-1].id,
                          f"the {legacy} entries hashed before the chain was keyed are not "
                          "sealed by a keyed entry (the bot seals them when it starts; without "
                          "the seal anyone could rewrite them)", legacy)
    if head is not None:
        problem = _against_head(entries, head)
        if problem:
            return AuditCheck(len(entries), head.last_id, problem, legacy)
    return AuditCheck(len(entries), None, legacy=legacy)


def _against_head(entries: list, head: AuditHead) -> str:
    if head.last_id is None:
        return ""  # exported when the chain was empty
    position = next((n for n, e in enumerate(entries, 1) if e.id == head.last_id), None)
    if position is None or len(entries) < head.entries:
        return (f"the chain was cut: it has {len(entries)} entries, and the exported head's "
                f"entry {head.last_id} (of {head.entries}) is gone")
    if entries[position - 1].hash != head.last_hash or position != head.entries:
        return (f"entry {head.last_id} is not the one the exported head names: the chain was "
                "cut and written again from there")
    return ""


async def seal_audit(ctx: ServiceContext) -> bool:
    """If the chain ends with entries hashed before it was keyed, add a keyed entry after them,
    whose HMAC covers their last hash: from then on, rewriting them shows. True if it sealed."""
    async with ctx.unit_of_work() as uow:
        last = await uow.audit.last()
        if last is None or last.scheme != PLAIN:
            return False
        await uow.audit.record(actor="imr-bot", action="audit.keyed", at=ctx.clock.now(),
                               sealed_entries=await uow.audit.count(), last_plain_id=last.id)
        await uow.commit()
    return True


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
