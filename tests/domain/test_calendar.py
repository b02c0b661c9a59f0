from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from imr_bot.domain.calendar import WorkingCalendar

CAL = WorkingCalendar.for_england()
days = st.dates(min_value=date(2000, 1, 1), max_value=date(2045, 12, 31))


def brute_force_add(day: date, count: int) -> date:
    step = timedelta(days=1 if count >= 0 else -1)
    current = day
    if not CAL.is_working_day(current):
        # counting starts from the working day before (forwards) or after (backwards)
        while not CAL.is_working_day(current):
            current -= step
    remaining = abs(count)
    while remaining:
        current += step
        if CAL.is_working_day(current):
            remaining -= 1
    return current


def test_christmas_2026_bank_holidays_include_the_boxing_day_substitute():
    assert CAL.is_bank_holiday(date(2026, 12, 25))
    assert CAL.is_bank_holiday(date(2026, 12, 28))  # Boxing Day falls on a Saturday
    assert CAL.is_bank_holiday(date(2027, 1, 1))
    assert not CAL.is_working_day(date(2026, 12, 26))
    assert CAL.is_working_day(date(2026, 12, 29))


def test_day_four_of_a_request_on_21_december_2026_is_christmas_eve():
    assert CAL.add_working_days(date(2026, 12, 21), 3) == date(2026, 12, 24)


def test_day_five_skips_christmas_the_weekend_and_the_substitute_day():
    assert CAL.add_working_days(date(2026, 12, 24), 1) == date(2026, 12, 29)


def test_a_request_received_on_a_saturday_starts_on_monday():
    assert CAL.on_or_after(date(2026, 11, 21)) == date(2026, 11, 23)


def test_a_request_received_on_good_friday_starts_on_the_tuesday_after_easter():
    # Good Friday 2027 is 26 March, Easter Monday 29 March
    assert CAL.on_or_after(date(2027, 3, 26)) == date(2027, 3, 30)


def test_scotland_only_holidays_do_not_count_in_england():
    assert CAL.is_working_day(date(2027, 1, 4))  # 2 January substitute is Scottish only


@given(days, st.integers(min_value=-400, max_value=400))
@settings(max_examples=300, deadline=None)
def test_adding_working_days_matches_a_day_by_day_walk(day, count):
    assert CAL.add_working_days(day, count) == brute_force_add(day, count)


@given(days, st.integers(min_value=0, max_value=300))
@settings(max_examples=300, deadline=None)
def test_counting_undoes_adding_from_a_working_day(day, count):
    start = CAL.on_or_after(day)
    end = CAL.add_working_days(start, count)
    assert CAL.working_days_between(start, end) == count
    assert CAL.working_days_between(end, start) == -count


@given(days, st.integers(min_value=1, max_value=200))
@settings(max_examples=200, deadline=None)
def test_adding_always_lands_on_a_working_day_and_moves_forward(day, count):
    result = CAL.add_working_days(day, count)
    assert CAL.is_working_day(result)
    assert result > day


@given(days, days)
@settings(max_examples=200, deadline=None)
def test_working_days_between_counts_weekdays_that_are_not_holidays(a, b):
    lo, hi = sorted((a, b))
    if (hi - lo).days > 800:
        hi = lo + timedelta(days=800)
    expected = sum(1 for n in range(1, (hi - lo).days + 1)
                   if CAL.is_working_day(lo + timedelta(days=n)))
    assert CAL.working_days_between(lo, hi) == expected


@given(days, st.integers(min_value=0, max_value=60), st.integers(min_value=0, max_value=60))
@settings(max_examples=200, deadline=None)
def test_adding_is_associative_from_a_working_day(day, first, second):
    start = CAL.on_or_after(day)
    assert CAL.add_working_days(CAL.add_working_days(start, first), second) == \
        CAL.add_working_days(start, first + second)


def test_far_jumps_widen_the_calendar_table():
    calendar = WorkingCalendar.for_england()
    assert calendar.add_working_days(date(2026, 1, 5), 2000) > date(2033, 1, 1)
    assert calendar.add_working_days(date(2026, 1, 5), -2000) < date(2019, 1, 1)
