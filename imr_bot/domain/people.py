"""People in the IMR pool and the roles they hold."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from .roles import Role


@dataclass(frozen=True)
class LeavePeriod:
    starts: date
    ends: date

    def overlaps(self, first: date, last: date) -> bool:
        return self.starts <= last and first <= self.ends


@dataclass(frozen=True)
class Person:
    email: str
    name: str
    roles: frozenset[Role] = frozenset()
    id: int | None = None
    aad_object_id: str | None = None
    teams_user_id: str | None = None  # the Teams id (29:...) seen on their messages
    line_manager_email: str | None = None
    service: str = ""
    active: bool = True
    max_concurrent: int = 2
    leave: tuple[LeavePeriod, ...] = field(default_factory=tuple)
    unreachable_since: datetime | None = None  # not reached in Teams: see unreachable_reason
    unreachable_reason: str | None = None  # NOT_OPENED, or why Teams refused a message
    # the deputy named in the people CSV; kept by services/deputies (settings), not loaded here
    deputy_email: str | None = None

    @property
    def short_name(self) -> str:
        """First name and the surname's initial ("Arun A."), for lines about a person."""
        first, _, rest = self.name.strip().partition(" ")
        last = rest.split()[-1] if rest.split() else ""
        return f"{first} {last[0]}." if last else (first or self.email)

    @property
    def first_name(self) -> str:
        return self.name.split()[0] if self.name else self.email

    def holds(self, role: Role | None) -> bool:
        """Whether this person is in `role` now (an inactive person holds no role)."""
        return self.active and role in self.roles


@dataclass(frozen=True)
class Actor:
    """Who is acting on a turn: a known person (with their organisation roles) or a stranger."""
    key: str  # what the audit records: an email, or "teams:<id>" for someone not in the directory
    name: str
    person: Person | None = None

    @property
    def roles(self) -> frozenset[Role]:
        return self.person.roles if self.person and self.person.active else frozenset()

    @property
    def person_id(self) -> int | None:
        """The acting person's id, for an event's `by` (None for a stranger)."""
        return self.person.id if self.person is not None else None

    @property
    def is_known(self) -> bool:
        return self.person is not None and self.person.active
