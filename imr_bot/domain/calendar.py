"""Working days: Monday to Friday, less the bank holidays of England.

Every IMR deadline is counted in working days. Lookups are by ordinal in a sorted table of
working days, so adding or counting working days is a bisect, not a walk: a sweep over 100k
reviews stays cheap.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable
from datetime import date, timedelta

HolidaySource = Callable[[int], Iterable[date]]


def england_bank_holidays(year: int) -> Iterable[date]:
    """Bank holidays of England (substitute days included) from the `holidays` package."""
    import holidays  # a data library, no I/O; imported lazily to keep the core import light

    return holidays.country_holidays("GB", subdiv="ENG", years=year).keys()


class WorkingCalendar:
    def __init__(self, holiday_source: HolidaySource = england_bank_holidays,
                 extra_closures: Iterable[date] = ()):
        self._holiday_source = holiday_source
        self._extra_closures = frozenset(extra_closures)
        self._first_year: int | None = None
        self._last_year: int | None = None
        self._working: list[int] = []  # ordinals of working days, ascending
        self._holidays: set[date] = set()

    @classmethod
    def for_england(cls) -> WorkingCalendar:
        return cls(england_bank_holidays)

    # -- table upkeep -----------------------------------------------------------------------
    def _ensure(self, day: date) -> None:
        year = day.year
        if self._first_year is None:
            self._build(year - 2, year + 3)
        elif year - 1 < self._first_year:
            self._build(year - 2, self._last_year)
        elif year + 1 > self._last_year:
            self._build(self._first_year, year + 3)

    def _build(self, first_year: int, last_year: int) -> None:
        closed: set[date] = set(self._extra_closures)
        for year in range(first_year, last_year + 1):
            closed.update(self._holiday_source(year))
        start = date(first_year, 1, 1)
        end = date(last_year, 12, 31)
        working = []
        day = start
        one = timedelta(days=1)
        while day <= end:
            if day.weekday() < 5 and day not in closed:
                working.append(day.toordinal())
            day += one
        self._first_year, self._last_year = first_year, last_year
        self._working = working
        self._holidays = closed

    # -- queries ----------------------------------------------------------------------------
    def is_working_day(self, day: date) -> bool:
        self._ensure(day)
        index = bisect_left(self._working, day.toordinal())
        return index < len(self._working) and self._working[index] == day.toordinal()

    def is_bank_holiday(self, day: date) -> bool:
        self._ensure(day)
        return day in self._holidays

    def on_or_after(self, day: date) -> date:
        """The first working day on or after `day` (Day 1 of a request received on `day`)."""
        self._ensure(day + timedelta(days=14))
        index = bisect_left(self._working, day.toordinal())
        return self._at(index, day)

    def add_working_days(self, day: date, count: int) -> date:
        """The working day `count` working days after (or, negative, before) `day`.

        `day` itself need not be a working day: counting starts from the nearest working day in
        the direction of travel, so `add_working_days(saturday, 1)` is the Tuesday.
        """
        self._ensure(day)
        # A working-day jump spans at most 7/5 of its length in calendar days plus closures.
        self._ensure(day + timedelta(days=count * 7 // 5 + (14 if count >= 0 else -14)))
        ordinal = day.toordinal()
        if count >= 0:
            index = bisect_left(self._working, ordinal)
            if index < len(self._working) and self._working[index] != ordinal:
                index -= 1  # a non-working start counts from the working day before it
            return self._at(index + count, day)
        index = bisect_right(self._working, ordinal) - 1
        if index >= 0 and self._working[index] != ordinal:
            index += 1
        return self._at(index + count, day)

    def working_days_between(self, start: date, end: date) -> int:
        """Signed number of working days from `start` to `end`: the `n` with
        `add_working_days(start, n) == end` when both are working days.
        For non-working days it counts the working days passed over (0 from a Saturday to a Monday
        is 1, since the Monday is reached)."""
        self._ensure(start)
        self._ensure(end)
        if end >= start:
            return bisect_right(self._working, end.toordinal()) - bisect_right(
                self._working, start.toordinal())
        return -(bisect_right(self._working, start.toordinal()) - bisect_right(
            self._working, end.toordinal()))

    def working_days_left(self, today: date, due: date) -> int:
        """Working days left until `due`: 0 on the day; past it, at least one day overdue (a
        Friday deadline is overdue on the Saturday, even though no working day has passed)."""
        left = self.working_days_between(today, due)
        return min(left, -1) if due < today else left

    def day_number(self, day_one: date, day: date) -> int:
        """Which working day of a plan `day` is (Day 1 is `day_one`)."""
        return self.working_days_between(day_one, day) + 1

    def _at(self, index: int, near: date) -> date:
        if not 0 <= index < len(self._working):  # pragma: no cover - _ensure widens first
            raise OverflowError(f"working-day arithmetic near {near} left the calendar's range")
        return date.fromordinal(self._working[index])
