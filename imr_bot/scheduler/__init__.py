"""Scheduled work: the same use cases, triggered by time instead of by a message.

APScheduler's asyncio scheduler runs in the bot process: the Day-4 escalation check hourly (and at
start), and a delivery pass every minute so that failed sends are retried.
"""

from __future__ import annotations

import logging

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from imr_bot.services import escalation

log = logging.getLogger(__name__)


def create_scheduler(app) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(timezone="Europe/London")

    async def escalations() -> None:
        try:
            if await escalation.escalate_unallocated(app.ctx):
                app.delivery.kick()
        except Exception:  # a failed pass is retried at the next one
            log.exception("escalation check failed")

    async def deliver() -> None:
        app.delivery.kick()

    scheduler.add_job(escalations, "interval", hours=1, id="escalations", next_run_time=None,
                      coalesce=True, max_instances=1)
    scheduler.add_job(deliver, "interval", minutes=1, id="delivery", coalesce=True,
                      max_instances=1)
    scheduler.add_job(escalations, id="escalations-at-start", coalesce=True)
    return scheduler
