"""Files handed to people through a link: single use, expiring after 15 minutes, audited."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from imr_bot.store.downloads import StoredDownload

from . import links
from .context import ServiceContext

LINK_LIFETIME = timedelta(minutes=15)
FILE_PURPOSE = "file"
STRANGER_PREFIX = "teams:"  # an actor key for someone not in the directory (services/identity)


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
    """The file, used up; None (audited) when the link is unknown, expired, used, or its
    person is no longer active in the directory. Only a real fetch comes here: the web edge
    answers a HEAD or a link previewer without using the link up."""
    now = ctx.clock.now()
    if not token or len(token) > links.MAX_TOKEN:
        await links.refused(ctx, FILE_PURPOSE, links.MALFORMED, client=client)
        return None
    async with ctx.unit_of_work() as uow:
        download = await uow.downloads.claim(_hash(token), now)
        if download is None:
            await links.refused(ctx, FILE_PURPOSE, links.NOT_FOUND, client=client, uow=uow)
            await uow.commit()
            return None
        if not await _creator_still_active(uow, download.created_by):
            await links.refused(ctx, FILE_PURPOSE, links.INACTIVE, client=client,
                                actor=download.created_by, review_id=download.review_id, uow=uow)
            await uow.commit()  # used up all the same: a new link is one command away
            return None
        await uow.audit.record(actor=download.created_by, action="file.downloaded", at=now,
                               review_id=download.review_id, filename=download.filename,
                               client=client)
        await uow.commit()
    return download


async def _creator_still_active(uow, created_by: str) -> bool:
    """A file made for a directory person is theirs only while they are active. (One made for
    someone not in the directory, a blank template, names no directory entry to check.)"""
    if created_by.startswith(STRANGER_PREFIX):
        return True
    person = await uow.people.by_email(created_by)
    return person is not None and person.active
