"""The people directory: import (an idempotent upsert by email) and export, as CSV.

Columns: email, name, roles (separated by ';'), line_manager_email, service, active,
max_concurrent, aad_object_id, leave ('2026-12-01..2026-12-05', several separated by ';'),
deputy_email (optional: who decides an approval for them while they are on leave).
Bad lines are reported with their line numbers and reasons; good lines are never lost because of
a bad one.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field, replace
from datetime import date

from imr_bot.documents.cells import csv_text, from_csv_text
from imr_bot.domain.errors import DomainError
from imr_bot.domain.inputs import whole_number
from imr_bot.domain.people import LeavePeriod, Person
from imr_bot.domain.policy import Permission, require
from imr_bot.domain.roles import Role

from . import deputies
from .context import ServiceContext

COLUMNS = ["email", "name", "roles", "line_manager_email", "service", "active",
           "max_concurrent", "aad_object_id", "leave", "deputy_email"]
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)

    def summary(self) -> str:
        lines = [f"{self.created} added, {self.updated} updated, {len(self.rejected)} rejected."]
        lines += [f"  line {number}: {reason}" for number, reason in self.rejected]
        return "\n".join(lines)


def parse_people_csv(text: str) -> tuple[list[tuple[int, Person]], list[tuple[int, str]]]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = {"email", "name", "roles"} - set(reader.fieldnames or [])
    if missing:
        return [], [(1, f"the header lacks the {'column' if len(missing) == 1 else 'columns'} "
                           f"{', '.join(sorted(missing))}")]
    people: list[tuple[int, Person]] = []
    rejected: list[tuple[int, str]] = []
    seen: dict[str, int] = {}
    for row in reader:
        number = reader.line_num
        try:
            person = _person(row)
        except ValueError as error:
            rejected.append((number, str(error)))
            continue
        if person.email in seen:
            rejected.append((number, f"{person.email} already appears on line {seen[person.email]}"))
            continue
        seen[person.email] = number
        people.append((number, person))
    return people, rejected


def _person(row: dict[str, str | None]) -> Person:
    # (an export quotes text that would start a formula in a spreadsheet: taken off again here)
    value = {k: from_csv_text((v or "").strip()) for k, v in row.items() if k}
    email = value.get("email", "").lower()
    if not _EMAIL.match(email):
        raise ValueError(f"'{email or '(empty)'}' is not an email address")
    if not value.get("name"):
        raise ValueError("the name is empty")
    roles = set()
    for text in filter(None, (r.strip() for r in value.get("roles", "").split(";"))):
        try:
            roles.add(Role.parse(text))
        except ValueError:
            raise ValueError(f"unknown role '{text}' (known: "
                             f"{', '.join(r.value for r in Role)})") from None
    active_text = value.get("active", "").lower() or "yes"
    if active_text not in ("yes", "no", "true", "false", "1", "0", "y", "n"):
        raise ValueError(f"active must be yes or no, not '{active_text}'")
    max_concurrent = whole_number(value.get("max_concurrent") or 2, high=1000)
    if max_concurrent is None:
        raise ValueError("max_concurrent must be a whole number from 0 to 1000")
    manager = value.get("line_manager_email", "").lower()
    if manager and not _EMAIL.match(manager):
        raise ValueError(f"line manager '{manager}' is not an email address")
    deputy = value.get("deputy_email", "").lower()
    if deputy and not _EMAIL.match(deputy):
        raise ValueError(f"deputy '{deputy}' is not an email address")
    if deputy and deputy == email:
        raise ValueError("a person can't be their own deputy")
    leave = []
    for period in filter(None, (p.strip() for p in value.get("leave", "").split(";"))):
        try:
            start_text, end_text = period.split("..")
            leave.append(LeavePeriod(date.fromisoformat(start_text.strip()),
                                     date.fromisoformat(end_text.strip())))
        except ValueError:
            raise ValueError(f"leave '{period}' is not like 2026-12-01..2026-12-05") from None
        if leave[-1].ends < leave[-1].starts:
            raise ValueError(f"leave '{period}' ends before it starts")
    return Person(email=email, name=value["name"], roles=frozenset(roles),
                  aad_object_id=value.get("aad_object_id") or None,
                  line_manager_email=manager or None, service=value.get("service", ""),
                  active=active_text in ("yes", "true", "1", "y"), max_concurrent=max_concurrent,
                  leave=tuple(leave), deputy_email=deputy or None)


async def import_people(ctx: ServiceContext, text: str, *, by: str) -> ImportReport:
    parsed, rejected = parse_people_csv(text)
    report = ImportReport(rejected=rejected)
    now = ctx.clock.now()
    async with ctx.unit_of_work() as uow:
        for _number, person in parsed:
            stored, created = await uow.people.upsert(person, now)
            await uow.people.replace_leave(stored.id, person.leave)
            await deputies.set_deputy(uow, person.email, person.deputy_email, now)
            if created:
                report.created += 1
            else:
                report.updated += 1
        await uow.audit.record(actor=by, action="people.imported", at=now,
                               created=report.created, updated=report.updated,
                               rejected=len(report.rejected))
        await uow.commit()
    return report


async def export_people(ctx: ServiceContext) -> str:
    async with ctx.unit_of_work(read_only=True) as uow:
        people = await uow.people.all()
        deputy = {p.email: await uow.settings.get(deputies.key(p.email)) for p in people}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for p in people:
        writer.writerow([csv_text(field) for field in (
            p.email, p.name, ";".join(sorted(r.value for r in p.roles)),
            p.line_manager_email or "", p.service, "yes" if p.active else "no",
            p.max_concurrent, p.aad_object_id or "",
            ";".join(f"{lp.starts}..{lp.ends}" for lp in p.leave), deputy[p.email] or "")])
    return out.getvalue()


async def _person_by_email(uow, email: str) -> Person:
    person = await uow.people.by_email(email)
    if person is None:
        raise DomainError(f"There is nobody with the email {email.strip()} in the directory.")
    return person


async def add_leave(ctx: ServiceContext, actor, email: str, starts: date, ends: date) -> Person:
    require(Permission.MANAGE_PEOPLE, actor)
    if ends < starts:
        raise DomainError("The leave ends before it starts.")
    async with ctx.unit_of_work() as uow:
        person = await _person_by_email(uow, email)
        await uow.people.replace_leave(person.id, [*person.leave, LeavePeriod(starts, ends)])
        await uow.audit.record(actor=actor.key, action="person.leave_added", at=ctx.clock.now(),
                               person=person.email, starts=starts.isoformat(),
                               ends=ends.isoformat())
        await uow.commit()
        return await uow.people.by_id(person.id)


async def deactivate(ctx: ServiceContext, actor, email: str) -> Person:
    require(Permission.MANAGE_PEOPLE, actor)
    async with ctx.unit_of_work() as uow:
        person = await _person_by_email(uow, email)
        await uow.people.upsert(replace(person, active=False), ctx.clock.now())
        await uow.audit.record(actor=actor.key, action="person.deactivated", at=ctx.clock.now(),
                               person=person.email)
        await uow.commit()
    return person
