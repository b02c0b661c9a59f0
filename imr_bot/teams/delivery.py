"""Delivering queued notifications to people (1:1) and to the tracker channel.

The outbox holds what must be sent; this reads what is due, sends it proactively through the
adapter, and marks it sent, or schedules a retry with backoff.
"""

from __future__ import annotations

import asyncio
import logging
import random
from datetime import timedelta

from botbuilder.core import CardFactory, MessageFactory, TurnContext
from botbuilder.schema import ConversationReference

from imr_bot.clock import Clock
from imr_bot.services.channels import TRACKER_SETTING
from imr_bot.store.database import Database
from imr_bot.store.outbox_queue import OutboxQueue

from .card_templates import CardLibrary

log = logging.getLogger(__name__)


class Delivery:
    def __init__(self, adapter, app_id: str, database: Database, cards: CardLibrary, clock: Clock,
                 base_url: str = ""):
        self._adapter = adapter
        self._base_url = base_url
        self._app_id = app_id
        self._queue = OutboxQueue(database)
        self._cards = cards
        self._clock = clock
        self._lock = asyncio.Lock()
        self._task: asyncio.Task | None = None
        self._again = False

    def kick(self) -> None:
        """Deliver soon, without holding up the turn that queued something."""
        if self._task is not None and not self._task.done():
            self._again = True
            return
        self._task = asyncio.get_running_loop().create_task(self._drain())

    async def _drain(self) -> None:
        while True:
            self._again = False
            try:
                await self.flush()
            except Exception:  # delivery must never take the bot down; the next kick retries
                log.exception("delivery failed")
            if not self._again:
                return

    async def wait_idle(self) -> None:
        while self._task is not None and not self._task.done():
            await self._task

    async def flush(self, limit: int = 200) -> int:
        async with self._lock:
            sent = 0
            now = self._clock.now()
            for item in await self._queue.due(now, limit):
                reference = await self._reference_for(item.recipient)
                if reference is None:
                    if item.recipient == "tracker" and not await self._queue.setting(TRACKER_SETTING):
                        await self._queue.skip(item.id, "no tracker channel subscribed")
                    else:
                        await self._queue.retry(item.id, "no conversation with the recipient yet",
                                                now + timedelta(hours=1))
                    continue
                try:
                    await self._send(reference, item.payload)
                except Exception as error:  # noqa: BLE001 - every failure is retried later
                    backoff = min(2 ** item.attempts, 60) * 30 * (0.5 + random.random())
                    await self._queue.retry(item.id, f"{type(error).__name__}: {error}"[:500],
                                            now + timedelta(seconds=backoff))
                    continue
                await self._queue.mark_sent(item.id, self._clock.now())
                sent += 1
            return sent

    async def _reference_for(self, recipient: str) -> dict | None:
        if recipient == "tracker":
            channel = await self._queue.setting(TRACKER_SETTING)
            return await self._queue.conversation(channel) if channel else None
        if recipient.startswith("person:"):
            aad = await self._queue.person_aad(int(recipient.split(":", 1)[1]))
            return await self._queue.conversation(f"user:{aad}") if aad else None
        return None

    async def _send(self, reference: dict, payload: dict) -> None:
        if "card" in payload:
            # links in cards are made absolute here: where the bot is reached is the edge's concern
            card = self._cards.render(payload["card"],
                                      {**payload.get("data", {}), "baseUrl": self._base_url})
            activity = MessageFactory.attachment(CardFactory.adaptive_card(card))
        else:
            activity = MessageFactory.text(payload["text"])

        async def callback(turn_context: TurnContext) -> None:
            await turn_context.send_activity(activity)

        await self._adapter.continue_conversation(
            ConversationReference().deserialize(reference), callback, self._app_id)
