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


async def test_a_command_typed_mid_dialog_runs_and_the_dialog_waits(teams):
    await teams.say(BUSINESS_SERVICES, "imr new")
    await teams.say(BUSINESS_SERVICES, "type")
    replies = await teams.say(BUSINESS_SERVICES, "imr status")
    assert "no open reviews" in texts(replies) and "still open" in texts(replies)


def _walk(node):
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item)
