"""kill -9 of the bot in the middle of a fan-out, again and again: after the last restart every
notification has been delivered, and none more than once beyond the documented case (a send the
connector had answered when the process died, before it was marked sent: README, Reminders).

`make test` runs 3 cycles per backend; `make soak` runs 20 (IMR_KILL_CYCLES).
"""

import asyncio
import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
from sqlalchemy import insert

from imr_bot.domain.notification import OutgoingNotification
from imr_bot.store import tables as t
from imr_bot.store.unit_of_work import UnitOfWork

ROOT = Path(__file__).resolve().parents[2]
CYCLES = int(os.environ.get("IMR_KILL_CYCLES", "3"))
NOTIFICATIONS = 40 * CYCLES + 100
AT = datetime(2026, 1, 1, tzinfo=UTC)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def wait_for(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            try:
                async with session.get(url) as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.05)
    raise AssertionError(f"{url} did not answer")


async def received(connector: str) -> dict[str, int]:
    async with aiohttp.ClientSession() as session, session.get(f"{connector}stats") as response:
        return (await response.json())["received"]


async def seed(database, connector: str) -> None:
    async with database.engine.begin() as c:
        await c.execute(insert(t.people), [
            {"id": n, "email": f"p{n}@c.test", "name": f"P {n}", "aad_object_id": f"aad-{n}",
             "roles": "author", "service": "", "active": True, "max_concurrent": 2,
             "created_at": AT, "updated_at": AT} for n in range(1, NOTIFICATIONS + 1)])
        await c.execute(insert(t.conversation_refs), [
            {"key": f"user:aad-{n}", "kind": "user", "updated_at": AT, "reference": json.dumps(
                {"conversation": {"id": f"a:p{n}"}, "serviceUrl": connector,
                 "channelId": "msteams", "bot": {"id": "28:bot"}, "user": {"id": f"29:{n}"}})}
            for n in range(1, NOTIFICATIONS + 1)])
    async with UnitOfWork(database) as uow:
        await uow.outbox.queue_many([OutgoingNotification(
            key=f"fan-out:{n}", recipient=f"person:{n}", kind="reminder_overdue",
            payload={"text": f"fan-out {n}"}) for n in range(1, NOTIFICATIONS + 1)], AT)
        await uow.commit()


async def outstanding(database) -> int:
    async with UnitOfWork(database, read_only=True) as uow:
        rows = await uow.connection.execute(t.notifications.select().where(
            t.notifications.c.status.in_(["pending", "sending"])))
        return len(rows.all())


def start_bot(database, port: int) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "IMR_DATABASE_URL": database.url,
           "IMR_PORT": str(port), "IMR_SCHEDULER": "0", "IMR_LOG_LEVEL": "WARNING",
           "IMR_DELIVERY_LEASE_SECONDS": "1", "MicrosoftAppId": ""}
    return subprocess.Popen([sys.executable, "-m", "imr_bot.cli", "serve"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


async def test_kill_9_during_a_fan_out_loses_nothing_and_repeats_at_most_the_interrupted_send(
        database):
    port = free_port()
    connector_process = subprocess.Popen(
        [sys.executable, str(ROOT / "bench/mock_connector.py"), "--port", str(port)],
        env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)
    connector = f"http://127.0.0.1:{port}/"
    bot = None
    try:
        await wait_for(f"{connector}stats")
        await seed(database, connector)
        random.seed(11)
        kills = 0
        for _ in range(CYCLES):
            before = sum((await received(connector)).values())
            bot = start_bot(database, free_port())
            while sum((await received(connector)).values()) < before + 3:  # fanning out now
                assert bot.poll() is None, "the bot stopped by itself"
                await asyncio.sleep(0.01)
            await asyncio.sleep(random.uniform(0, 0.3))
            bot.send_signal(signal.SIGKILL)
            bot.wait(timeout=10)
            kills += 1
        for _ in range(5):  # the last restart finishes the fan-out
            await asyncio.sleep(1.2)  # leases left by the killed process run out
            bot_port = free_port()
            bot = start_bot(database, bot_port)
            await wait_for(f"http://127.0.0.1:{bot_port}/healthz")
            deadline = time.monotonic() + 60
            while await outstanding(database) and time.monotonic() < deadline:
                await asyncio.sleep(0.2)
            bot.terminate()
            bot.wait(timeout=10)
            if not await outstanding(database):
                break
        counts = await received(connector)
        delivered = len(counts)
        repeated = sum(n - 1 for n in counts.values())
        print(f"\nkill -9 during a fan-out: {kills} kills, {NOTIFICATIONS} notifications, "
              f"{delivered} delivered, {NOTIFICATIONS - delivered} lost, {repeated} sent twice "
              f"(at most one interrupted send per kill)")
        assert delivered == NOTIFICATIONS
        assert repeated <= kills
        assert max(counts.values()) <= 2
    finally:
        if bot is not None and bot.poll() is None:
            bot.kill()
        connector_process.terminate()
        connector_process.wait(timeout=10)
