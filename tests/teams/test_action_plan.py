"""The action plan through the bot: Business Services add a recommendation and an action, its owner
agrees and marks it done with evidence from their card, the QA lead confirms the impact; changes
proposed by the owner reach Business Services and the QA lead; `imr actions` shows the plan."""

from datetime import timedelta

import pytest

from imr_bot.domain.roles import Role
from imr_bot.domain.stages import Stage
from imr_bot.services.access import REFUSAL
from tests.teams.harness import (
    AUTHOR,
    BUSINESS_SERVICES,
    CHANNEL_ID,
    HEAD_OF_CP,
    LINE_MANAGER,
    QA_LEAD,
    card_text,
    cards,
    texts,
)
from tests.teams.test_tracker import log_review

REF = "DDSCP/CSPR/2026/014"
EVIDENCE = "https://council.sharepoint.com/sites/imr/Shared%20Documents/supervision-audit.xlsx"
OWNER = LINE_MANAGER  # anyone in the directory may own an action


@pytest.fixture
async def review(teams):
    await log_review(teams, REF)
    # the IMR is closed on submission to DDSCP; its plan goes on
    await teams.place(REF, {Role.AUTHOR: AUTHOR, Role.QA_LEAD: QA_LEAD}, Stage.SUBMITTED_TO_DDSCP)
    for user in (BUSINESS_SERVICES, OWNER, QA_LEAD, HEAD_OF_CP, AUTHOR):
        await teams.say(user, "hello")
    await teams.deliver()
    return teams


def last_card(teams, user, title: str) -> dict:
    return [c for c in cards(teams.inbox(user)) if title in card_text(c)][-1]


def button(card: dict, title: str) -> dict:
    for candidate in card["actions"]:
        if candidate["title"] == title:
            return candidate
    raise AssertionError(f"no button {title!r} in {[a['title'] for a in card['actions']]}")


def inner_submit(card: dict, title: str) -> dict:
    return button(card, title)["card"]["actions"][0]["data"]


async def add_action(teams, owner=OWNER, due="2027-01-29", what="Refresh the supervision template"):
    (form,) = cards(await teams.say(BUSINESS_SERVICES, f"imr action add {REF} 1"))
    replies = await teams.submit(BUSINESS_SERVICES, {
        **button(form, "Add the action")["data"], "recommendation": "1", "what": what,
        "owner": owner.email, "due": due, "outcome": "Supervision notes record the child's words",
        "evaluation": "Audit of 20 supervision records", "immediate": "false"})
    await teams.deliver()
    return replies


async def test_a_recommendation_becomes_an_agreed_action_done_and_evidenced(review):
    teams = review
    said = texts(await teams.say(BUSINESS_SERVICES, f"imr recommend {REF} Supervision records "
                                                    "the child's wishes | lesson: the child's "
                                                    "voice was lost | themes: voice of the child"))
    assert said == (f"Recommendation 1 is added to the action plan of {REF}. Themes: voice of the "
                    f"child. Add its actions with `imr action add {REF} 1`.")
    replies = await add_action(teams)
    assert "Lena Manager has been asked to agree it" in "".join(card_text(c)
                                                                for c in cards(replies))

    card = last_card(teams, OWNER, f"An action for {REF}")
    assert "Refresh the supervision template" in card_text(card)
    assert "Fri 29 Jan 2027" in card_text(card)
    # what does not apply yet is not shown: no sending back, no proposal waiting
    assert "sent back" not in card_text(card) and "waiting for Business" not in card_text(card)
    replies = await teams.submit(OWNER, button(card, "Agree")["data"])
    assert "Thank you: you agreed this action, due Fri 29 Jan 2027." in texts(replies)

    (table,) = cards(await teams.say(OWNER, "imr actions mine"))
    assert "Refresh the supervision template" in card_text(table)
    assert "Agreed" in card_text(table)

    # the card pressed now offers what comes next
    (card,) = [c for c in cards(replies) if f"An action for {REF}" in card_text(c)]
    assert "Status\nAgreed" in card_text(card)
    replies = await teams.submit(OWNER, {**inner_submit(card, "Post progress"),
                                         "note": "Template drafted with the practice leads"})
    assert "Progress posted." in texts(replies)
    (card,) = [c for c in cards(replies) if f"An action for {REF}" in card_text(c)]
    assert "Template drafted with the practice leads" in card_text(card)
    replies = await teams.submit(OWNER, {**inner_submit(card, "Done"), "link": EVIDENCE,
                                         "evidence_note": "The audit is on the second sheet"})
    assert "Its evidence has gone to be confirmed" in texts(replies)
    await teams.deliver()

    evidence = last_card(teams, QA_LEAD, f"Evidence for an action on {REF}")
    assert button(evidence, "Open the evidence")["url"] == EVIDENCE
    replies = await teams.submit(QA_LEAD, button(evidence, "It shows the outcome")["data"])
    assert "Impact confirmed" in "".join(card_text(c) for c in cards(replies))
    await teams.deliver()
    assert "was confirmed" in texts(teams.inbox(OWNER))

    again = await teams.submit(QA_LEAD, button(evidence, "It shows the outcome")["data"])
    assert "already been decided on" in texts(again)  # exactly one decision per version

    (plan,) = cards(await teams.say(BUSINESS_SERVICES, f"imr actions {REF}"))
    assert f"Action plan for {REF}" in card_text(plan)
    assert "1 of 1 action done; 0 overdue; 1 with impact evidenced." in card_text(plan)
    assert "Impact evidenced" in card_text(plan)
    # nothing of the plan reached the tracker channel
    assert not teams.inbox(CHANNEL_ID) or all(
        "supervision" not in (a.text or "").lower() for a in teams.inbox(CHANNEL_ID))


async def test_the_owner_proposes_another_date_and_the_qa_lead_accepts_it(review):
    teams = review
    await teams.say(BUSINESS_SERVICES, f"imr recommend {REF} Share records within two days")
    await add_action(teams)
    card = last_card(teams, OWNER, f"An action for {REF}")
    replies = await teams.submit(OWNER, {**inner_submit(card, "Propose another date or owner"),
                                         "due": "2027-03-26", "owner": "",
                                         "reason": "The template panel meets in March"})
    assert "Your proposal is with Business Services" in texts(replies)
    await teams.deliver()
    for manager in (BUSINESS_SERVICES, QA_LEAD):
        change = last_card(teams, manager, f"A change proposed to an action for {REF}")
        assert "due Fri 26 Mar 2027 instead of Fri 29 Jan 2027" in card_text(change)
    replies = await teams.submit(QA_LEAD, button(change, "Accept the change")["data"])
    assert "now due Fri 26 Mar 2027, owned by Lena Manager" in "".join(
        card_text(c) for c in cards(replies))
    await teams.deliver()
    assert "was accepted: it is now due Fri 26 Mar 2027" in texts(teams.inbox(OWNER))


async def test_someone_else_pressing_the_owners_card_is_told_it_is_not_theirs(review):
    teams = review
    await teams.say(BUSINESS_SERVICES, f"imr recommend {REF} Share records within two days")
    await add_action(teams)
    card = last_card(teams, OWNER, f"An action for {REF}")
    replies = await teams.submit(AUTHOR, button(card, "Agree")["data"])
    assert "isn't one you can answer for" in texts(replies)
    replies = await teams.submit(AUTHOR, {"verb": "action.accept_change",
                                          "actionId": button(card, "Agree")["data"]["actionId"]})
    assert texts(replies) == REFUSAL


async def test_bad_input_is_said_plainly_and_adds_nothing(review):
    teams = review
    said = texts(await teams.say(BUSINESS_SERVICES, f"imr recommend {REF} Mrs Jones was not "
                                                    "visited"))
    assert "We store no names of children or families" in said
    said = texts(await teams.say(BUSINESS_SERVICES, f"imr action add {REF}"))
    assert f"{REF} has no recommendations yet" in said
    said = texts(await teams.say(AUTHOR, f"imr recommend {REF} Something"))
    assert "Only Business Services or the review's QA senior lead" in said
    await teams.say(BUSINESS_SERVICES, f"imr recommend {REF} Share records within two days")
    replies = await add_action(teams, due="2020-01-01")
    assert "in the past" in texts(replies)
    said = texts(await teams.say(BUSINESS_SERVICES, f"imr actions {REF}"))
    assert said == (f"{REF} has 1 recommendation and no actions yet. Add one with "
                    f"`imr action add {REF}`.")
    assert "No action is overdue." in texts(await teams.say(BUSINESS_SERVICES,
                                                            "imr actions overdue"))


async def test_overdue_actions_are_listed_for_business_services_and_for_their_owner(review):
    from datetime import UTC, datetime

    teams = review
    await teams.say(BUSINESS_SERVICES, f"imr recommend {REF} Share records within two days")
    await add_action(teams, due="2026-11-30", what="Agree a records-sharing protocol")
    await add_action(teams, due="2026-12-18", what="Brief every team", owner=HEAD_OF_CP)
    teams.clock.set(datetime(2026, 12, 2, 10, tzinfo=UTC))
    (table,) = cards(await teams.say(BUSINESS_SERVICES, "imr actions overdue"))
    shown = card_text(table)
    assert "Overdue actions" in shown and "1 action past its date, as of Wed 2 Dec 2026." in shown
    assert "Agree a records-sharing protocol" in shown and "Brief every team" not in shown
    assert "Mon 30 Nov 2026 (2 overdue)" in shown
    (mine,) = cards(await teams.say(OWNER, "imr actions overdue"))
    assert "Agree a records-sharing protocol" in card_text(mine)
    assert texts(await teams.say(HEAD_OF_CP, "imr actions overdue")) == ""  # sees every review
    assert texts(await teams.say(AUTHOR, "imr actions overdue")) == "No action is overdue."
    (plan,) = cards(await teams.say(QA_LEAD, f"imr actions {REF}"))
    assert "0 of 2 actions done; 1 overdue." in card_text(plan)


async def test_another_owner_accepted_gets_the_card_and_a_change_can_be_not_agreed(review):
    teams = review
    await teams.say(BUSINESS_SERVICES, f"imr recommend {REF} Share records within two days")
    await add_action(teams)
    card = last_card(teams, OWNER, f"An action for {REF}")
    await teams.submit(OWNER, {**inner_submit(card, "Propose another date or owner"),
                               "due": "", "owner": HEAD_OF_CP.email,
                               "reason": "Harriet leads on records policy"})
    await teams.deliver()
    change = last_card(teams, BUSINESS_SERVICES, f"A change proposed to an action for {REF}")
    assert "owned by Harriet Head" in card_text(change)
    replies = await teams.submit(BUSINESS_SERVICES, button(change, "Accept the change")["data"])
    assert "owned by Harriet Head, who has been told" in "".join(card_text(c)
                                                                 for c in cards(replies))
    await teams.deliver()
    card = last_card(teams, HEAD_OF_CP, f"An action for {REF}")
    assert button(card, "Agree")
    # the QA lead's copy of the change card, pressed after it was accepted
    stale = last_card(teams, QA_LEAD, f"A change proposed to an action for {REF}")
    replies = await teams.submit(QA_LEAD, button(stale, "Accept the change")["data"])
    assert "There is no proposed change to this action to accept." in texts(replies)
    replies = await teams.submit(QA_LEAD, {**inner_submit(stale, "Record as not agreed"),
                                           "reason": "Covered by the partnership's action 3"})
    assert "Recorded as not agreed" in "".join(card_text(c) for c in cards(replies))
    (plan,) = cards(await teams.say(QA_LEAD, f"imr actions {REF}"))
    assert "Not agreed" in card_text(plan)
    replies = await teams.submit(HEAD_OF_CP, button(card, "Agree")["data"])
    assert "This action is not agreed, so it cannot be agreed now." in texts(replies)


async def test_the_review_card_shows_how_far_its_plan_has_got_after_submission(review):
    teams = review
    (card,) = cards(await teams.say(BUSINESS_SERVICES, f"imr status {REF}"))
    assert "Action plan" not in card_text(card)  # nothing to show before there is a plan
    await teams.say(BUSINESS_SERVICES, f"imr recommend {REF} Supervision records the child's "
                                       "wishes")
    await add_action(teams)
    await add_action(teams, due="2026-11-24", what="Brief the team on the findings")
    teams.clock.set(teams.clock.now() + timedelta(days=7))
    (card,) = cards(await teams.say(BUSINESS_SERVICES, f"imr status {REF}"))
    assert "Action plan\n0 of 2 actions done; 1 overdue." in card_text(card)
