from datetime import date, datetime

import pytest

from imr_bot.domain.calendar import WorkingCalendar
from imr_bot.domain.errors import InvalidPlan
from imr_bot.domain.plan import Milestone, Plan

CAL = WorkingCalendar.for_england()
AT = datetime(2026, 11, 22, 10, 0)


def test_default_plan_for_21_december_2026_skips_christmas_boxing_day_substitute_and_new_year():
    plan = Plan.default(date(2026, 12, 21), CAL)
    assert plan.day_one == date(2026, 12, 21)
    assert plan.due[Milestone.ALLOCATION] == date(2026, 12, 24)
    assert plan.due[Milestone.SCOPING_MEETING] == date(2026, 12, 24)
    # Day 5 29 Dec, Day 6 30 Dec, Day 7 31 Dec, (1 Jan), Day 8 4 Jan ... Day 15 13 Jan
    assert plan.due[Milestone.MIDWAY_REVIEW] == date(2027, 1, 13)
    assert plan.due[Milestone.REPORT_TO_QA] == date(2027, 1, 27)
    assert plan.due[Milestone.QA_COMPLETE] == date(2027, 2, 3)
    assert plan.due[Milestone.DDSCP_SUBMISSION] == date(2027, 2, 10)


def test_rows_number_each_milestone_by_its_working_day():
    rows = Plan.default(date(2026, 12, 21), CAL).rows(CAL)
    assert [(r.day, r.milestone) for r in rows] == [
        (1, Milestone.REQUEST_LOGGED), (4, Milestone.ALLOCATION), (4, Milestone.SCOPING_MEETING),
        (15, Milestone.MIDWAY_REVIEW), (25, Milestone.REPORT_TO_QA), (30, Milestone.QA_COMPLETE),
        (35, Milestone.DDSCP_SUBMISSION)]


def test_a_weekend_request_counts_from_the_next_working_day():
    plan = Plan.default(date(2026, 11, 21), CAL)  # Saturday
    assert plan.day_one == date(2026, 11, 23)
    assert plan.due[Milestone.ALLOCATION] == date(2026, 11, 26)


def test_rebasing_to_a_later_ddscp_date_spreads_later_milestones_and_keeps_scoping():
    plan = Plan.default(date(2026, 11, 2), CAL)
    deadline = CAL.add_working_days(plan.day_one, 69)  # Day 70
    rebased = plan.rebase_to_deadline(deadline, CAL, by="bs@council", reason="DDSCP agreed", at=AT)
    assert rebased.due[Milestone.SCOPING_MEETING] == plan.due[Milestone.SCOPING_MEETING]
    assert rebased.due[Milestone.DDSCP_SUBMISSION] == deadline
    days = [CAL.day_number(rebased.day_one, rebased.due[m]) for m in Milestone]
    assert days == sorted(days)
    # midway sits 11 of the default 31 days after scoping: Day 4 + round(11 * 66 / 31) = Day 27
    assert CAL.day_number(rebased.day_one, rebased.due[Milestone.MIDWAY_REVIEW]) == 27
    assert {c.milestone for c in rebased.changes} == {
        Milestone.MIDWAY_REVIEW, Milestone.REPORT_TO_QA, Milestone.QA_COMPLETE,
        Milestone.DDSCP_SUBMISSION}
    assert all(c.by == "bs@council" and c.reason == "DDSCP agreed" for c in rebased.changes)


def test_rebasing_refuses_a_ddscp_date_on_a_bank_holiday():
    plan = Plan.default(date(2026, 11, 2), CAL)
    with pytest.raises(InvalidPlan, match="not a working day"):
        plan.rebase_to_deadline(date(2026, 12, 25), CAL, by="x", reason="r", at=AT)


def test_rebasing_refuses_a_date_too_close_for_the_remaining_milestones():
    plan = Plan.default(date(2026, 11, 2), CAL)
    with pytest.raises(InvalidPlan, match="too few working days"):
        plan.rebase_to_deadline(date(2026, 11, 6), CAL, by="x", reason="r", at=AT)


def test_rebasing_keeps_milestones_already_done():
    plan = Plan.default(date(2026, 11, 2), CAL).mark_done(Milestone.MIDWAY_REVIEW, date(2026, 11, 19))
    rebased = plan.rebase_to_deadline(date(2027, 2, 26), CAL, by="x", reason="extension", at=AT)
    assert rebased.due[Milestone.MIDWAY_REVIEW] == plan.due[Milestone.MIDWAY_REVIEW]
    assert date(2026, 11, 19) < rebased.due[Milestone.REPORT_TO_QA] < rebased.due[Milestone.QA_COMPLETE]


def test_a_change_needs_a_reason():
    plan = Plan.default(date(2026, 11, 2), CAL)
    with pytest.raises(InvalidPlan, match="reason"):
        plan.move(Milestone.MIDWAY_REVIEW, date(2026, 11, 24), CAL, by="x", reason=" ", at=AT)


def test_moving_a_milestone_out_of_order_is_refused():
    plan = Plan.default(date(2026, 11, 2), CAL)
    with pytest.raises(InvalidPlan, match="cannot come after"):
        plan.move(Milestone.MIDWAY_REVIEW, date(2027, 3, 1), CAL, by="x", reason="r", at=AT)


def test_moving_a_milestone_records_old_and_new_dates():
    plan = Plan.default(date(2026, 11, 2), CAL)
    moved = plan.move(Milestone.MIDWAY_REVIEW, date(2026, 11, 24), CAL, by="qa", reason="leave", at=AT)
    (change,) = moved.changes
    assert (change.old, change.new) == (plan.due[Milestone.MIDWAY_REVIEW], date(2026, 11, 24))


def test_shifting_pending_milestones_leaves_done_ones_alone():
    plan = Plan.default(date(2026, 11, 2), CAL).mark_done(Milestone.ALLOCATION, date(2026, 11, 4))
    shifted = plan.shift_pending(3, CAL, by="bs", reason="hold", at=AT)
    assert shifted.due[Milestone.ALLOCATION] == plan.due[Milestone.ALLOCATION]
    assert shifted.due[Milestone.DDSCP_SUBMISSION] == CAL.add_working_days(plan.deadline, 3)


def test_a_timescale_agreed_at_scoping_moves_several_milestones_at_once():
    plan = Plan.default(date(2026, 11, 2), CAL)
    agreed = plan.agree({Milestone.MIDWAY_REVIEW: date(2026, 11, 27),
                         Milestone.REPORT_TO_QA: date(2026, 12, 18),
                         Milestone.QA_COMPLETE: date(2027, 1, 8),
                         Milestone.DDSCP_SUBMISSION: date(2027, 1, 22)}, CAL, by="qa",
                        reason="agreed at scoping", at=AT)
    assert agreed.deadline == date(2027, 1, 22)
    assert {c.reason for c in agreed.changes} == {"agreed at scoping"}


def test_an_agreed_timescale_must_stay_in_order_and_on_working_days():
    plan = Plan.default(date(2026, 11, 2), CAL)
    with pytest.raises(InvalidPlan, match="can't come before"):
        plan.agree({Milestone.REPORT_TO_QA: date(2026, 11, 16)}, CAL, by="qa", reason="r", at=AT)
    with pytest.raises(InvalidPlan, match="not a working day"):
        plan.agree({Milestone.QA_COMPLETE: date(2026, 12, 25)}, CAL, by="qa", reason="r", at=AT)


def test_titles_inside_a_sentence_keep_their_abbreviations():
    from imr_bot.domain.words import in_sentence, plural

    assert in_sentence("QA complete") == "QA complete"
    assert in_sentence("Midway review") == "midway review"
    assert in_sentence("QA and author meeting") == "QA and author meeting"
    assert in_sentence("Submission to DDSCP") == "submission to DDSCP"
    assert in_sentence("Service Director review") == "Service Director review"
    assert [plural(n, "review") for n in (0, 1, 3)] == ["0 reviews", "1 review", "3 reviews"]
    assert plural(1, "working day") == "1 working day" and plural(2, "entry") == "2 entries"


def test_a_plan_refuses_a_move_in_words_that_keep_qa_in_capitals():
    from datetime import UTC, date, datetime

    import pytest

    from imr_bot.domain.calendar import WorkingCalendar
    from imr_bot.domain.errors import InvalidPlan
    from imr_bot.domain.plan import Milestone, Plan

    calendar = WorkingCalendar()
    plan = Plan.default(date(2026, 11, 23), calendar)
    with pytest.raises(InvalidPlan) as refused:
        plan.move(Milestone.DDSCP_SUBMISSION, date(2026, 12, 1), calendar, by="x", reason="r",
                  at=datetime(2026, 11, 23, tzinfo=UTC))
    assert "before the QA complete" in str(refused.value)
