"""A bot process that only delivers: run twice at once by the fault tests.

It runs the real Delivery against the database given in argv[1]; only the last step, the send,
writes the notification's text to the file in argv[2] instead of calling Teams.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from imr_bot.clock import SystemClock
from imr_bot.config import PROJECT_ROOT
from imr_bot.store.database import Database
from imr_bot.teams.card_templates import CardLibrary
from imr_bot.teams.delivery import Delivery
from imr_bot.teams.rate_limit import TeamsLimits


class RecordingDelivery(Delivery):
    def __init__(self, *args, out: Path, **kwargs):
        super().__init__(*args, **kwargs)
        self._out = out.open("a", encoding="utf-8")

    async def _send(self, reference: dict, payload: dict, card_in_channel=None) -> None:
        self._out.write(payload["text"] + "\n")
        self._out.flush()
        os.fsync(self._out.fileno())
        await asyncio.sleep(0)


async def main(url: str, out: str) -> None:
    database = Database(url)
    no_limits = TeamsLimits(per_conversation=(), per_app=())
    delivery = RecordingDelivery(None, "", database, CardLibrary(PROJECT_ROOT / "cards"),
                                 SystemClock(), limits=no_limits, out=Path(out))
    idle = 0
    while idle < 3:
        sent = await delivery.flush(limit=25)
        idle = idle + 1 if sent == 0 else 0
        await asyncio.sleep(0.01 if sent else 0.05)
    await database.dispose()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
