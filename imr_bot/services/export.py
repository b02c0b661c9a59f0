"""`imr export`: the tracker as a spreadsheet."""

from __future__ import annotations

from imr_bot.documents.tracker_workbook import ActionRow, TrackerRow, tracker_workbook
from imr_bot.domain.dates import format_when
from imr_bot.domain.people import Actor
from imr_bot.domain.plan import MILESTONE_ORDER
from imr_bot.domain.policy import Permission, require
from imr_bot.domain.rag import standing
from imr_bot.domain.roles import REVIEW_ROLES, Role

from . import action_plans
from .context import ServiceContext

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def tracker_export(ctx: ServiceContext, actor: Actor, marking: str) -> tuple[str, bytes]:
    require(Permission.EXPORT, actor)
    today = ctx.clock.today()
    async with ctx.unit_of_work(read_only=True) as uow:
        reviews = await uow.reviews.open_reviews()
        names = {p.id: p.name for p in await uow.people.all()}
        # a plan stays open after its review is submitted: every review's actions are listed
        actions = [ActionRow(row.reference, row.number, row.what, row.owner, row.due,
                             row.status, row.outcome, row.evaluation)
                   for review in sorted(await uow.reviews.all_reviews(),
                                        key=lambda r: r.reference.casefold())
                   for row in await action_plans.plan_rows(uow, review, names)]
    roles = [r for r in Role if r in REVIEW_ROLES]
    rows = []
    for review in sorted(reviews, key=lambda r: r.reference.casefold()):
        where = standing(review.plan, review.stage, today, ctx.calendar)
        rows.append(TrackerRow(
            reference=review.reference, review_type=review.review_type.value,
            body=review.body.value, stage=review.stage.title, rag=where.rag.title,
            next_milestone=where.milestone.title if where.milestone else "",
            working_days_left=where.working_days_left,
            milestones=[(review.plan.due.get(m), review.plan.done.get(m)) for m in MILESTONE_ORDER],
            people={r.title: names.get(review.people[r], "") for r in roles if r in review.people}))
    generated = format_when(ctx.clock.now())
    content = tracker_workbook(rows, [m.title for m in MILESTONE_ORDER], [r.title for r in roles],
                               generated, marking, actions)
    return f"imr-tracker-{today.isoformat()}.xlsx", content
