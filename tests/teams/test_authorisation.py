"""Every command and every card action, as every role: the policy table decides, and a payload
replayed by someone it was not meant for is refused."""

import pytest

from imr_bot.domain.people import Actor, Person
from imr_bot.domain.policy import allowed
from imr_bot.domain.roles import Role
from imr_bot.teams.commands import CARD_ACTIONS, REGISTRY
from tests.teams.harness import STRANGER, User, texts

ONE_ROLE_USERS = {role: User(f"only-{role.value}", f"Only {role.title}",
                             f"only.{role.value}@council.test", frozenset({role})) for role in Role}
REFUSALS = ("Sorry, only", "not in the IMR people directory")
ARGS = {"plan": "21/12/2026", "status": "NO/SUCH/REF", "edit": "NO/SUCH/REF notes x because y",
        "hold": "NO/SUCH/REF reason", "resume": "NO/SUCH/REF", "withdraw": "NO/SUCH/REF reason",
        "allocate": "NO/SUCH/REF", "reallocate": "NO/SUCH/REF reason",
        "conflict": "NO/SUCH/REF reason", "people": "", "meeting": "NO/SUCH/REF",
        "submit": "NO/SUCH/REF", "submitted": "NO/SUCH/REF", "delegate": "NO/SUCH/REF a@b.c",
        "history": "NO/SUCH/REF", "reminders": "NO/SUCH/REF", "template": "chronology",
        "check": "NO/SUCH/REF", "accept": "NO/SUCH/REF", "decline": "NO/SUCH/REF busy",
        "approve": "NO/SUCH/REF", "amend": "NO/SUCH/REF fix it"}


def actor_for(user: User | None) -> Actor:
    if user is None:
        return Actor("teams:x", "x")
    return Actor(user.email, user.name, Person(email=user.email, name=user.name, roles=user.roles))


@pytest.fixture
async def everyone(teams):
    await teams.add_people(tuple(ONE_ROLE_USERS.values()))
    return teams


def refused(reply: str) -> bool:
    return any(r in reply for r in REFUSALS)


@pytest.mark.parametrize("command", [c.name for c in REGISTRY], ids=str)
async def test_every_command_as_every_role_follows_the_policy_table(everyone, command):
    spec = REGISTRY.get(command)
    for role, user in [*ONE_ROLE_USERS.items(), (None, STRANGER)]:
        text = f"imr {command} {ARGS.get(command, '')}".strip()
        if "personal" in spec.scopes:
            reply = texts(await everyone.say(user, text))
        else:
            reply = texts(await everyone.say_in_channel(user, f"<at>IMR bot</at> {text}"))
        expected = allowed(spec.permission, actor_for(user if role else None))
        assert refused(reply) != expected, f"{command} as {role}: {reply!r}"


@pytest.mark.parametrize("verb", sorted(CARD_ACTIONS), ids=str)
async def test_every_card_action_replayed_as_every_role_follows_the_policy_table(everyone, verb):
    action = CARD_ACTIONS[verb]
    payload = {"verb": verb, "reference": "NO/SUCH/REF", "meetingId": "999999",
               "allocationId": "999999", "author": "1", "qa_lead": "2"}
    for role, user in [*ONE_ROLE_USERS.items(), (None, STRANGER)]:
        reply = texts(await everyone.submit(user, payload))
        expected = allowed(action.permission, actor_for(user if role else None))
        assert refused(reply) != expected, f"{verb} as {role}: {reply!r}"
        assert "Traceback" not in reply and "something went wrong" not in reply
