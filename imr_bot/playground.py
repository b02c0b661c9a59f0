"""Microsoft 365 Agents Playground configuration from the people directory, so the local Teams
client's users are the directory's people and every role can be tried."""

from __future__ import annotations

import json

from imr_bot.domain.people import Person
from imr_bot.domain.roles import Role

TENANT = "00000000-0000-4000-8000-0000000000aa"
BOT_ID = "00000000-0000-4000-8000-0000000000b0"
PLAYGROUND_USERS = 6  # the Playground insists on the current user plus exactly five others


def _user(person: Person, index: int) -> dict:
    given, _, surname = person.name.partition(" ")
    return {"id": f"user-id-{index}", "name": person.name, "userPrincipleName": person.email,
            "aadObjectId": person.aad_object_id, "givenName": given, "surname": surname or given,
            "email": person.email}


def demo_person(people: list[Person], current_email: str | None) -> Person:
    """Who the Playground's current user is, and so who the tab is in local mode: the person
    `IMR_PLAYGROUND_AS` names, else the first in both Business Services and Head of CP & IRO."""
    linked = [p for p in people if p.aad_object_id and p.active]
    if not linked:
        raise ValueError("the directory has nobody with an AAD object id")
    if current_email:
        current = next((p for p in linked if p.email == current_email.strip().lower()), None)
        if current is None:
            known = ", ".join(p.email for p in linked[:PLAYGROUND_USERS])
            raise ValueError(f"IMR_PLAYGROUND_AS={current_email} is not a demo person ({known})")
        return current
    return next((p for p in linked if {Role.BUSINESS_SERVICES, Role.HEAD_OF_CP} <= p.roles),
                linked[0])


def playground_config(people: list[Person], current_email: str | None, bot_name: str) -> str:
    linked = [p for p in people if p.aad_object_id and p.active]
    if len(linked) < PLAYGROUND_USERS:
        raise ValueError(f"the Playground needs {PLAYGROUND_USERS} people with an AAD object id; "
                         f"the directory has {len(linked)}")
    current = demo_person(linked, current_email)
    others = [p for p in linked if p is not current][:PLAYGROUND_USERS - 1]
    index = linked.index(current)
    config = {
        "version": "0.1.1",
        "tenantId": TENANT,
        "bot": {"id": BOT_ID, "name": bot_name},
        "currentUser": _user(current, index),
        "users": [_user(p, linked.index(p)) for p in others],
        "personalChat": {"id": f"personal-chat-{index}"},
        "groupChat": {"id": "group-chat-imr", "name": "IMR group chat"},
        "team": {"id": "team-childrens-services", "name": "Children's Services",
                 "aadGroupId": "00000000-0000-4000-8000-0000000000c0",
                 # the Playground allows one channel
                 "channels": [{"id": "channel-imr-tracker", "name": "IMR tracker"}]},
    }
    # JSON is valid YAML, and the Playground reads YAML
    return json.dumps(config, indent=2) + "\n"
