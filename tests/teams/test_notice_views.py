"""What the outbox carries is facts; delivery renders the card from them at send time."""

import json
from datetime import UTC, date, datetime

from imr_bot.domain.dates import format_date
from imr_bot.domain.events import BoardLine, DigestDue, OverdueActionsLine
from imr_bot.domain.notification_policy import messages_for
from imr_bot.domain.plan import Milestone
from imr_bot.domain.rag import Rag
from imr_bot.domain.stages import Stage
from imr_bot.services.notifications import _channel_entry
from imr_bot.teams import notice_views


def test_the_digest_is_queued_as_facts_and_rendered_as_the_digest_card():
    (post,) = messages_for(DigestDue(date(2026, 3, 4), 41, (
        BoardLine("DDSCP/CSPR/2026/014", Stage.ALLOCATED.title, "Scoping meeting", date(2026, 3, 2), -2,
                  Rag.RED),
        BoardLine("DHR/2026/2", Stage.ON_HOLD.title, "—", None, None, Rag.NONE))))
    payload = _channel_entry(post).payload
    assert payload["view"] == "digest" and "card" not in payload
    rendered = notice_views.render(json.loads(json.dumps(payload)))  # as stored and read back
    assert rendered == {"card": "digest", "data": {
        "title": "IMR tracker, Wed 4 Mar 2026",
        "subtitle": "41 open reviews, most urgent first.",
        "rows": [{"reference": "DDSCP/CSPR/2026/014", "stage": Stage.ALLOCATED.title,
                  "milestone": "Scoping meeting", "due": "Mon 2 Mar 2026", "left": -2,
                  "daysLeft": "2 overdue", "rag": "Red", "ragColour": "Attention"},
                 {"reference": "DHR/2026/2", "stage": Stage.ON_HOLD.title, "milestone": "—", "due": "—",
                  "left": None, "daysLeft": "—", "rag": "—", "ragColour": "Default"}],
        "actionRows": [], "actionsHeading": ""}}


def test_the_digest_has_a_line_per_review_with_overdue_actions_counts_and_dates_only():
    (post,) = messages_for(DigestDue(date(2027, 3, 30), 2, (), (
        OverdueActionsLine("DDSCP/CSPR/2026/003", 2, 5, date(2027, 3, 22)),
        OverdueActionsLine("DHR/2026/2", 1, 1, date(2027, 3, 25))), 3))
    payload = _channel_entry(post).payload
    assert payload["facts"]["actions"] == [
        {"reference": "DDSCP/CSPR/2026/003", "overdue": 2, "total": 5, "earliest": "2027-03-22"},
        {"reference": "DHR/2026/2", "overdue": 1, "total": 1, "earliest": "2027-03-25"}]
    data = notice_views.render(json.loads(json.dumps(payload)))["data"]
    assert data["actionsHeading"] == ("Action plans with overdue actions: 3 reviews (the 2 most "
                                      "overdue shown; `imr actions overdue` has the rest).")
    assert data["actionRows"] == [
        {"reference": "DDSCP/CSPR/2026/003", "overdue": "2 of 5 actions overdue",
         "earliest": "since Mon 22 Mar 2027"},
        {"reference": "DHR/2026/2", "overdue": "1 of 1 action overdue",
         "earliest": "since Thu 25 Mar 2027"}]


def test_a_digest_queued_before_action_plans_renders_without_their_lines():
    facts = {"day": "2026-03-04", "total": 0, "lines": []}
    data = notice_views.render({"view": "digest", "facts": facts})["data"]
    assert data["actionRows"] == [] and data["subtitle"] == "There are no open reviews."


def test_a_payload_queued_as_a_text_or_card_is_sent_as_it_is():
    for payload in ({"text": "hello"}, {"card": "amendments", "data": {"reference": "R"}}):
        assert notice_views.render(payload) is payload


def test_a_review_in_the_channel_is_queued_as_facts_for_its_one_card():
    from dataclasses import replace

    from imr_bot.domain.events import ReviewFacts, SignedOff, StageChanged

    facts = ReviewFacts(3, "DDSCP/CSPR/2026/014", "CSPR", Stage.ON_HOLD, date(2026, 3, 2),
                        date(2026, 7, 1), (("Report and chronology to QA lead", date(2026, 5, 4)),
                                           ("Submission to DDSCP", date(2026, 7, 1))))
    (post,) = [m for m in messages_for(StageChanged(facts, "review.held", "Zed", "1"))
               if not hasattr(m, "to")]
    payload = json.loads(json.dumps(_channel_entry(post).payload))  # as stored and read back
    assert payload["card_of"] == 3 and "Zed" not in json.dumps(payload)
    assert notice_views.render(payload) == {"card": "tracker_review", "data": {
        "title": "IMR DDSCP/CSPR/2026/014 (CSPR)", "stage": "On hold", "latest": "IMR on hold",
        "dates": [{"title": "Report and chronology to QA lead", "value": "Mon 4 May 2026"},
                  {"title": "Submission to DDSCP", "value": "Wed 1 Jul 2026"}],
        "hasDates": True, "closed": False}}
    closed = replace(facts, stage=Stage.SUBMITTED_TO_DDSCP, pending_dates=())
    (post,) = [m for m in messages_for(SignedOff(closed, 2)) if not hasattr(m, "to")]
    data = notice_views.render(_channel_entry(post).payload)["data"]
    assert data["closed"] and not data["hasDates"] and data["stage"] == "Submitted to DDSCP"


def test_the_digest_counts_reviews_in_words():
    for total, words in ((1, "1 open review, most urgent first."),
                         (2, "2 open reviews, most urgent first.")):
        line = BoardLine("R/1", Stage.ALLOCATED.title, "Scoping meeting", date(2026, 3, 2), 1,
                         Rag.AMBER)
        (post,) = messages_for(DigestDue(date(2026, 3, 4), total, (line,)))
        assert notice_views.render(_channel_entry(post).payload)["data"]["subtitle"] == words


def test_an_offer_is_queued_as_facts_and_rendered_as_the_offer_card_with_its_dates():
    from imr_bot.domain.calendar import WorkingCalendar
    from imr_bot.domain.people import Person
    from imr_bot.domain.review import Commission, CommissioningBody, Review, ReviewType
    from imr_bot.services.notifications import allocation_offer

    calendar = WorkingCalendar.for_england()
    review = Review.commission(Commission(
        "DDSCP/CSPR/2027/003", ReviewType.CSPR, CommissioningBody.DDSCP, date(2027, 3, 20),
        date(2026, 1, 1), date(2027, 2, 28), "JS"), calendar, by="bs@council.test",
        at=datetime(2027, 3, 22, 9, tzinfo=UTC))
    author = Person(email="arun@council.test", name="Arun Author", id=4)
    qa_lead = Person(email="quinn@council.test", name="Quinn Lead", id=5)
    payload = allocation_offer(review, 9, author, qa_lead, calendar).payload
    assert payload["view"] == "allocation_offer" and "card" not in payload
    rendered = notice_views.render(json.loads(json.dumps(payload)))
    assert rendered["card"] == "allocation_offer"
    data = rendered["data"]
    assert data["greeting"] == "Arun" and data["qaLead"] == "Quinn Lead"
    assert data["allocationId"] == 9 and data["declaration"]
    plan = review.plan
    for field, due in (("scoping", plan.due[Milestone.SCOPING_MEETING]),
                       ("reportDue", plan.due[Milestone.REPORT_TO_QA]), ("ddscpDue", plan.deadline)):
        assert data[field] == format_date(due)


def test_the_amendments_notice_is_queued_as_facts_and_rendered_with_the_next_version():
    facts = {"reference": "DHR/2026/2", "who": "Sam Director", "level": "sd",
             "version": 3, "comment": "Please say more about the March referral."}
    rendered = notice_views.render(json.loads(json.dumps({"view": "amendments", "facts": facts})))
    assert rendered == {"card": "amendments", "data": {
        "reference": "DHR/2026/2", "who": "Sam Director", "levelTitle": "Service Director (EH&S)",
        "version": 3, "comment": "Please say more about the March referral.", "nextVersion": 4}}
