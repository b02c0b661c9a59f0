"""The slippage forecast: from the stage a review is at and how long each step ahead took before,
where its submission will land against its agreed date, flagged before the date is missed."""

from dataclasses import replace
from datetime import UTC, date, datetime

from imr_bot.domain.calendar import WorkingCalendar
from imr_bot.domain.plan import MILESTONE_ORDER, Milestone
from imr_bot.domain.review import Commission, CommissioningBody, Review, ReviewType
from imr_bot.domain.stages import Stage
from imr_bot.services.tab import forecast

CAL = WorkingCalendar.for_england()
RECEIVED = date(2026, 11, 2)


def review(stage: Stage, reached: int, late_by: int = 0) -> Review:
    r = Review.commission(Commission("R/1", ReviewType.CSPR, CommissioningBody.DDSCP, RECEIVED,
                                     date(2025, 1, 1), date(2026, 6, 30), "AB"), CAL, by="x",
                          at=datetime(2026, 11, 2, tzinfo=UTC))
    plan = r.plan
    for milestone in MILESTONE_ORDER[:reached]:
        plan = plan.mark_done(milestone, CAL.add_working_days(plan.due[milestone], late_by)
                              if milestone != Milestone.REQUEST_LOGGED else plan.due[milestone])
    return replace(r, plan=plan, stage=stage)


def spans_as_planned(r: Review) -> dict:
    due = r.plan.due
    return {(a, b): CAL.working_days_between(due[a], due[b])
            for a, b in zip(MILESTONE_ORDER, MILESTONE_ORDER[1:], strict=False)}


def test_a_review_going_as_planned_is_on_track():
    r = review(Stage.SCOPING_HELD, 3)
    found = forecast(r, r.plan.due[Milestone.SCOPING_MEETING], CAL, spans_as_planned(r))
    assert found.verdict == "on track" and found.working_days_late == 0
    assert found.agreed == r.plan.due[Milestone.DDSCP_SUBMISSION]


def test_steps_that_usually_take_longer_flag_a_slip_before_the_agreed_date():
    r = review(Stage.SCOPING_HELD, 3)
    slow = {key: days + 2 for key, days in spans_as_planned(r).items()}
    today = r.plan.due[Milestone.SCOPING_MEETING]
    found = forecast(r, today, CAL, slow)
    assert found.verdict == "will slip" and found.working_days_late >= 6
    assert today < found.agreed  # flagged weeks before the date is missed


def test_a_step_already_overdue_pushes_the_projection_past_today():
    r = review(Stage.ALLOCATED, 2)
    today = CAL.add_working_days(r.plan.due[Milestone.MIDWAY_REVIEW], 5)  # scoping never held
    found = forecast(r, today, CAL, spans_as_planned(r))
    assert found.projected > today and found.verdict == "will slip"


def test_reached_late_already_means_late_unless_later_steps_are_quicker():
    r = review(Stage.MIDWAY_HELD, 4, late_by=3)
    today = r.plan.done[Milestone.MIDWAY_REVIEW]
    assert forecast(r, today, CAL, spans_as_planned(r)).working_days_late == 3
    quick = {key: max(days - 1, 0) for key, days in spans_as_planned(r).items()}
    caught_up = forecast(r, today, CAL, quick)
    assert caught_up.working_days_late == 0 and caught_up.verdict == "at risk"


def test_no_forecast_on_hold_or_closed():
    assert forecast(review(Stage.ON_HOLD, 2), RECEIVED, CAL, {}) is None
    assert forecast(review(Stage.SUBMITTED_TO_DDSCP, 7), RECEIVED, CAL, {}) is None
