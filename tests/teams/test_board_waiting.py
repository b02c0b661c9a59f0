"""Business Services sees on the board what is waiting for someone who has not opened the bot:
the same words as the review card's "Waiting to be delivered", gone once it is delivered."""

from tests.teams.harness import AUTHOR, BUSINESS_SERVICES, HEAD_OF_CP, card_text, cards
from tests.teams.test_delivery import REF, offer, waiting  # noqa: F401 (a fixture)
from tests.teams.test_tracker import log_review

WAITING = "Offer to Arun A. waiting: Arun has not opened the IMR bot yet"


async def board(teams, command="imr status") -> str:
    (card,) = cards(await teams.say(BUSINESS_SERVICES, command))
    return card_text(card)


async def test_an_offer_to_an_author_who_never_opened_the_bot_shows_on_the_board_until_they_do(
        waiting):  # noqa: F811
    teams = waiting
    assert "waiting" not in (await board(teams)).lower()
    await offer(teams)
    await teams.deliver()
    for command in ("imr status", "imr status all"):
        shown = await board(teams, command)
        assert WAITING in shown and REF in shown
    await teams.install(AUTHOR)
    await teams.deliver()
    assert "waiting" not in (await board(teams)).lower()


async def test_only_the_review_holding_the_message_says_so_on_the_board(waiting):  # noqa: F811
    teams = waiting
    other = "DDSCP/CSPR/2026/021"
    await log_review(teams, other)
    await offer(teams)
    await teams.deliver()
    (card,) = cards(await teams.say(BUSINESS_SERVICES, "imr status"))
    (table,) = [element for element in card["body"] if element["type"] == "Table"]
    rows = table["rows"][1:]
    said = {row["cells"][0]["items"][0]["text"]: " ".join(
        item["text"] for item in row["cells"][0]["items"][1:]) for row in rows}
    assert WAITING in said[REF]
    assert said[other] == ""


async def test_a_held_offer_that_will_never_be_delivered_is_not_on_the_board(waiting):  # noqa: F811
    teams = waiting
    await offer(teams)
    await teams.deliver()
    assert WAITING in await board(teams)
    await teams.say(HEAD_OF_CP, f"imr reallocate {REF} the author is on long-term leave")
    shown = await board(teams)
    assert REF in shown and WAITING not in shown
