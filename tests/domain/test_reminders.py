"""The reminder policy, day by day, across a bank holiday."""

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from imr_bot.domain.calendar import WorkingCalendar
from imr_bot.domain.reminders import Kind, due_today, in_working_hours, reminder_window
from imr_bot.domain.roles import Role
from imr_bot.domain.stages import Stage

CAL = WorkingCalendar.for_england()
AUTHOR, LM, QA, HEAD, SD = 1, 2, 3, 4, 5
PEOPLE = {Role.AUTHOR: AUTHOR, Role.LINE_MANAGER: LM, Role.QA_LEAD: QA}
HOLDERS = {Role.HEAD_OF_CP: [HEAD], Role.SD_EHS: [SD]}
# report due to QA on Thu 24 Dec 2026: Christmas and the Boxing Day substitute follow
DUE = date(2026, 12, 24)


def reminders_on(day: date):
    return {(r.kind, r.recipient_role, r.person_id, r.working_days)
            for r in due_today(review_id=7, stage=Stage.MIDWAY_HELD, due=DUE, people=PEOPLE,
                               holders=HOLDERS, line_manager_of={AUTHOR: LM}, today=day,
                               calendar=CAL)}


@pytest.mark.parametrize(("day", "expected"), [
    (date(2026, 12, 21), set()),                                              # 3 days before
    (date(2026, 12, 22), {(Kind.UPCOMING, Role.AUTHOR, AUTHOR, 2)}),          # 2 before
    (date(2026, 12, 23), set()),                                              # 1 before
    (date(2026, 12, 24), {(Kind.DUE_TODAY, Role.AUTHOR, AUTHOR, 0)}),
    (date(2026, 12, 25), set()),                                              # bank holiday
    (date(2026, 12, 26), set()),                                              # Saturday
    (date(2026, 12, 28), set()),                                              # substitute day
    (date(2026, 12, 29), {(Kind.OVERDUE, Role.AUTHOR, AUTHOR, -1)}),          # 1 working day late
    (date(2026, 12, 30), {(Kind.OVERDUE, Role.AUTHOR, AUTHOR, -2),            # 2: + manager, QA
                          (Kind.OVERDUE, Role.LINE_MANAGER, LM, -2),
                          (Kind.OVERDUE, Role.QA_LEAD, QA, -2)}),
    (date(2027, 1, 1), set()),                                                # New Year's Day
    (date(2027, 1, 5), {(Kind.OVERDUE, Role.AUTHOR, AUTHOR, -5),              # 5: + Head, SD
                        (Kind.OVERDUE, Role.LINE_MANAGER, LM, -5),
                        (Kind.OVERDUE, Role.QA_LEAD, QA, -5),
                        (Kind.OVERDUE, Role.HEAD_OF_CP, HEAD, -5),
                        (Kind.OVERDUE, Role.SD_EHS, SD, -5)}),
])
def test_the_policy_day_by_day_across_christmas(day, expected):
    assert reminders_on(day) == expected


def test_reviews_on_hold_or_closed_get_no_reminders():
    for stage in (Stage.ON_HOLD, Stage.WITHDRAWN, Stage.SUBMITTED_TO_DDSCP):
        assert due_today(review_id=1, stage=stage, due=DUE, people=PEOPLE, holders=HOLDERS,
                         line_manager_of={}, today=date(2026, 12, 29), calendar=CAL) == []


def test_a_commissioned_review_reminds_the_head_of_cp():
    (reminder,) = due_today(review_id=1, stage=Stage.COMMISSIONED, due=date(2026, 11, 26),
                            people={}, holders=HOLDERS, line_manager_of={},
                            today=date(2026, 11, 26), calendar=CAL)
    assert (reminder.recipient_role, reminder.person_id, reminder.kind) == (
        Role.HEAD_OF_CP, HEAD, Kind.DUE_TODAY)
    assert reminder.key == "reminder:1:allocation:due_today:person:4:2026-11-26"


@pytest.mark.parametrize(("local", "ok"), [
    (datetime(2026, 11, 23, 7, 59), False), (datetime(2026, 11, 23, 8, 0), True),
    (datetime(2026, 11, 23, 17, 59), True), (datetime(2026, 11, 23, 18, 0), False),
    (datetime(2026, 11, 21, 10, 0), False), (datetime(2026, 12, 25, 10, 0), False),
])
def test_nothing_goes_out_outside_working_hours(local, ok):
    assert in_working_hours(local, CAL) is ok


@given(today=st.dates(date(2026, 11, 1), date(2027, 2, 28)), days_ahead=st.integers(-10, 12))
def test_the_sweep_window_never_hides_a_reminder_the_policy_owes(today, days_ahead):
    due = today + timedelta(days=days_ahead)  # weekends and bank holidays included
    horizon, silent = reminder_window(today, CAL)
    owed = due_today(review_id=7, stage=Stage.MIDWAY_HELD, due=due, people=PEOPLE,
                     holders=HOLDERS, line_manager_of={}, today=today, calendar=CAL)
    if owed:
        assert due <= horizon and due not in silent


def test_the_sweep_window_skips_the_day_between_two_before_and_on_the_day():
    assert reminder_window(date(2026, 11, 23), CAL) == (date(2026, 11, 25), [date(2026, 11, 24)])


def test_a_due_date_on_a_weekend_after_the_window_still_gets_its_reminder():
    # Tue 29 Dec 2026 -> Sat 2 Jan 2027: Wed 30 and Thu 31 Dec are the working days between
    horizon, silent = reminder_window(date(2026, 12, 29), CAL)
    assert horizon == date(2027, 1, 3) and date(2027, 1, 2) not in silent
