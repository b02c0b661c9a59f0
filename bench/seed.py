"""Fill a database quickly for benchmarks: people, N open reviews with plans, and one review
waiting for the QA lead's decision (for the approve click).

The reviews are spread evenly over the days of their plans (and a few days past the end), each at
the stage its plan says, except one in ten that is a stage behind: the shape of a busy tracker,
with about one in seven reviews overdue."""

from __future__ import annotations

import asyncio
import json
import random
from datetime import UTC, date, datetime

from sqlalchemy import insert, text

from imr_bot.domain.calendar import WorkingCalendar
from imr_bot.domain.plan import DEFAULT_DAYS, MILESTONE_ORDER
from imr_bot.domain.stages import Stage
from imr_bot.store import tables as t
from imr_bot.store.database import Database

AT = datetime(2026, 11, 20, 9, tzinfo=UTC)
TODAY = date(2026, 11, 23)  # a Monday: the day the sweep benchmark runs on
# Where a review on time stands on each day of its plan: (last plan day, stage).
ON_TIME = [(3, Stage.COMMISSIONED), (4, Stage.ALLOCATED), (15, Stage.SCOPING_HELD),
           (25, Stage.MIDWAY_HELD), (30, Stage.SUBMITTED_TO_QA), (99, Stage.SD_REVIEW)]
LATE_SHARE = 0.10  # reviews a stage behind where their plan says they should be
USER_AAD = "00000000-0000-4000-8000-00000000aaaa"  # the person who asks for `imr status`


async def seed(url: str, reviews: int, service_url: str = "http://127.0.0.1:1/",
               pending_decisions: int = 0) -> None:
    """`pending_decisions`: that many more reviews, each with version 1 waiting for the QA lead's
    first decision (the benchmark's user), one for each click of the first-decision benchmark."""
    database = Database(url)
    await database.migrate()
    calendar = WorkingCalendar.for_england()
    random.seed(7)
    async with database.engine.begin() as c:
        for table in reversed(t.metadata.sorted_tables):
            await c.execute(table.delete())
        people = [{"id": 1, "email": "bench.user@c.test", "name": "Bench User",
                   "aad_object_id": USER_AAD, "roles": "business_services,head_of_cp,qa_lead",
                   "service": "", "active": True, "max_concurrent": 99, "created_at": AT,
                   "updated_at": AT, "teams_user_id": "29:bench"}]
        for n in range(2, 42):
            people.append({"id": n, "email": f"author{n}@c.test", "name": f"Author {n}",
                           "aad_object_id": f"aad-{n}", "roles": "author,qa_lead", "service": "",
                           "active": True, "max_concurrent": 9, "created_at": AT, "updated_at": AT,
                           "teams_user_id": None})
        await c.execute(insert(t.people), people)
        review_rows, milestone_rows, people_rows = [], [], []
        for n in range(1, reviews + 1):
            # spread over every day of a 35-working-day plan, a few days past it, one in ten late
            elapsed = random.randint(0, 37)
            day_one = calendar.add_working_days(TODAY, -elapsed)
            received = day_one
            step = next(i for i, (last_day, _) in enumerate(ON_TIME) if elapsed + 1 <= last_day)
            if step and random.random() < LATE_SHARE:
                step -= 1
            stage = ON_TIME[step][1]
            due = {m: calendar.add_working_days(day_one, DEFAULT_DAYS[m] - 1) for m in MILESTONE_ORDER}
            review_rows.append({"id": n, "reference": f"BENCH/{n:06d}", "reference_key": f"bench/{n:06d}",
                                "review_type": "CSPR", "body": "DDSCP", "received": received,
                                "tor_start": date(2025, 1, 1), "tor_end": date(2026, 6, 30),
                                "subject_initials": "AB", "notes": "", "stage": stage.value,
                                "day_one": day_one, "version": 1, "created_at": AT,
                                "updated_at": AT, "template_pack": "derbyshire",
                                "next_due": due[stage.next_milestone]})
            milestone_rows += [{"review_id": n, "milestone": m.value, "due": day, "done": None}
                               for m, day in due.items()]
            if stage != Stage.COMMISSIONED or n == 1:
                # the benchmark's user is the QA lead of review 1 (the approve click) only
                qa_lead = 1 if n == 1 else 2 + (n + 7) % 40
                people_rows += [{"review_id": n, "role": "author", "person_id": 2 + n % 40},
                                {"review_id": n, "role": "qa_lead", "person_id": qa_lead}]
        for start in range(0, len(review_rows), 5000):
            await c.execute(insert(t.reviews), review_rows[start:start + 5000])
        for start in range(0, len(milestone_rows), 10000):
            await c.execute(insert(t.milestones), milestone_rows[start:start + 10000])
        for start in range(0, len(people_rows), 10000):
            await c.execute(insert(t.review_people), people_rows[start:start + 10000])
        # the approve click: review 1 waits for the QA lead (person 1) on version 1
        await c.execute(t.reviews.update().where(t.reviews.c.id == 1).values(
            stage="submitted_to_qa", next_due=calendar.add_working_days(
                review_rows[0]["day_one"], DEFAULT_DAYS[Stage.SUBMITTED_TO_QA.next_milestone] - 1)))
        await c.execute(insert(t.submissions).values(review_id=1, version=1, level="qa",
                                                     submitted_by="author2@c.test", submitted_at=AT))
        reference = {"conversation": {"id": "a:bench"}, "serviceUrl": service_url,
                     "channelId": "msteams", "bot": {"id": "28:bot"}, "user": {"id": "29:bench"}}
        if pending_decisions:
            await _pending_decisions(c, calendar, reviews, pending_decisions)
        await c.execute(insert(t.conversation_refs).values(key=f"user:{USER_AAD}", kind="user",
                                                           reference=json.dumps(reference),
                                                           updated_at=AT))
        if database.engine.dialect.name == "postgresql":
            await c.execute(text("ANALYZE"))
    await database.dispose()


def pending_decision_ids(reviews: int, pending_decisions: int) -> range:
    return range(reviews + 1, reviews + pending_decisions + 1)


async def _pending_decisions(c, calendar: WorkingCalendar, reviews: int, count: int) -> None:
    day_one = calendar.add_working_days(TODAY, -26)
    due = {m: calendar.add_working_days(day_one, DEFAULT_DAYS[m] - 1) for m in MILESTONE_ORDER}
    ids = pending_decision_ids(reviews, count)
    await c.execute(insert(t.reviews), [
        {"id": n, "reference": f"BENCH/{n:06d}", "reference_key": f"bench/{n:06d}",
         "review_type": "CSPR", "body": "DDSCP", "received": day_one, "tor_start": date(2025, 1, 1),
         "tor_end": date(2026, 6, 30), "subject_initials": "AB", "notes": "",
         "stage": Stage.SUBMITTED_TO_QA.value, "day_one": day_one, "version": 1, "created_at": AT,
         "updated_at": AT, "template_pack": "derbyshire",
         "next_due": due[Stage.SUBMITTED_TO_QA.next_milestone]} for n in ids])
    await c.execute(insert(t.milestones), [
        {"review_id": n, "milestone": m.value, "due": day, "done": None}
        for n in ids for m, day in due.items()])
    await c.execute(insert(t.review_people), [
        row for n in ids for row in ({"review_id": n, "role": "author", "person_id": 2 + n % 40},
                                     {"review_id": n, "role": "qa_lead", "person_id": 1})])
    await c.execute(insert(t.submissions), [
        {"review_id": n, "version": 1, "level": "qa", "submitted_by": "author2@c.test",
         "submitted_at": AT} for n in ids])


if __name__ == "__main__":
    import sys

    asyncio.run(seed(sys.argv[1], int(sys.argv[2])))
