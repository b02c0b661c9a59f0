"""Reviews for the tab's browser test and benchmark: open ones at every stage, some late, some
on hold, and closed ones whose milestones were reached early, on time or late. References,
types, stages, dates and initials only."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from imr_bot.domain.calendar import WorkingCalendar
from imr_bot.domain.people import Person
from imr_bot.domain.plan import MILESTONE_ORDER, Milestone
from imr_bot.domain.review import Commission, CommissioningBody, Review, ReviewType
from imr_bot.domain.roles import Role
from imr_bot.domain.stages import Stage
from imr_bot.store.unit_of_work import UnitOfWork

AT = datetime(2026, 11, 20, 9, tzinfo=UTC)
# the stage an open review is at, and the milestones it has reached
AT_STAGE = [(Stage.COMMISSIONED, 1), (Stage.ALLOCATED, 2), (Stage.SCOPING_HELD, 3),
            (Stage.MIDWAY_HELD, 4), (Stage.SUBMITTED_TO_QA, 5), (Stage.QA_APPROVED, 6)]
AUTHORS = ["Arun Author", "Ama Writer", "Ben Scribe"]
QA_LEADS = ["Quinn Lead", "Rhea Check"]


async def more_people(database) -> None:
    """Authors and QA leads besides the harness's, so workload has several of each."""
    async with UnitOfWork(database) as uow:
        for name, role in ((AUTHORS[1], Role.AUTHOR), (AUTHORS[2], Role.AUTHOR),
                           (QA_LEADS[1], Role.QA_LEAD)):
            email = name.lower().replace(" ", ".") + "@council.test"
            await uow.people.upsert(Person(email=email, name=name, roles=frozenset({role}),
                                           aad_object_id=f"aad-{email}"), AT)
        await uow.commit()


async def seed(database, calendar: WorkingCalendar, today: date, *, open_reviews: int,
               closed_reviews: int, mine_every: int = 3, random_seed: int = 25) -> None:
    """`open_reviews` at the stages above (every `mine_every`th with the harness's author,
    the rest with others), `closed_reviews` submitted over the last two years."""
    rng = random.Random(random_seed)
    async with UnitOfWork(database) as uow:
        people = {p.name: p.id for p in await uow.people.all()}
        authors = [people[n] for n in AUTHORS if n in people]
        qa_leads = [people[n] for n in QA_LEADS if n in people]
        for n in range(open_reviews + closed_reviews):
            closed = n >= open_reviews
            if closed:
                received = calendar.on_or_after(today - timedelta(days=rng.randint(60, 720)))
            else:
                received = calendar.add_working_days(today, -rng.randint(0, 40))
            kind = rng.choice([ReviewType.CSPR, ReviewType.CSPR, ReviewType.DHR])
            reference = (f"DONE/{received.year}/{n:04d}" if closed else
                         f"{'MINE' if n % mine_every == 0 else 'OTHER'}/2026/{n:03d}")
            review = Review.commission(Commission(
                reference, kind, CommissioningBody.DDSCP, received, date(2025, 1, 1),
                date(2026, 6, 30), "AB"), calendar, by="bs@council.test", at=AT)
            plan = review.plan
            if closed:
                reached, stage = len(MILESTONE_ORDER), Stage.SUBMITTED_TO_DDSCP
            else:
                stage, reached = AT_STAGE[min(int(calendar.working_days_between(received, today)
                                                  / 6), len(AT_STAGE) - 1)]
                if rng.random() < 0.2:  # a stage behind
                    stage, reached = AT_STAGE[max(AT_STAGE.index((stage, reached)) - 1, 0)]
            slip = rng.choice([-1, 0, 0, 0, 1, 2, 4]) if closed else rng.choice([0, 0, 1, 3])
            for milestone in MILESTONE_ORDER[:reached]:
                when = plan.due[milestone]
                if milestone != Milestone.REQUEST_LOGGED:
                    when = calendar.add_working_days(when, slip)
                plan = plan.mark_done(milestone, min(when, today))
            who = {Role.AUTHOR: (people.get(AUTHORS[0]) if n % mine_every == 0
                                 else rng.choice(authors[1:])),
                   Role.QA_LEAD: rng.choice(qa_leads)} if reached >= 2 else {}
            review = replace(review, plan=plan, stage=stage,
                             people={r: p for r, p in who.items() if p})
            if not closed and n % 11 == 5:
                review = replace(review, stage=Stage.ON_HOLD, stage_before_hold=stage,
                                 held_since=calendar.add_working_days(today, -3))
            await uow.reviews.add(review, AT)
        await uow.commit()
