"""Reading dates as people type them and showing them the British way."""

from __future__ import annotations

import re
from datetime import date, datetime
from functools import lru_cache

from .errors import BadDate

ACCEPTED_FORMS = "2026-12-21, 21/12/2026 or 21 Dec 2026"

_FORMATS = (
    "%Y-%m-%d",
    "%d/%m/%Y",
    "%d/%m/%y",
    "%d-%m-%Y",
    "%d.%m.%Y",
    "%d %b %Y",
    "%d %B %Y",
    "%a %d %b %Y",
    "%A %d %B %Y",
)


def parse_date(text: str, *, today: date | None = None) -> date:
    """Read a date typed as 2026-12-21, 21/12/2026 or 21 Dec 2026 (and a few close variants).

    `today` lets a user type "today" or "tomorrow"; it is passed in, never read from the clock.
    """
    cleaned = re.sub(r"\s+", " ", (text or "").strip().rstrip("."))
    cleaned = re.sub(r"(?<=\d)(st|nd|rd|th)\b", "", cleaned, flags=re.IGNORECASE)
    cleaned = cleaned.replace(",", "")
    lowered = cleaned.lower()
    if today is not None and lowered in {"today", "now"}:
        return today
    for form in _FORMATS:
        try:
            return datetime.strptime(cleaned, form).date()
        except ValueError:
            continue
    # "21 Sept 2026": strptime knows only "Sep".
    match = re.fullmatch(r"(\d{1,2}) ([A-Za-z]{3})[A-Za-z]* (\d{4})", cleaned)
    if match:
        try:
            return datetime.strptime(f"{match[1]} {match[2]} {match[3]}", "%d %b %Y").date()
        except ValueError:
            pass
    shown = text.strip() if text and text.strip() else "(nothing)"
    raise BadDate(f"I couldn't read '{shown}' as a date. Please use one of: {ACCEPTED_FORMS}.")


@lru_cache(maxsize=4096)  # a sweep formats the same few dates thousands of times
def format_date(day: date | None) -> str:
    """`Thu 24 Dec 2026`: weekday first, day before month, as people in England read it."""
    if day is None:
        return "—"
    return f"{day:%a} {day.day} {day:%b %Y}"



_LONDON = None


def format_when(at: datetime | None) -> str:
    """`Thu 24 Dec 2026, 09:30`: the one way a moment is shown, the date as `format_date` shows
    it and the time in UK time."""
    global _LONDON
    if at is None:
        return "—"
    if at.tzinfo is not None:
        if _LONDON is None:
            from zoneinfo import ZoneInfo

            _LONDON = ZoneInfo("Europe/London")
        at = at.astimezone(_LONDON)
    return f"{format_date(at.date())}, {at:%H:%M}"
