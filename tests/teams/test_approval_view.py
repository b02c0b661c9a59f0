"""One route renders the approval card: the service's ApprovalView, rendered by
notice_views.approval_card, whether it was queued (as facts in the outbox), clicked, refreshed or
opened from the todo list."""

import json
from dataclasses import replace
from datetime import UTC, date, datetime

from sqlalchemy import select

from imr_bot.domain.submissions import Decision, Level
from imr_bot.services.approvals import ApprovalDocument, ApprovalRound, ApprovalView
from imr_bot.store import tables
from imr_bot.teams import notice_views
from tests.teams.harness import QA_LEAD
from tests.teams.test_approvals import approval_card, host, midway, submit_files  # noqa: F401

ASKED = ApprovalRound(1, Level.QA, Decision.AMENDMENTS, "Quinn Lead",
                      datetime(2027, 1, 4, 16, 40, tzinfo=UTC), "Section 7 needs analysis")
PASSED = ApprovalRound(2, Level.QA, Decision.APPROVED, "Quinn Lead",
                       datetime(2027, 1, 11, 9, 5, tzinfo=UTC), "")
VIEW = ApprovalView(
    review_id=7, reference="DDSCP/CSPR/2026/014", version=2, level=Level.SD,
    submitted_at=datetime(2027, 1, 8, 10, 15, tzinfo=UTC), milestone="Submission to DDSCP",
    due=date(2027, 1, 20), working_days_left=1,
    documents=(ApprovalDocument("report", "IMR report v2.docx", "https://bot/documents/a", False),
               ApprovalDocument("chronology", "Chronology.docx", "", True, carried_from=1)),
    approvers=("Sam Director",), approver_user_ids=("29:sam",), latest=2, decided=None,
    can_decide=True, check_summary=None, rounds=(ASKED, PASSED))


def test_the_facts_queued_read_back_as_the_same_view():
    assert ApprovalView.from_facts(json.loads(json.dumps(VIEW.facts()))) == VIEW
    decided = replace(VIEW, decided=PASSED, can_decide=False, rounds=(), submitted_at=None,
                      working_days_left=None, error="Already decided")
    assert ApprovalView.from_facts(json.loads(json.dumps(decided.facts()))) == decided


def test_a_queued_approval_is_rendered_by_the_same_view_as_a_click():
    rendered = notice_views.render({"view": "approval", "facts": VIEW.facts()})
    assert rendered == {"card": "approval", "data": notice_views.approval_card(VIEW)}


def test_the_card_says_what_was_carried_forward_and_the_rounds_so_far():
    data = notice_views.approval_card(VIEW)
    assert [d["title"] for d in data["documents"]] == [
        "Report: IMR report v2.docx", "Chronology: Chronology.docx (carried forward from version 1)"]
    assert data["carriedForward"] == "The chronology is carried forward unchanged from version 1."
    assert [r["heading"] for r in data["rounds"]] == [
        "Version 1: Quinn Lead (QA senior lead) asked for amendments",
        "Version 2: Quinn Lead (QA senior lead) approved it"]
    assert data["rounds"][0]["at"] == "Mon 4 Jan 2027, 16:40"  # London time, in winter
    assert data["rounds"][0]["comment"] == "Section 7 needs analysis" and data["hasRounds"]
    assert data["due"] == "Submission to DDSCP: Wed 20 Jan 2027 (1 working day left)"
    assert data["status"] == "Waiting for a decision" and data["canDecide"]


def test_days_left_and_overdue_are_said_with_proper_plurals():
    said = {left: notice_views.approval_card(replace(VIEW, working_days_left=left))["due"]
            for left in (0, 1, 4, -1, -3)}
    assert said[0].endswith("(0 working days left)") and said[4].endswith("(4 working days left)")
    assert said[-1].endswith("(1 working day overdue)")
    assert said[-3].endswith("(3 working days overdue)")
    assert "(" not in notice_views.approval_card(replace(VIEW, working_days_left=None))["due"]


def test_the_status_says_who_decided_or_which_version_superseded_it():
    decided = notice_views.approval_card(replace(VIEW, decided=PASSED, can_decide=False))
    assert decided["status"] == "Approved by Quinn Lead on Mon 11 Jan 2027, 09:05"
    assert not decided["canDecide"] and decided["decided"]
    old = notice_views.approval_card(replace(VIEW, version=1, latest=2, can_decide=False))
    assert old["status"] == "Superseded by version 2"


def test_the_question_before_an_unticked_approval_takes_the_place_of_the_buttons():
    asking = notice_views.approval_card(replace(VIEW, confirm_unticked=True, draft_comment="Fine"))
    assert asking["confirmUnticked"] and not asking["canDecide"]
    assert asking["draftComment"] == "Fine"
    # someone who may not decide is never asked
    assert not notice_views.approval_card(replace(VIEW, can_decide=False,
                                                  confirm_unticked=True))["confirmUnticked"]


async def test_the_approval_request_is_queued_as_facts_not_as_a_card(midway, host):  # noqa: F811
    await submit_files(midway, host)
    async with midway.app.database.engine.connect() as connection:
        rows = (await connection.execute(select(tables.notifications).where(
            tables.notifications.c.kind == "approval_request"))).all()
    (row,) = rows
    payload = json.loads(row.payload) if isinstance(row.payload, str) else row.payload
    assert payload["view"] == "approval" and "card" not in payload
    assert payload["facts"]["version"] == 1 and payload["facts"]["canDecide"]
    shown = approval_card(midway, QA_LEAD, 1)  # as delivered: rendered from those facts
    assert [a["title"] for a in shown["actions"]] == ["Approve", "Request amendments"]


def test_the_qa_card_lists_the_reviews_interviews_and_flags_those_not_yet_agreed():
    view = replace(VIEW, interviews=(("Nia Nurse", "Agreed", True),
                                     ("Practice nurse, Oak Lane GP surgery",
                                      "Sent for agreement (waiting for the interviewee (on paper))",
                                      False)))
    assert ApprovalView.from_facts(json.loads(json.dumps(view.facts()))) == view
    data = notice_views.approval_card(view)
    assert data["hasInterviews"] and data["interviewsColour"] == "Attention"
    assert data["interviewsSummary"].startswith("1 agreed, 1 outstanding")
    assert data["interviews"] == [
        {"title": "Nia Nurse", "value": "Agreed"},
        {"title": "Practice nurse, Oak Lane GP surgery",
         "value": "Not yet agreed: Sent for agreement (waiting for the interviewee (on paper))"}]
    assert not notice_views.approval_card(VIEW)["hasInterviews"]  # none recorded: no section


def test_facts_queued_before_interviews_existed_still_read():
    facts = json.loads(json.dumps(VIEW.facts()))
    del facts["interviews"]
    assert ApprovalView.from_facts(facts).interviews == ()
