"""The reminder policy for action-plan actions, day by day across Easter 2027 (Good Friday 26 Mar,
Easter Monday 29 Mar): reminders to the owner before, on and after the date; overdue actions
escalate to the owner's line manager and then the Service Director QPP; immediate actions climb a
shorter ladder."""

from datetime import date, timedelta

import pytest

from imr_bot.domain.action_plan import Action, ActionStatus
from imr_bot.domain.action_reminders import (
    Recipient,
    action_owed,
    action_reminders,
    action_when,
    ladder,
)
from imr_bot.domain.calendar import WorkingCalendar
from imr_bot.domain.reminders import Kind, ReminderPolicy

CAL = WorkingCalendar.for_england()
OWNER, LM, SD, SD2 = 11, 12, 13, 14
MANAGERS = {OWNER: LM}
OWN, M, S = Recipient.OWNER, Recipient.LINE_MANAGER, Recipient.SD_QPP


def action(due: date, *, immediate=False, status=ActionStatus.AGREED, owner=OWNER) -> Action:
    return Action(recommendation_id=1, review_id=7, what="Refresh the template", owner_id=owner,
                  due=due, outcome="o", evaluation="e", immediate=immediate, status=status, id=3)


def on(day: date, act: Action, managers=MANAGERS, directors=(SD,)):
    return {(r.kind, r.recipient, r.person_id, r.working_days)
            for r in action_reminders(act, line_manager_of=managers, directors=list(directors),
                                      today=day, calendar=CAL)}


# due Thu 25 Mar 2027, the day before Good Friday
BEFORE_EASTER = action(date(2027, 3, 25))


@pytest.mark.parametrize(("day", "expected"), [
    (date(2027, 3, 22), set()),                                            # 3 working days before
    (date(2027, 3, 23), {(Kind.UPCOMING, OWN, OWNER, 2)}),                   # 2 before
    (date(2027, 3, 24), set()),                                            # 1 before
    (date(2027, 3, 25), {(Kind.DUE_TODAY, OWN, OWNER, 0)}),
    (date(2027, 3, 26), set()),                                            # Good Friday
    (date(2027, 3, 27), set()),                                            # Saturday
    (date(2027, 3, 28), set()),                                            # Easter Sunday
    (date(2027, 3, 29), set()),                                            # Easter Monday
    (date(2027, 3, 30), {(Kind.OVERDUE, OWN, OWNER, -1)}),                   # 1 working day late
    (date(2027, 3, 31), {(Kind.OVERDUE, OWN, OWNER, -2),                     # 2: + line manager
                         (Kind.OVERDUE, M, LM, -2)}),
    (date(2027, 4, 1), {(Kind.OVERDUE, OWN, OWNER, -3), (Kind.OVERDUE, M, LM, -3)}),
    (date(2027, 4, 2), {(Kind.OVERDUE, OWN, OWNER, -4), (Kind.OVERDUE, M, LM, -4)}),
    (date(2027, 4, 3), set()),                                             # Saturday
    (date(2027, 4, 5), {(Kind.OVERDUE, OWN, OWNER, -5), (Kind.OVERDUE, M, LM, -5),
                        (Kind.OVERDUE, S, SD, -5)}),                       # 5: + the SD QPP
])
def test_an_action_due_before_easter_day_by_day(day, expected):
    assert on(day, BEFORE_EASTER) == expected


# an immediate action due Tue 30 Mar 2027, the first working day after Easter
IMMEDIATE = action(date(2027, 3, 30), immediate=True)


@pytest.mark.parametrize(("day", "expected"), [
    (date(2027, 3, 24), set()),                                            # 2 working days before
    (date(2027, 3, 25), {(Kind.UPCOMING, OWN, OWNER, 1)}),                   # the working day before
    (date(2027, 3, 26), set()),                                            # Good Friday
    (date(2027, 3, 29), set()),                                            # Easter Monday
    (date(2027, 3, 30), {(Kind.DUE_TODAY, OWN, OWNER, 0)}),
    (date(2027, 3, 31), {(Kind.OVERDUE, OWN, OWNER, -1), (Kind.OVERDUE, M, LM, -1)}),
    (date(2027, 4, 1), {(Kind.OVERDUE, OWN, OWNER, -2), (Kind.OVERDUE, M, LM, -2),
                        (Kind.OVERDUE, S, SD, -2)}),
])
def test_an_immediate_action_climbs_a_shorter_ladder(day, expected):
    assert on(day, IMMEDIATE) == expected


def test_an_action_due_on_good_friday_counts_the_working_days_before_it():
    due_on_holiday = action(date(2027, 3, 26))
    # a date on a bank holiday is reached on the working day before it, as a milestone's is
    assert on(date(2027, 3, 23), due_on_holiday) == {(Kind.UPCOMING, OWN, OWNER, 2)}
    assert on(date(2027, 3, 24), due_on_holiday) == set()
    assert on(date(2027, 3, 25), due_on_holiday) == {(Kind.DUE_TODAY, OWN, OWNER, 0)}
    assert action_when(Kind.DUE_TODAY, 0, date(2027, 3, 26), today=date(2027, 3, 25)) == \
        "due Fri 26 Mar 2027, not a working day: today is the last working day before it"
    assert on(date(2027, 3, 30), due_on_holiday) == {(Kind.OVERDUE, OWN, OWNER, -1)}


@pytest.mark.parametrize("status", [ActionStatus.DONE, ActionStatus.IMPACT_EVIDENCED,
                                    ActionStatus.NOT_AGREED])
def test_an_action_no_longer_under_way_owes_nothing(status):
    finished = action(date(2027, 3, 25), status=status)
    for offset in range(0, 30):
        assert on(date(2027, 3, 15) + timedelta(days=offset), finished) == set()


@pytest.mark.parametrize("status", [ActionStatus.PROPOSED, ActionStatus.IN_PROGRESS])
def test_an_action_not_yet_agreed_or_in_progress_is_reminded_too(status):
    assert on(date(2027, 3, 25), action(date(2027, 3, 25), status=status)) == {
        (Kind.DUE_TODAY, OWN, OWNER, 0)}


def test_no_line_manager_on_record_goes_straight_on_to_the_service_directors():
    assert on(date(2027, 4, 5), BEFORE_EASTER, managers={}, directors=(SD, SD2)) == {
        (Kind.OVERDUE, OWN, OWNER, -5), (Kind.OVERDUE, S, SD, -5), (Kind.OVERDUE, S, SD2, -5)}


def test_a_person_reached_twice_is_told_once():
    # the owner is their own line manager's... a Service Director owning an action
    own = action(date(2027, 3, 25), owner=SD)
    found = action_reminders(own, line_manager_of={SD: SD}, directors=[SD],
                             today=date(2027, 4, 5), calendar=CAL)
    assert [(r.recipient, r.person_id) for r in found] == [(OWN, SD)]


def test_each_reminder_has_its_own_key_for_the_day():
    keys = [r.key for r in action_reminders(BEFORE_EASTER, line_manager_of=MANAGERS,
                                            directors=[SD], today=date(2027, 4, 5), calendar=CAL)]
    assert keys == ["reminder:7:action3:overdue:person:11:2027-04-05",
                    "reminder:7:action3:overdue:person:12:2027-04-05",
                    "reminder:7:action3:overdue:person:13:2027-04-05"]
    assert len(set(keys)) == 3


def test_the_ladder_is_derived_from_the_milestones_policy():
    slower = ReminderPolicy(before_days=(5, 2, 0), escalate_to_managers_after=4,
                            escalate_to_directors_after=10)
    assert ladder(False, slower).before_days == (5, 2, 0)
    assert ladder(True, slower).before_days == (1, 0)
    assert (ladder(True, slower).to_line_manager_after, ladder(True, slower).to_director_after) \
        == (2, 5)
    assert action_owed(date(2027, 3, 25), False, date(2027, 3, 18), CAL, slower).kind \
        == Kind.UPCOMING  # 5 working days before


def test_what_the_reminder_says_of_the_date():
    assert action_when(Kind.UPCOMING, 1, date(2027, 3, 30)) == \
        "due Tue 30 Mar 2027 (in 1 working day)"
    assert action_when(Kind.DUE_TODAY, 0, date(2027, 3, 30)) == "due today, Tue 30 Mar 2027"
    assert action_when(Kind.OVERDUE, -2, date(2027, 3, 30)) == \
        "overdue by 2 working days (was due Tue 30 Mar 2027)"


def test_an_action_reminder_that_waited_is_dropped_once_the_action_is_done_or_moved():
    from imr_bot.domain.notification import About, Circumstances, why_stale

    about = About(action_id=3, action_due=date(2027, 3, 25).toordinal())
    for kind in ("action_reminder", "action_overdue"):
        # still to do, same date: true, even though the review is closed for its IMR
        assert why_stale(kind, about, Circumstances(action_status="agreed",
                                                    action_due=date(2027, 3, 25))) is None
        assert why_stale(kind, about, Circumstances(action_status="done",
                                                    action_due=date(2027, 3, 25))) == \
            "the action is done now"
        assert why_stale(kind, about, Circumstances(action_status="in_progress",
                                                    action_due=date(2027, 4, 30))) == \
            "the action's date has changed"
        assert why_stale(kind, about, Circumstances()) == "the action no longer exists"
    assert About.from_data(about.as_data()) == about
