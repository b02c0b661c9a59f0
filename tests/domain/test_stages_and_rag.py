from datetime import date, datetime

import pytest

from imr_bot.domain.calendar import WorkingCalendar
from imr_bot.domain.errors import InvalidTransition, NotAllowed
from imr_bot.domain.plan import Milestone, Plan
from imr_bot.domain.rag import Rag, standing
from imr_bot.domain.review import Commission, CommissioningBody, Review, ReviewType
from imr_bot.domain.roles import Role
from imr_bot.domain.stages import TRANSITIONS, Event, Stage, next_stage

CAL = WorkingCalendar.for_england()
AT = datetime(2026, 11, 2, 9)


def a_review(received=date(2026, 11, 2)) -> Review:
    return Review.commission(Commission(
        "DDSCP/CSPR/2026/014", ReviewType.CSPR, CommissioningBody.DDSCP, received,
        date(2025, 1, 1), date(2026, 6, 30), "JS"), CAL, by="bs", at=AT)


def test_the_happy_path_walks_every_stage_of_appendix_two():
    review = a_review()
    path = [
        (Event.ACCEPT_ALLOCATION, Role.AUTHOR, Stage.ALLOCATED),
        (Event.RECORD_SCOPING, Role.QA_LEAD, Stage.SCOPING_HELD),
        (Event.RECORD_MIDWAY, Role.QA_LEAD, Stage.MIDWAY_HELD),
        (Event.SUBMIT_TO_QA, Role.AUTHOR, Stage.SUBMITTED_TO_QA),
        (Event.REQUEST_QA_AMENDMENTS, Role.QA_LEAD, Stage.QA_AMENDMENTS),
        (Event.RESUBMIT_TO_QA, Role.AUTHOR, Stage.SUBMITTED_TO_QA),
        (Event.QA_APPROVE, Role.QA_LEAD, Stage.QA_APPROVED),
        (Event.SEND_TO_SD, Role.QA_LEAD, Stage.SD_REVIEW),
        (Event.REQUEST_SD_AMENDMENTS, Role.SD_EHS, Stage.SD_AMENDMENTS),
        (Event.RESUBMIT_TO_SD, Role.AUTHOR, Stage.SD_REVIEW),
        (Event.SD_APPROVE, Role.SD_EHS, Stage.SD_APPROVED),
        (Event.RECORD_DDSCP_SUBMISSION, Role.BUSINESS_SERVICES, Stage.SUBMITTED_TO_DDSCP),
    ]
    for event, role, expected in path:
        review = review.apply(event, {role}, date(2026, 11, 20), CAL)
        assert review.stage == expected
    assert not review.is_open
    assert review.plan.done[Milestone.QA_COMPLETE] == date(2026, 11, 20)


def test_only_the_report_author_can_accept_an_allocation():
    with pytest.raises(NotAllowed, match="Report author"):
        next_stage(Stage.COMMISSIONED, Event.ACCEPT_ALLOCATION, {Role.HEAD_OF_CP})


def test_qa_cannot_approve_before_a_submission():
    with pytest.raises(InvalidTransition):
        next_stage(Stage.MIDWAY_HELD, Event.QA_APPROVE, {Role.QA_LEAD})


def test_every_transition_names_at_least_one_role_and_a_source():
    for transition in TRANSITIONS.values():
        assert transition.roles and transition.sources


def test_resume_returns_to_the_stage_before_the_hold_and_moves_later_milestones():
    review = a_review().apply(Event.ACCEPT_ALLOCATION, {Role.AUTHOR}, date(2026, 11, 4), CAL)
    held = review.apply(Event.HOLD, {Role.BUSINESS_SERVICES}, date(2026, 11, 9), CAL)
    assert held.stage == Stage.ON_HOLD
    resumed = held.apply(Event.RESUME, {Role.BUSINESS_SERVICES}, date(2026, 11, 16), CAL,
                         by="bs", at=AT)
    assert resumed.stage == Stage.ALLOCATED
    assert resumed.plan.deadline == CAL.add_working_days(review.plan.deadline, 5)
    assert resumed.plan.due[Milestone.ALLOCATION] == review.plan.due[Milestone.ALLOCATION]


def test_withdrawn_reviews_are_closed():
    review = a_review().apply(Event.WITHDRAW, {Role.HEAD_OF_CP}, date(2026, 11, 4), CAL)
    assert review.stage == Stage.WITHDRAWN and not review.is_open


@pytest.mark.parametrize(("today", "left", "rag"), [
    (date(2026, 11, 2), 3, Rag.GREEN),   # Day 1, allocation due Day 4 (Thu 5 Nov)
    (date(2026, 11, 3), 2, Rag.AMBER),
    (date(2026, 11, 5), 0, Rag.AMBER),
    (date(2026, 11, 6), -1, Rag.RED),
    (date(2026, 11, 7), -1, Rag.RED),    # Saturday after a Thursday deadline
    (date(2026, 11, 9), -2, Rag.RED),
])
def test_rag_counts_working_days_to_the_next_milestone(today, left, rag):
    review = a_review()
    result = standing(review.plan, review.stage, today, CAL)
    assert result.milestone == Milestone.ALLOCATION
    assert (result.working_days_left, result.rag) == (left, rag)


def test_reviews_on_hold_have_no_rag():
    plan = Plan.default(date(2026, 11, 2), CAL)
    assert standing(plan, Stage.ON_HOLD, date(2026, 12, 1), CAL).rag == Rag.NONE
