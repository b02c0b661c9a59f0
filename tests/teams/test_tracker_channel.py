"""The tracker channel: greeted once when the bot is added, and one card per IMR, changed in
place as the review moves on (never a new message for each change of stage)."""

from msrest.exceptions import HttpOperationError

from imr_bot.domain.people import Actor
from imr_bot.services import commissioning
from imr_bot.store.unit_of_work import UnitOfWork
from tests.teams.harness import BOT, BUSINESS_SERVICES, CHANNEL_ID, HEAD_OF_CP, card_text, cards


async def log_review(teams, reference: str, received: str = "2026-11-23"):
    async with UnitOfWork(teams.app.database) as uow:
        person = await uow.people.by_email(BUSINESS_SERVICES.email)
    teams.private_words.add("JS")
    await commissioning.commission(teams.app.ctx, Actor(person.email, person.name, person), {
        "reference": reference, "review_type": "CSPR", "body": "DDSCP", "received": received,
        "tor_start": "2025-01-01", "tor_end": "2026-06-30", "subject_initials": "JS"})
    await teams.deliver()


async def stored_card_id(teams, reference: str) -> str:
    async with UnitOfWork(teams.app.database) as uow:
        review = await uow.reviews.get(reference)
        return (await uow.conversations.get(f"tracker_card:{review.id}"))["activity_id"]


def channel_updates(teams):
    return [a for a in teams.adapter.updated_activities
            if a.conversation is not None and a.conversation.id.split(";")[0] == CHANNEL_ID]


async def test_adding_the_bot_to_a_team_greets_the_channel_once(teams):
    install = teams._activity(BUSINESS_SERVICES, conversation=CHANNEL_ID, kind="channel",
                              activity_type="installationUpdate")
    install.action = "add"
    added = teams._activity(BUSINESS_SERVICES, conversation=CHANNEL_ID, kind="channel",
                            activity_type="conversationUpdate")
    added.members_added = [BOT]
    said = await teams._run(install) + await teams._run(added)
    assert [a.text for a in said] == [
        "Hello! @mention me with `status` for the IMR tracker, or `subscribe` to make this the "
        "tracker channel."]


async def test_a_person_installing_the_bot_is_greeted_once_in_their_chat(teams):
    said = await teams.install(BUSINESS_SERVICES) + await teams.open_chat(BUSINESS_SERVICES)
    assert len([a for a in said if (a.text or "").startswith("Hello!")]) == 1


async def test_each_review_has_one_card_in_the_channel_changed_in_place(teams):
    await teams.say_in_channel(BUSINESS_SERVICES, "<at>IMR bot</at> subscribe")
    before = len(teams.inbox(CHANNEL_ID))
    await log_review(teams, "R/1", received="2026-11-23")
    await log_review(teams, "R/2", received="2026-11-23")
    posted = teams.inbox(CHANNEL_ID)[before:]
    assert [card_text(c).split("\n")[0] for c in cards(posted)] == [
        "IMR R/1 (CSPR)", "IMR R/2 (CSPR)"]
    first = card_text(cards(posted)[0])
    assert "Commissioned" in first and "New IMR logged" in first
    assert "Submission to DDSCP" in first

    await teams.say(HEAD_OF_CP, "imr hold R/1 because police investigation")
    await teams.say(HEAD_OF_CP, "imr resume R/1")
    assert teams.inbox(CHANNEL_ID)[before:] == posted  # no new message in the channel
    updates = channel_updates(teams)
    (card_id,) = {u.id for u in updates}  # R/1's card, both times
    assert len(updates) == 2 and card_id == await stored_card_id(teams, "R/1")
    held, resumed = (card_text(cards([u])[0]) for u in updates)
    assert "IMR R/1 (CSPR)" in held and "On hold" in held and "IMR on hold" in held
    assert "Commissioned" in resumed and "IMR resumed" in resumed
    for update in updates:  # the channel rule holds for a changed card too
        shown = card_text(cards([update])[0])
        assert "police" not in shown
        assert not any(word in shown for word in teams.private_words)


async def test_a_card_deleted_from_the_channel_is_posted_again(teams):
    await teams.say_in_channel(BUSINESS_SERVICES, "<at>IMR bot</at> subscribe")
    await log_review(teams, "R/1", received="2026-11-23")
    adapter = teams.adapter

    class Gone:
        status_code = 404
        headers = {}

        def text(self):
            return "message not found"

    async def refuse(context, activity):
        error = HttpOperationError.__new__(HttpOperationError)
        error.response = Gone()
        raise error

    adapter.update_activity = refuse
    first_id = await stored_card_id(teams, "R/1")
    before = len(teams.inbox(CHANNEL_ID))
    await teams.say(HEAD_OF_CP, "imr hold R/1 because police investigation")
    (again,) = cards(teams.inbox(CHANNEL_ID)[before:])
    assert "On hold" in card_text(again)
    assert await stored_card_id(teams, "R/1") != first_id
    del adapter.update_activity  # the channel's message is there again: changed in place
    await teams.say(HEAD_OF_CP, "imr resume R/1")
    (update,) = channel_updates(teams)
    assert update.id == await stored_card_id(teams, "R/1") and "Commissioned" in card_text(
        cards([update])[0])



async def test_an_older_change_is_never_put_over_a_newer_one(teams):
    """A change delivered late (retried after a failure) finds a newer one already on the card:
    it is skipped, and the card keeps the newer state."""
    from sqlalchemy import select

    from imr_bot.store import tables as t

    await teams.say_in_channel(BUSINESS_SERVICES, "<at>IMR bot</at> subscribe")
    await log_review(teams, "R/1", received="2026-11-23")
    async with UnitOfWork(teams.app.database) as uow:
        review = await uow.reviews.get("R/1")
        key = f"tracker_card:{review.id}"
        stored = await uow.conversations.get(key)
        await uow.conversations.save(key, "tracker_card", {**stored, "sequence": 10 ** 6},
                                     teams.clock.now())
        await uow.commit()
    await teams.say(HEAD_OF_CP, "imr hold R/1 because police investigation")
    assert channel_updates(teams) == []
    async with teams.app.database.engine.begin() as connection:
        (status,) = (await connection.execute(select(t.notifications.c.status).where(
            t.notifications.c.kind == "stage_change"))).scalars().all()
    assert status == "skipped"


async def test_news_about_one_review_is_said_in_the_thread_of_its_card(teams):
    from imr_bot.domain.events import MessageHeld, ReviewFacts
    from imr_bot.services import notifications

    await teams.say_in_channel(BUSINESS_SERVICES, "<at>IMR bot</at> subscribe")
    await log_review(teams, "R/1", received="2026-11-23")
    card_id = await stored_card_id(teams, "R/1")
    before = len(teams.inbox(CHANNEL_ID))
    async with UnitOfWork(teams.app.database) as uow:
        review = await uow.reviews.get("R/1")
        await notifications.publish(uow, [MessageHeld(ReviewFacts.of(review), "person:1", "t")],
                                    teams.clock.now())
        await uow.commit()
    await teams.deliver()
    said = teams.inbox(CHANNEL_ID)[before:]  # (the Head of CP has not opened the bot either)
    assert said and all(a.conversation.id == f"{CHANNEL_ID};messageid={card_id}" for a in said)
    assert all("a message about **R/1** is waiting for a recipient" in a.text for a in said)
