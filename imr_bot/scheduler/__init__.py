"""Scheduled work: the same use cases, triggered by time instead of by a message.

APScheduler's asyncio scheduler runs in the bot process:
- the reminder sweep every few minutes (it also raises the Day-4 allocation escalation);
- the tracker channel's digest at 09:00 Europe/London on working days;
- a delivery pass every minute, so failed sends are retried.
The sweep itself stays quiet outside 08:00-18:00 and on weekends and bank holidays.
"""

from __future__ import annotations

import logging

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from imr_bot.observability import release_memory
from imr_bot.services import reminders

log = logging.getLogger(__name__)

SWEEP_MINUTES = 5


def create_scheduler(app) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(timezone="Europe/London")

    async def sweep() -> None:
        try:
            result = await reminders.sweep(app.ctx)
            if result.queued:
                app.delivery.kick()
        except Exception:  # a failed sweep is simply done again at the next one
            log.exception("reminder sweep failed")
        release_memory()

    async def digest() -> None:
        try:
            if await reminders.daily_digest(app.ctx):
                app.delivery.kick()
        except Exception:
            log.exception("daily digest failed")

    async def deliver() -> None:
        app.delivery.kick()
        release_memory()

    scheduler.add_job(sweep, "interval", minutes=SWEEP_MINUTES, id="sweep", coalesce=True,
                      max_instances=1)
    scheduler.add_job(sweep, id="sweep-at-start", coalesce=True)
    scheduler.add_job(digest, "cron", day_of_week="mon-fri", hour=9, minute=0, id="digest",
                      coalesce=True, max_instances=1, misfire_grace_time=3600)
    scheduler.add_job(deliver, "interval", minutes=1, id="delivery", coalesce=True,
                      max_instances=1)
    return scheduler
