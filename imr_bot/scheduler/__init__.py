"""Scheduled work: the same use cases, triggered by time instead of by a message.

APScheduler's asyncio scheduler runs in the bot process:
- the reminder sweep every few minutes (it also raises the Day-4 allocation escalation);
- the tracker channel's digest at 09:00 Europe/London on working days;
- a delivery pass every minute, so failed sends are retried.
The sweep itself stays quiet outside 08:00-18:00 and on weekends and bank holidays.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from imr_bot.observability import release_memory
from imr_bot.services import reminders

log = logging.getLogger(__name__)

SWEEP_MINUTES = 5


STOP_WAIT_SECONDS = 10.0  # how long stopping the bot lets a running job finish


class Schedule:
    """The scheduler and the jobs it has running. Stopping lets a running job (the start-up
    sweep, say) finish, briefly, before the database it uses is closed under it."""

    def __init__(self, scheduler: AsyncIOScheduler):
        self.scheduler = scheduler
        self._running: set[asyncio.Task] = set()
        self._stopping = False

    def tracked(self, job: Callable[[], Awaitable[None]]) -> Callable[[], Awaitable[None]]:
        async def run() -> None:
            task = asyncio.current_task()
            assert task is not None
            self._running.add(task)
            try:
                await job()
            except asyncio.CancelledError:
                if not self._stopping:
                    raise
                # cut short by stop(): its transaction was not committed and is done again at
                # the next start; not an error
                log.warning("%s was still running at shutdown and was stopped", job.__name__)
            finally:
                self._running.discard(task)
        run.__name__ = job.__name__
        return run

    def start(self) -> None:
        self.scheduler.start()

    async def stop(self, wait: float = STOP_WAIT_SECONDS) -> None:
        self._stopping = True
        self.scheduler.pause()  # no job starts now; (shutting down would cancel running ones)
        if self._running:
            _done, pending = await asyncio.wait(set(self._running), timeout=wait)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        self.scheduler.shutdown(wait=False)


def create_scheduler(app) -> Schedule:
    scheduler = AsyncIOScheduler(timezone="Europe/London")
    schedule = Schedule(scheduler)

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

    sweep, digest, deliver = (schedule.tracked(job) for job in (sweep, digest, deliver))
    scheduler.add_job(sweep, "interval", minutes=SWEEP_MINUTES, id="sweep", coalesce=True,
                      max_instances=1)
    scheduler.add_job(sweep, id="sweep-at-start", coalesce=True)
    scheduler.add_job(digest, "cron", day_of_week="mon-fri", hour=9, minute=0, id="digest",
                      coalesce=True, max_instances=1, misfire_grace_time=3600)
    scheduler.add_job(deliver, "interval", minutes=1, id="delivery", coalesce=True,
                      max_instances=1)
    return schedule
