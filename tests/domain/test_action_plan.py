"""The action plan's rules: what a recommendation and an action may say, how an action moves from
proposed to impact evidenced, and who may ask for each move."""

from dataclasses import replace
from datetime import date

import pytest

from imr_bot.domain.action_plan import (
    DEFAULT_THEMES,
    Action,
    ActionStatus,
    ImpactDecision,
    Recommendation,
    free_text,
    next_number,
    parse_theme_list,
    parse_themes,
    progress,
    progress_words,
)
from imr_bot.domain.errors import DomainError, InvalidTransition, NotAllowed
from imr_bot.domain.people import Actor, Person
from imr_bot.domain.policy import Permission, allowed, allowed_on_review
from imr_bot.domain.roles import Role

TODAY = date(2026, 12, 7)
OWNER, OTHER = 31, 32


def an_action(**changes) -> Action:
    action = Action.new(recommendation_id=1, review_id=2, what="Refresh supervision guidance",
                        owner_id=OWNER, due=date(2027, 1, 29),
                        outcome="Supervision records show the child's voice",
                        evaluation="Audit of 20 supervision records", immediate=False,
                        today=TODAY)
    return replace(action, **changes)


# -- free text ------------------------------------------------------------------------------------
@pytest.mark.parametrize("text", [
    "Mrs Smith should have been seen alone", "Ensure Mr. Bloggs is invited",
    "the child named Jayden was not seen", "Dr Patel's referral was lost",
    "a sibling known as Amy"])
def test_text_with_a_name_in_it_is_refused(text):
    with pytest.raises(DomainError, match="We store no names of children or families"):
        free_text(text, "the recommendation")


@pytest.mark.parametrize("text", [
    "Children's Social Care should see the child alone at every visit",
    "Health Visiting and Early Help share records within 2 working days",
    "Supervision must record Child A's wishes and feelings",
    "The MASH to review its threshold guidance"])
def test_ordinary_recommendations_are_kept_as_typed(text):
    assert free_text(f"  {text}  ", "the recommendation") == text


def test_empty_or_overlong_text_is_refused_with_what_was_wanted():
    with pytest.raises(DomainError, match="Please give the recommendation"):
        free_text("   ", "the recommendation")
    with pytest.raises(DomainError, match="Keep the recommendation to 2000 characters"):
        free_text("x" * 2001, "the recommendation")
    assert free_text("", "a note", required=False) == ""


def test_themes_come_from_the_list_and_an_unknown_one_is_named():
    assert parse_themes("Voice of the child, supervision") == ("voice of the child",
                                                              "supervision")
    assert parse_themes("") == ()
    with pytest.raises(DomainError, match="“parenting” is not one of the themes"):
        parse_themes("parenting")
    own = parse_theme_list("Parenting\nNeglect, parenting")
    assert own == ("parenting", "neglect")
    assert parse_themes("neglect", own) == ("neglect",)
    assert parse_theme_list("") == DEFAULT_THEMES


def test_recommendations_are_numbered_in_turn_within_their_review():
    first = Recommendation.new(2, 1, "Share records within two days", "Records were late")
    assert (first.number, first.lesson) == (1, "Records were late")
    assert next_number([]) == 1
    assert next_number([first, replace(first, number=4)]) == 5


# -- an action's life -----------------------------------------------------------------------------
def test_a_new_action_is_proposed_and_needs_its_date_outcome_and_evidence():
    action = an_action()
    assert action.status == ActionStatus.PROPOSED and not action.immediate
    with pytest.raises(DomainError, match="in the past"):
        Action.new(recommendation_id=1, review_id=2, what="x", owner_id=OWNER,
                   due=date(2026, 12, 4), outcome="y", evaluation="z", immediate=True,
                   today=TODAY)
    with pytest.raises(DomainError, match="how it will be evaluated"):
        Action.new(recommendation_id=1, review_id=2, what="x", owner_id=OWNER, due=TODAY,
                   outcome="y", evaluation=" ", immediate=True, today=TODAY)


def test_the_whole_path_from_proposed_to_impact_evidenced():
    action = an_action().agree(OWNER)
    assert action.status == ActionStatus.AGREED
    action = action.update(OWNER, "Draft guidance with the practice lead")
    assert (action.status, action.progress) == (ActionStatus.IN_PROGRESS,
                                                "Draft guidance with the practice lead")
    action = action.finish(OWNER, "https://council.sharepoint.com/sites/imr/guidance.docx")
    assert (action.status, action.evidence_version) == (ActionStatus.DONE, 1)
    action = action.decide(ImpactDecision.CONFIRMED, 1)
    assert (action.status, action.decided_version) == (ActionStatus.IMPACT_EVIDENCED, 1)


def test_only_the_owner_answers_for_an_action():
    for move in (lambda a: a.agree(OTHER), lambda a: a.agree(None),
                 lambda a: a.propose(OTHER, reason="busy", due=date(2027, 2, 1), today=TODAY),
                 lambda a: a.agree(OWNER).update(OTHER, "note"),
                 lambda a: a.agree(OWNER).finish(OTHER, "https://x.sharepoint.com/a")):
        with pytest.raises(NotAllowed, match="Only the action's owner"):
            move(an_action())


@pytest.mark.parametrize(("status", "move"), [
    (ActionStatus.AGREED, lambda a: a.agree(OWNER)),
    (ActionStatus.PROPOSED, lambda a: a.update(OWNER, "started")),
    (ActionStatus.PROPOSED, lambda a: a.finish(OWNER, "https://x.sharepoint.com/a")),
    (ActionStatus.DONE, lambda a: a.update(OWNER, "more")),
    (ActionStatus.NOT_AGREED, lambda a: a.agree(OWNER)),
    (ActionStatus.IMPACT_EVIDENCED, lambda a: a.finish(OWNER, "https://x.sharepoint.com/a")),
    (ActionStatus.AGREED, lambda a: a.not_agreed("no budget")),
    (ActionStatus.IN_PROGRESS, lambda a: a.decide(ImpactDecision.CONFIRMED, None)),
])
def test_a_move_from_the_wrong_place_says_where_the_action_stands(status, move):
    with pytest.raises(InvalidTransition, match=f"This action is {status.title.lower()}"):
        move(an_action(status=status))


def test_done_needs_its_evidence():
    with pytest.raises(DomainError, match="Done needs its evidence"):
        an_action().agree(OWNER).finish(OWNER, "")


def test_the_owner_proposes_another_date_which_once_accepted_is_agreed():
    action = an_action().propose(OWNER, reason="Guidance review is in February",
                                 due=date(2027, 2, 26), today=TODAY)
    assert action.status == ActionStatus.PROPOSED and action.proposal.due == date(2027, 2, 26)
    accepted = action.accept_proposal()
    assert (accepted.status, accepted.due, accepted.proposal) == (
        ActionStatus.AGREED, date(2027, 2, 26), None)


def test_another_owner_once_accepted_is_asked_to_agree_it_afresh():
    action = an_action().agree(OWNER).update(OWNER, "started")
    action = action.propose(OWNER, reason="Moved teams", owner_id=OTHER, today=TODAY)
    accepted = action.accept_proposal()
    assert (accepted.owner_id, accepted.status, accepted.due) == (
        OTHER, ActionStatus.PROPOSED, action.due)
    assert accepted.agree(OTHER).status == ActionStatus.AGREED


def test_a_proposal_must_change_something_and_not_into_the_past():
    with pytest.raises(DomainError, match="Propose another date, another owner, or both"):
        an_action().propose(OWNER, reason="why", owner_id=OWNER, today=TODAY)
    with pytest.raises(DomainError, match="in the past"):
        an_action().propose(OWNER, reason="why", due=date(2026, 12, 1), today=TODAY)
    with pytest.raises(DomainError, match="Please give a reason"):
        an_action().propose(OWNER, reason="", due=date(2027, 3, 1), today=TODAY)
    with pytest.raises(InvalidTransition, match="no proposed change"):
        an_action().accept_proposal()


def test_not_agreed_keeps_its_reason_and_closes_the_action():
    action = an_action().not_agreed("Covered by the partnership's own action 4")
    assert action.status == ActionStatus.NOT_AGREED
    assert action.reason == "Covered by the partnership's own action 4"
    with pytest.raises(DomainError, match="Please give the reason it was not agreed"):
        an_action().not_agreed(" ")


def test_one_decision_per_evidence_version():
    done = an_action().agree(OWNER).finish(OWNER, "https://x.sharepoint.com/v1")
    sent_back = done.decide(ImpactDecision.SENT_BACK, 1, "The audit covers 3 records, not 20")
    assert (sent_back.status, sent_back.decision_comment) == (
        ActionStatus.IN_PROGRESS, "The audit covers 3 records, not 20")
    with pytest.raises(InvalidTransition, match="already been decided on"):
        sent_back.decide(ImpactDecision.CONFIRMED, 1)
    again = sent_back.finish(OWNER, "https://x.sharepoint.com/v2")
    assert again.evidence_version == 2
    with pytest.raises(InvalidTransition, match="replaced by newer evidence"):
        again.decide(ImpactDecision.CONFIRMED, 1)  # a press on the first version's card
    confirmed = again.decide(ImpactDecision.CONFIRMED, 2)
    with pytest.raises(InvalidTransition):
        confirmed.decide(ImpactDecision.SENT_BACK, 2, "second thoughts")


def test_sending_back_says_what_is_missing():
    done = an_action().agree(OWNER).finish(OWNER, "https://x.sharepoint.com/v1")
    with pytest.raises(DomainError, match="what is missing from the evidence"):
        done.decide(ImpactDecision.SENT_BACK, 1, "")


def test_overdue_and_the_plans_progress():
    late = an_action(due=date(2026, 12, 4), status=ActionStatus.AGREED)
    done_late = an_action(due=date(2026, 12, 4), status=ActionStatus.DONE)
    assert late.overdue(TODAY) and not late.overdue(date(2026, 12, 4))
    assert not done_late.overdue(TODAY)
    plan = progress([late, done_late, an_action(status=ActionStatus.IMPACT_EVIDENCED),
                     an_action(status=ActionStatus.NOT_AGREED), an_action()], TODAY)
    assert (plan.total, plan.done, plan.evidenced, plan.overdue, plan.not_agreed) == (5, 2, 1, 1, 1)
    assert plan.open
    assert not progress([done_late, an_action(status=ActionStatus.NOT_AGREED)], TODAY).open
    assert not progress([], TODAY).open
    assert progress_words(plan) == ("2 of 5 actions done; 1 overdue; 1 with impact evidenced; "
                                    "1 not agreed.")
    assert progress_words(progress([late], TODAY)) == "0 of 1 action done; 1 overdue."
    assert progress_words(progress([], TODAY)) == "No actions yet."


# -- who may ask ----------------------------------------------------------------------------------
def actor(*roles: Role) -> Actor:
    return Actor("x@council.test", "X", Person("x@council.test", "X", frozenset(roles), id=9))


@pytest.mark.parametrize(("roles", "held", "permission", "may"), [
    ({Role.BUSINESS_SERVICES}, set(), Permission.MANAGE_ACTION_PLAN, True),
    ({Role.QA_LEAD}, {Role.QA_LEAD}, Permission.MANAGE_ACTION_PLAN, True),
    ({Role.QA_LEAD}, set(), Permission.MANAGE_ACTION_PLAN, False),  # not their review
    ({Role.AUTHOR}, {Role.AUTHOR}, Permission.MANAGE_ACTION_PLAN, False),
    ({Role.HEAD_OF_CP}, set(), Permission.MANAGE_ACTION_PLAN, False),
    ({Role.QA_LEAD}, {Role.QA_LEAD}, Permission.DECIDE_IMPACT, True),
    ({Role.SD_QPP}, set(), Permission.DECIDE_IMPACT, True),
    ({Role.BUSINESS_SERVICES}, set(), Permission.DECIDE_IMPACT, False),
    ({Role.AUTHOR}, {Role.AUTHOR}, Permission.DECIDE_IMPACT, False),
])
def test_who_may_manage_the_plan_and_decide_on_impact(roles, held, permission, may):
    assert allowed_on_review(permission, actor(*roles), frozenset(held)) is may
    assert not allowed(permission, actor(*roles))  # always asked about one review


def test_anyone_in_the_directory_may_answer_for_an_action_the_action_checks_whose():
    assert allowed(Permission.ANSWER_ACTION, actor())
    assert not allowed(Permission.ANSWER_ACTION, Actor("teams:1", "Someone"))


# -- who is told ----------------------------------------------------------------------------------
def test_who_is_told_of_the_plan_and_that_no_channel_is():
    from imr_bot.domain import events as ev
    from imr_bot.domain.notification_policy import (
        ChannelPost,
        ToHolders,
        ToPerson,
        messages_for,
    )
    from imr_bot.domain.stages import Stage

    facts = ev.ReviewFacts(review_id=3, reference="DDSCP/CSPR/2026/014", review_type="CSPR",
                           stage=Stage.SUBMITTED_TO_DDSCP, scoping_due=date(2026, 2, 2),
                           ddscp_due=date(2026, 7, 1), people={Role.QA_LEAD: 12, Role.AUTHOR: 11})
    told = {
        "agree": messages_for(ev.ActionToAgree(facts, 5, OWNER, "1")),
        "change": messages_for(ev.ActionChangeProposed(facts, 5, "Olu Owner", "busy", "1")),
        "qa": messages_for(ev.ActionDone(facts, 5, 1, "qa_lead")),
        "qpp": messages_for(ev.ActionDone(facts, 5, 1, "sd_qpp")),
        "decided": messages_for(ev.ImpactDecided(facts, 5, 1, OWNER, "sent_back",
                                                 "3 of 20.")),
    }
    assert not any(isinstance(m, ChannelPost) for ms in told.values() for m in ms)
    assert [(m.to, m.card) for m in told["agree"]] == [(ToPerson(OWNER), "action_owner")]
    assert [m.to for m in told["change"]] == [ToHolders(Role.BUSINESS_SERVICES), ToPerson(12)]
    assert [m.to for m in told["qa"]] == [ToPerson(12)]
    assert [m.to for m in told["qpp"]] == [ToHolders(Role.SD_QPP)]
    (decided,) = told["decided"]
    assert decided.to == ToPerson(OWNER) and "was sent back: 3 of 20." in decided.text
    # a key per evidence version: a second version is asked about afresh
    assert told["qa"][0].key != messages_for(ev.ActionDone(facts, 5, 2, "qa_lead"))[0].key


def test_every_card_the_policy_names_exists():
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    named = set(re.findall(r'card="([a-z_]+)"',
                           (root / "imr_bot/domain/notification_policy.py").read_text()))
    assert {"action_owner", "action_change", "action_evidence"} <= named
    missing = {name for name in named if not (root / "cards" / f"{name}.json").is_file()}
    assert not missing
