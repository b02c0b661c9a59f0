"""Reading dates as people type them and showing them the British way."""

from __future__ import annotations

import calendar
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
    impossible = _impossible(cleaned)
    if impossible:
        raise BadDate(impossible)
    shown = text.strip() if text and text.strip() else "(nothing)"
    raise BadDate(f"I couldn't read '{shown}' as a date. Please use one of: {ACCEPTED_FORMS}.")


_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")
_DAY_MONTH = re.compile(r"(\d{1,2})[/.\-](\d{1,2})(?:[/.\-](\d{2}|\d{4}))?")
_DAY_MONTH_NAME = re.compile(r"(\d{1,2}) ([A-Za-z]{3,9})(?: (\d{4}))?")


def _impossible(cleaned: str) -> str | None:
    """Why a date in a readable shape is no date ("31/02": there is no 31 February), or None
    when the shape itself was not readable."""
    numeric = _DAY_MONTH.fullmatch(cleaned)
    named = _DAY_MONTH_NAME.fullmatch(cleaned)
    if numeric:
        day, month, year = int(numeric[1]), int(numeric[2]), numeric[3]
        if not 1 <= month <= 12:
            return (f"There is no month {month}: dates are day first, then month, e.g. "
                    "21/12/2026.")
    elif named:
        day, year = int(named[1]), named[3]
        month = next((i for i, name in enumerate(_MONTHS, 1)
                      if name[:3].lower() == named[2][:3].lower()), 0)
        if not month:
            return None
    else:
        return None
    if year is not None and len(year) == 2:
        year = "20" + year
    longest = calendar.monthrange(int(year) if year else 2024, month)[1]  # 2024: a leap year
    if day == 0 or day > longest:
        if day == 29 and month == 2 and year:
            return f"There is no 29 February in {year}."
        return f"There is no {day} {_MONTHS[month - 1]}."
    if year is None:
        return "Please give the year too, e.g. 21/12/2026 or 21 Dec 2026."
    return None


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
