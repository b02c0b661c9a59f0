"""Teams' limits on what a bot sends, held exactly.

Per conversation: 7 messages a second, 8 per 2 seconds, 60 per 30 seconds, 1800 an hour; per app:
50 a second. These are sliding windows, so each is kept as a log of recent send times (a token
bucket that refills continuously would let up to twice the 30-second allowance through in some
30-second windows). Time and sleep are passed in, so tests never sleep.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable

Now = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]

PER_CONVERSATION = ((7, 1.0), (8, 2.0), (60, 30.0), (1800, 3600.0))
PER_APP = ((50, 1.0),)


class SlidingWindow:
    def __init__(self, limit: int, seconds: float):
        self.limit = limit
        self.seconds = seconds
        self._sent: deque[float] = deque()

    def wait_time(self, now: float) -> float:
        while self._sent and self._sent[0] <= now - self.seconds:
            self._sent.popleft()
        if len(self._sent) < self.limit:
            return 0.0
        return max(self._sent[0] + self.seconds - now, 1e-6)

    def record(self, now: float) -> None:
        self._sent.append(now)


class TeamsLimits:
    def __init__(self, now: Now = time.monotonic, sleep: Sleep = asyncio.sleep,
                 per_conversation=PER_CONVERSATION, per_app=PER_APP):
        self._now = now
        self._sleep = sleep
        self._per_conversation = per_conversation
        self._app = [SlidingWindow(limit, seconds) for limit, seconds in per_app]
        self._conversations: dict[str, list[SlidingWindow]] = {}
        self._lock = asyncio.Lock()

    def _windows_of(self, conversation: str) -> list[SlidingWindow]:
        return self._conversations.setdefault(
            conversation, [SlidingWindow(limit, seconds) for limit, seconds in self._per_conversation])

    def conversation_wait(self, conversation: str) -> float:
        """How long until `conversation` may have one more message (the app's limit aside)."""
        now = self._now()
        return max((w.wait_time(now) for w in self._windows_of(conversation)), default=0.0)

    async def acquire(self, conversation: str) -> None:
        """Wait until one more message to `conversation` is within every limit, and count it."""
        async with self._lock:
            windows = self._app + self._windows_of(conversation)
            while True:
                now = self._now()
                wait = max((w.wait_time(now) for w in windows), default=0.0)
                if wait <= 0:
                    break
                await self._sleep(wait)
            for window in windows:
                window.record(now)
