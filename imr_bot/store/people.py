"""People: the directory (roles, line managers, leave) in and out of the database."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from imr_bot.domain.people import LeavePeriod, Person
from imr_bot.domain.roles import Role

from . import tables as t
from .read_cache import PEOPLE, Writes


def _roles_text(roles: Iterable[Role]) -> str:
    return ",".join(sorted(r.value for r in roles))


def _roles(text_value: str) -> frozenset[Role]:
    return frozenset(Role(v) for v in (text_value or "").split(",") if v)


class People:
    """One unit of work's view of the directory. Once the whole directory has been read, the
    unit of work's later reads come from it (a use case asks for the same people several times:
    policy, recipients, names on the card); any write here starts again from the database."""

    def __init__(self, connection: AsyncConnection, writes: Writes | None = None):
        self._c = connection
        self._writes = writes or Writes()
        self._directory: list[Person] | None = None

    def _wrote(self) -> None:
        self._directory = None
        self._writes.wrote(PEOPLE)

    async def upsert(self, person: Person, at: datetime) -> tuple[Person, bool]:
        """Insert or update by email; returns the stored person and whether it was new."""
        self._wrote()
        email = person.email.strip().lower()
        values = {"name": person.name, "roles": _roles_text(person.roles),
                  "line_manager_email": (person.line_manager_email or "").lower() or None,
                  "service": person.service, "active": person.active,
                  "max_concurrent": person.max_concurrent, "updated_at": at}
        if person.aad_object_id:
            values["aad_object_id"] = person.aad_object_id
        existing = await self._c.scalar(select(t.people.c.id).where(t.people.c.email == email))
        if existing is None:
            result = await self._c.execute(insert(t.people).values(
                email=email, created_at=at, **values))
            person_id, created = result.inserted_primary_key[0], True
        else:
            await self._c.execute(update(t.people).where(t.people.c.id == existing).values(**values))
            person_id, created = existing, False
        stored = await self.by_id(person_id)
        assert stored is not None
        return stored, created

    async def replace_leave(self, person_id: int, periods: Iterable[LeavePeriod]) -> None:
        self._wrote()
        await self._c.execute(delete(t.leave).where(t.leave.c.person_id == person_id))
        rows = [{"person_id": person_id, "starts": p.starts, "ends": p.ends} for p in periods]
        if rows:
            await self._c.execute(insert(t.leave), rows)

    async def link_aad(self, person_id: int, aad_object_id: str, teams_user_id: str | None) -> None:
        self._wrote()
        await self._c.execute(update(t.people).where(t.people.c.id == person_id).values(
            aad_object_id=aad_object_id, teams_user_id=teams_user_id))

    async def seen(self, person_id: int, teams_user_id: str | None) -> None:
        self._wrote()
        await self._c.execute(update(t.people).where(t.people.c.id == person_id).values(
            teams_user_id=teams_user_id, unreachable_since=None, unreachable_reason=None))

    async def by_id(self, person_id: int) -> Person | None:
        return await self._one("id", person_id)

    async def by_email(self, email: str) -> Person | None:
        return await self._one("email", email.strip().lower())

    async def by_ids(self, ids: list[int]) -> dict[int, Person]:
        if not ids:
            return {}
        if self._directory is not None:
            wanted = set(ids)
            return {p.id: p for p in self._directory if p.id in wanted}
        return {person.id: person
                for person in await self._load(_people_query("ids"), {"value": ids})}

    async def by_aad(self, aad_object_id: str) -> Person | None:
        return await self._one("aad_object_id", aad_object_id)

    async def with_role(self, role: Role) -> list[Person]:
        return [p for p in await self.all() if p.holds(role)]

    async def all(self) -> list[Person]:
        if self._directory is None:
            self._directory = await self._load(_people_query(None))
        return list(self._directory)

    async def _one(self, column: str, value) -> Person | None:
        if self._directory is not None:
            return next((p for p in self._directory if getattr(p, _FIELDS[column]) == value),
                        None)
        people = await self._load(_people_query(column), {"value": value})
        return people[0] if people else None

    async def _load(self, query, parameters: dict[str, Any] | None = None) -> list[Person]:
        """People and their leave in one query (one round trip: this runs on every turn)."""
        rows: dict[int, Any] = {}
        leave: dict[int, list[LeavePeriod]] = {}
        for r in await self._c.execute(query, parameters or {}):
            if r.id not in rows:
                rows[r.id], leave[r.id] = r, []
            if r.leave_starts is not None:
                leave[r.id].append(LeavePeriod(r.leave_starts, r.leave_ends))
        return [Person(id=r.id, email=r.email, name=r.name, roles=_roles(r.roles),
                       aad_object_id=r.aad_object_id, teams_user_id=r.teams_user_id,
                       line_manager_email=r.line_manager_email,
                       service=r.service or "", active=bool(r.active),
                       max_concurrent=r.max_concurrent, leave=tuple(leave[r.id]),
                       unreachable_since=r.unreachable_since,
                       unreachable_reason=r.unreachable_reason) for r in rows.values()]


# a column people are looked up by, and the Person field that holds it
_FIELDS = {"id": "id", "email": "email", "aad_object_id": "aad_object_id"}


@cache
def _people_query(column: str | None):
    """People with their leave, where `column` equals the value given (or, for "ids", is one of
    them): built once, as building a statement costs SQLAlchemy more than running this one."""
    query = (select(t.people, t.leave.c.starts.label("leave_starts"),
                    t.leave.c.ends.label("leave_ends"))
             .select_from(t.people.outerjoin(t.leave, t.leave.c.person_id == t.people.c.id))
             .order_by(t.people.c.name, t.people.c.id, t.leave.c.starts))
    if column == "ids":
        return query.where(t.people.c.id.in_(bindparam("value", expanding=True)))
    if column is not None:
        return query.where(t.people.c[column] == bindparam("value"))
    return query
