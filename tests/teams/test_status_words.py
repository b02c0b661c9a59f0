"""What the status card, the history and the board say after a whole review: people's words."""

from datetime import UTC, datetime

from imr_bot.domain.roles import Role
from tests.teams.harness import (
    AUTHOR,
    BUSINESS_SERVICES,
    HEAD_OF_CP,
    LINE_MANAGER,
    QA_LEAD,
    SD,
    card_text,
    cards,
    texts,
)
from tests.teams.test_allocation import offer, offer_card, pool  # noqa: F401
from tests.teams.test_approvals import FileHost, approval_card, execute_data, host, submit_files  # noqa: F401
from tests.teams.test_meetings import action, last_card

REF = "DDSCP/CSPR/2026/014"


async def hold_meeting(teams, title, day, time, held, extra=None):
    propose = last_card(teams, QA_LEAD, f"Arrange the {title}")
    await teams.submit(QA_LEAD, {**action(propose, "Send to participants")["data"],
                                 "day": day, "time": time, "minutes": "60", "location": ""})
    for user in (AUTHOR, LINE_MANAGER):
        await teams.submit(user, action(last_card(teams, user, f"{title} for"), "Accept")["data"])
    teams.clock.set(held)
    (form,) = cards(await teams.submit(QA_LEAD, action(
        last_card(teams, QA_LEAD, f"Confirmed: {title}"), "Record the outcome")["data"]))
    await teams.submit(QA_LEAD, {**action(form, "Record the outcome")["data"],
                                 "held_on": day, **(extra or {})})


async def test_explore(pool, host):  # noqa: F811
    teams = pool
    await offer(teams)
    accept = next(a for a in (await offer_card(teams))["actions"] if a["title"] == "Accept")
    await teams.submit(AUTHOR, {**accept["data"], "declaration": "true"})
    await hold_meeting(teams, "Scoping meeting", "2026-11-26", "10:00",
                       datetime(2026, 11, 26, 15, tzinfo=UTC))
    await hold_meeting(teams, "Midway review", "2026-12-11", "09:30",
                       datetime(2026, 12, 11, 12, tzinfo=UTC))
    await submit_files(teams, host, b"1")
    await teams.execute(QA_LEAD, "approval.amend", {
        **execute_data(approval_card(teams, QA_LEAD, 1)), "comment": "Section 7"})
    (status,) = cards(await teams.say(QA_LEAD, f"imr status {REF}"))
    print(card_text(status))
    await submit_files(teams, host, b"2")
    card = await teams.execute(QA_LEAD, "approval.approve", {
        **execute_data(approval_card(teams, QA_LEAD, 2)), "check_0": "true"})
    print(card_text(card))
    (status,) = cards(await teams.say(QA_LEAD, f"imr status {REF}"))
    print(card_text(status))
    card = await teams.execute(SD, "approval.approve",
                               execute_data(approval_card(teams, SD, 2, "Service Director (EH&S)")))
    print(texts(await teams.say(BUSINESS_SERVICES, f"imr submitted {REF}")))
    (status,) = cards(await teams.say(QA_LEAD, f"imr status {REF}"))
    print(card_text(status))
    (history,) = cards(await teams.say(QA_LEAD, f"imr history {REF}"))
    print(card_text(history))
    (board,) = cards(await teams.say(QA_LEAD, "imr status"))
    print(card_text(board))
    (card,) = cards(await teams.say(HEAD_OF_CP, "imr people load"))
    print(card_text(card))
    assert 0
