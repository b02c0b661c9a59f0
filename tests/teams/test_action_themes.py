"""`imr themes` and `imr actions theme THEME` through the bot: for the Service Director QPP, the
Head of CP and Business Services, the themes across reviews and their actions' progress."""

from datetime import UTC, datetime

import pytest

from imr_bot.domain.roles import Role
from imr_bot.domain.stages import Stage
from tests.teams.harness import (
    AUTHOR,
    BUSINESS_SERVICES,
    HEAD_OF_CP,
    LINE_MANAGER,
    QA_LEAD,
    SD_QPP,
    card_text,
    cards,
    texts,
)
from tests.teams.test_action_plan import button
from tests.teams.test_tracker import log_review

FIRST, SECOND, THIRD = "DDSCP/CSPR/2026/014", "DDSCP/CSPR/2026/020", "DHR/2026/3"


async def recommend(teams, reference, text, themes):
    said = texts(await teams.say(BUSINESS_SERVICES, f"imr recommend {reference} {text} | themes: "
                                                    f"{themes}"))
    assert "is added to the action plan" in said


async def add_action(teams, reference, number, owner, due, what):
    (form,) = cards(await teams.say(BUSINESS_SERVICES, f"imr action add {reference} {number}"))
    await teams.submit(BUSINESS_SERVICES, {
        **button(form, "Add the action")["data"], "recommendation": str(number), "what": what,
        "owner": owner.email, "due": due, "outcome": "Records show the child's words",
        "evaluation": "An audit of 20 records", "immediate": "false"})


@pytest.fixture
async def plans(teams):
    await teams.add_people((SD_QPP,))
    for reference in (FIRST, SECOND, THIRD):
        await log_review(teams, reference)
        await teams.place(reference, {Role.AUTHOR: AUTHOR, Role.QA_LEAD: QA_LEAD},
                          Stage.SUBMITTED_TO_DDSCP)
    for user in (BUSINESS_SERVICES, AUTHOR, LINE_MANAGER, QA_LEAD, HEAD_OF_CP, SD_QPP):
        await teams.say(user, "hello")
    await recommend(teams, FIRST, "Supervision records the child's wishes",
                    "voice of the child, supervision")
    await recommend(teams, SECOND, "Visits see the child alone", "voice of the child")
    await recommend(teams, THIRD, "Share records within two days", "information sharing")
    await add_action(teams, FIRST, 1, AUTHOR, "2027-01-29", "Refresh the supervision template")
    await add_action(teams, SECOND, 1, LINE_MANAGER, "2027-02-26", "Audit home visits")
    await add_action(teams, THIRD, 1, AUTHOR, "2027-03-31", "Agree a sharing protocol")
    await teams.deliver()
    return teams


@pytest.mark.parametrize("user", [SD_QPP, HEAD_OF_CP, BUSINESS_SERVICES])
async def test_themes_across_reviews_recurring_first(plans, user):
    plans.clock.set(datetime(2027, 2, 10, 10, tzinfo=UTC))  # the first action is overdue
    (table,) = cards(await plans.say(user, "imr themes"))
    shown = card_text(table)
    assert "Action plan themes across reviews" in shown
    assert "3 themes; 1 in more than one review." in shown
    assert shown.index("Voice of the child") < shown.index("Information sharing")
    assert "2 reviews, 2 recommendations, 2 actions; keeps coming back" in shown
    assert "1 review, 1 recommendation, 1 action" in shown
    assert "0 of 2" in shown and "Impact evidenced" in shown
    # counts only: no owner, no action's words
    for word in ("Arun", "Lena", "Refresh the supervision template"):
        assert word not in shown


@pytest.mark.parametrize("user", [AUTHOR, QA_LEAD, LINE_MANAGER])
async def test_others_are_told_who_may_see_the_themes(plans, user):
    said = texts(await plans.say(user, "imr themes"))
    assert said.startswith("Sorry, only") and "Service Director" in said
    said = texts(await plans.say(user, "imr actions theme supervision"))
    assert said.startswith("Sorry, only")


async def test_the_actions_under_one_theme_across_reviews(plans):
    plans.clock.set(datetime(2027, 2, 10, 10, tzinfo=UTC))
    (table,) = cards(await plans.say(SD_QPP, "imr actions theme Voice of the Child"))
    shown = card_text(table)
    assert "Actions on voice of the child" in shown
    assert "2 reviews: 0 of 2 actions done; 1 overdue; 0 with impact evidenced." in shown
    assert "Refresh the supervision template" in shown and "Audit home visits" in shown
    assert FIRST in shown and SECOND in shown
    assert "Agree a sharing protocol" not in shown and THIRD not in shown


async def test_a_theme_named_by_its_start_and_a_theme_that_is_not_one(plans):
    (table,) = cards(await plans.say(HEAD_OF_CP, "imr actions theme information"))
    assert "Actions on information sharing" in card_text(table)
    said = texts(await plans.say(HEAD_OF_CP, "imr actions theme housing"))
    assert "“housing” is not one of the themes. The themes are: voice of the child" in said
    said = texts(await plans.say(HEAD_OF_CP, "imr actions theme"))
    assert "Say which theme" in said
    said = texts(await plans.say(HEAD_OF_CP, "imr actions theme training"))
    assert said == "No action is under a recommendation with the theme “training” yet."


async def test_no_themes_yet(teams):
    await teams.say(BUSINESS_SERVICES, "hello")
    said = texts(await teams.say(BUSINESS_SERVICES, "imr themes"))
    assert said.startswith("No recommendation carries a theme yet.")
