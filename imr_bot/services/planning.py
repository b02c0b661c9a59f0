"""Preview a plan: the milestone dates of a request received on a given date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from imr_bot.domain.plan import Plan, PlanRow

from .context import ServiceContext


@dataclass(frozen=True)
class PlanPreview:
    received: date
    day_one: date
    rows: list[PlanRow]
    rebased: bool


def preview_plan(ctx: ServiceContext, received: date, deadline: date | None) -> PlanPreview:
    plan = Plan.default(received, ctx.calendar)
    if deadline is not None:
        plan = plan.rebase_to_deadline(deadline, ctx.calendar, by="preview",
                                       reason="preview", at=ctx.clock.now())
    return PlanPreview(received, plan.day_one, plan.rows(ctx.calendar), deadline is not None)
