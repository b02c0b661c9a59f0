"""The sweep asks the policy once per (stage, due date) and lets the database find the people and
write the reminders; for any tracker, what it queues is exactly what `due_today` says, review by
review, day by day."""

import json
import random
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import insert, select

from imr_bot.domain.calendar import WorkingCalendar
from imr_bot.domain.plan import DEFAULT_DAYS, MILESTONE_ORDER
from imr_bot.domain.reminders import due_today
from imr_bot.domain.roles import Role
from imr_bot.domain.stages import Stage
from imr_bot.services import reminders
from imr_bot.services.context import ServiceContext
from imr_bot.store import tables as t
from imr_bot.store.reminder_source import DirectoryRow
from imr_bot.store.unit_of_work import UnitOfWorkFactory

CALENDAR = WorkingCalendar.for_england()
AT = datetime(2026, 11, 1, 9, tzinfo=UTC)
# across Christmas and New Year: a bank holiday, substitute days, a weekend
DAYS = [date(2026, 12, 21), date(2026, 12, 24), date(2026, 12, 29), date(2026, 12, 31),
        date(2027, 1, 4), date(2027, 1, 8)]
ON_A_REVIEW = [Role.AUTHOR, Role.LINE_MANAGER, Role.QA_LEAD, Role.SD_EHS, Role.HEAD_OF_CP]


def _directory(rng: random.Random) -> list[dict]:
    """Thirty people: two Heads of CP (one of them inactive), SDs, and line managers, some of
    whom manage people who are in no role at all."""
    people = []
    for n in range(1, 31):
        roles = {1: "head_of_cp", 2: "head_of_cp", 3: "sd_ehs", 4: "sd_ehs,sd_qpp",
                 5: "business_services"}.get(n, "author,qa_lead")
        manager = rng.choice([None, 6, 7, 8, 3])
        people.append({"id": n, "email": f"p{n}@c.test", "name": f"Person {n}",
                       "aad_object_id": f"aad-{n}", "roles": roles, "service": "",
                       "active": n != 2, "max_concurrent": 5, "created_at": AT, "updated_at": AT,
                       "line_manager_email": f"p{manager}@c.test" if manager and manager != n
                       else None})
    return people


def _reviews(rng: random.Random, count: int) -> tuple[list[dict], list[dict], list[dict]]:
    reviews, links, plans = [], [], []
    for n in range(1, count + 1):
        stage = rng.choice(list(Stage))
        due = date(2026, 12, 10) + timedelta(days=rng.randint(0, 30))
        reviews.append({"id": n, "reference": f"DDSCP/CSPR/2026/{n:03d}",
                        "reference_key": f"ddscp/cspr/2026/{n:03d}", "review_type": "CSPR",
                        "body": "DDSCP", "received": date(2026, 11, 2),
                        "tor_start": date(2025, 1, 1), "tor_end": date(2026, 6, 30),
                        "subject_initials": "AB", "notes": "", "stage": stage.value,
                        "day_one": date(2026, 11, 2), "version": 1, "created_at": AT,
                        "updated_at": AT, "template_pack": "derbyshire",
                        "next_due": due if stage.next_milestone else None})
        for role in rng.sample(ON_A_REVIEW, rng.randint(0, len(ON_A_REVIEW))):
            links.append({"review_id": n, "role": role.value, "person_id": rng.randint(1, 30)})
        plans += [{"review_id": n, "milestone": m.value, "done": None,
                   "due": CALENDAR.add_working_days(date(2026, 11, 2), DEFAULT_DAYS[m] - 1)}
                  for m in MILESTONE_ORDER]
    return reviews, links, plans


def _expected(people, reviews, links, today: date) -> dict[str, str]:
    """Every reminder key owed `today`, with its text, from the policy review by review."""
    holders, line_manager_of = reminders._organisation([
        DirectoryRow(p["id"], p["email"], p["name"], frozenset(p["roles"].split(",")),
                     p["line_manager_email"], p["active"]) for p in people])
    owed = {}
    for review in reviews:
        mine = {Role(link["role"]): link["person_id"] for link in links
                if link["review_id"] == review["id"]}
        stage = Stage(review["stage"])
        for reminder in due_today(review_id=review["id"], stage=stage, due=review["next_due"],
                                  people=mine, holders=holders, line_manager_of=line_manager_of,
                                  today=today, calendar=CALENDAR):
            owed[reminder.key] = reminders._text(review["reference"], reminder,
                                                 review["next_due"])
    return owed


async def test_what_a_sweep_queues_is_what_the_policy_owes_review_by_review(database, clock):
    rng = random.Random(20261222)
    people = _directory(rng)
    reviews, links, plans = _reviews(rng, 240)
    async with database.engine.begin() as c:
        await c.execute(insert(t.people), people)
        await c.execute(insert(t.reviews), reviews)
        await c.execute(insert(t.review_people), links)
        await c.execute(insert(t.milestones), plans)
    ctx = ServiceContext(UnitOfWorkFactory(database), CALENDAR, clock)
    checked = 0
    for day in DAYS:
        clock.set(datetime(day.year, day.month, day.day, 10, tzinfo=UTC))
        result = await reminders.sweep(ctx)
        async with database.engine.connect() as c:
            rows = (await c.execute(select(t.notifications.c.key, t.notifications.c.payload)
                                    .where(t.notifications.c.key.like(f"reminder:%:{day}")))).all()
        queued = {key: json.loads(payload)["text"] for key, payload in rows}
        expected = _expected(people, reviews, links, day)
        assert queued == expected
        assert result.queued >= len(expected)  # and the reviews escalated on Day 4
        checked += len(expected)
    assert checked > 300  # the tracker is big enough to owe every kind of reminder
