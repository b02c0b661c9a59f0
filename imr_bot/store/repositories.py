"""Repositories: domain objects in and out of the database, within one transaction."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Text, and_, bindparam, cast, delete, func, insert, or_, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from imr_bot.domain.errors import DomainError, DuplicateReference
from imr_bot.domain.meetings import Answer, Meeting, MeetingKind, MeetingStatus
from imr_bot.domain.notification import About, OutgoingNotification
from imr_bot.domain.people import LeavePeriod, Person
from imr_bot.domain.plan import Milestone, Plan, PlanChange
from imr_bot.domain.review import CommissioningBody, Review, ReviewType
from imr_bot.domain.roles import Role
from imr_bot.domain.stages import CLOSED_STAGES, Stage
from imr_bot.domain.submissions import AlreadyDecided, Decision, Level, RecordedDecision

from . import tables as t
from .bulk import insert_many

_LONDON = ZoneInfo("Europe/London")


class ConcurrentChange(DomainError):
    def __init__(self) -> None:
        super().__init__("Someone else changed this review a moment ago. Please try again.")


def reference_key(reference: str) -> str:
    return reference.strip().casefold()


def _roles_text(roles: Iterable[Role]) -> str:
    return ",".join(sorted(r.value for r in roles))


def _roles(text_value: str) -> frozenset[Role]:
    return frozenset(Role(v) for v in (text_value or "").split(",") if v)


class Reviews:
    def __init__(self, connection: AsyncConnection):
        self._c = connection
        self._loaded: dict[int, tuple[int, int]] = {}  # id -> (version, number of plan changes)

    async def add(self, review: Review, at: datetime) -> Review:
        values = self._row(review) | {"created_at": at, "updated_at": at, "version": 1}
        try:
            async with self._c.begin_nested():
                result = await self._c.execute(insert(t.reviews).values(**values))
        except IntegrityError as error:
            raise DuplicateReference(review.reference) from error
        review_id = result.inserted_primary_key[0]
        await self._write_plan(review_id, review.plan, already=0)
        await self._write_people(review_id, review.people)
        self._loaded[review_id] = (1, len(review.plan.changes))
        return _with_id(review, review_id)

    async def save(self, review: Review, at: datetime) -> None:
        """Write a changed review; fails with ConcurrentChange if it changed since it was read."""
        version, known_changes = self._loaded[review.id]
        result = await self._c.execute(
            update(t.reviews).where(and_(t.reviews.c.id == review.id,
                                         t.reviews.c.version == version))
            .values(**self._row(review), version=version + 1, updated_at=at))
        if result.rowcount != 1:
            raise ConcurrentChange()
        await self._c.execute(delete(t.milestones).where(t.milestones.c.review_id == review.id))
        await self._c.execute(delete(t.review_people).where(
            t.review_people.c.review_id == review.id))
        await self._write_plan(review.id, review.plan, already=known_changes)
        await self._write_people(review.id, review.people)
        self._loaded[review.id] = (version + 1, len(review.plan.changes))

    async def exists(self, reference: str) -> bool:
        found = await self._c.scalar(select(t.reviews.c.id).where(
            t.reviews.c.reference_key == reference_key(reference)))
        return found is not None

    async def get(self, reference: str) -> Review | None:
        row = (await self._c.execute(select(t.reviews).where(
            t.reviews.c.reference_key == reference_key(reference)))).mappings().first()
        if row is None:
            return None
        (review,) = await self._hydrate([row], with_changes=True)
        return review

    async def get_by_id(self, review_id: int, *, with_changes: bool = True) -> Review | None:
        """`with_changes=False` for reading only: the plan's change history is not loaded (and
        such a review must not be saved: the history would look shorter)."""
        row = (await self._c.execute(_one_review(self._c.dialect.name),
                                     {"review_id": review_id})).mappings().first()
        if row is None:
            return None
        due: dict[Milestone, date] = {}
        done: dict[Milestone, date] = {}
        for milestone, due_on, done_on in json.loads(row["milestones_json"] or "[]"):
            due[Milestone(milestone)] = date.fromisoformat(due_on)
            if done_on:
                done[Milestone(milestone)] = date.fromisoformat(done_on)
        people = {Role(role): person_id
                  for role, person_id in json.loads(row["people_json"] or "[]")}
        changes = (await self._changes([review_id]))[review_id] if with_changes else []
        return self._assemble(row, due, done, people, changes)

    async def stage_of(self, review_id: int) -> Stage | None:
        """Only the review's stage (what delivery checks before every send): one column."""
        value = await self._c.scalar(select(t.reviews.c.stage).where(t.reviews.c.id == review_id))
        return Stage(value) if value else None

    async def get_many(self, review_ids: list[int]) -> list[Review]:
        """Reviews by id, in the order asked (plans without their change history)."""
        rows = []
        for chunk in _chunks(review_ids, 5000):
            rows += (await self._c.execute(select(t.reviews).where(
                t.reviews.c.id.in_(chunk)))).mappings().all()
        order = {review_id: n for n, review_id in enumerate(review_ids)}
        rows.sort(key=lambda row: order[row["id"]])
        return await self._hydrate(rows, with_changes=False)

    async def references(self) -> list[str]:
        return list(await self._c.scalars(select(t.reviews.c.reference)))

    async def open_reviews(self) -> list[Review]:
        rows = (await self._c.execute(select(t.reviews).where(
            t.reviews.c.stage.not_in([s.value for s in CLOSED_STAGES])))).mappings().all()
        return await self._hydrate(rows, with_changes=False)

    async def count(self) -> int:
        return int(await self._c.scalar(select(func.count()).select_from(t.reviews)) or 0)

    # -- mapping ----------------------------------------------------------------------------
    @staticmethod
    def _row(review: Review) -> dict[str, Any]:
        return {
            "reference": review.reference, "reference_key": reference_key(review.reference),
            "review_type": review.review_type.value, "body": review.body.value,
            "received": review.received, "tor_start": review.tor_start, "tor_end": review.tor_end,
            "subject_initials": review.subject_initials, "notes": review.notes,
            "stage": review.stage.value,
            "stage_before_hold": review.stage_before_hold.value if review.stage_before_hold else None,
            "held_since": review.held_since, "day_one": review.plan.day_one,
            "template_pack": review.template_pack, "next_due": review.next_due,
        }

    async def _write_plan(self, review_id: int, plan: Plan, *, already: int) -> None:
        await self._c.execute(insert(t.milestones), [
            {"review_id": review_id, "milestone": m.value, "due": due, "done": plan.done.get(m)}
            for m, due in plan.due.items()])
        new_changes = plan.changes[already:]
        if new_changes:
            await self._c.execute(insert(t.plan_changes), [
                {"review_id": review_id, "milestone": c.milestone.value, "old_due": c.old,
                 "new_due": c.new, "changed_by": c.by, "reason": c.reason, "at": c.at}
                for c in new_changes])

    async def _write_people(self, review_id: int, people: dict[Role, int]) -> None:
        if people:
            await self._c.execute(insert(t.review_people), [
                {"review_id": review_id, "role": role.value, "person_id": person_id}
                for role, person_id in people.items()])

    async def _hydrate(self, rows: Sequence[Any], *, with_changes: bool) -> list[Review]:
        if not rows:
            return []
        ids = [row["id"] for row in rows]
        due: dict[int, dict[Milestone, date]] = {i: {} for i in ids}
        done: dict[int, dict[Milestone, date]] = {i: {} for i in ids}
        people: dict[int, dict[Role, int]] = {i: {} for i in ids}
        for chunk in _chunks(ids, 5000):
            for m in (await self._c.execute(select(t.milestones).where(
                    t.milestones.c.review_id.in_(chunk)))).all():
                due[m.review_id][Milestone(m.milestone)] = m.due
                if m.done:
                    done[m.review_id][Milestone(m.milestone)] = m.done
            for p in (await self._c.execute(select(t.review_people).where(
                    t.review_people.c.review_id.in_(chunk)))).all():
                people[p.review_id][Role(p.role)] = p.person_id
        changes = await self._changes(ids) if with_changes else {i: [] for i in ids}
        return [self._assemble(row, due[row["id"]], done[row["id"]], people[row["id"]],
                               changes[row["id"]]) for row in rows]

    async def _changes(self, ids: list[int]) -> dict[int, list[PlanChange]]:
        changes: dict[int, list[PlanChange]] = {i: [] for i in ids}
        for chunk in _chunks(ids, 5000):
            for c in (await self._c.execute(select(t.plan_changes).where(
                    t.plan_changes.c.review_id.in_(chunk)).order_by(t.plan_changes.c.id))).all():
                changes[c.review_id].append(PlanChange(
                    Milestone(c.milestone), c.old_due, c.new_due, c.changed_by, c.reason, c.at))
        return changes

    def _assemble(self, row, due: dict[Milestone, date], done: dict[Milestone, date],
                  people: dict[Role, int], changes: list[PlanChange]) -> Review:
        plan = Plan(day_one=row["day_one"], due=due, done=done, changes=tuple(changes))
        self._loaded[row["id"]] = (row["version"], len(plan.changes))
        return Review(
            id=row["id"], reference=row["reference"],
            review_type=ReviewType(row["review_type"]), body=CommissioningBody(row["body"]),
            received=row["received"], tor_start=row["tor_start"], tor_end=row["tor_end"],
            subject_initials=row["subject_initials"], notes=row["notes"] or "",
            stage=Stage(row["stage"]),
            stage_before_hold=Stage(row["stage_before_hold"]) if row["stage_before_hold"] else None,
            held_since=row["held_since"], plan=plan, people=people,
            template_pack=row["template_pack"] or "derbyshire")


def _json_list(dialect: str, *columns, where, select_from=None):
    """A scalar subquery: the rows matching `where`, as one JSON list of lists of `columns`,
    built by the database (NULL, or '[]' on SQLite, when none match)."""
    aggregate, row = ((func.json_agg, func.json_build_array) if dialect == "postgresql"
                      else (func.json_group_array, func.json_array))
    query = select(cast(aggregate(row(*columns)), Text))
    if select_from is not None:
        query = query.select_from(select_from)
    return query.where(*where).scalar_subquery()


@cache
def _one_review(dialect: str):
    """A review with its milestones and people in one round trip (read on nearly every turn that
    names a review): the two lists come as JSON arrays, built by the database."""
    m, p, review_id = t.milestones.c, t.review_people.c, t.reviews.c.id
    milestones = _json_list(dialect, m.milestone, m.due, m.done, where=[m.review_id == review_id])
    people = _json_list(dialect, p.role, p.person_id, where=[p.review_id == review_id])
    return select(t.reviews, milestones.label("milestones_json"),
                  people.label("people_json")).where(review_id == bindparam("review_id"))


def _with_id(item, new_id: int):
    """A frozen domain object with the id the database gave it."""
    from dataclasses import replace

    return replace(item, id=new_id)


def _chunks(items: list[int], size: int):
    for start in range(0, len(items), size):
        yield items[start:start + size]


class People:
    def __init__(self, connection: AsyncConnection):
        self._c = connection
        self.changed = False  # the directory was written: the unit of work tells the cache

    async def upsert(self, person: Person, at: datetime) -> tuple[Person, bool]:
        """Insert or update by email; returns the stored person and whether it was new."""
        self.changed = True
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
        self.changed = True
        await self._c.execute(delete(t.leave).where(t.leave.c.person_id == person_id))
        rows = [{"person_id": person_id, "starts": p.starts, "ends": p.ends} for p in periods]
        if rows:
            await self._c.execute(insert(t.leave), rows)

    async def link_aad(self, person_id: int, aad_object_id: str, teams_user_id: str | None) -> None:
        self.changed = True
        await self._c.execute(update(t.people).where(t.people.c.id == person_id).values(
            aad_object_id=aad_object_id, teams_user_id=teams_user_id))

    async def seen(self, person_id: int, teams_user_id: str | None) -> None:
        self.changed = True
        await self._c.execute(update(t.people).where(t.people.c.id == person_id).values(
            teams_user_id=teams_user_id, unreachable_since=None, unreachable_reason=None))

    async def by_id(self, person_id: int) -> Person | None:
        return await self._one("id", person_id)

    async def by_email(self, email: str) -> Person | None:
        return await self._one("email", email.strip().lower())

    async def by_ids(self, ids: list[int]) -> dict[int, Person]:
        if not ids:
            return {}
        return {person.id: person
                for person in await self._load(_people_query("ids"), {"value": ids})}

    async def by_aad(self, aad_object_id: str) -> Person | None:
        return await self._one("aad_object_id", aad_object_id)

    async def with_role(self, role: Role) -> list[Person]:
        return [p for p in await self.all() if p.holds(role)]

    async def all(self) -> list[Person]:
        return await self._load(_people_query(None))

    async def _one(self, column: str, value) -> Person | None:
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

    async def all(self) -> list[AuditEntry]:
        rows = (await self._c.execute(select(t.audit).order_by(t.audit.c.id))).all()
        return [_audit_entry(r) for r in rows]


def _audit_entry(row) -> AuditEntry:
    return AuditEntry(row.id, row.at, row.actor, row.review_id, row.action, json.loads(row.detail),
                      row.prev_hash, row.hash, row.scheme, row.detail)


class ConversationRefs:
    def __init__(self, connection: AsyncConnection):
        self._c = connection

    async def save(self, key: str, kind: str, reference: dict[str, Any], at: datetime) -> None:
        payload = json.dumps(reference, sort_keys=True)
        updated = await self._c.execute(update(t.conversation_refs).where(
            t.conversation_refs.c.key == key).values(reference=payload, kind=kind, updated_at=at))
        if updated.rowcount == 0:
            try:
                async with self._c.begin_nested():
                    await self._c.execute(insert(t.conversation_refs).values(
                        key=key, kind=kind, reference=payload, updated_at=at))
            except IntegrityError:  # saved by a concurrent turn: theirs is as fresh as ours
                pass

    async def get(self, key: str) -> dict[str, Any] | None:
        value = await self._c.scalar(select(t.conversation_refs.c.reference).where(
            t.conversation_refs.c.key == key))
        return json.loads(value) if value else None


class Settings:
    def __init__(self, connection: AsyncConnection):
        self._c = connection

    async def get(self, key: str) -> str | None:
        return await self._c.scalar(select(t.settings.c.value).where(t.settings.c.key == key))

    async def put(self, key: str, value: str, at: datetime) -> None:
        await self._c.execute(delete(t.settings).where(t.settings.c.key == key))
        await self._c.execute(insert(t.settings).values(key=key, value=value, updated_at=at))

    async def remove(self, key: str) -> None:
        await self._c.execute(delete(t.settings).where(t.settings.c.key == key))


@dataclass(frozen=True)
class NotificationRecord:
    key: str
    kind: str
    status: str
    created_at: datetime
    sent_at: datetime | None
    last_error: str | None


@dataclass(frozen=True)
class HeldNotification:
    key: str
    recipient: str
    kind: str
    about: About


# "held": waiting for its recipient to open the bot; "unreachable": held before holding had a name
HELD_STATUSES = ("held", "unreachable")


def _payload(notification: OutgoingNotification) -> str:
    """The payload as stored, with what it is about beside it (for the send-time check)."""
    payload = notification.payload
    if notification.about is not None and notification.about.as_data():
        payload = {**payload, "about": notification.about.as_data()}
    return json.dumps(payload)


class Outbox:
    """Notifications to send. A key is unique, so a notification is queued at most once; the
    dispatcher marks it sent, and retries it until then."""

    def __init__(self, connection: AsyncConnection):
        self._c = connection

    async def queue(self, notification: OutgoingNotification, at: datetime) -> bool:
        try:
            async with self._c.begin_nested():
                await self._c.execute(insert(t.notifications).values(
                    key=notification.key, review_id=notification.review_id,
                    recipient=notification.recipient, kind=notification.kind,
                    payload=_payload(notification), status="pending", attempts=0,
                    next_attempt_at=at, created_at=at))
            return True
        except IntegrityError:
            return False

    async def queue_many(self, notifications: list[OutgoingNotification], at: datetime) -> set[str]:
        """Queue many in one statement; keys already in the sent-log are skipped. Returns the keys
        that were new."""
        if not notifications:
            return set()
        result = await insert_many(self._c, t.notifications, [
            {"key": n.key, "review_id": n.review_id, "recipient": n.recipient, "kind": n.kind,
             "payload": _payload(n), "status": "pending", "attempts": 0,
             "next_attempt_at": at, "created_at": at} for n in notifications],
            conflict=["key"], returning=t.notifications.c.key)
        return set(result.scalars())

    async def finish(self, notification_id: int, status: str, reason: str) -> None:
        """End a notification within this unit of work (with the audit entry that says why)."""
        await self._c.execute(update(t.notifications).where(
            t.notifications.c.id == notification_id).values(
            status=status, last_error=reason[:500], lease_until=None))

    async def release_held(self, recipient: str, at: datetime) -> int:
        """Everything held for a recipient who could not be reached goes back in the queue, due
        now, in the order it was queued (ids); the send-time check drops what is no longer true."""
        result = await self._c.execute(update(t.notifications).where(
            t.notifications.c.recipient == recipient,
            t.notifications.c.status.in_(HELD_STATUSES)).values(
            status="pending", next_attempt_at=at, attempts=0, lease_until=None))
        return result.rowcount

    async def held_for_review(self, review_id: int, limit: int = 50) -> list[HeldNotification]:
        """The review's notifications waiting for their recipient, oldest first."""
        return [item for _, item in await self.held_for_reviews([review_id], limit)]

    async def held_for_reviews(self, review_ids: list[int], limit: int = 200
                               ) -> list[tuple[int, HeldNotification]]:
        """(review id, notification) for those of these reviews' notifications waiting for their
        recipient, oldest first: in one read, for a page of the board."""
        if not review_ids:
            return []
        n = t.notifications.c
        rows = await self._c.execute(select(n.review_id, n.key, n.recipient, n.kind, n.payload)
                                     .where(n.status.in_(HELD_STATUSES),
                                            n.review_id.in_(review_ids[:1000]))
                                     .order_by(n.id).limit(limit))
        held = []
        for r in rows:
            try:
                about = json.loads(r.payload).get("about")
            except (ValueError, AttributeError):
                about = None
            held.append((r.review_id, HeldNotification(r.key, r.recipient, r.kind,
                                                       About.from_data(about, r.key))))
        return held

    async def escalated_among(self, review_ids: list[int]) -> set[int]:
        """Which of these reviews have had their allocation escalation queued."""
        found: set[int] = set()
        for chunk in _chunks(review_ids, 5000):
            found.update(await self._c.scalars(select(t.notifications.c.review_id).where(
                t.notifications.c.review_id.in_(chunk),
                t.notifications.c.kind == "allocation_escalation").distinct()))
        return found

    async def reminders_for(self, review_id: int) -> list[NotificationRecord]:
        """The review's reminders and escalations, found by their keys' prefixes in the key's
        unique index (keys compare byte by byte; ';' follows ':')."""
        key = t.notifications.c.key
        rows = (await self._c.execute(select(t.notifications).where(or_(*(
            and_(key >= f"{prefix}:", key < f"{prefix};")
            for prefix in (f"reminder:{review_id}", f"review:{review_id}:escalation"))))
            .order_by(t.notifications.c.id))).all()
        return [NotificationRecord(r.key, r.kind, r.status, r.created_at, r.sent_at, r.last_error)
                for r in rows]


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


@dataclass(frozen=True)
class AllocationRecord:
    id: int
    review_id: int
    author_id: int
    qa_lead_id: int
    offered_by: str
    offered_at: datetime
    status: str
    answered_at: datetime | None
    reason: str | None


class Allocations:
    """Offers of a review to an author (with a QA lead), and their answers."""

    def __init__(self, connection: AsyncConnection):
        self._c = connection

    async def offer(self, *, review_id: int, author_id: int, qa_lead_id: int, by: str,
                    at: datetime) -> int:
        result = await self._c.execute(insert(t.allocations).values(
            review_id=review_id, author_id=author_id, qa_lead_id=qa_lead_id, offered_by=by,
            offered_at=at, status="offered"))
        return result.inserted_primary_key[0]

    async def answer(self, allocation_id: int, status: str, at: datetime,
                     reason: str | None = None) -> bool:
        """Record an answer once: False if the offer was already answered or withdrawn."""
        result = await self._c.execute(update(t.allocations).where(
            t.allocations.c.id == allocation_id, t.allocations.c.status == "offered").values(
            status=status, answered_at=at, reason=reason))
        return result.rowcount == 1

    async def withdraw_open(self, review_id: int, at: datetime, reason: str) -> int:
        result = await self._c.execute(update(t.allocations).where(
            t.allocations.c.review_id == review_id,
            t.allocations.c.status.in_(["offered", "accepted"])).values(
            status="withdrawn", answered_at=at, reason=reason))
        return result.rowcount

    async def get(self, allocation_id: int) -> AllocationRecord | None:
        row = (await self._c.execute(select(t.allocations).where(
            t.allocations.c.id == allocation_id))).first()
        return AllocationRecord(*row) if row else None

    async def for_reviews(self, review_ids: list[int]) -> dict[int, list[AllocationRecord]]:
        found: dict[int, list[AllocationRecord]] = {}
        for chunk in _chunks(review_ids, 5000):
            for row in (await self._c.execute(select(t.allocations).where(
                    t.allocations.c.review_id.in_(chunk)).order_by(t.allocations.c.id))).all():
                found.setdefault(row.review_id, []).append(AllocationRecord(*row))
        return found

    async def open_offer_counts(self) -> dict[int, int]:
        """Unanswered offers per author, on reviews still open: the offer of a withdrawn review
        can no longer be taken up, so it holds none of its author's capacity."""
        rows = (await self._c.execute(select(t.allocations.c.author_id, func.count()).select_from(
            t.allocations.join(t.reviews, t.reviews.c.id == t.allocations.c.review_id)).where(
            t.allocations.c.status == "offered",
            t.reviews.c.stage.not_in([s.value for s in CLOSED_STAGES]))
            .group_by(t.allocations.c.author_id))).all()
        return {author: count for author, count in rows}

    async def last_allocated(self) -> dict[int, datetime]:
        rows = (await self._c.execute(select(
            t.allocations.c.author_id, func.max(t.allocations.c.offered_at)).where(
            t.allocations.c.status.in_(["offered", "accepted", "withdrawn"])).group_by(
            t.allocations.c.author_id))).all()
        return {author: at for author, at in rows}

    async def accepted_since(self, since: datetime) -> dict[int, int]:
        rows = (await self._c.execute(select(t.allocations.c.author_id, func.count()).where(
            t.allocations.c.status.in_(["accepted", "withdrawn"]),
            t.allocations.c.answered_at.is_not(None), t.allocations.c.offered_at >= since)
            .group_by(t.allocations.c.author_id))).all()
        return {author: count for author, count in rows}

    # -- conflicts and the managers involved in a case ---------------------------------------
    async def declare_conflict(self, review_id: int, person_id: int, reason: str,
                               at: datetime) -> None:
        await self._c.execute(delete(t.conflicts).where(t.conflicts.c.review_id == review_id,
                                                        t.conflicts.c.person_id == person_id))
        await self._c.execute(insert(t.conflicts).values(review_id=review_id, person_id=person_id,
                                                         reason=reason, declared_at=at))

    async def conflicts_for(self, review_ids: list[int]) -> dict[int, dict[int, str]]:
        found: dict[int, dict[int, str]] = {}
        for chunk in _chunks(review_ids, 5000):
            for r in (await self._c.execute(select(t.conflicts).where(
                    t.conflicts.c.review_id.in_(chunk)))).all():
                found.setdefault(r.review_id, {})[r.person_id] = r.reason
        return found

    async def set_involved(self, review_id: int, emails: set[str]) -> None:
        await self._c.execute(delete(t.involved_managers).where(
            t.involved_managers.c.review_id == review_id))
        if emails:
            await self._c.execute(insert(t.involved_managers), [
                {"review_id": review_id, "email": e} for e in sorted(emails)])

    async def involved(self, review_id: int) -> set[str]:
        return (await self.involved_for([review_id])).get(review_id, set())

    async def involved_for(self, review_ids: list[int]) -> dict[int, set[str]]:
        found: dict[int, set[str]] = {}
        for chunk in _chunks(review_ids, 5000):
            for r in (await self._c.execute(select(t.involved_managers).where(
                    t.involved_managers.c.review_id.in_(chunk)))).all():
                found.setdefault(r.review_id, set()).add(r.email)
        return found


async def open_loads(connection: AsyncConnection, role: Role) -> dict[int, int]:
    """Open reviews per person holding `role` on them."""
    rows = (await connection.execute(
        select(t.review_people.c.person_id, func.count()).select_from(
            t.review_people.join(t.reviews, t.reviews.c.id == t.review_people.c.review_id))
        .where(t.review_people.c.role == role.value,
               t.reviews.c.stage.not_in([s.value for s in CLOSED_STAGES]))
        .group_by(t.review_people.c.person_id))).all()
    return {person: count for person, count in rows}


class Meetings:
    def __init__(self, connection: AsyncConnection):
        self._c = connection
        self._versions: dict[int, int] = {}

    async def add(self, meeting: Meeting, at: datetime) -> Meeting:
        result = await self._c.execute(insert(t.meetings).values(
            **self._row(meeting), version=1, created_at=at))
        meeting_id = result.inserted_primary_key[0]
        self._versions[meeting_id] = 1
        return _with_id(meeting, meeting_id)

    async def save(self, meeting: Meeting, at: datetime) -> None:
        version = self._versions[meeting.id]
        result = await self._c.execute(update(t.meetings).where(
            t.meetings.c.id == meeting.id, t.meetings.c.version == version).values(
            **self._row(meeting), version=version + 1))
        if result.rowcount != 1:
            raise ConcurrentChange()
        self._versions[meeting.id] = version + 1
        await self._c.execute(delete(t.meeting_answers).where(
            t.meeting_answers.c.meeting_id == meeting.id))
        if meeting.answers:
            await self._c.execute(insert(t.meeting_answers), [
                {"meeting_id": meeting.id, "person_id": a.person_id, "accepted": a.accepted,
                 "proposed": a.proposed, "at": at} for a in meeting.answers.values()])

    async def get(self, meeting_id: int) -> Meeting | None:
        rows = (await self._c.execute(select(t.meetings).where(t.meetings.c.id == meeting_id))).all()
        found = await self._hydrate(rows)
        return found[0] if found else None

    async def for_review(self, review_id: int) -> list[Meeting]:
        rows = (await self._c.execute(select(t.meetings).where(
            t.meetings.c.review_id == review_id).order_by(t.meetings.c.id))).all()
        return await self._hydrate(rows)

    async def upcoming(self) -> list[Meeting]:
        rows = (await self._c.execute(select(t.meetings).where(
            t.meetings.c.status.in_(["proposed", "confirmed"])))).all()
        return await self._hydrate(rows)

    @staticmethod
    def _row(meeting: Meeting) -> dict[str, Any]:
        return {"review_id": meeting.review_id, "kind": meeting.kind.value,
                "organiser_id": meeting.organiser_id,
                "participant_ids": ",".join(str(p) for p in meeting.participant_ids),
                "starts": meeting.starts, "minutes": meeting.minutes, "location": meeting.location,
                "status": meeting.status.value, "sequence": meeting.sequence}

    async def _hydrate(self, rows) -> list[Meeting]:
        if not rows:
            return []
        answers: dict[int, dict[int, Answer]] = {r.id: {} for r in rows}
        for a in (await self._c.execute(select(t.meeting_answers).where(
                t.meeting_answers.c.meeting_id.in_(list(answers))))).all():
            answers[a.meeting_id][a.person_id] = Answer(a.person_id, bool(a.accepted), a.proposed)
        meetings = []
        for r in rows:
            self._versions[r.id] = r.version
            meetings.append(Meeting(
                id=r.id, review_id=r.review_id, kind=MeetingKind(r.kind),
                organiser_id=r.organiser_id,
                participant_ids=tuple(int(p) for p in r.participant_ids.split(",") if p),
                starts=r.starts, minutes=r.minutes, location=r.location or "",
                status=MeetingStatus(r.status), sequence=r.sequence, answers=answers[r.id]))
        return meetings


@dataclass(frozen=True)
class StoredDocument:
    id: int
    review_id: int
    version: int | None
    kind: str
    filename: str
    content_type: str
    size: int
    link: str | None
    sha256: str
    uploaded_by: str


# what is said of a document: everything but its content, which a card or a list never needs
# (a report can be megabytes, and every approval card view lists the version's documents)
_DOCUMENT_FACTS = [column for column in t.documents.c if column.name != "content"]


class Submissions:
    def __init__(self, connection: AsyncConnection):
        self._c = connection

    async def add_document(self, *, review_id: int, kind: str, filename: str, content_type: str,
                           content: bytes | None, link: str | None, sha256: str, by: str,
                           at: datetime) -> int:
        result = await self._c.execute(insert(t.documents).values(
            review_id=review_id, version=None, kind=kind, filename=filename,
            content_type=content_type, size=len(content or b""), content=content, link=link,
            sha256=sha256, uploaded_by=by, uploaded_at=at))
        return result.inserted_primary_key[0]

    async def document(self, document_id: int) -> tuple[StoredDocument, bytes | None] | None:
        row = (await self._c.execute(select(t.documents).where(
            t.documents.c.id == document_id))).first()
        if row is None:
            return None
        return _document(row), (bytes(row.content) if row.content is not None else None)

    async def drafts(self, review_id: int, by: str) -> list[StoredDocument]:
        rows = (await self._c.execute(select(*_DOCUMENT_FACTS).where(
            t.documents.c.review_id == review_id, t.documents.c.version.is_(None),
            t.documents.c.uploaded_by == by).order_by(t.documents.c.id))).all()
        return [_document(r) for r in rows]

    async def discard_draft(self, document_id: int) -> None:
        await self._c.execute(delete(t.documents).where(t.documents.c.id == document_id,
                                                        t.documents.c.version.is_(None)))

    async def discard_drafts(self, review_id: int, by: str) -> int:
        result = await self._c.execute(delete(t.documents).where(
            t.documents.c.review_id == review_id, t.documents.c.version.is_(None),
            t.documents.c.uploaded_by == by))
        return result.rowcount

    async def documents(self, review_id: int, version: int) -> list[StoredDocument]:
        rows = (await self._c.execute(select(*_DOCUMENT_FACTS).where(
            t.documents.c.review_id == review_id, t.documents.c.version == version)
            .order_by(t.documents.c.kind))).all()
        return [_document(r) for r in rows]

    async def latest_version(self, review_id: int) -> int:
        return int(await self._c.scalar(select(func.max(t.submissions.c.version)).where(
            t.submissions.c.review_id == review_id)) or 0)

    async def submit(self, *, review_id: int, document_ids: list[int], level: str, by: str,
                     at: datetime) -> int:
        version = await self.latest_version(review_id) + 1
        await self._c.execute(insert(t.submissions).values(
            review_id=review_id, version=version, level=level, submitted_by=by, submitted_at=at))
        await self._c.execute(update(t.documents).where(
            t.documents.c.id.in_(document_ids), t.documents.c.review_id == review_id,
            t.documents.c.version.is_(None)).values(version=version))
        return version

    async def set_check(self, review_id: int, version: int, summary: str) -> None:
        await self._c.execute(update(t.submissions).where(
            t.submissions.c.review_id == review_id, t.submissions.c.version == version).values(
            check_summary=summary))

    async def content(self, document_id: int) -> bytes | None:
        return await self._c.scalar(select(t.documents.c.content).where(
            t.documents.c.id == document_id))

    async def record_decision(self, *, review_id: int, version: int, level: str, decision: str,
                              comment: str, checklist: list[str], by: str, by_name: str,
                              at: datetime) -> None:
        """Insert the decision; if one exists for this version and level, raise AlreadyDecided
        with it (the unique constraint decides races between concurrent clicks)."""
        try:
            async with self._c.begin_nested():
                await self._c.execute(insert(t.decisions).values(
                    review_id=review_id, version=version, level=level, decision=decision,
                    comment=comment, checklist=json.dumps(checklist), decided_by=by,
                    decided_at=at))
        except IntegrityError:
            existing = await self.decision(review_id, version, level)
            raise AlreadyDecided(existing) from None

    async def decision(self, review_id: int, version: int, level: str,
                       names: dict[str, str] | None = None) -> RecordedDecision | None:
        row = (await self._c.execute(select(t.decisions, t.people.c.name).select_from(
            t.decisions.outerjoin(t.people, t.people.c.email == t.decisions.c.decided_by)).where(
            t.decisions.c.review_id == review_id, t.decisions.c.version == version,
            t.decisions.c.level == level))).first()
        if row is None:
            return None
        return RecordedDecision(row.version, Level(row.level), Decision(row.decision),
                                row.comment, row.name or row.decided_by, row.decided_at)

    async def approval_record(self, review_id: int, version: int, level: str) -> ApprovalRecord:
        """What an approval card and a click need of the submissions, in one round trip: the
        delegate at this level, every version submitted, this version's decision at this level and
        its documents (read on every click and card view; four reads were half a click's time)."""
        row = (await self._c.execute(_approval_record(self._c.dialect.name), {
            "review_id": review_id, "version": version, "level": level})).one()
        versions = {number: SubmittedVersion(_utc(at), check)
                    for number, at, check in json.loads(row.versions or "[]")}
        decided = None
        for number, at_level, decision, comment, by, at in json.loads(row.decision or "[]"):
            decided = RecordedDecision(number, Level(at_level), Decision(decision), comment, by,
                                       _utc(at))
        documents = sorted((StoredDocument(*values) for values in json.loads(row.documents or "[]")),
                           key=lambda document: (document.kind, document.id))
        return ApprovalRecord(row.delegate, versions, decided, documents)

    async def set_delegate(self, review_id: int, level: str, person_id: int, by: str,
                           at: datetime) -> None:
        await self._c.execute(delete(t.delegates).where(t.delegates.c.review_id == review_id,
                                                        t.delegates.c.level == level))
        await self._c.execute(insert(t.delegates).values(review_id=review_id, level=level,
                                                         person_id=person_id, named_by=by, at=at))

    async def delegate(self, review_id: int, level: str) -> int | None:
        return await self._c.scalar(select(t.delegates.c.person_id).where(
            t.delegates.c.review_id == review_id, t.delegates.c.level == level))


@dataclass(frozen=True)
class SubmittedVersion:
    submitted_at: datetime
    check_summary: str | None


@dataclass(frozen=True)
class ApprovalRecord:
    delegate: int | None
    versions: dict[int, SubmittedVersion]
    decision: RecordedDecision | None
    documents: list[StoredDocument]


def _utc(text_value: str) -> datetime:
    """A timestamp as the database wrote it into JSON (PostgreSQL with its offset, SQLite as the
    naive UTC text it stores), made aware UTC as the column type makes it."""
    return _UTC_COLUMN.process_result_value(datetime.fromisoformat(text_value), None)


_UTC_COLUMN = t.UtcDateTime()


@cache
def _approval_record(dialect: str):
    review_id, version, level = bindparam("review_id"), bindparam("version"), bindparam("level")
    s, d, doc, dl = t.submissions.c, t.decisions.c, t.documents.c, t.delegates.c
    return select(
        select(dl.person_id).where(dl.review_id == review_id, dl.level == level)
        .scalar_subquery().label("delegate"),
        _json_list(dialect, s.version, s.submitted_at, s.check_summary,
                   where=[s.review_id == review_id]).label("versions"),
        _json_list(dialect, d.version, d.level, d.decision, d.comment,
                   func.coalesce(t.people.c.name, d.decided_by), d.decided_at,
                   select_from=t.decisions.outerjoin(t.people, t.people.c.email == d.decided_by),
                   where=[d.review_id == review_id, d.version == version, d.level == level])
        .label("decision"),
        _json_list(dialect, *(doc[field.name] for field in fields(StoredDocument)),  # its order
                   where=[doc.review_id == review_id, doc.version == version]).label("documents"))


def _document(row) -> StoredDocument:
    return StoredDocument(row.id, row.review_id, row.version, row.kind, row.filename,
                          row.content_type, row.size, row.link, row.sha256, row.uploaded_by)


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


class Records:
    """Retention: what the purge finds and removes."""

    def __init__(self, connection: AsyncConnection):
        self._c = connection

    async def closed_before(self, day: date) -> list[tuple[int, str]]:
        cutoff = datetime(day.year, day.month, day.day, tzinfo=UTC)
        rows = (await self._c.execute(select(t.reviews.c.id, t.reviews.c.reference).where(
            t.reviews.c.stage.in_([s.value for s in CLOSED_STAGES]),
            t.reviews.c.updated_at < cutoff, t.reviews.c.subject_initials != "--"))).all()
        return [(r.id, r.reference) for r in rows]

    async def scrub(self, review_id: int) -> int:
        removed = await self._c.execute(delete(t.documents).where(t.documents.c.review_id == review_id))
        await self._c.execute(delete(t.org_templates).where(t.org_templates.c.scope == f"review:{review_id}"))
        await self._c.execute(delete(t.downloads).where(t.downloads.c.review_id == review_id))
        await self._c.execute(update(t.reviews).where(t.reviews.c.id == review_id).values(
            subject_initials="--", notes=""))
        return removed.rowcount
