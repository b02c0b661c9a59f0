"""`imr todo`: what is waiting for the person asking, from the reviews' state, with a button for
each step; and the typed answers, which go through the same use cases as the buttons."""

from datetime import UTC, datetime

import pytest

from imr_bot.domain.roles import Role
from imr_bot.domain.stages import Stage
from imr_bot.store.unit_of_work import UnitOfWork
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
from tests.teams.test_allocation import offer, person_id
from tests.teams.test_approvals import host, midway, submit_files  # noqa: F401 - fixtures
from tests.teams.test_tracker import log_review

REF = "DDSCP/CSPR/2026/014"


def buttons(card: dict) -> list[dict]:
    found = []

    def walk(node):
        if isinstance(node, dict):
            if node.get("type") == "Action.Submit":
                found.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)
    walk(card)
    return found


def todo_card(replies) -> dict:
    """The list among a turn's replies: a person's first turn also brings what was held for them."""
    (card,) = [c for c in cards(replies) if card_text(c).startswith("What's waiting for you")]
    return card


def button(card: dict, title: str) -> dict:
    (found,) = [b for b in buttons(card) if b["title"] == title]
    return found["data"]


async def stage_of(teams, reference=REF) -> Stage:
    async with UnitOfWork(teams.app.database) as uow:
        return (await uow.reviews.get(reference)).stage


@pytest.fixture
async def offered(teams):
    """The Head of CP has offered the review to the author, whose chat the bot has never reached:
    the offer card could not be delivered."""
    await teams.say(HEAD_OF_CP, "hello")
    await log_review(teams, REF)
    await offer(teams)
    await teams.deliver()
    assert not cards(teams.inbox(AUTHOR))  # the card never arrived
    return teams


async def test_an_offer_whose_card_never_arrived_is_on_the_authors_todo_with_a_button(offered):
    replies = await offered.say(AUTHOR, "imr todo")
    card = todo_card(replies)
    # arriving also brings the held offer itself
    assert any("Will you write the IMR" in card_text(c) for c in cards(replies))
    shown = card_text(card)
    assert "Offers to answer" in shown and REF in shown
    assert "Accept or decline the offer to write this IMR" in shown
    assert "Thu 26 Nov 2026" in shown  # Day 4, when the allocation is due
    assert f"imr accept {REF}" in shown
    (again,) = cards(await offered.submit(AUTHOR, button(card, "Answer the offer")))
    assert "Will you write the IMR" in card_text(again)


async def test_status_mine_lists_the_same_steps(offered):
    card = todo_card(await offered.say(AUTHOR, "imr status mine"))
    assert "Accept or decline the offer" in card_text(card)


async def test_the_author_can_accept_by_typing_and_the_review_moves_on(offered):
    reply = texts(await offered.say(AUTHOR, f"imr accept {REF}"))
    assert "you are the report author" in reply and "I am independent of this case" in reply
    assert await stage_of(offered) == Stage.ALLOCATED
    # the next step is the QA lead's: the scoping meeting to send
    card = todo_card(await offered.say(QA_LEAD, "imr todo"))
    assert "Send the scoping meeting invitation" in card_text(card)
    assert button(card, "Open the meeting")["verb"] == "meeting.change"
    assert texts(await offered.say(AUTHOR, f"imr accept {REF}")).startswith(
        "There is nothing of yours to accept")


@pytest.mark.parametrize("typed", ["imr decline {ref}", "imr decline {ref}   ",
                                   "imr decline {ref} because"])
async def test_declining_without_a_reason_is_refused_clearly_and_changes_nothing(offered, typed):
    reply = texts(await offered.say(AUTHOR, typed.format(ref=REF)))
    assert "Please say why you are declining" in reply and "Nothing was changed" in reply
    assert await stage_of(offered) == Stage.COMMISSIONED
    card = todo_card(await offered.say(AUTHOR, "imr todo"))
    assert "Accept or decline the offer" in card_text(card)


async def test_declining_with_a_reason_tells_the_head_of_cp_and_clears_the_step(offered):
    reply = texts(await offered.say(AUTHOR, f"imr decline {REF} on leave for most of it"))
    assert "The Head of CP & IRO will ask someone else" in reply
    await offered.deliver()
    assert "declined: on leave for most of it" in card_text(cards(offered.inbox(HEAD_OF_CP))[-1])
    assert texts(await offered.say(AUTHOR, "imr todo")).startswith("Nothing is waiting for you")
    # and the allocation is the Head of CP's to make again
    card = todo_card(await offered.say(HEAD_OF_CP, "imr todo"))
    assert "Allocate a report author" in card_text(card)


async def test_someone_else_cannot_accept_or_decline_the_offer(offered):
    from imr_bot.services.access import REFUSAL
    from tests.teams.test_allocation import DEV

    await offered.add_people((DEV,))
    # someone with no part in the review is answered as for a review that does not exist
    assert texts(await offered.say(DEV, f"imr accept {REF}")) == f"There is no review {REF}."
    assert texts(await offered.say(DEV, f"imr decline {REF} busy")) == f"There is no review {REF}."
    payload = {"verb": "todo.offer", "allocationId": "1"}
    assert texts(await offered.submit(DEV, payload)) == REFUSAL
    # the Head of CP sees the review, but the offer is not theirs to answer
    assert "nothing of yours to accept" in texts(await offered.say(HEAD_OF_CP, f"imr accept {REF}"))
    assert "no offer of yours" in texts(await offered.say(HEAD_OF_CP, f"imr decline {REF} busy"))
    assert await stage_of(offered) == Stage.COMMISSIONED


async def test_a_head_of_cp_sees_the_allocation_to_make_until_an_offer_is_out(teams):
    await log_review(teams, REF)
    card = todo_card(await teams.say(HEAD_OF_CP, "imr todo"))
    assert "Allocate a report author and a QA senior lead" in card_text(card)
    assert button(card, "Allocate") == {"verb": "allocate.start", "reference": REF}
    await offer(teams)
    assert texts(await teams.say(HEAD_OF_CP, "imr todo")).startswith("Nothing is waiting")


async def test_a_person_with_nothing_to_do_gets_a_friendly_message(teams):
    await log_review(teams, REF)
    reply = texts(await teams.say(LINE_MANAGER, "imr todo"))
    assert reply.startswith("Nothing is waiting for you just now")
    assert "Traceback" not in reply


async def test_a_stranger_is_told_to_ask_to_be_added(teams):
    from tests.teams.harness import STRANGER

    assert "not in the IMR people directory" in texts(await teams.say(STRANGER, "imr todo"))


async def test_the_author_sees_the_documents_to_submit_with_the_button(midway):  # noqa: F811
    card = todo_card(await midway.say(AUTHOR, "imr todo"))
    assert "Submit the report and chronology to the QA senior lead" in card_text(card)
    reply = texts(await midway.submit(AUTHOR, button(card, "Submit documents")))
    assert "Send me the report and the chronology" in reply


async def test_the_qa_lead_sees_the_decision_to_make_and_can_approve_by_typing(midway, host):  # noqa: F811, E501
    await submit_files(midway, host)
    assert await stage_of(midway) == Stage.SUBMITTED_TO_QA
    card = todo_card(await midway.say(QA_LEAD, "imr todo"))
    assert "Decisions to make" in card_text(card) and "version 1" in card_text(card)
    (approval,) = cards(await midway.submit(QA_LEAD, button(card, "Open the approval card")))
    assert "version 1 for the QA senior lead" in card_text(approval)
    # someone else replaying the button gets no card (its links are signed for the viewer)
    from imr_bot.services.access import REFUSAL
    replayed = await midway.submit(AUTHOR, button(card, "Open the approval card"))
    assert texts(replayed) == REFUSAL and not cards(replayed)
    assert "Only Quinn Lead can decide this" in texts(await midway.say(SD, f"imr approve {REF}"))
    assert "Please say what needs amending" in texts(await midway.say(QA_LEAD, f"imr amend {REF}"))
    assert await stage_of(midway) == Stage.SUBMITTED_TO_QA
    reply = texts(await midway.say(QA_LEAD, f"imr approve {REF}"))
    assert "approved at QA" in reply
    assert await stage_of(midway) == Stage.SD_REVIEW
    # now the Service Director's sign-off is the step, and the QA lead has none
    card = todo_card(await midway.say(SD, "imr todo"))
    assert "Sign off, or ask for amendments" in card_text(card)
    assert f"imr approve {REF}" in card_text(card)
    assert "no decision is waiting" not in texts(await midway.say(SD, f"imr amend {REF} sec 7"))
    assert await stage_of(midway) == Stage.SD_AMENDMENTS
    card = todo_card(await midway.say(AUTHOR, "imr todo"))
    assert "Resubmit the report and chronology after the Service Director" in card_text(card)


async def test_a_typed_approval_when_nothing_waits_is_refused(midway):  # noqa: F811
    assert "no decision is waiting" in texts(await midway.say(QA_LEAD, f"imr approve {REF}"))
    assert "There is no review NO/SUCH" in texts(await midway.say(QA_LEAD, "imr approve NO/SUCH"))


async def test_a_meeting_invitation_is_on_each_participants_todo_and_accepted_by_typing(teams):
    for user in (AUTHOR, QA_LEAD, LINE_MANAGER, HEAD_OF_CP):
        await teams.say(user, "hello")
    await log_review(teams, REF)
    await offer(teams)
    await teams.say(AUTHOR, f"imr accept {REF}")
    await teams.deliver()
    async with UnitOfWork(teams.app.database) as uow:
        review = await uow.reviews.get(REF)
        (meeting,) = await uow.meetings.for_review(review.id)
    await teams.submit(QA_LEAD, {"verb": "meeting.send", "meetingId": str(meeting.id),
                                 "day": "2026-11-26", "time": "10:00", "minutes": "60",
                                 "location": "Room 4"})
    card = todo_card(await teams.say(LINE_MANAGER, "imr todo"))
    assert "Answer the scoping meeting invitation" in card_text(card)
    assert button(card, "Accept") == {"verb": "meeting.accept", "meetingId": meeting.id}
    (invite,) = cards(await teams.submit(LINE_MANAGER, button(card, "Propose another time")))
    assert "Room 4" in card_text(invite)
    calendar = next(a for a in invite["actions"] if a["title"] == "Add to my calendar")
    assert calendar["url"].startswith("http") and "/calendar/" in calendar["url"]
    await teams.submit(LINE_MANAGER, button(card, "Accept"))
    assert texts(await teams.say(LINE_MANAGER, "imr todo")).startswith("Nothing is waiting")
    reply = texts(await teams.say(AUTHOR, f"imr accept {REF}"))
    assert "Traceback" not in reply and "nothing of yours" not in reply
    assert (await person_id(teams, AUTHOR))


async def test_business_services_see_the_signed_off_review_to_send_to_ddscp(teams):
    await log_review(teams, REF)
    await teams.place(REF, {Role.AUTHOR: AUTHOR, Role.QA_LEAD: QA_LEAD}, Stage.SD_APPROVED)
    card = todo_card(await teams.say(BUSINESS_SERVICES, "imr todo"))
    assert "Send the signed-off IMR to DDSCP" in card_text(card)
    assert f"imr submitted {REF}" in card_text(card)


@pytest.mark.parametrize("asked", ["what do I need to do?", "what's due this week",
                                   "What is waiting for me?", "my tasks", "imr tasks"])
async def test_asking_in_words_what_is_waiting_shows_the_list(offered, asked):
    card = todo_card(await offered.say(AUTHOR, asked))
    assert "Accept or decline the offer" in card_text(card)


async def test_in_a_channel_the_list_is_not_shown_but_pointed_to(offered):
    reply = await offered.say_in_channel(AUTHOR, "<at>IMR bot</at> imr todo")
    assert "Please use `imr todo` in our 1:1 chat" in texts(reply)
    reply = await offered.say_in_channel(AUTHOR, "<at>IMR bot</at> what do I need to do?")
    assert "imr todo" in "".join(card_text(c) for c in cards(reply))
    assert "Accept or decline" not in "".join(card_text(c) for c in cards(reply))


LATER = "DDSCP/CSPR/2026/015"


async def log_next_weeks(teams):
    """A review received Mon 30 Nov, its allocation due Thu 3 Dec; then back to Mon 23 Nov."""
    now = teams.clock.now()
    teams.clock.set(datetime(2026, 11, 30, 9, 0, tzinfo=UTC))
    await log_review(teams, LATER, received="2026-11-30", initials="KL")
    teams.clock.set(now)


async def test_what_is_due_this_week_shows_only_the_steps_due_by_friday_and_how_many_more(teams):
    await log_review(teams, REF)  # the allocation is due Thu 26 Nov, this week
    await log_next_weeks(teams)
    everything = card_text(todo_card(await teams.say(HEAD_OF_CP, "imr todo")))
    assert REF in everything and LATER in everything

    for asked in ("what's due this week?", "due this week", "this week", "imr todo week"):
        shown = card_text(todo_card(await teams.say(HEAD_OF_CP, asked)))
        assert "due by Fri 27 Nov 2026" in shown
        assert REF in shown and LATER not in shown
        assert "1 more step is due later or has no date" in shown and "imr todo" in shown

    # the next Monday: the first allocation is overdue, which is due by Friday too
    teams.clock.set(datetime(2026, 11, 30, 9, 0, tzinfo=UTC))
    shown = card_text(todo_card(await teams.say(HEAD_OF_CP, "what's due this week")))
    assert "due by Fri 4 Dec 2026" in shown
    assert REF in shown and LATER in shown and "more step" not in shown


async def test_on_a_weekend_this_week_is_the_week_ahead(teams):
    await log_next_weeks(teams)
    teams.clock.set(datetime(2026, 11, 28, 12, 0, tzinfo=UTC))  # a Saturday
    shown = card_text(todo_card(await teams.say(HEAD_OF_CP, "this week")))
    assert "due by Fri 4 Dec 2026" in shown and LATER in shown


async def test_with_nothing_due_this_week_the_reply_says_how_many_are_later(teams):
    await log_next_weeks(teams)
    reply = texts(await teams.say(HEAD_OF_CP, "what's due this week"))
    assert "Nothing is due by Fri 27 Nov 2026" in reply
    assert "1 step is due later: `imr todo` shows them all" in reply
