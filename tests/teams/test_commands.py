import pytest

from imr_bot.teams.commands import REGISTRY, normalise
from tests.teams.harness import (
    AUTHOR,
    BUSINESS_SERVICES,
    HEAD_OF_CP,
    STRANGER,
    card_text,
    cards,
    texts,
)
from tests.teams.test_authorisation import actor_for


@pytest.mark.parametrize(("typed", "meant"), [
    ("/imr status", "status"), ("imr status", "status"), ("status", "status"),
    ("IMR  Status  mine", "Status mine"), ("<at>IMR bot</at> status", "status"),
    ("<at>IMR bot</at>&nbsp;imr plan 21/12/2026", "plan 21/12/2026"),
])
def test_commands_are_read_with_or_without_slash_imr_or_a_mention(typed, meant):
    assert normalise(typed) == meant


async def test_help_lists_every_command_with_a_line_each(teams):
    (card,) = cards(await teams.say(BUSINESS_SERVICES, "imr help"))
    shown = card_text(card)
    for command in REGISTRY:
        if not command.shown_to(actor_for(BUSINESS_SERVICES)):
            continue  # another role's command (tests/teams/test_help.py)
        assert f"imr {command.usage}" in shown
        assert command.help in shown
    assert "Red: the next milestone is overdue" in shown
    # card markdown would swallow <date> as a tag, and has no code spans
    assert "<" not in shown and "`" not in shown


async def test_plan_for_21_december_2026_skips_christmas_boxing_day_substitute_and_new_year(teams):
    (card,) = cards(await teams.say(STRANGER, "imr plan 21/12/2026"))
    shown = card_text(card)
    assert "Mon 21 Dec 2026" in shown
    assert "Thu 24 Dec 2026" in shown          # Day 4
    assert "Wed 13 Jan 2027" in shown          # Day 15, after 25, 28 Dec and 1 Jan
    assert "Wed 10 Feb 2027" in shown          # Day 35
    rows = [r for r in card["body"] if r.get("type") == "Table"][0]["rows"][1:]
    assert [r["cells"][0]["items"][0]["text"] for r in rows] == ["1", "4", "4", "15", "25", "30", "35"]


@pytest.mark.parametrize("typed", ["imr plan 2026-12-21", "imr plan 21 Dec 2026",
                                   "/imr plan 21/12/2026"])
async def test_plan_reads_each_date_form(teams, typed):
    (card,) = cards(await teams.say(AUTHOR, typed))
    assert "Thu 24 Dec 2026" in card_text(card)


async def test_plan_can_be_rebased_to_a_deadline(teams):
    (card,) = cards(await teams.say(AUTHOR, "imr plan 2 Nov 2026 deadline 26 Feb 2027"))
    shown = card_text(card)
    assert "Fri 26 Feb 2027" in shown and "Re-based" in shown


async def test_an_unreadable_date_says_which_forms_work(teams):
    replies = await teams.say(AUTHOR, "imr plan the 32nd of Smarch")
    assert "2026-12-21, 21/12/2026 or 21 Dec 2026" in texts(replies)
    assert not cards(replies)


async def test_plan_on_a_weekend_explains_day_one(teams):
    (card,) = cards(await teams.say(AUTHOR, "imr plan 21 Nov 2026"))
    assert "so Day 1 is Mon 23 Nov 2026" in card_text(card)


async def test_status_with_no_reviews_says_so(teams):
    assert texts(await teams.say(BUSINESS_SERVICES, "status")) == "There are no open reviews."


async def test_status_works_in_a_channel_with_the_mention_stripped(teams):
    replies = await teams.say_in_channel(HEAD_OF_CP, "<at>IMR bot</at> status")
    assert texts(replies) == "There are no open reviews."


async def test_an_unknown_command_gets_pointed_to_help(teams):
    replies = await teams.say(AUTHOR, "imr frobnicate")
    assert "I don't know “frobnicate”" in texts(replies) and "`imr help`" in texts(replies)
    assert not cards(replies)  # not the whole help card


async def test_people_not_in_the_directory_are_told_how_to_get_in(teams):
    replies = await teams.say(STRANGER, "imr status")
    assert "not in the IMR people directory" in texts(replies)


async def test_only_business_services_and_head_of_cp_may_log_a_commission(teams):
    replies = await teams.say(AUTHOR, "imr new")
    assert "only Business Services or Head of CP & IRO" in texts(replies)
    assert not cards(replies)


async def test_new_is_refused_in_a_channel(teams):
    replies = await teams.say_in_channel(BUSINESS_SERVICES, "<at>IMR bot</at> new")
    assert "1:1 chat" in texts(replies)


async def test_whoami_shows_roles(teams):
    assert "Head of CP & IRO" in texts(await teams.say(HEAD_OF_CP, "whoami"))


async def test_an_unexpected_failure_gets_a_brief_reply_with_a_reference_and_no_trace(teams, monkeypatch):
    from imr_bot.services import tracker

    async def broken(*args, **kwargs):
        raise RuntimeError("database exploded at line 42")

    monkeypatch.setattr(tracker, "board", broken)
    reply = texts(await teams.say(BUSINESS_SERVICES, "imr status"))
    assert "something went wrong on my side (ref " in reply
    assert "exploded" not in reply and "Traceback" not in reply


async def test_an_unknown_reference_suggests_the_closest(teams):
    from tests.teams.test_new_review import FORM

    await teams.say(BUSINESS_SERVICES, "imr new")
    await teams.submit(BUSINESS_SERVICES, FORM)
    await teams.submit(BUSINESS_SERVICES, {"verb": "new_review.confirm"})
    reply = texts(await teams.say(BUSINESS_SERVICES, "imr status DDSCP/CSPR/2026/041"))
    assert "There is no review DDSCP/CSPR/2026/041" in reply
    assert "Did you mean DDSCP/CSPR/2026/014?" in reply
