"""`imr new`: logging a commission by form and by typed answers."""

import re

from imr_bot.store.unit_of_work import UnitOfWork
from tests.teams.harness import (
    BUSINESS_SERVICES,
    CHANNEL_ID,
    HEAD_OF_CP,
    QA_LEAD,
    FakeTeams,
    card_text,
    cards,
    texts,
)

FORM = {"verb": "new_review.check", "reference": "DDSCP/CSPR/2026/014", "review_type": "CSPR",
        "body": "DDSCP", "received": "2026-11-23", "tor_start": "2025-01-01",
        "tor_end": "2026-06-30", "subject_initials": "JS", "ddscp_date": "", "notes": ""}


async def count_reviews(teams) -> int:
    async with UnitOfWork(teams.app.database) as uow:
        return await uow.reviews.count()


async def subscribe_tracker(teams):
    replies = await teams.say_in_channel(BUSINESS_SERVICES, "<at>IMR bot</at> subscribe")
    assert "tracker channel" in texts(replies)


async def test_new_sends_a_form_with_a_visible_label_on_every_input(teams):
    (form,) = cards(await teams.say(BUSINESS_SERVICES, "imr new"))
    inputs = [e for e in _walk(form) if str(e.get("type", "")).startswith("Input.")]
    assert {i["id"] for i in inputs} == {"reference", "review_type", "body", "template_pack", "received",
                                         "tor_start", "tor_end", "subject_initials",
                                         "ddscp_date", "notes"}
    assert all(i.get("label") for i in inputs)


async def test_a_commission_logged_by_the_form_is_confirmed_then_saved(teams):
    await subscribe_tracker(teams)
    await teams.say(HEAD_OF_CP, "hello")  # the Head of CP has the app installed
    await teams.say(BUSINESS_SERVICES, "imr new")
    (confirm,) = cards(await teams.submit(BUSINESS_SERVICES, FORM))
    shown = card_text(confirm)
    assert "Confirm the new IMR" in shown and "Thu 26 Nov 2026" in shown  # Day 4
    assert await count_reviews(teams) == 0  # nothing saved before confirming
    replies = await teams.submit(BUSINESS_SERVICES, {"verb": "new_review.confirm"})
    assert "Logged **DDSCP/CSPR/2026/014**" in texts(replies)
    assert await count_reviews(teams) == 1

    (head_card,) = cards(teams.inbox(HEAD_OF_CP)[-1:])
    assert "New IMR to allocate" in card_text(head_card)
    assert "DDSCP/CSPR/2026/014" in card_text(head_card)

    (line,) = cards(teams.inbox(CHANNEL_ID)[-1:])  # the review's one card in the channel
    shown = card_text(line)
    assert "IMR DDSCP/CSPR/2026/014 (CSPR)" in shown and "Thu 26 Nov 2026" in shown
    assert "JS" not in shown and "Bea" not in shown


async def test_status_shows_a_logged_review_with_working_day_dates(teams):
    await teams.say(BUSINESS_SERVICES, "imr new")
    await teams.submit(BUSINESS_SERVICES, FORM)
    await teams.submit(BUSINESS_SERVICES, {"verb": "new_review.confirm"})
    (board,) = cards(await teams.say(QA_LEAD, "imr status"))
    shown = card_text(board)
    assert "DDSCP/CSPR/2026/014" in shown and "Commissioned" in shown
    assert "Thu 26 Nov 2026" in shown and "Harriet Head" in shown
    await teams.say(HEAD_OF_CP, "hello")  # their first turn brings what was held for them
    (timeline,) = cards(await teams.say(HEAD_OF_CP, "imr status ddscp/cspr/2026/014"))
    assert "Wed 13 Jan 2027" in card_text(timeline)  # Day 35 from Mon 23 Nov 2026


async def test_bad_values_are_shown_beside_their_fields_and_the_rest_kept(teams):
    await teams.say(BUSINESS_SERVICES, "imr new")
    bad = {**FORM, "subject_initials": "John Smith", "tor_end": "2024-12-31"}
    (form,) = cards(await teams.submit(BUSINESS_SERVICES, bad))
    shown = card_text(form)
    assert "looks like a name" in shown
    assert "before its start" in shown
    reference = next(e for e in _walk(form) if e.get("id") == "reference")
    assert reference["value"] == "DDSCP/CSPR/2026/014"
    assert await count_reviews(teams) == 0


async def test_a_duplicate_reference_is_refused_case_insensitively(teams):
    await teams.say(BUSINESS_SERVICES, "imr new")
    await teams.submit(BUSINESS_SERVICES, FORM)
    await teams.submit(BUSINESS_SERVICES, {"verb": "new_review.confirm"})
    await teams.say(BUSINESS_SERVICES, "imr new")
    (form,) = cards(await teams.submit(BUSINESS_SERVICES,
                                       {**FORM, "reference": "ddscp/cspr/2026/014"}))
    assert "already exists" in card_text(form)
    assert await count_reviews(teams) == 1


async def test_cancel_at_any_step_saves_nothing(teams):
    await teams.say(BUSINESS_SERVICES, "imr new")
    await teams.submit(BUSINESS_SERVICES, FORM)
    assert "nothing was saved" in texts(await teams.say(BUSINESS_SERVICES, "cancel"))
    assert await count_reviews(teams) == 0
    assert texts(await teams.say(BUSINESS_SERVICES, "status")) == "There are no open reviews."


async def test_a_commission_can_be_logged_by_typed_answers(teams):
    await teams.say(BUSINESS_SERVICES, "imr new")
    assert "(1/10)" in texts(await teams.say(BUSINESS_SERVICES, "type"))
    answers = ["DDSCP/DHR/2026/003", "DHR", "CSP", "skip", "today", "1 Jan 2025", "31/10/2026",
               "K.L.", "skip"]
    for answer in answers:
        await teams.say(BUSINESS_SERVICES, answer)
    replies = await teams.say(BUSINESS_SERVICES, "skip")  # notes
    assert "Confirm the new IMR" in card_text(cards(replies)[0])
    replies = await teams.say(BUSINESS_SERVICES, "confirm")
    assert "Logged **DDSCP/DHR/2026/003**" in texts(replies)
    async with UnitOfWork(teams.app.database) as uow:
        review = await uow.reviews.get("DDSCP/DHR/2026/003")
    assert review.subject_initials == "KL" and review.body.value == "Community Safety Partnership"


async def test_typed_mistakes_are_explained_and_asked_again(teams):
    await teams.say(BUSINESS_SERVICES, "imr new")
    await teams.say(BUSINESS_SERVICES, "DDSCP/CSPR/2026/020")  # the first answer starts typing
    await teams.say(BUSINESS_SERVICES, "CSPR")
    await teams.say(BUSINESS_SERVICES, "DDSCP")
    assert "Choose the Derbyshire" in texts(await teams.say(BUSINESS_SERVICES, "Leeds"))
    await teams.say(BUSINESS_SERVICES, "bradford")
    reply = texts(await teams.say(BUSINESS_SERVICES, "yesterday-ish"))
    assert "couldn't read" in reply and "When was the request received" in reply
    await teams.say(BUSINESS_SERVICES, "today")
    await teams.say(BUSINESS_SERVICES, "1/1/2025")
    reply = texts(await teams.say(BUSINESS_SERVICES, "1/1/2024"))  # end before start
    assert "before its start" not in reply  # judged when all answers are in
    reply = texts(await teams.say(BUSINESS_SERVICES, "Jane Doe"))
    assert "looks like a name" in reply


async def test_a_half_finished_commission_survives_a_restart(database, clock):
    first = FakeTeams(database, clock)
    await first.add_people()
    await first.say(BUSINESS_SERVICES, "imr new")
    await first.say(BUSINESS_SERVICES, "type")
    await first.say(BUSINESS_SERVICES, "DDSCP/CSPR/2026/030")
    restarted = FakeTeams(database, clock)  # a new process: nothing in memory
    reply = texts(await restarted.say(BUSINESS_SERVICES, "CSPR"))
    assert re.search(r"\(3/10\)", reply)


async def test_a_command_typed_mid_dialog_runs_and_asks_to_continue_or_start_again(teams):
    await teams.say(BUSINESS_SERVICES, "imr new")
    await teams.say(BUSINESS_SERVICES, "type")
    await teams.say(BUSINESS_SERVICES, "DDSCP/CSPR/2026/040")
    replies = await teams.say(BUSINESS_SERVICES, "imr status")
    assert "no open reviews" in texts(replies)
    (asked,) = cards(replies)
    assert "still open" in card_text(asked)
    assert verbs(asked) == ["new_review.resume", "new_review.restart", "new_review.cancel"]
    # Continue: the question that was waiting is asked again, the reference is kept
    reply = texts(await teams.submit(BUSINESS_SERVICES, {"verb": "new_review.resume"}))
    assert "(2/10)" in reply and "Which type of review" in reply


async def test_a_command_typed_without_imr_that_is_no_answer_is_taken_as_the_command(teams):
    await teams.say(BUSINESS_SERVICES, "imr new")
    await teams.say(BUSINESS_SERVICES, "type")
    await teams.say(BUSINESS_SERVICES, "DDSCP/CSPR/2026/041")
    replies = await teams.say(BUSINESS_SERVICES, "status")  # asked: CSPR, DHR or other?
    assert "no open reviews" in texts(replies) and "Choose CSPR" not in texts(replies)
    assert "still open" in card_text(cards(replies)[0])
    # an answer is still an answer
    assert "(3/10)" in texts(await teams.say(BUSINESS_SERVICES, "cspr"))


async def test_imr_new_typed_after_a_refused_form_is_not_an_answer_and_the_form_stays(teams):
    await teams.say(BUSINESS_SERVICES, "imr new")
    await teams.submit(BUSINESS_SERVICES, FORM)
    await teams.submit(BUSINESS_SERVICES, {"verb": "new_review.confirm"})
    await teams.say(BUSINESS_SERVICES, "imr new")
    duplicate = {**FORM, "reference": "DDSCP/CSPR/2026/014", "notes": "referred by police"}
    (form,) = cards(await teams.submit(BUSINESS_SERVICES, duplicate))
    assert "already exists" in card_text(form)

    replies = await teams.say(BUSINESS_SERVICES, "imr new")
    shown = texts(replies) + card_text(cards(replies)[0])
    assert "couldn't read" not in shown and "(9/10)" not in shown and "DDSCP" not in texts(replies)
    assert "already logging a new commission" in shown
    # Continue: the form again, with what was entered and the reason
    (again,) = cards(await teams.submit(BUSINESS_SERVICES, {"verb": "new_review.resume"}))
    assert "already exists" in card_text(again)
    assert field(again, "notes")["value"] == "referred by police"
    assert field(again, "reference")["value"] == "DDSCP/CSPR/2026/014"
    # words typed now are not taken as typed answers: the form stays the form
    reply = texts(await teams.say(BUSINESS_SERVICES, "14 March 2026"))
    assert "form above" in reply and "/10)" not in reply and "couldn't read" not in reply
    # Start again: an empty form
    replies = await teams.say(BUSINESS_SERVICES, "imr new")
    replies = await teams.submit(BUSINESS_SERVICES, {"verb": "new_review.restart"})
    assert "Starting again" in texts(replies)
    (fresh,) = cards(replies)
    assert not field(fresh, "reference").get("value") and not field(fresh, "notes").get("value")
    assert await count_reviews(teams) == 1


async def test_imr_cancel_and_imr_type_are_the_dialog_s_own_words(teams):
    await teams.say(BUSINESS_SERVICES, "imr new")
    assert "(1/10)" in texts(await teams.say(BUSINESS_SERVICES, "imr type"))
    assert "nothing was saved" in texts(await teams.say(BUSINESS_SERVICES, "imr cancel"))


async def test_continue_and_start_again_after_the_dialog_ended_say_what_happens(teams):
    await teams.say(BUSINESS_SERVICES, "imr new")
    await teams.say(BUSINESS_SERVICES, "imr new")  # the card asking is in the chat
    await teams.say(BUSINESS_SERVICES, "cancel")
    reply = texts(await teams.submit(BUSINESS_SERVICES, {"verb": "new_review.resume"}))
    assert "closed" in reply and "imr new" in reply
    (form,) = cards(await teams.submit(BUSINESS_SERVICES, {"verb": "new_review.restart"}))
    assert field(form, "reference") is not None


REFUSED_NAMES = ["Jane Smith", "Mary-Jane", "O'Brien", "Mr Smith", "jane smith", "Tom",
                 "Jean-Luc Picard", "J Smith"]


async def stored_state(teams) -> str:
    """Everything in the dialog state table, as stored."""
    from sqlalchemy import select

    from imr_bot.store import tables

    async with teams.app.database.engine.connect() as connection:
        rows = (await connection.execute(select(tables.bot_state.c.data))).all()
    return "\n".join(row.data for row in rows)


async def test_a_name_refused_on_the_form_is_neither_stored_nor_shown_back(teams):
    await teams.say(BUSINESS_SERVICES, "imr new")
    for name in REFUSED_NAMES:
        (form,) = cards(await teams.submit(BUSINESS_SERVICES, {**FORM, "subject_initials": name}))
        assert "looks like a name" in card_text(form), name
        assert name not in card_text(form) and not field(form, "subject_initials").get("value")
        assert field(form, "reference")["value"] == FORM["reference"]  # the rest is kept
        assert name not in await stored_state(teams), name
        assert "DDSCP/CSPR/2026/014" in await stored_state(teams)  # the state was written
    (form,) = cards(await teams.submit(BUSINESS_SERVICES, {**FORM, "reference": "Jane Smith"}))
    assert "Jane Smith" not in card_text(form) and "Jane Smith" not in await stored_state(teams)
    assert await count_reviews(teams) == 0


async def test_a_name_refused_as_a_typed_answer_is_not_stored(teams):
    await teams.say(BUSINESS_SERVICES, "imr new")
    await teams.say(BUSINESS_SERVICES, "type")
    for answer in ["DDSCP/CSPR/2026/050", "CSPR", "DDSCP", "skip", "today", "1/1/2025",
                   "30/6/2026"]:
        await teams.say(BUSINESS_SERVICES, answer)
    for name in ("Jane Smith", "Mr Smith", "O'Brien", "Smith-Jones"):
        reply = texts(await teams.say(BUSINESS_SERVICES, name))
        assert "looks like a name" in reply and name not in reply
        assert name not in await stored_state(teams)


async def test_typed_initials_in_lower_case_are_taken_as_capitals(teams):
    await teams.say(BUSINESS_SERVICES, "imr new")
    await teams.say(BUSINESS_SERVICES, "type")
    for answer in ["DDSCP/CSPR/2026/051", "CSPR", "DDSCP", "skip", "today", "1/1/2025",
                   "30/6/2026"]:
        await teams.say(BUSINESS_SERVICES, answer)
    assert "(9/10)" in texts(await teams.say(BUSINESS_SERVICES, "js"))
    await teams.say(BUSINESS_SERVICES, "skip")
    (confirm,) = cards(await teams.say(BUSINESS_SERVICES, "skip"))
    assert "JS" in card_text(confirm)


async def test_a_typed_date_that_does_not_exist_is_said_so(teams):
    await teams.say(BUSINESS_SERVICES, "imr new")
    await teams.say(BUSINESS_SERVICES, "type")
    for answer in ["DDSCP/CSPR/2026/052", "CSPR", "DDSCP", "skip", "today"]:
        await teams.say(BUSINESS_SERVICES, answer)
    reply = texts(await teams.say(BUSINESS_SERVICES, "31/02/2025"))
    assert "There is no 31 February" in reply and "couldn't read" not in reply
    assert "terms-of-reference period start" in reply  # asked again


async def test_a_duplicate_reference_is_said_as_soon_as_it_is_typed(teams):
    await teams.say(BUSINESS_SERVICES, "imr new")
    await teams.submit(BUSINESS_SERVICES, FORM)
    await teams.submit(BUSINESS_SERVICES, {"verb": "new_review.confirm"})
    await teams.say(BUSINESS_SERVICES, "imr new")
    await teams.say(BUSINESS_SERVICES, "type")
    reply = texts(await teams.say(BUSINESS_SERVICES, "ddscp/cspr/2026/014"))
    assert "already exists" in reply and "What is the review's reference" in reply
    assert "(2/10)" not in reply
    assert "(2/10)" in texts(await teams.say(BUSINESS_SERVICES, "DDSCP/CSPR/2026/015"))


async def test_type_after_a_form_refused_for_its_reference_asks_the_reference(teams):
    await teams.say(BUSINESS_SERVICES, "imr new")
    await teams.submit(BUSINESS_SERVICES, FORM)
    await teams.submit(BUSINESS_SERVICES, {"verb": "new_review.confirm"})
    await teams.say(BUSINESS_SERVICES, "imr new")
    await teams.submit(BUSINESS_SERVICES, FORM)  # the same reference again
    reply = texts(await teams.say(BUSINESS_SERVICES, "type"))
    assert "already exists" in reply and "What is the review's reference" in reply
    (confirm,) = cards(await teams.say(BUSINESS_SERVICES, "DDSCP/CSPR/2026/016"))
    assert "DDSCP/CSPR/2026/016" in card_text(confirm)


async def test_change_something_after_typed_answers_shows_the_answers_not_skip(teams):
    await teams.say(BUSINESS_SERVICES, "imr new")
    await teams.say(BUSINESS_SERVICES, "type")
    for answer in ["DDSCP/DHR/2026/060", "dhr", "csp", "skip", "today", "1 Jan 2025",
                   "31/10/2026", "kl", "skip", "skip"]:
        await teams.say(BUSINESS_SERVICES, answer)
    (form,) = cards(await teams.submit(BUSINESS_SERVICES, {"verb": "new_review.change"}))
    assert field(form, "notes").get("value", "") == ""
    assert field(form, "ddscp_date").get("value", "") == ""
    assert field(form, "subject_initials")["value"] == "KL"
    assert field(form, "tor_start")["value"] == "2025-01-01"
    assert field(form, "body")["value"] == "Community Safety Partnership"
    assert "skip" not in card_text(form).lower()


def verbs(card: dict) -> list[str]:
    return [a["data"]["verb"] for a in card.get("actions", [])]


def field(card: dict, name: str) -> dict | None:
    return next((e for e in _walk(card) if e.get("id") == name), None)


def _walk(node):
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item)
