"""The one place that reads the real time; everything else is handed a clock."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Protocol
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


class Clock(Protocol):
    def now(self) -> datetime: ...

    def today(self) -> date: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    def today(self) -> date:
        return datetime.now(LONDON).date()


class SettableClock:
    """A clock that end-to-end tests can set, accepted only in local mode (see app.build)."""

    def __init__(self) -> None:
        self._fixed: datetime | None = None

    def set(self, moment: datetime | None) -> None:
        self._fixed = moment

    def now(self) -> datetime:
        return self._fixed if self._fixed is not None else datetime.now(UTC)

    def today(self) -> date:
        return self.now().astimezone(LONDON).date()
