"""Who is looking at the tab. Signed in (MicrosoftAppId set): the Teams single sign-on token the
page sends with each data request, checked by `teams.tab_sso.TabTokens`, mapped to the
directory person by AAD object id. Local mode: the demo person `make run` chose
(IMR_PLAYGROUND_AS), and the page says so. Anything else gets 401 and nothing more."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from imr_bot.domain.people import Actor
from imr_bot.playground import demo_person
from imr_bot.services.context import ServiceContext


class NotSignedIn(Exception):
    """No valid identity: the tab answers 401 and nothing else. `reason` is for the log only."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


@dataclass(frozen=True)
class Viewer:
    actor: Actor
    local: bool  # local mode: the demo person, in a plain browser


class Tokens(Protocol):
    async def check(self, authorization: str | None): ...


class SignedInIdentity:
    def __init__(self, ctx: ServiceContext, tokens: Tokens):
        self._ctx = ctx
        self._tokens = tokens

    async def viewer(self, authorization: str | None) -> Viewer:
        signed = await self._tokens.check(authorization)
        person = await self._ctx.unit_of_work.person_by_aad(signed.aad_object_id)
        if person is None or not person.active:
            raise NotSignedIn("unknown_person")
        return Viewer(Actor(key=person.email, name=person.name, person=person), local=False)


class LocalIdentity:
    """Local mode only (no Bot Framework authentication at all): the Playground's person."""

    def __init__(self, ctx: ServiceContext, playground_as: str | None):
        self._ctx = ctx
        self._as = playground_as

    async def viewer(self, authorization: str | None) -> Viewer:
        async with self._ctx.unit_of_work(read_only=True) as uow:
            people = await uow.people.all()
        try:
            person = demo_person(people, self._as)
        except ValueError:
            raise NotSignedIn("no_demo_person") from None
        return Viewer(Actor(key=person.email, name=person.name, person=person), local=True)
