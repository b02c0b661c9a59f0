"""An in-memory unit of work, implementing `imr_bot.services.ports` for the repositories the
first service-level tests need (reviews, people, audit, settings, conversations, outbox), so that
use cases are tested without a database.

A unit of work works on a copy of what was committed, and commit puts its copy in place: what a
use case did not commit is gone, as with the database. The other repositories are not here yet:
reaching for one says so.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from datetime import datetime
from types import TracebackType
from typing import Any

from imr_bot.domain.action_plan import UNDER_WAY, Action, Recommendation
from imr_bot.domain.calendar import WorkingCalendar
from imr_bot.domain.errors import DuplicateReference
from imr_bot.domain.interviews import Decision, Interview, Party, RecordVersion
from imr_bot.domain.notification import OutgoingNotification
from imr_bot.domain.people import LeavePeriod, Person
from imr_bot.domain.review import Review
from imr_bot.domain.roles import Role
from imr_bot.domain.stages import CLOSED_STAGES, Stage
from imr_bot.services.context import ServiceContext
from imr_bot.store.audit import DEVELOPMENT_AUDIT_KEY, GENESIS, KEYED, AuditEntry, keyed_audit_hash
from imr_bot.store.common import ConcurrentChange, reference_key
from imr_bot.store.outbox import HELD_STATUSES, HeldNotification
from imr_bot.store.reviews import NotLoadedForSaving, closest
from imr_bot.store.unit_of_work import NestedUnitOfWork

# as the real one: a write unit of work inside another would deadlock SQLite
_open_writer: ContextVar[bool] = ContextVar("fake_open_writer", default=False)


@dataclass
class Queued:
    notification: OutgoingNotification
    at: datetime
    status: str = "pending"


@dataclass
class Committed:
    """What the fake database holds."""
    reviews: dict[int, tuple[Review, int]] = field(default_factory=dict)  # id -> (review, version)
    people: dict[int, Person] = field(default_factory=dict)
    audit: list[AuditEntry] = field(default_factory=list)
    settings: dict[str, str] = field(default_factory=dict)
    conversations: dict[str, dict[str, Any]] = field(default_factory=dict)
    outbox: dict[str, Queued] = field(default_factory=dict)
    recommendations: dict[int, Recommendation] = field(default_factory=dict)
    actions: dict[int, tuple[Action, int]] = field(default_factory=dict)  # id -> (action, version)
    impact_decisions: dict[tuple[int, int], tuple[str, str]] = field(default_factory=dict)
    interviews: dict[int, tuple[Interview, int]] = field(default_factory=dict)
    interview_records: dict[tuple[int, int], tuple[RecordVersion, bytes]] = field(
        default_factory=dict)
    # (interview id, version, party) -> (decision, comment, on)
    interview_decisions: dict[tuple[int, int, Party], tuple[Decision, str, Any]] = field(
        default_factory=dict)
    interview_sent_at: dict[tuple[int, int], datetime] = field(default_factory=dict)
    next_id: int = 1

    def new_id(self) -> int:
        self.next_id += 1
        return self.next_id - 1


class FakeReviews:
    def __init__(self, data: Committed):
        self._d = data
        self._loaded: dict[int, tuple[int, int]] = {}  # as the real one: what may be saved

    async def require(self, reference: str) -> Review:
        from imr_bot.domain.errors import UnknownReview

        review = await self.get(reference)
        if review is None:
            raise UnknownReview(reference.strip(), closest(reference, await self.references()))
        return review

    async def get(self, reference: str) -> Review | None:
        key = reference_key(reference)
        for review, version in self._d.reviews.values():
            if reference_key(review.reference) == key:
                return self._whole(review, version)
        return None

    async def get_by_id(self, review_id: int) -> Review | None:
        if review_id not in self._d.reviews:
            return None
        review, version = self._d.reviews[review_id]
        return self._whole(review, version)

    async def read_by_id(self, review_id: int) -> Review | None:
        if review_id not in self._d.reviews:
            return None
        return _for_showing(self._d.reviews[review_id][0])

    async def get_many(self, review_ids: list[int]) -> list[Review]:
        return [_for_showing(self._d.reviews[i][0]) for i in review_ids if i in self._d.reviews]

    async def open_reviews(self) -> list[Review]:
        return [_for_showing(review) for review, _ in self._d.reviews.values()
                if review.stage not in CLOSED_STAGES]

    async def all_reviews(self) -> list[Review]:
        return [_for_showing(review) for review, _ in self._d.reviews.values()]

    async def exists(self, reference: str) -> bool:
        return await self.get(reference) is not None

    async def references(self) -> list[str]:
        return [review.reference for review, _ in self._d.reviews.values()]

    async def stage_of(self, review_id: int) -> Stage | None:
        found = self._d.reviews.get(review_id)
        return found[0].stage if found else None

    async def add(self, review: Review, at: datetime) -> Review:
        if await self.exists(review.reference):
            raise DuplicateReference(review.reference)
        review = replace(review, id=self._d.new_id())
        self._d.reviews[review.id] = (review, 1)
        self._loaded[review.id] = (1, len(review.plan.changes))
        return review

    async def save(self, review: Review, at: datetime) -> None:
        version, known_changes = self._loaded.get(review.id, (0, -1))
        if len(review.plan.changes) < known_changes or known_changes < 0:
            raise NotLoadedForSaving(f"review {review.id} was not read whole")
        if self._d.reviews[review.id][1] != version:
            raise ConcurrentChange()
        self._d.reviews[review.id] = (review, version + 1)
        self._loaded[review.id] = (version + 1, len(review.plan.changes))

    def _whole(self, review: Review, version: int) -> Review:
        self._loaded[review.id] = (version, len(review.plan.changes))
        return review


def _for_showing(review: Review) -> Review:
    return replace(review, plan=replace(review.plan, changes=()))


class FakePeople:
    def __init__(self, data: Committed, wrote: set[str]):
        self._d = data
        self._wrote = wrote

    async def all(self) -> list[Person]:
        return sorted(self._d.people.values(), key=lambda p: (p.name, p.id))

    async def by_email(self, email: str) -> Person | None:
        wanted = email.strip().lower()
        return next((p for p in self._d.people.values() if p.email == wanted), None)

    async def by_id(self, person_id: int) -> Person | None:
        return self._d.people.get(person_id)

    async def by_ids(self, ids: list[int]) -> dict[int, Person]:
        return {i: self._d.people[i] for i in ids if i in self._d.people}

    async def with_role(self, role: Role) -> list[Person]:
        return [p for p in await self.all() if p.holds(role)]

    async def upsert(self, person: Person, at: datetime) -> tuple[Person, bool]:
        self._wrote.add("people")
        existing = await self.by_email(person.email)
        stored = replace(person, email=person.email.strip().lower(),
                         line_manager_email=(person.line_manager_email or "").lower() or None,
                         leave=existing.leave if existing else ())
        if existing is not None:
            stored = replace(stored, id=existing.id, teams_user_id=existing.teams_user_id,
                             aad_object_id=person.aad_object_id or existing.aad_object_id,
                             unreachable_since=existing.unreachable_since,
                             unreachable_reason=existing.unreachable_reason)
        else:  # Teams tells who someone is when they first write, not the import
            stored = replace(stored, id=self._d.new_id(), teams_user_id=None,
                             unreachable_since=None, unreachable_reason=None)
        self._d.people[stored.id] = stored
        return stored, existing is None

    async def replace_leave(self, person_id: int, periods: Iterable[LeavePeriod]) -> None:
        self._wrote.add("people")
        person = self._d.people[person_id]
        self._d.people[person_id] = replace(person, leave=tuple(sorted(
            periods, key=lambda p: p.starts)))

    async def link_aad(self, person_id: int, aad_object_id: str,
                       teams_user_id: str | None) -> None:
        self._wrote.add("people")
        self._d.people[person_id] = replace(self._d.people[person_id],
                                            aad_object_id=aad_object_id,
                                            teams_user_id=teams_user_id)

    async def seen(self, person_id: int, teams_user_id: str | None) -> None:
        self._wrote.add("people")
        self._d.people[person_id] = replace(self._d.people[person_id],
                                            teams_user_id=teams_user_id, unreachable_since=None,
                                            unreachable_reason=None)


class FakeAudit:
    def __init__(self, data: Committed):
        self._d = data
        self._key = DEVELOPMENT_AUDIT_KEY

    async def record(self, *, actor: str, action: str, at: datetime, review_id: int | None = None,
                     **detail: Any) -> None:
        await self.record_many(actor=actor, action=action, at=at, entries=[(review_id, detail)])

    async def record_many(self, *, actor: str, action: str, at: datetime,
                          entries: list[tuple[int | None, dict[str, Any]]]) -> None:
        for review_id, detail in entries:
            prev = self._d.audit[-1].hash if self._d.audit else GENESIS
            detail_json = json.dumps(detail, sort_keys=True, default=str)
            digest = keyed_audit_hash(self._key, prev, at, actor, review_id, action, detail_json)
            self._d.audit.append(AuditEntry(len(self._d.audit) + 1, at, actor, review_id, action,
                                            json.loads(detail_json), prev, digest, KEYED,
                                            detail_json))

    async def all(self) -> list[AuditEntry]:
        return list(self._d.audit)

    async def count(self) -> int:
        return len(self._d.audit)

    async def last(self) -> AuditEntry | None:
        return self._d.audit[-1] if self._d.audit else None

    async def counts_by_review(self, actions: list[str]) -> dict[int, int]:
        found: dict[int, int] = {}
        for e in self._d.audit:
            if e.action in actions and e.review_id is not None:
                found[e.review_id] = found.get(e.review_id, 0) + 1
        return found

    async def for_review(self, review_id: int, limit: int | None = None) -> list[AuditEntry]:
        found = [e for e in reversed(self._d.audit) if e.review_id == review_id]
        return found[:limit] if limit else found

    def expected_hash(self, entry: AuditEntry) -> str | None:
        if entry.scheme != KEYED:
            return None
        return keyed_audit_hash(self._key, entry.prev_hash, entry.at, entry.actor,
                                entry.review_id, entry.action, entry.detail_json)

    def sign(self, text_value: str) -> str:
        import hashlib
        import hmac

        return hmac.new(self._key, text_value.encode(), hashlib.sha256).hexdigest()


class FakeSettings:
    def __init__(self, data: Committed):
        self._d = data

    async def get(self, key: str) -> str | None:
        return self._d.settings.get(key)

    async def put(self, key: str, value: str, at: datetime) -> None:
        self._d.settings[key] = value

    async def remove(self, key: str) -> None:
        self._d.settings.pop(key, None)


class FakeConversations:
    def __init__(self, data: Committed):
        self._d = data

    async def get(self, key: str) -> dict[str, Any] | None:
        return self._d.conversations.get(key)

    async def save(self, key: str, kind: str, reference: dict[str, Any], at: datetime) -> None:
        self._d.conversations[key] = reference


class FakeOutbox:
    def __init__(self, data: Committed):
        self._d = data

    async def queue(self, notification: OutgoingNotification, at: datetime) -> bool:
        if notification.key in self._d.outbox:
            return False
        self._d.outbox[notification.key] = Queued(notification, at)
        return True

    async def queue_many(self, notifications: list[OutgoingNotification],
                         at: datetime) -> set[str]:
        return {n.key for n in notifications if await self.queue(n, at)}

    async def release_held(self, recipient: str, at: datetime) -> int:
        held = [q for q in self._d.outbox.values()
                if q.notification.recipient == recipient and q.status in HELD_STATUSES]
        for queued in held:
            queued.status = "pending"
        return len(held)

    async def held_for_reviews(self, review_ids: list[int], limit: int = 200
                               ) -> list[tuple[int, HeldNotification]]:
        from imr_bot.domain.notification import About

        return [(q.notification.review_id, HeldNotification(
            q.notification.key, q.notification.recipient, q.notification.kind,
            About.from_data(q.notification.about.as_data() if q.notification.about else None,
                            q.notification.key)))
            for q in self._d.outbox.values()
            if q.status in HELD_STATUSES and q.notification.review_id in review_ids][:limit]

    async def escalated_among(self, review_ids: list[int]) -> set[int]:
        return {q.notification.review_id for q in self._d.outbox.values()
                if q.notification.kind == "allocation_escalation"
                and q.notification.review_id in review_ids}

    async def reminders_for(self, review_id: int) -> list:
        raise NotImplementedError("the fake outbox keeps no reminder records yet")


class FakeActionPlans:
    def __init__(self, data: Committed):
        self._d = data
        self._loaded: dict[int, int] = {}

    async def add_recommendation(self, recommendation: Recommendation, by: str,
                                 at: datetime) -> Recommendation:
        if any(r.review_id == recommendation.review_id and r.number == recommendation.number
               for r in self._d.recommendations.values()):
            raise ConcurrentChange()
        stored = replace(recommendation, id=self._d.new_id())
        self._d.recommendations[stored.id] = stored
        return stored

    async def recommendations(self, review_id: int) -> list[Recommendation]:
        return sorted((r for r in self._d.recommendations.values() if r.review_id == review_id),
                      key=lambda r: r.number)

    async def recommendation(self, review_id: int, number: int) -> Recommendation | None:
        return next((r for r in self._d.recommendations.values()
                     if r.review_id == review_id and r.number == number), None)

    async def add_action(self, action: Action, at: datetime) -> Action:
        stored = replace(action, id=self._d.new_id())
        self._d.actions[stored.id] = (stored, 1)
        self._loaded[stored.id] = 1
        return stored

    async def save_action(self, action: Action, at: datetime) -> None:
        version = self._loaded[action.id]
        if self._d.actions[action.id][1] != version:
            raise ConcurrentChange()
        self._d.actions[action.id] = (action, version + 1)
        self._loaded[action.id] = version + 1

    async def record_decision(self, *, action_id: int, evidence_version: int, decision: str,
                              comment: str, evidence_link: str, by: str, at: datetime) -> None:
        if (action_id, evidence_version) in self._d.impact_decisions:
            raise ConcurrentChange()
        self._d.impact_decisions[(action_id, evidence_version)] = (decision, comment)

    async def decisions(self, action_id: int) -> list[tuple[int, str, str]]:
        return sorted((version, decision, comment) for (a, version), (decision, comment)
                      in self._d.impact_decisions.items() if a == action_id)

    def _read(self, keep) -> list[Action]:
        found = []
        for action_id, (action, version) in sorted(self._d.actions.items()):
            if keep(action):
                self._loaded[action_id] = version
                found.append(action)
        return found

    async def action(self, action_id: int) -> Action | None:
        found = self._read(lambda a: a.id == action_id)
        return found[0] if found else None

    async def actions(self, review_id: int) -> list[Action]:
        return self._read(lambda a: a.review_id == review_id)

    async def owned_by(self, person_id: int) -> list[Action]:
        return sorted(self._read(lambda a: a.owner_id == person_id), key=lambda a: (a.due, a.id))

    async def overdue(self, today):
        return sorted(self._read(lambda a: a.due < today and a.status in UNDER_WAY),
                      key=lambda a: (a.due, a.id))

    async def review_of(self, action_id: int) -> int | None:
        found = self._d.actions.get(action_id)
        return found[0].review_id if found else None

    async def count(self, review_id: int) -> int:
        return sum(a.review_id == review_id for a, _ in self._d.actions.values())

    async def under_way_due_by(self, day):
        return sorted(self._read(lambda a: a.due <= day and a.status in UNDER_WAY),
                      key=lambda a: (a.review_id, a.id))

    async def overdue_by_review(self, today):
        found = {}
        for action, _ in self._d.actions.values():
            late, total, earliest = found.get(action.review_id, (0, 0, None))
            if action.overdue(today):
                late += 1
                earliest = min(earliest or action.due, action.due)
            found[action.review_id] = (late, total + 1, earliest)
        return sorted(((review_id, late, total, earliest) for review_id, (late, total, earliest)
                       in found.items() if late), key=lambda row: (row[3], row[0]))

    async def themed_recommendations(self):
        return sorted((r for r in self._d.recommendations.values() if r.themes),
                      key=lambda r: (r.review_id, r.number))

    async def of_recommendations(self, recommendation_ids):
        wanted = set(recommendation_ids)
        return sorted(self._read(lambda a: a.recommendation_id in wanted),
                      key=lambda a: (a.due, a.id))


class FakeInterviews:
    def __init__(self, data: Committed):
        self._d = data
        self._loaded: dict[int, int] = {}

    async def add(self, interview: Interview, at: datetime) -> Interview:
        stored = replace(interview, id=self._d.new_id())
        self._d.interviews[stored.id] = (stored, 1)
        self._loaded[stored.id] = 1
        return stored

    async def save(self, interview: Interview, at: datetime) -> None:
        version = self._loaded[interview.id]
        if self._d.interviews[interview.id][1] != version:
            raise ConcurrentChange()
        self._d.interviews[interview.id] = (interview, version + 1)
        self._loaded[interview.id] = version + 1

    async def add_record(self, interview_id: int, record: RecordVersion, content: bytes,
                         by: str, at: datetime) -> None:
        if (interview_id, record.number) in self._d.interview_records:
            raise ConcurrentChange()
        self._d.interview_records[(interview_id, record.number)] = (record, content)
        self._d.interview_sent_at[(interview_id, record.number)] = at

    async def record(self, interview_id: int, version: int):
        return self._d.interview_records.get((interview_id, version))

    async def record_decision(self, *, interview_id, version, party, decision, comment, on, by,
                              at) -> None:
        if (interview_id, version, party) in self._d.interview_decisions:
            raise ConcurrentChange()
        self._d.interview_decisions[(interview_id, version, party)] = (decision, comment, on)

    def _read(self, keep) -> list[Interview]:
        found = []
        for interview_id, (interview, version) in sorted(self._d.interviews.items()):
            if keep(interview):
                self._loaded[interview_id] = version
                found.append(interview)
        return sorted(found, key=lambda i: (i.on, i.id))

    async def get(self, interview_id: int) -> Interview | None:
        found = self._read(lambda i: i.id == interview_id)
        return found[0] if found else None

    async def for_review(self, review_id: int) -> list[Interview]:
        return self._read(lambda i: i.review_id == review_id)

    async def for_person(self, person_id: int) -> list[Interview]:
        return self._read(lambda i: not i.agreed and i.involves(person_id))

    async def waiting(self, limit: int = 5000):
        found = self._read(lambda i: i.status.value == "sent")
        return [(i, self._d.interview_sent_at.get((i.id, i.version))) for i in found][:limit]

    async def review_of(self, interview_id: int) -> int | None:
        found = self._d.interviews.get(interview_id)
        return found[0].review_id if found else None

    async def count(self, review_id: int) -> int:
        return sum(i.review_id == review_id for i, _ in self._d.interviews.values())


class NotFaked:
    """A repository the fake does not have yet: using it says which."""

    def __init__(self, name: str):
        self._name = name

    def __getattr__(self, attribute: str):
        raise NotImplementedError(f"the fake unit of work has no {self._name} yet "
                                  f"(asked for {self._name}.{attribute})")


class FakeUnitOfWork:
    def __init__(self, world: FakeWorld, *, read_only: bool = False):
        self._world = world
        self._read_only = read_only
        self._data: Committed | None = None
        self.committed = False

    async def __aenter__(self) -> FakeUnitOfWork:
        if not self._read_only:
            if _open_writer.get():
                raise NestedUnitOfWork("a write unit of work is already open in this task")
            self._writer = _open_writer.set(True)
        self._data = copy.deepcopy(self._world.committed)
        self._wrote: set[str] = set()
        self.reviews = FakeReviews(self._data)
        self.people = FakePeople(self._data, self._wrote)
        self.audit = FakeAudit(self._data)
        self.settings = FakeSettings(self._data)
        self.conversations = FakeConversations(self._data)
        self.outbox = FakeOutbox(self._data)
        self.action_plans = FakeActionPlans(self._data)
        self.interviews = FakeInterviews(self._data)
        for name in ("downloads", "allocations", "meetings", "submissions", "reminder_source",
                     "board", "org_templates", "records", "todo_source"):
            setattr(self, name, NotFaked(name))
        self.committed = False
        return self

    @property
    def read_only(self) -> bool:
        return self._read_only

    async def open_loads(self, role: Role) -> dict[int, int]:
        loads: dict[int, int] = {}
        for review, _ in self._data.reviews.values():
            if review.stage not in CLOSED_STAGES and role in review.people:
                loads[review.people[role]] = loads.get(review.people[role], 0) + 1
        return loads

    async def commit(self) -> None:
        assert not self._read_only, "a read-only unit of work commits nothing"
        self._world.committed = copy.deepcopy(self._data)
        self._world.commits += 1
        self._world.forgotten.update(self._wrote)
        self.committed = True

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        self._data = None
        if not self._read_only:
            _open_writer.reset(self._writer)


class FakeWorld:
    """The fake database and the factory of units of work on it (a UnitOfWorkFactoryPort)."""

    def __init__(self) -> None:
        self.committed = Committed()
        self.commits = 0
        self.forgotten: set[str] = set()  # the cached topics a commit would have forgotten

    def __call__(self, *, read_only: bool = False, holds_locks: bool = False) -> FakeUnitOfWork:
        return FakeUnitOfWork(self, read_only=read_only)

    async def person_by_aad(self, aad_object_id: str) -> Person | None:
        return next((p for p in self.committed.people.values()
                     if p.aad_object_id == aad_object_id), None)

    # -- what a test reads back ------------------------------------------------------------
    def review(self, reference: str) -> Review:
        key = reference_key(reference)
        return next(r for r, _ in self.committed.reviews.values()
                    if reference_key(r.reference) == key)

    def audit(self, action: str | None = None) -> list[AuditEntry]:
        return [e for e in self.committed.audit if action is None or e.action == action]

    def queued(self, recipient: str | None = None) -> list[OutgoingNotification]:
        return [q.notification for q in self.committed.outbox.values()
                if recipient is None or q.notification.recipient == recipient]


def service_context(world: FakeWorld, clock, calendar: WorkingCalendar | None = None
                    ) -> ServiceContext:
    return ServiceContext(unit_of_work=world, calendar=calendar or WorkingCalendar.for_england(),
                          clock=clock)
