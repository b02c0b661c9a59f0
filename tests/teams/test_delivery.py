"""Delivery to people who have not opened the bot yet, or whom Teams refused: what was held goes
out the moment they arrive, in order; what stopped being true on the way is dropped, never sent."""

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from imr_bot.domain.notification import OutgoingNotification
from imr_bot.store import tables as t
from imr_bot.store.unit_of_work import UnitOfWork
from tests.teams.harness import (
    AUTHOR,
    BUSINESS_SERVICES,
    CHANNEL_ID,
    HEAD_OF_CP,
    LINE_MANAGER,
    QA_LEAD,
    SD,
    card_text,
    cards,
    texts,
)
from tests.teams.test_tracker import log_review

REF = "DDSCP/CSPR/2026/020"


@pytest.fixture
async def waiting(teams):
    """Everyone but the author has opened the bot; a review is logged and the channel set."""
    for user in (HEAD_OF_CP, BUSINESS_SERVICES, LINE_MANAGER, QA_LEAD, SD):
        await teams.say(user, "hello")
    await teams.say_in_channel(BUSINESS_SERVICES, "<at>IMR bot</at> subscribe")
    await log_review(teams, REF)
    await teams.deliver()
    return teams


async def person(teams, user):
    async with UnitOfWork(teams.app.database) as uow:
        return await uow.people.by_email(user.email)


async def offer(teams, author=AUTHOR):
    return await teams.submit(HEAD_OF_CP, {
        "verb": "allocate.offer", "reference": REF, "involved": "",
        "author": str((await person(teams, author)).id),
        "qa_lead": str((await person(teams, QA_LEAD)).id)})


def offer_cards(teams, user=AUTHOR) -> list[dict]:
    return [c for c in cards(teams.inbox(user)) if "Will you write the IMR" in card_text(c)]


async def review_card(teams, user=BUSINESS_SERVICES) -> str:
    (card,) = cards(await teams.say(user, f"imr status {REF}"))
    return card_text(card)


async def rows_for(teams, user) -> list:
    recipient = f"person:{(await person(teams, user)).id}"
    async with teams.app.database.engine.connect() as connection:
        return (await connection.execute(select(t.notifications).where(
            t.notifications.c.recipient == recipient).order_by(t.notifications.c.id))).all()


async def queue_text(teams, user, key: str, text: str) -> None:
    recipient = f"person:{(await person(teams, user)).id}"
    async with UnitOfWork(teams.app.database) as uow:
        review = await uow.reviews.get(REF)
        await uow.outbox.queue(OutgoingNotification(
            key=key, recipient=recipient, kind="approval_notice",
            review_id=review.id, payload={"text": text}), teams.clock.now())
        await uow.commit()


ARRIVALS = {
    "installs the app": lambda teams: teams.install(AUTHOR),
    "opens the chat": lambda teams: teams.open_chat(AUTHOR),
    "writes a first message": lambda teams: teams.say(AUTHOR, "hello"),
}


@pytest.mark.parametrize("arrival", list(ARRIVALS))
async def test_what_was_held_for_a_person_reaches_them_at_once_and_in_order_when_they_arrive(
        waiting, arrival):
    teams = waiting
    said = texts(await offer(teams))
    assert "Asked Arun Author" in said
    assert "Arun has not opened the IMR bot yet; the offer will reach them as soon as they do" in said
    await queue_text(teams, AUTHOR, "test:after-the-offer", "A second message, queued after it.")
    await teams.deliver()
    assert teams.inbox(AUTHOR) == []
    assert [r.status for r in await rows_for(teams, AUTHOR)] == ["held", "held"]
    shown = await review_card(teams)
    assert "Offer to Arun A. waiting: Arun has not opened the IMR bot yet" in shown
    assert "person.unreachable" not in shown and "imr-bot" not in shown
    # an hour later nothing has been retried: it waits for them, not for a clock
    teams.clock.set(teams.clock.now() + timedelta(hours=2))
    await teams.deliver()
    assert teams.inbox(AUTHOR) == []

    await ARRIVALS[arrival](teams)  # no deliver(): it goes out on their arrival

    proactive = [a for a in teams.inbox(AUTHOR)
                 if "Will you write the IMR" in "".join(card_text(c) for c in cards([a]))
                 or "second message" in (a.text or "")]
    assert len(proactive) == 2
    assert proactive[0].attachments and "A second message" in proactive[1].text
    assert [r.status for r in await rows_for(teams, AUTHOR)] == ["sent", "sent"]
    assert (await person(teams, AUTHOR)).unreachable_since is None
    assert "waiting" not in (await review_card(teams)).lower().split("recent activity")[0]


async def test_a_person_teams_refused_gets_what_was_held_when_they_come_back_and_the_mark_is_lifted(
        waiting):
    teams = waiting
    await teams.say(AUTHOR, "hello")  # the author had opened the bot once
    teams.refuse(AUTHOR, 404)  # ... and their chat is not there now (another Playground user)
    said = texts(await offer(teams))
    assert "has not opened" not in said  # as far as the bot knew, the author could be reached
    await teams.deliver()
    await teams.deliver()
    assert offer_cards(teams) == []
    assert (await person(teams, AUTHOR)).unreachable_since is not None
    assert "Your offer of **DDSCP/CSPR/2026/020** to Arun Author has not reached them" in texts(
        teams.inbox(HEAD_OF_CP))
    assert any("is waiting for a recipient" in (a.text or "") and REF in a.text
               for a in teams.inbox(CHANNEL_ID))
    shown = await review_card(teams)
    assert "Offer to Arun A. waiting: the IMR bot was removed or blocked in Arun's Teams" in shown
    assert "Offer to Arun A. held until they open the bot" in shown  # and in the activity
    # while marked, nothing more is tried: it waits with the rest
    await queue_text(teams, AUTHOR, "test:while-away", "Queued while the author was away.")
    await teams.deliver()
    assert [r.status for r in await rows_for(teams, AUTHOR)] == ["held", "held"]

    teams.accept(AUTHOR)
    await teams.say(AUTHOR, "whoami")  # the same chat, already known: the mark says they're back

    assert len(offer_cards(teams)) == 1
    assert "Queued while the author was away." in texts(teams.inbox(AUTHOR))
    assert (await person(teams, AUTHOR)).unreachable_since is None
    await queue_text(teams, AUTHOR, "test:after", "And this goes straight away.")
    await teams.deliver()
    assert "And this goes straight away." in texts(teams.inbox(AUTHOR))


STALE = {
    "the offer was withdrawn": ("imr reallocate {ref} the author is on long-term leave",
                                "the offer was withdrawn"),
    "the review went on hold": ("imr hold {ref} police investigation", "the review is on hold"),
    "the review was withdrawn": ("imr withdraw {ref} duplicate commission", "the review is closed"),
}


@pytest.mark.parametrize("change", list(STALE))
async def test_a_held_offer_whose_reason_has_gone_is_dropped_recorded_and_never_sent(waiting, change):
    teams = waiting
    await offer(teams)
    await teams.deliver()
    command, reason = STALE[change]
    assert "Offer to Arun A. waiting" in await review_card(teams)
    await teams.say(BUSINESS_SERVICES if "reallocate" not in command else HEAD_OF_CP,
                    command.format(ref=REF))
    # nothing is said to be waiting that will not be delivered
    assert "Offer to Arun A. waiting" not in await review_card(teams)
    await teams.install(AUTHOR)
    await teams.deliver()
    assert offer_cards(teams) == []
    (row,) = [r for r in await rows_for(teams, AUTHOR) if r.kind == "allocation_offer"]
    assert row.status == "stale" and reason in row.last_error
    async with UnitOfWork(teams.app.database) as uow:
        entries = [e for e in await uow.audit.all() if e.action == "notification.stale"]
    assert entries and entries[-1].detail["kind"] == "allocation_offer"
    assert reason in entries[-1].detail["reason"]
    async with UnitOfWork(teams.app.database) as uow:
        review = await uow.reviews.get(REF)
    if review.is_open:
        shown = await review_card(teams)
        assert f"Offer to Arun A. not sent: {reason}" in shown


async def test_news_of_an_acceptance_is_not_sent_once_the_review_has_closed(waiting):
    teams = waiting
    await teams.say(AUTHOR, "hello")
    await offer(teams)
    await teams.deliver()
    (card,) = offer_cards(teams)
    accept = next(a for a in card["actions"] if a["title"] == "Accept")
    teams.refuse(HEAD_OF_CP, 404)  # the Head of CP's chat is not there while this happens
    await teams.submit(AUTHOR, {**accept["data"], "declaration": "true"})
    await teams.deliver()
    await teams.say(BUSINESS_SERVICES, f"imr withdraw {REF} commissioned twice by mistake")
    teams.accept(HEAD_OF_CP)
    await teams.say(HEAD_OF_CP, "whoami")
    assert "accepted **DDSCP/CSPR/2026/020**" not in texts(teams.inbox(HEAD_OF_CP))
    statuses = {r.kind: r.status for r in await rows_for(teams, HEAD_OF_CP)}
    assert statuses["allocation_accepted"] == "stale"


async def test_a_queued_row_from_before_the_about_was_recorded_is_still_checked(waiting):
    """Rows queued by an older version carry no "about": the key names the offer."""
    teams = waiting
    await offer(teams)
    await teams.deliver()
    async with teams.app.database.engine.begin() as connection:
        row = (await connection.execute(select(t.notifications).where(
            t.notifications.c.kind == "allocation_offer"))).one()
        payload = json.loads(row.payload)
        payload.pop("about")
        await connection.execute(t.notifications.update().where(
            t.notifications.c.id == row.id).values(payload=json.dumps(payload)))
    await teams.say(HEAD_OF_CP, f"imr reallocate {REF} asked the wrong person")
    await teams.install(AUTHOR)
    assert offer_cards(teams) == []
    (row,) = [r for r in await rows_for(teams, AUTHOR) if r.kind == "allocation_offer"]
    assert row.status == "stale"


def outcome_of(update) -> dict:
    (attachment,) = update.attachments
    return attachment.content


async def test_the_offer_card_shows_the_answer_in_place_and_loses_its_buttons(waiting):
    teams = waiting
    await teams.say(AUTHOR, "hello")
    await offer(teams)
    await teams.deliver()
    (card,) = offer_cards(teams)
    accept = next(a for a in card["actions"] if a["title"] == "Accept")
    before = len(cards(teams.inbox(AUTHOR)))
    await teams.submit(AUTHOR, {**accept["data"], "declaration": "true"}, card_id="offer-1")
    (update,) = teams.updates(AUTHOR)
    assert update.id == "offer-1"  # the message that was pressed, by the activity's replyToId
    changed = outcome_of(update)
    assert "Accepted by you, Mon 23 Nov 2026." in card_text(changed)
    assert not changed.get("actions") and "Input." not in json.dumps(changed)
    assert len(cards(teams.inbox(AUTHOR))) == before  # no new card, only the text reply


async def test_a_declined_offer_card_says_so_in_place(waiting):
    teams = waiting
    await teams.say(AUTHOR, "hello")
    await offer(teams)
    await teams.deliver()
    (card,) = offer_cards(teams)
    decline = next(a for a in card["actions"] if a["title"] == "Decline")
    await teams.submit(AUTHOR, {**decline["data"], "reason": "I supervised the social worker"},
                       card_id="offer-2")
    (update,) = teams.updates(AUTHOR)
    assert update.id == "offer-2" and "Declined by you" in card_text(outcome_of(update))


async def test_a_missing_declaration_keeps_the_card_as_it_is(waiting):
    teams = waiting
    await teams.say(AUTHOR, "hello")
    await offer(teams)
    await teams.deliver()
    (card,) = offer_cards(teams)
    accept = next(a for a in card["actions"] if a["title"] == "Accept")
    assert "Please tick the declaration" in texts(
        await teams.submit(AUTHOR, {**accept["data"], "declaration": "false"}))
    assert teams.updates(AUTHOR) == []  # they can still tick it and press Accept


OLD_CARDS = {
    "withdrawn": ("imr reallocate {ref} asked the wrong person", "This offer was withdrawn on "
                  "Tue 24 Nov 2026."),
    "closed": ("imr withdraw {ref} commissioned twice", "DDSCP/CSPR/2026/020 is closed "
               "(withdrawn), so this offer can no longer be answered."),
}


@pytest.mark.parametrize("what", list(OLD_CARDS))
async def test_pressing_an_old_offer_card_tells_the_truth(waiting, what):
    teams = waiting
    await teams.say(AUTHOR, "hello")
    await offer(teams)
    await teams.deliver()
    (card,) = offer_cards(teams)
    accept = next(a for a in card["actions"] if a["title"] == "Accept")
    teams.clock.set(teams.clock.now() + timedelta(days=1))
    command, truth = OLD_CARDS[what]
    await teams.say(HEAD_OF_CP if "reallocate" in command else BUSINESS_SERVICES,
                    command.format(ref=REF))
    said = texts(await teams.submit(AUTHOR, {**accept["data"], "declaration": "true"},
                                    card_id="old-offer"))
    assert truth in said and "already answered" not in said
    (update,) = teams.updates(AUTHOR)
    assert update.id == "old-offer" and truth in card_text(outcome_of(update))
    assert not outcome_of(update).get("actions")


async def test_someone_who_never_answered_is_not_told_they_did(waiting):
    teams = waiting
    await teams.say(AUTHOR, "hello")
    await offer(teams)
    await teams.deliver()
    (card,) = offer_cards(teams)
    await teams.say(HEAD_OF_CP, f"imr reallocate {REF} asked the wrong person")
    decline = next(a for a in card["actions"] if a["title"] == "Decline")
    said = texts(await teams.submit(AUTHOR, {**decline["data"], "reason": "busy"}))
    assert "You have already answered" not in said and "withdrawn" in said


async def test_the_allocation_card_updates_itself_instead_of_adding_a_card_per_click(waiting):
    teams = waiting
    await teams.say(AUTHOR, "hello")
    (card,) = cards(await teams.say(HEAD_OF_CP, f"imr allocate {REF}"))
    before = len(cards(teams.inbox(HEAD_OF_CP)))
    for _ in range(3):
        await teams.submit(HEAD_OF_CP, {"verb": "allocate.refresh", "reference": REF,
                                        "involved": ""}, card_id="allocate-1")
    assert len(cards(teams.inbox(HEAD_OF_CP))) == before
    assert [u.id for u in teams.updates(HEAD_OF_CP)] == ["allocate-1"] * 3
    assert "Allocate DDSCP/CSPR/2026/020" in card_text(outcome_of(teams.updates(HEAD_OF_CP)[-1]))
    said = texts(await offer(teams))
    assert "Asked Arun Author" in said and "has not opened" not in said
    last = outcome_of(teams.updates(HEAD_OF_CP)[-1])
    assert "Offered to Arun A. by you, Mon 23 Nov 2026" in card_text(last)
    assert not last.get("actions")
    assert len(cards(teams.inbox(HEAD_OF_CP))) == before


async def test_someone_already_known_not_to_have_opened_the_bot_is_not_marked_again(waiting):
    teams = waiting
    await offer(teams)
    await teams.deliver()
    marked = (await person(teams, AUTHOR)).unreachable_since
    assert marked is not None
    written: list[str] = []

    def watch(_conn, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith("UPDATE PEOPLE"):
            written.append(statement)

    from sqlalchemy import event
    engine = teams.app.database.engine.sync_engine
    event.listen(engine, "before_cursor_execute", watch)
    try:
        for n in range(3):
            await queue_text(teams, AUTHOR, f"test:more-{n}", f"Message {n}.")
        await teams.deliver()
    finally:
        event.remove(engine, "before_cursor_execute", watch)
    assert [r.status for r in await rows_for(teams, AUTHOR)] == ["held"] * 4
    assert written == []
    assert (await person(teams, AUTHOR)).unreachable_since == marked
    async with teams.app.database.engine.connect() as connection:
        unreachable = (await connection.execute(select(t.audit).where(
            t.audit.c.action == "person.unreachable"))).all()
    assert len(unreachable) == 1
