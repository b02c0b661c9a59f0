"""Stopping the bot while a scheduled job runs: the job finishes (briefly) before the database
it uses is closed under it."""

import asyncio

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from imr_bot.scheduler import Schedule


async def start_job(seconds: float) -> tuple[Schedule, dict]:
    state = {"started": asyncio.Event(), "finished": False, "cancelled": False}

    async def sweep() -> None:
        state["started"].set()
        try:
            await asyncio.sleep(seconds)
            state["finished"] = True
        except asyncio.CancelledError:
            state["cancelled"] = True
            raise

    schedule = Schedule(AsyncIOScheduler())
    schedule.scheduler.add_job(schedule.tracked(sweep), id="sweep-at-start")
    schedule.start()
    await asyncio.wait_for(state["started"].wait(), 5)
    return schedule, state


async def test_stopping_lets_a_running_sweep_finish():
    schedule, state = await start_job(0.2)
    await schedule.stop()
    assert state["finished"] and not state["cancelled"]


async def test_a_job_still_running_after_the_wait_is_stopped_with_a_warning_not_an_error(caplog):
    schedule, state = await start_job(30)
    started = asyncio.get_running_loop().time()
    await schedule.stop(wait=0.1)
    assert state["cancelled"] and asyncio.get_running_loop().time() - started < 5
    assert not [r for r in caplog.records if r.levelname == "ERROR"]
    assert "still running at shutdown" in caplog.text
