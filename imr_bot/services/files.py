"""Files handed to people through a link: single use, expiring after 15 minutes, audited."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from imr_bot.store.repositories import StoredDownload

from .context import ServiceContext

LINK_LIFETIME = timedelta(minutes=15)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def offer(ctx: ServiceContext, *, filename: str, content_type: str, content: bytes,
                created_by: str, review_id: int | None = None) -> str:
    """Store a file and return the token for its link."""
    token = secrets.token_urlsafe(32)
    now = ctx.clock.now()
    async with ctx.unit_of_work() as uow:
        await uow.downloads.add(token_hash=_hash(token), filename=filename,
                                content_type=content_type, content=content, created_by=created_by,
                                review_id=review_id, at=now, expires=now + LINK_LIFETIME)
        await uow.audit.record(actor=created_by, action="file.offered", at=now,
                               review_id=review_id, filename=filename)
        await uow.commit()
    return token


async def collect(ctx: ServiceContext, token: str, *, client: str) -> StoredDownload | None:
    now = ctx.clock.now()
    async with ctx.unit_of_work() as uow:
        download = await uow.downloads.claim(_hash(token), now)
        if download is None:
            return None
        await uow.audit.record(actor=download.created_by, action="file.downloaded", at=now,
                               review_id=download.review_id, filename=download.filename,
                               client=client)
        await uow.commit()
    return download
