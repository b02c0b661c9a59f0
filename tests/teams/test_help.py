"""Help that helps: the help card in sections, showing each person the commands their roles
allow; and a message that is no command gets the commands it may have meant."""

import pytest

from imr_bot.domain.roles import Role
from imr_bot.teams.commands import GROUPS, REGISTRY
from tests.teams.harness import (
    AUTHOR,
    BUSINESS_SERVICES,
    HEAD_OF_CP,
    QA_LEAD,
    SD,
    STRANGER,
    card_text,
    cards,
    texts,
)
from tests.teams.test_authorisation import ONE_ROLE_USERS, actor_for

# (who, commands their help must show, commands it must not)
SEEN = [
    (AUTHOR, {"todo", "submit", "accept", "decline", "status", "meeting", "conflict"},
     {"allocate", "new", "people", "edit", "approve", "amend", "delegate", "export", "hold"}),
    (QA_LEAD, {"todo", "approve", "amend", "meeting", "accept"},
     {"allocate", "new", "submit", "decline", "people", "edit", "export"}),
    (SD, {"approve", "amend", "export"}, {"allocate", "submit", "new", "people"}),
    (HEAD_OF_CP, {"allocate", "reallocate", "delegate", "new", "hold", "people"},
     {"submit", "approve", "edit", "decline"}),
    (BUSINESS_SERVICES, {"new", "edit", "people", "submitted", "hold", "export"},
     {"allocate", "submit", "approve", "decline"}),
    (STRANGER, {"help", "plan", "whoami", "templates"},
     {"status", "todo", "new", "submit", "allocate", "people", "approve", "history"}),
]


def usages(*names: str) -> list[str]:
    return [f"**imr {REGISTRY.get(name).usage}**" for name in names]


@pytest.mark.parametrize(("user", "shown", "hidden"), SEEN, ids=lambda v: getattr(v, "key", ""))
async def test_help_shows_each_person_only_the_commands_their_roles_allow(teams, user, shown,
                                                                          hidden):
    (card,) = cards(await teams.say(user, "imr help"))
    text = card_text(card)
    lines = set(text.split("\n"))
    for usage in usages(*shown):
        assert usage in lines, usage
    for usage in usages(*hidden):
        assert usage not in lines, usage


async def test_help_is_in_sections_in_order(teams):
    (card,) = cards(await teams.say(BUSINESS_SERVICES, "imr help"))
    text = card_text(card).split("\n")
    positions = [text.index(group) for group in GROUPS]
    assert positions == sorted(positions)


@pytest.mark.parametrize("role", list(Role), ids=str)
def test_every_command_shown_to_a_role_is_one_it_may_run(role):
    from imr_bot.domain.policy import allowed

    actor = actor_for(ONE_ROLE_USERS[role])
    for group, commands in REGISTRY.help_groups(actor):
        assert group in GROUPS
        for usage, _help in commands:
            spec = REGISTRY.match(usage.removeprefix("imr "))[0]
            assert allowed(spec.permission, actor), (role, usage)


@pytest.mark.parametrize(("typed", "meant"), [
    ("imr stauts", "imr status"), ("imr stauts mine", "imr status mine"), ("imr hepl", "imr help"),
    ("imr histroy DDSCP/CSPR/2026/014", "imr history DDSCP/CSPR/2026/014"),
    ("imr meting X/1", "imr meeting X/1"), ("imr tempaltes", "imr templates"),
    ("imr remindrs X/1", "imr reminders X/1"), ("sumbit X/1", "imr submit X/1"),
])
async def test_a_typo_gets_did_you_mean_with_the_command(teams, typed, meant):
    replies = await teams.say(AUTHOR, typed)
    (card,) = cards(replies)
    assert meant in card_text(card)
    assert "IMR bot: what you can ask" not in card_text(card)  # not the whole help card
    (suggested, *_) = [a for a in card["body"][1]["actions"]]
    assert suggested["data"]["msteams"] == {"type": "imBack", "value": suggested["title"]}


@pytest.mark.parametrize(("typed", "meant"), [
    ("what's overdue?", "imr status overdue"), ("What’s late?", "imr status overdue"),
    ("which reviews are behind", "imr status overdue"), ("show me the tracker", "imr status"),
    ("who am I", "imr whoami"), ("what can you do?", "imr help"),
    ("where are the templates", "imr templates"),
])
async def test_a_natural_question_gets_the_command_that_answers_it(teams, typed, meant):
    (card,) = cards(await teams.say(QA_LEAD, typed))
    assert meant in card_text(card).split("\n")


async def test_a_suggestion_is_never_a_command_the_person_may_not_run(teams):
    reply = await teams.say(AUTHOR, "imr allocat X/1")
    shown = texts(reply) + " ".join(card_text(c) for c in cards(reply))
    assert "imr allocate" not in shown  # the Head of CP's command
    assert "I don't know" in shown


async def test_words_that_mean_nothing_get_a_short_answer_not_the_help_card(teams):
    reply = await teams.say(AUTHOR, "purple elephants dancing")
    assert not cards(reply)
    assert texts(reply).startswith("I don't know “purple elephants dancing”. Type `imr help`")


async def test_typed_markup_is_shown_inert_in_the_answer(teams):
    reply = texts(await teams.say(AUTHOR, "[click](https://evil.example) **now**"))
    assert "\\[click](https:\u200b//" in reply and "\\*\\*now\\*\\*" in reply


async def test_a_very_long_message_is_answered_briefly(teams):
    reply = await teams.say(AUTHOR, "zzz " * 5000)
    assert len(texts(reply)) < 200 and not cards(reply)
