"""Dates as British authors write them, read only when they can be read one way.

General-purpose parsers (dateutil and the like) guess: they read "3/4/26" as a date and carry on.
A QA lead needs the opposite, so this reader says which dates it cannot read and which it could
read more than one way: a two-digit year, a date that only reads month first, a month without a
day, a day without a year.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

DATE = "date"
AMBIGUOUS = "ambiguous"
UNREADABLE = "unreadable"
EMPTY = "empty"

_MONTHS = {"january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
           "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
           "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
           "sept": 9, "oct": 10, "nov": 11, "dec": 12}
_MONTH = "(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_ORDINAL = r"(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>\d{4}|['’]?\d{2})"
_WEEKDAY = re.compile(r"\b(?:mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)(?:day)?\b\.?,?",
                      re.IGNORECASE)

_ISO = re.compile(r"(?<![\d/.])(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})(?![\d/.-])")
_NUMERIC = re.compile(r"(?<![\d/.:-])(?P<a>\d{1,2})\s?(?P<sep>[/.\-])\s?(?P<b>\d{1,2})\s?(?P=sep)\s?"
                      r"(?P<year>\d{4}|\d{2})(?![\d/:]|\.\d)")
_DAY_MONTH_YEAR = re.compile(rf"(?<![\d\w])(?P<day>\d{{1,2}}){_ORDINAL}(?:\s+of)?[\s\-]*{_MONTH}"
                             rf"[\s\-,]*{_YEAR}(?![\d:.]\d)", re.IGNORECASE)
_MONTH_DAY_YEAR = re.compile(rf"(?<!\w){_MONTH}\s+(?P<day>\d{{1,2}}){_ORDINAL},?\s+{_YEAR}(?!\d)",
                             re.IGNORECASE)
_DAY_MONTH = re.compile(rf"(?<![\d\w])(?P<day>\d{{1,2}}){_ORDINAL}(?:\s+of)?[\s\-]*{_MONTH}(?!\w)",
                        re.IGNORECASE)
_MONTH_YEAR = re.compile(rf"(?<!\w)(?:{_MONTH}[\s\-,]*(?P<year>\d{{4}})|(?P<nmonth>\d{{1,2}})/(?P<nyear>\d{{4}}))(?!\d)",
                         re.IGNORECASE)
_YEAR_ONLY = re.compile(r"(?<![\d/.])(?:19|20)\d{2}(?![\d/.])")
# a stretch of a year named instead of a day: it cannot be put in order, so it is no date
_PERIOD = re.compile(r"\b(?:spring|summer|autumn|fall|winter|early|mid|late|beginning|start|end|"
                     r"half|quarter|term|q[1-4]|h[12])\b", re.IGNORECASE)


@dataclass(frozen=True)
class ReadDate:
    kind: str  # DATE, AMBIGUOUS, UNREADABLE or EMPTY
    day: date | None = None
    reason: str = ""  # why a date is ambiguous or unreadable, in a phrase

    @property
    def iso(self) -> str:
        return self.day.isoformat() if self.day else ""


def _valid(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _cleaned(text: str) -> str:
    text = text.replace("\u00a0", " ").replace("\u2013", "-").replace("\u2014", "-")
    text = text.replace("\u2011", "-").replace("\u2012", "-")
    return re.sub(r"\s+", " ", _WEEKDAY.sub(" ", text)).strip()


def _named(match: re.Match) -> ReadDate:
    year_text = match.group("year").lstrip("'’")
    month = _MONTHS[match.group("month").lower().rstrip(".")]
    day = int(match.group("day"))
    if len(year_text) == 2:
        return ReadDate(AMBIGUOUS, reason="two-digit year")
    found = _valid(int(year_text), month, day)
    return ReadDate(DATE, found) if found else ReadDate(UNREADABLE, reason="no such date")


def _numeric(match: re.Match) -> ReadDate:
    first, second, year_text = int(match.group("a")), int(match.group("b")), match.group("year")
    if len(year_text) == 2:
        return ReadDate(AMBIGUOUS, reason="two-digit year")
    year = int(year_text)
    day_first = _valid(year, second, first)
    if day_first:
        return ReadDate(DATE, day_first)
    if _valid(year, first, second):
        return ReadDate(AMBIGUOUS, reason="reads only month first")
    return ReadDate(UNREADABLE, reason="no such date")


def read_date(text: str) -> ReadDate:
    """The first date written in `text` (a time beside it is ignored)."""
    cleaned = _cleaned(text)
    if not cleaned or not re.search(r"[0-9A-Za-z]", cleaned):
        return ReadDate(EMPTY, reason="no date")
    matches = []
    for pattern, reader in ((_ISO, None), (_NUMERIC, _numeric), (_DAY_MONTH_YEAR, _named),
                            (_MONTH_DAY_YEAR, _named)):
        match = pattern.search(cleaned)
        if match:
            matches.append((match.start(), pattern, reader, match))
    if matches:
        _start, _pattern, reader, match = min(matches, key=lambda m: m[0])
        if reader is None:
            found = _valid(int(match.group("year")), int(match.group("month")),
                           int(match.group("day")))
            return ReadDate(DATE, found) if found else ReadDate(UNREADABLE, reason="no such date")
        return reader(match)
    if _MONTH_YEAR.search(cleaned):
        return ReadDate(AMBIGUOUS, reason="month and year only")
    if _DAY_MONTH.search(cleaned):
        return ReadDate(AMBIGUOUS, reason="no year")
    if _YEAR_ONLY.search(cleaned):
        if _PERIOD.search(cleaned):
            return ReadDate(UNREADABLE, reason="a period of the year, not a date")
        return ReadDate(AMBIGUOUS, reason="year only")
    return ReadDate(UNREADABLE, reason="not a date")
