"""Two bot processes on one PostgreSQL never send the same notification twice."""

import asyncio
import os
import sys
from datetime import UTC, datetime

import pytest

from imr_bot.domain.notification import OutgoingNotification
from imr_bot.domain.people import Person
from imr_bot.store.unit_of_work import UnitOfWork

NOTIFICATIONS = 1000


async def test_two_processes_deliver_a_thousand_notifications_without_a_duplicate(database, tmp_path):
    if database.is_sqlite:
        pytest.skip("SQLite runs a single bot process")
    at = datetime(2026, 1, 1, tzinfo=UTC)
    async with UnitOfWork(database) as uow:
        person, _ = await uow.people.upsert(Person(email="p@c.test", name="P", aad_object_id="aad-p"), at)
        await uow.conversations.save("user:aad-p", "user", {
            "conversation": {"id": "a:p"}, "serviceUrl": "https://smba.test/", "channelId": "msteams",
            "bot": {"id": "28:bot"}, "user": {"id": "29:p"}}, at)
        await uow.outbox.queue_many([OutgoingNotification(
            key=f"n{n}", recipient=f"person:{person.id}", kind="test", payload={"text": f"n{n}"})
            for n in range(NOTIFICATIONS)], at)
        await uow.commit()
    out = tmp_path / "sent.txt"
    worker = os.path.join(os.path.dirname(__file__), "deliver_worker.py")
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    processes = [await asyncio.create_subprocess_exec(sys.executable, worker, database.url, str(out),
                                                      env=env) for _ in range(2)]
    codes = await asyncio.wait_for(asyncio.gather(*(p.wait() for p in processes)), timeout=120)
    assert codes == [0, 0]
    sent = out.read_text().split()
    duplicates = len(sent) - len(set(sent))
    print(f"\ntwo processes: {len(sent)} sends, {len(set(sent))} distinct, {duplicates} duplicates")
    assert duplicates == 0 and len(set(sent)) == NOTIFICATIONS
