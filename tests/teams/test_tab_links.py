"""The status cards' "Open in the tab" button: a Teams deep link when signed in, the local page
in local mode."""

import json
from urllib.parse import parse_qs, urlsplit

from imr_bot.config import Settings
from imr_bot.teams.tab_links import tab_link
from tests.teams.harness import QA_LEAD, cards
from tests.teams.test_tracker import log_review


def test_local_mode_opens_the_page_on_this_machine():
    settings = Settings(public_url="http://127.0.0.1:3978")
    assert tab_link(settings) == "http://127.0.0.1:3978/tab/board"
    assert tab_link(settings, "DDSCP/CSPR/2026/014") == (
        "http://127.0.0.1:3978/tab/review?ref=DDSCP%2FCSPR%2F2026%2F014")


def test_in_teams_a_deep_link_to_the_board_tab_at_that_review():
    settings = Settings(app_id="app-1", public_url="https://imr.council.test")
    link = urlsplit(tab_link(settings, "DDSCP/CSPR/2026/014"))
    assert (link.scheme, link.netloc, link.path) == ("https", "teams.microsoft.com",
                                                     "/l/entity/app-1/board")
    query = parse_qs(link.query)
    assert query["webUrl"] == ["https://imr.council.test/tab/review?ref=DDSCP%2FCSPR%2F2026%2F014"]
    assert json.loads(query["context"][0]) == {"subEntityId": "DDSCP/CSPR/2026/014"}
    assert "context" not in parse_qs(urlsplit(tab_link(settings)).query)


def open_urls(card: dict) -> list[str]:
    return [a["url"] for a in card.get("actions", []) if a["type"] == "Action.OpenUrl"]


async def test_the_status_cards_open_the_tab(teams):
    await log_review(teams, "DDSCP/CSPR/2026/014")
    (board,) = cards(await teams.say(QA_LEAD, "imr status"))
    assert open_urls(board) == [f"{teams.app.settings.base_url}/tab/board"]
    await log_review(teams, "DDSCP/CSPR/2026/015")
    from imr_bot.domain.roles import Role
    await teams.place("DDSCP/CSPR/2026/015", {Role.QA_LEAD: QA_LEAD})
    (review,) = cards(await teams.say(QA_LEAD, "imr status DDSCP/CSPR/2026/015"))
    assert open_urls(review) == [
        f"{teams.app.settings.base_url}/tab/review?ref=DDSCP%2FCSPR%2F2026%2F015"]
