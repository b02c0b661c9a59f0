"""What a person must do now, from a review's state: the steps of domain/todo.py."""

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from imr_bot.domain.calendar import WorkingCalendar
from imr_bot.domain.meetings import Answer, Meeting, MeetingKind, MeetingStatus
from imr_bot.domain.plan import Milestone
from imr_bot.domain.review import Commission, CommissioningBody, Review, ReviewType
from imr_bot.domain.roles import Role
from imr_bot.domain.stages import Stage
from imr_bot.domain.submissions import Level
from imr_bot.domain.todo import Offer, Step, Todo, in_order, meeting_steps, offer_steps, stage_steps

CAL = WorkingCalendar.for_england()
AUTHOR, QA, LM, SD, OTHER = 1, 2, 3, 4, 9
NOW = datetime(2026, 11, 25, 10, tzinfo=UTC)


def a_review(stage=Stage.COMMISSIONED, people=None) -> Review:
    review = Review.commission(Commission(
        "DDSCP/CSPR/2026/014", ReviewType.CSPR, CommissioningBody.DDSCP, date(2026, 11, 23),
        date(2025, 1, 1), date(2026, 6, 30), "JS"), CAL, by="bs", at=NOW)
    return replace(review, id=7, stage=stage, people=people if people is not None else {
        Role.AUTHOR: AUTHOR, Role.QA_LEAD: QA, Role.LINE_MANAGER: LM})


def steps(review, person, roles=frozenset(), delegated=frozenset(), latest=1, offer=False):
    return [t.step for t in stage_steps(review, person, frozenset(roles), delegated=set(delegated),
                                        latest_version=latest, offer_pending=offer)]


@pytest.mark.parametrize("stage", [Stage.MIDWAY_HELD, Stage.QA_AMENDMENTS, Stage.SD_AMENDMENTS])
def test_the_author_submits_after_the_midway_review_and_after_amendments(stage):
    review = a_review(stage)
    (step,) = stage_steps(review, AUTHOR, frozenset({Role.AUTHOR}), delegated=set(),
                          latest_version=1, offer_pending=False)
    assert step.step == Step.SUBMIT and step.due == review.next_due
    assert steps(review, QA, {Role.QA_LEAD}) == [] and steps(review, LM) == []


def test_only_this_reviews_qa_lead_decides_at_qa_and_only_once_something_was_submitted():
    review = a_review(Stage.SUBMITTED_TO_QA)
    (step,) = stage_steps(review, QA, frozenset({Role.QA_LEAD}), delegated=set(),
                          latest_version=2, offer_pending=False)
    assert (step.step, step.level, step.target_id) == (Step.DECIDE, Level.QA, 2)
    assert steps(review, OTHER, {Role.QA_LEAD}) == []  # another QA lead
    assert steps(review, QA, {Role.QA_LEAD}, latest=0) == []
    assert steps(review, OTHER, delegated={Level.QA}) == [Step.DECIDE]  # a delegate


def test_the_service_director_decides_at_sd_review_unless_the_review_names_another():
    review = a_review(Stage.SD_REVIEW)
    assert steps(review, SD, {Role.SD_EHS}) == [Step.DECIDE]
    named = replace(review, people={**review.people, Role.SD_EHS: 5})
    assert steps(named, SD, {Role.SD_EHS}) == []
    assert steps(named, 5, {Role.SD_EHS}) == [Step.DECIDE]


def test_the_head_of_cp_allocates_until_an_offer_is_out_and_business_services_record_ddscp():
    review = a_review(Stage.COMMISSIONED, people={})
    assert steps(review, OTHER, {Role.HEAD_OF_CP}) == [Step.ALLOCATE]
    assert steps(review, OTHER, {Role.HEAD_OF_CP}, offer=True) == []
    assert steps(a_review(Stage.SD_APPROVED), OTHER, {Role.BUSINESS_SERVICES}) == [Step.RECORD_DDSCP]


@pytest.mark.parametrize("stage", [Stage.ON_HOLD, Stage.WITHDRAWN, Stage.SUBMITTED_TO_DDSCP])
def test_a_review_on_hold_or_closed_asks_nothing_of_anyone(stage):
    review = a_review(stage)
    for person, roles in ((AUTHOR, {Role.AUTHOR}), (QA, {Role.QA_LEAD}), (SD, {Role.SD_EHS}),
                          (OTHER, {Role.HEAD_OF_CP, Role.BUSINESS_SERVICES})):
        assert steps(review, person, roles) == []
    offers = [Offer(3, review.id, AUTHOR)]
    assert offer_steps(offers, {review.id: review}, AUTHOR) == []


def test_an_offer_is_its_authors_step_by_day_four():
    review = a_review(Stage.COMMISSIONED, people={})
    (step,) = offer_steps([Offer(3, review.id, AUTHOR), Offer(4, review.id, OTHER)],
                          {review.id: review}, AUTHOR)
    assert (step.step, step.target_id) == (Step.ANSWER_OFFER, 3)
    assert step.due == review.plan.due[Milestone.ALLOCATION]


def a_meeting(status, kind=MeetingKind.SCOPING, starts=datetime(2026, 11, 26, 10, tzinfo=UTC),
              answers=None) -> Meeting:
    return Meeting(review_id=7, kind=kind, organiser_id=QA, participant_ids=(QA, AUTHOR, LM),
                   starts=starts, status=status, id=11, answers=answers or {})


def meeting(person, found, stage=Stage.ALLOCATED, now=NOW):
    review = a_review(stage)
    return [t.step for t in meeting_steps([found], {review.id: review}, person, now)]


def test_meetings_ask_the_qa_lead_to_send_settle_and_record_and_participants_to_answer():
    assert meeting(QA, a_meeting(MeetingStatus.DRAFT)) == [Step.SEND_MEETING]
    assert meeting(AUTHOR, a_meeting(MeetingStatus.DRAFT)) == []
    proposed = a_meeting(MeetingStatus.PROPOSED)
    assert meeting(AUTHOR, proposed) == [Step.ANSWER_MEETING] == meeting(LM, proposed)
    assert meeting(QA, proposed) == []
    answered = a_meeting(MeetingStatus.PROPOSED, answers={
        AUTHOR: Answer(AUTHOR, True), LM: Answer(LM, False, datetime(2026, 11, 27, 10, tzinfo=UTC))})
    assert meeting(AUTHOR, answered) == [] and meeting(LM, answered) == []
    assert meeting(QA, answered) == [Step.CONFIRM_MEETING]
    held = a_meeting(MeetingStatus.CONFIRMED, starts=datetime(2026, 11, 24, 10, tzinfo=UTC))
    assert meeting(QA, held) == [Step.RECORD_OUTCOME]
    assert meeting(QA, held, stage=Stage.SCOPING_HELD) == []  # already recorded
    assert meeting(QA, a_meeting(MeetingStatus.CONFIRMED)) == []  # not yet taken place
    qa_meeting = a_meeting(MeetingStatus.CONFIRMED, kind=MeetingKind.QA,
                           starts=datetime(2026, 11, 24, 10, tzinfo=UTC))
    assert meeting(QA, qa_meeting, stage=Stage.SUBMITTED_TO_QA) == []


def test_steps_come_soonest_first_and_undated_last():
    def todo(reference, due):
        return Todo(Step.SUBMIT, reference, 1, "x", due)
    ordered = in_order([todo("C", None), todo("B", date(2026, 12, 2)), todo("A", date(2026, 12, 9)),
                        todo("a", date(2026, 12, 2))])
    assert [t.reference for t in ordered] == ["a", "B", "A", "C"]


@pytest.mark.parametrize("today, last_day", [
    (date(2026, 11, 23), date(2026, 11, 27)),  # a Monday: that Friday
    (date(2026, 11, 27), date(2026, 11, 27)),  # the Friday itself
    (date(2026, 11, 28), date(2026, 12, 4)),   # a Saturday: the week ahead
    (date(2026, 11, 29), date(2026, 12, 4)),   # a Sunday: the week ahead
    (date(2026, 12, 21), date(2026, 12, 24)),  # Christmas Day is a Friday: the Thursday
    (date(2027, 3, 22), date(2027, 3, 25)),    # Good Friday 2027 (26 Mar): the Thursday
])
def test_the_end_of_this_working_week_is_its_last_working_day(today, last_day):
    from imr_bot.domain.todo import end_of_working_week

    assert end_of_working_week(today, CAL) == last_day


def test_steps_due_by_a_day_include_the_overdue_and_leave_out_the_undated():
    from imr_bot.domain.todo import due_by

    items = [Todo(Step.ALLOCATE, f"R/{n}", n, "x", due) for n, due in enumerate(
        [date(2026, 11, 20), date(2026, 11, 27), date(2026, 11, 30), None])]
    assert [t.reference for t in due_by(items, date(2026, 11, 27))] == ["R/0", "R/1"]
