"""Templates that organisations supply, by scope."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from . import tables as t


class OrgTemplates:
    """Templates that organisations supply (e.g. Community Safety's DHR templates)."""

    def __init__(self, connection: AsyncConnection):
        self._c = connection

    async def put(self, scope: str, kind: str, filename: str, content: bytes, by: str,
                  at: datetime) -> None:
        await self._c.execute(delete(t.org_templates).where(t.org_templates.c.scope == scope,
                                                            t.org_templates.c.kind == kind))
        await self._c.execute(insert(t.org_templates).values(
            scope=scope, kind=kind, filename=filename, content=content, uploaded_by=by,
            uploaded_at=at))

    async def find(self, scopes: list[str], kind: str) -> tuple[str, bytes] | None:
        for scope in scopes:
            row = (await self._c.execute(select(t.org_templates.c.filename, t.org_templates.c.content)
                                         .where(t.org_templates.c.scope == scope,
                                                t.org_templates.c.kind == kind))).first()
            if row is not None:
                return row.filename, bytes(row.content)
        return None
