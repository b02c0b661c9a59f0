"""Downloads: files offered once through a signed, expiring link."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from . import tables as t


@dataclass(frozen=True)
class StoredDownload:
    id: int
    filename: str
    content_type: str
    content: bytes
    created_by: str
    review_id: int | None


class Downloads:
    """Files offered through a signed link: the token is stored only as its hash, the link expires,
    and it can be used once."""

    def __init__(self, connection: AsyncConnection):
        self._c = connection

    async def add(self, *, token_hash: str, filename: str, content_type: str, content: bytes,
                  created_by: str, review_id: int | None, at: datetime, expires: datetime) -> None:
        await self._c.execute(insert(t.downloads).values(
            token_hash=token_hash, filename=filename, content_type=content_type, content=content,
            created_by=created_by, review_id=review_id, created_at=at, expires_at=expires))

    async def claim(self, token_hash: str, at: datetime) -> StoredDownload | None:
        """Mark an unexpired, unused download as used and return it; None if there is none."""
        claimed = await self._c.execute(
            update(t.downloads).where(t.downloads.c.token_hash == token_hash,
                                      t.downloads.c.used_at.is_(None),
                                      t.downloads.c.expires_at > at).values(used_at=at))
        if claimed.rowcount != 1:
            return None
        row = (await self._c.execute(select(t.downloads).where(
            t.downloads.c.token_hash == token_hash))).first()
        return StoredDownload(row.id, row.filename, row.content_type, bytes(row.content),
                              row.created_by, row.review_id)
