"""What the reminder sweep reads and writes, in a few statements whatever the size of the tracker:
it marks the reviews whose next milestone falls within the reminder horizon and that no sweep has
handled today in their present form, then queues what they owe in one statement; no review is
loaded into Python. (The board's page of open reviews is board_reads.py's.)"""

from __future__ import annotations

from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import (
    Date,
    Integer,
    String,
    Text,
    and_,
    case,
    cast,
    func,
    literal,
    or_,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from imr_bot.domain.plan import Milestone
from imr_bot.domain.reminders import Kind, Via, Wording
from imr_bot.domain.roles import REVIEW_ROLES, Role
from imr_bot.domain.stages import Stage

from . import tables as t
from .bulk import json_rows


@dataclass(frozen=True)
class DueRow:
    review_id: int
    reference: str
    stage: Stage
    due: date
    version: int = 0


# In an owed reminder's text, where each review's reference goes.
REFERENCE = "{reference}"


@dataclass(frozen=True)
class OwedRow:
    """What every review at `stage` with its next milestone due on `due` owes today."""
    stage: Stage
    due: date
    milestone: Milestone
    kind: Kind
    text: str  # with REFERENCE where the review's reference goes
    recipients: tuple[tuple[Role, Via], ...]
    wording: Wording | None = None  # what the reminder card says; without it, the text alone

@dataclass(frozen=True)
class DirectoryRow:
    id: int
    email: str
    name: str
    roles: frozenset[str]
    line_manager_email: str | None
    active: bool


class ReminderSource:
    def __init__(self, connection: AsyncConnection):
        self._c = connection

    @property
    def shares(self) -> int:
        """How many transactions a sweep is split into: two on PostgreSQL (its inserts run in
        parallel, one backend each); SQLite takes one writer at a time."""
        return 2 if self._c.dialect.name == "postgresql" else 1

    async def claim_sweep(self) -> bool:
        """One sweep at a time: on PostgreSQL a transaction-scoped advisory lock (another process
        already sweeping means this one has nothing to add); SQLite's write lock serialises anyway."""
        if self._c.dialect.name != "postgresql":
            return True
        return bool(await self._c.scalar(text("SELECT pg_try_advisory_xact_lock(7242002)")))

    def _due_by(self, horizon: date):
        return (select(t.reviews.c.id, t.reviews.c.reference, t.reviews.c.stage,
                       t.reviews.c.next_due.label("due"), t.reviews.c.version)
                .where(t.reviews.c.next_due <= horizon))

    async def due_by(self, horizon: date) -> list[DueRow]:
        """Open reviews whose next milestone is due on or before `horizon`."""
        return _rows(await self._c.execute(self._due_by(horizon)))

    async def mark_due(self, horizon: date, silent: list[date], today: date, directory: str,
                       sweep: str, share: tuple[int, int] = (0, 1)) -> int:
        """Mark, as taken by `sweep`, the open reviews due on or before `horizon` (less those due on
        a `silent` date: they owe nothing today) that no sweep has handled today at their present
        version and with this `directory` (see `tables.reminder_marks`); of those, the ones
        whose id is `share[0]` modulo `share[1]`. Returns how many."""
        reviews = t.reviews.c
        due = select(reviews.id, literal(today, Date), reviews.version, literal(directory),
                     literal(sweep)).where(reviews.next_due <= horizon)
        if silent:
            due = due.where(reviews.next_due.not_in(silent))
        if share[1] > 1:
            due = due.where(reviews.id % share[1] == share[0])
        names = ["review_id", "day", "review_version", "directory", "sweep"]
        insert = _insert_for(self._c)(t.reminder_marks).from_select(names, due)
        # a review already handled today, as it is now, conflicts and is left as it is (the
        # unique index decides: a NOT EXISTS over the table being written is quadratic on
        # PostgreSQL while its statistics say the table is empty)
        mark = t.reminder_marks.c
        insert = insert.on_conflict_do_update(
            index_elements=["review_id"], set_={n: insert.excluded[n] for n in names[1:]},
            where=or_(mark.day != insert.excluded.day,
                      mark.review_version != insert.excluded.review_version,
                      mark.directory != insert.excluded.directory))
        return (await self._c.execute(insert)).rowcount

    async def due_dates(self, horizon: date) -> list[tuple[Stage, date]]:
        """The (stage, next due date) pairs among open reviews due on or before `horizon`: what
        the policy is asked about (a covering scan of `ix_reviews_stage`)."""
        reviews = t.reviews.c
        rows = await self._c.execute(select(reviews.stage, reviews.next_due)
                                     .where(reviews.next_due <= horizon).distinct())
        return [(Stage(stage), due) for stage, due in rows]

    async def taken(self, sweep: str, stage: Stage, due_by: date) -> list[DueRow]:
        """The reviews at `stage`, due on or before `due_by`, that `sweep` marked and that have
        not changed since."""
        reviews, mark = t.reviews.c, t.reminder_marks.c
        async with self._hash_joins():
            return _rows(await self._c.execute(
                self._due_by(due_by)
                .join(t.reminder_marks, and_(mark.review_id == reviews.id, mark.sweep == sweep,
                                             mark.review_version == reviews.version))
                .where(reviews.stage == stage.value)))

    async def queue_reminders(self, sweep: str, owed: list[OwedRow], holders: dict[Role, list[int]],
                              line_manager_of: dict[int, int], today: date, at: datetime) -> int:
        """Queue, in one statement, the reminders that the reviews `sweep` marked owe: `owed` says
        what a review at a stage and due date owes and to which roles; the database finds the
        people (the review's own role holders, else the organisation's `holders`; their line
        managers) and writes each key once. Returns how many were new."""
        statement = self._reminders(sweep, owed, holders, line_manager_of, today, at)
        async with self._hash_joins():
            return (await self._c.execute(statement)).rowcount

    @asynccontextmanager
    async def _hash_joins(self):
        """PostgreSQL cannot know how many reviews a sweep marked (its statistics never hold
        this sweep's id) and plans nested loops as if for a handful: 1.4 s at 100,000 reviews
        against 0.5 s with hash joins, which cost a few milliseconds when the sweep is small."""
        if self._c.dialect.name != "postgresql":
            yield
            return
        await self._c.execute(text("SET LOCAL enable_nestloop = off"))
        try:
            yield
        finally:
            await self._c.execute(text("SET LOCAL enable_nestloop TO DEFAULT"))

    def _reminders(self, sweep: str, owed: list[OwedRow], holders: dict[Role, list[int]],
                   line_manager_of: dict[int, int], today: date, at: datetime):
        c = self._c

        def table(name, columns, rows):  # a JSON parameter, read once (SQLite would re-read it)
            return select(json_rows(c, name, columns, rows)).cte(name, nesting=True).prefix_with(
                "MATERIALIZED")

        def card(o: OwedRow, name: str) -> str:
            said = o.wording
            if said is None:
                return ""
            return {"headline": said.headline, "waiting": said.waiting_for,
                    "holder": said.holder.value if said.holder else "",
                    "holder_title": f"the {said.holder.title}" if said.holder else "",
                    "earliest": said.earliest.isoformat() if said.earliest else "",
                    "latest": said.latest.isoformat() if said.latest else ""}[name]

        rules = table("rules", {
            "n": Integer, "stage": String, "due": Date, "milestone": String, "kind": String,
            "wording": Text, "headline": Text, "waiting": Text, "holder": String,
            "holder_title": Text, "earliest": String, "latest": String}, [
            {"n": n, "stage": o.stage.value, "due": o.due.isoformat(), "milestone": o.milestone.value,
             "kind": o.kind.value, "wording": o.text,
             **{name: card(o, name) for name in ("headline", "waiting", "holder", "holder_title",
                                                  "earliest", "latest")}}
            for n, o in enumerate(owed)])
        asked = table("asked", {"n": Integer, "role": String, "via": String}, [
            {"n": n, "role": role.value, "via": via.value}
            for n, o in enumerate(owed) for role, via in o.recipients])
        org = table("org", {"role": String, "person_id": Integer}, [
            {"role": role.value, "person_id": p} for role, ids in holders.items() for p in ids])
        managers = table("managers", {"person_id": Integer, "manager_id": Integer}, [
            {"person_id": p, "manager_id": m} for p, m in line_manager_of.items()])
        reviews, mark, own = t.reviews.c, t.reminder_marks.c, t.review_people.alias("own")
        # each role asked for is the review's own holder of it; failing that, for an organisation
        # role, the organisation's holders; a line manager is the holder's
        holder = func.coalesce(own.c.person_id, org.c.person_id)
        person = case((asked.c.via == Via.LINE_MANAGER.value, managers.c.manager_id), else_=holder)
        joined = (
            rules.join(t.reviews, and_(reviews.stage == rules.c.stage, reviews.next_due == rules.c.due))
            .join(t.reminder_marks, and_(mark.review_id == reviews.id, mark.sweep == sweep,
                                         mark.review_version == reviews.version))
            .join(asked, asked.c.n == rules.c.n)
            .outerjoin(own, and_(own.c.review_id == reviews.id, own.c.role == asked.c.role,
                                 asked.c.via != Via.ORGANISATION.value))
            .outerjoin(org, and_(org.c.role == asked.c.role, or_(
                asked.c.via == Via.ORGANISATION.value,
                and_(own.c.person_id.is_(None),
                     asked.c.role.not_in([r.value for r in REVIEW_ROLES])))))
            .outerjoin(managers, and_(asked.c.via == Via.LINE_MANAGER.value,
                                      managers.c.person_id == holder)))
        # what is said is joined last: carried through the joins above, each row's text would
        # swell every hash table PostgreSQL builds on the way
        matched = (select(reviews.id, reviews.reference, rules.c.n, person.label("person_id"))
                   .select_from(joined).subquery("matched"))
        said = rules.alias("said")
        recipients = (select(matched.c.id, matched.c.reference, said.c.milestone, said.c.kind,
                             said.c.wording, said.c.headline, said.c.waiting, said.c.holder,
                             said.c.holder_title, said.c.earliest, said.c.latest, said.c.due,
                             matched.c.person_id)
                      .join(said, said.c.n == matched.c.n).subquery("recipients"))
        r = recipients.c
        person = cast(r.person_id, String)
        text_ = func.replace(r.wording, REFERENCE, r.reference)
        # whose step it is, by name where the review has them, for the card's "from"
        holder_link, holder = t.review_people.alias("step_link"), t.people.alias("step_holder")
        json_object = func.json_object if c.dialect.name == "sqlite" else func.json_build_object
        data = json_object(
            "reference", r.reference, "reviewId", r.id, "milestone", r.milestone, "kind", r.kind,
            "headline", r.headline, "waiting", r.waiting,
            "from", func.coalesce(holder.c.name, r.holder_title), "earliest", r.earliest,
            "latest", r.latest)
        payload = case((r.headline == "", json_object("text", text_)),
                       else_=json_object("text", text_, "card", "reminder", "data", data))
        if c.dialect.name != "sqlite":
            payload = cast(payload, Text)
        at_value = literal(at, t.notifications.c.created_at.type)
        # someone who chose "Remind me on …" a later day hears of a coming milestone on that day,
        # not before (what is due on the day, or overdue, still reaches them); a day that the
        # milestone has since moved before holds nothing back
        waits = (select(literal(1)).select_from(t.personal_reminders).where(
            t.personal_reminders.c.review_id == r.id,
            t.personal_reminders.c.person_id == r.person_id,
            t.personal_reminders.c.milestone == r.milestone,
            t.personal_reminders.c.remind_on >= literal(today, Date),
            t.personal_reminders.c.remind_on <= r.due)).exists()
        rows = select(
            literal("reminder:") + cast(r.id, String) + ":" + r.milestone + ":" + r.kind
            + ":person:" + person + ":" + today.isoformat(),
            r.id, literal("person:") + person, literal("reminder_") + r.kind, payload,
            literal("pending"), literal(0), at_value, at_value).select_from(
            recipients.outerjoin(holder_link, and_(holder_link.c.review_id == r.id,
                                                   holder_link.c.role == r.holder))
            .outerjoin(holder, holder.c.id == holder_link.c.person_id)).where(
            r.person_id.is_not(None),
            or_(r.kind != Kind.UPCOMING.value, ~waits))
        insert = _insert_for(c)(t.notifications).from_select(
            ["key", "review_id", "recipient", "kind", "payload", "status", "attempts",
             "next_attempt_at", "created_at"], rows).on_conflict_do_nothing(index_elements=["key"])
        return insert

    async def directory(self) -> list[DirectoryRow]:
        rows = (await self._c.execute(select(
            t.people.c.id, t.people.c.email, t.people.c.name, t.people.c.roles,
            t.people.c.line_manager_email, t.people.c.active).order_by(t.people.c.name))).all()
        return [DirectoryRow(r.id, r.email, r.name, frozenset((r.roles or "").split(",")),
                             r.line_manager_email, bool(r.active)) for r in rows]


def _rows(result) -> list[DueRow]:
    return [DueRow(r.id, r.reference, Stage(r.stage), r.due, r.version) for r in result]


def _insert_for(connection: AsyncConnection):
    return postgresql_insert if connection.dialect.name == "postgresql" else sqlite_insert
