"""Numbers in card data are attacker-controlled: any that is not a whole number the database can
hold gets a clear refusal in chat, never the catch-all "something went wrong"."""

import pytest

from imr_bot.domain.inputs import DATABASE_INT_MAX, whole_number
from imr_bot.services.access import REFUSAL
from tests.teams.harness import AUTHOR, HEAD_OF_CP, QA_LEAD, card_text, cards, texts
from tests.teams.test_tracker import log_review

HOSTILE_IDS = [10**100, "99999999999999999999999", DATABASE_INT_MAX + 1, 2**63, 2**64 - 1,
               -1, 0, "-5", 1e29, "1e5", "0x10", "١٢", "1_000", True, None, [], {"id": 1},
               " 9" * 30, "9" * 5000]
WRONG = "something went wrong"


@pytest.mark.parametrize("value", HOSTILE_IDS, ids=repr)
def test_whole_number_refuses_what_the_database_cannot_hold_or_is_not_a_number(value):
    assert whole_number(value, low=1) is None


@pytest.mark.parametrize("value", [1, "42", " 7 ", DATABASE_INT_MAX, str(DATABASE_INT_MAX)])
def test_whole_number_reads_ordinary_ids(value):
    assert whole_number(value, low=1) == int(str(value).strip())


@pytest.mark.parametrize("value", [10**100, "99999999999999999999999", 2**31, 2**63, -3, "x"],
                         ids=repr)
async def test_an_approval_card_with_a_huge_review_id_is_refused_in_its_place(teams, value):
    for data in ({"reviewId": value, "version": 1, "level": "qa"},
                 {"reviewId": 1, "version": value, "level": "qa"}):
        card = await teams.execute(QA_LEAD, "approval.refresh", data)
        shown = card_text(card)
        assert ("not valid" in shown or shown == REFUSAL) and WRONG not in shown


@pytest.mark.parametrize("value", [10**100, "99999999999999999999999", 2**31, 18446744073709551615,
                                   "-1", "12abc"], ids=repr)
async def test_a_submitted_card_with_a_huge_id_gets_a_clear_refusal(teams, value):
    await teams.say(AUTHOR, "hello")
    for verb, key in (("allocation.accept", "allocationId"), ("allocation.decline", "allocationId"),
                      ("meeting.accept", "meetingId"), ("meeting.change", "meetingId"),
                      ("meeting.outcome", "meetingId")):
        reply = texts(await teams.submit(AUTHOR, {"verb": verb, key: value, "reason": "busy"}))
        assert reply == REFUSAL, (verb, reply)  # no number names no review


async def test_an_allocation_with_a_huge_person_id_is_shown_again_with_why(teams):
    await teams.say(HEAD_OF_CP, "hello")
    await log_review(teams, "DDSCP/CSPR/2026/051")
    for author, qa in (("99999999999999999999999", "1"), ("1", str(10**30)), (2**40, 2**40)):
        reply = await teams.submit(HEAD_OF_CP, {"verb": "allocate.offer",
                                                "reference": "DDSCP/CSPR/2026/051",
                                                "author": author, "qa_lead": qa})
        shown = texts(reply) + " ".join(card_text(c) for c in cards(reply))
        assert "not valid" in shown and WRONG not in shown


@pytest.mark.parametrize("page", [10**100, "99999999999999999999999", 2**63, -7, "many"], ids=repr)
async def test_a_board_page_beyond_any_number_shows_a_board(teams, page):
    from tests.teams.harness import BUSINESS_SERVICES

    await teams.say(BUSINESS_SERVICES, "hello")
    reply = await teams.submit(BUSINESS_SERVICES, {"verb": "status.more", "page": page, "scope": "all"})
    assert WRONG not in texts(reply)
