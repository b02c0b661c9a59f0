"""Who is talking to the bot: a person in the directory, matched by AAD object id, else by email
(and linked on first contact) — only for someone in one of the council's tenants."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace

from imr_bot.domain.people import Actor, Person

from .context import ServiceContext


async def identify(ctx: ServiceContext, *, aad_object_id: str | None, teams_user_id: str | None,
                   name: str | None, email: str | None = None, tenant_id: str = "",
                   allowed_tenants: Collection[str] = ()) -> Actor:
    """`allowed_tenants` empty: any tenant (local mode). Someone from another tenant is a
    stranger: never matched to a directory entry, and never linked to one (a matching email in
    another tenant is someone else's account, or an impersonation)."""
    if allowed_tenants and (tenant_id or "").lower() not in allowed_tenants:
        return _stranger(aad_object_id, teams_user_id, name)
    person = await ctx.unit_of_work.person_by_aad(aad_object_id) if aad_object_id else None
    if person is None and email:
        async with ctx.unit_of_work(read_only=True) as uow:
            person = await uow.people.by_email(email)
    if person is not None and aad_object_id and not person.aad_object_id:
        async with ctx.unit_of_work() as uow:  # first contact: link the directory entry
            person = await uow.people.by_email(person.email)
            if person is not None and not person.aad_object_id:
                await uow.people.link_aad(person.id, aad_object_id, teams_user_id)
                await uow.audit.record(actor=person.email, action="person.linked",
                                       at=ctx.clock.now(), aad_object_id=aad_object_id)
                await uow.commit()
    if person is not None and ((teams_user_id and person.teams_user_id != teams_user_id)
                               or person.unreachable_since is not None):
        # the Teams id lets cards show buttons to this person only (user-specific views); and a
        # person who writes to the bot can be reached again
        async with ctx.unit_of_work() as uow:
            await uow.people.seen(person.id, teams_user_id or person.teams_user_id)
            if person.unreachable_since is not None:
                # reached again: what waited for them is due now (see `arrived`)
                await uow.outbox.release_held(f"person:{person.id}", ctx.clock.now())
            await uow.commit()
        person = replace(person, teams_user_id=teams_user_id or person.teams_user_id,
                         unreachable_since=None)
    if person is not None:
        return Actor(key=person.email, name=person.name, person=person)
    return _stranger(aad_object_id, teams_user_id, name)


def _stranger(aad_object_id: str | None, teams_user_id: str | None, name: str | None) -> Actor:
    return Actor(key=f"teams:{aad_object_id or teams_user_id or 'unknown'}", name=name or "there")


async def remember_conversation(ctx: ServiceContext, key: str, kind: str, reference: dict) -> None:
    async with ctx.unit_of_work() as uow:
        await uow.conversations.save(key, kind, reference, ctx.clock.now())
        await uow.commit()


async def arrived(ctx: ServiceContext, person: Person) -> int:
    """The person has reached the bot (installed it, opened the chat, or written to it): any mark
    that they could not be reached is lifted, and everything held for them is due now, in the
    order it was queued. Returns how many notifications were released."""
    now = ctx.clock.now()
    async with ctx.unit_of_work() as uow:
        released = await uow.outbox.release_held(f"person:{person.id}", now)
        if person.unreachable_since is not None:
            await uow.people.seen(person.id, person.teams_user_id)
        if released or person.unreachable_since is not None:
            await uow.audit.record(actor="imr-bot", action="person.reached", at=now,
                                   person_id=person.id, released=released)
        await uow.commit()
    return released


async def reachable(ctx: ServiceContext, person: Person) -> bool:
    """Whether a message to this person can go now: they have a chat with the bot and Teams has
    not refused one since."""
    if person.unreachable_since is not None or not person.aad_object_id:
        return False
    async with ctx.unit_of_work(read_only=True) as uow:
        return await uow.conversations.get(f"user:{person.aad_object_id}") is not None


async def not_reached(ctx: ServiceContext, person_ids) -> list[Person]:
    """Those of these people a message cannot reach now (see `reachable`), in the order given."""
    found = []
    async with ctx.unit_of_work(read_only=True) as uow:
        for person_id in dict.fromkeys(person_ids):
            person = await uow.people.by_id(person_id)
            if person is None:
                continue
            if (person.unreachable_since is not None or not person.aad_object_id
                    or await uow.conversations.get(f"user:{person.aad_object_id}") is None):
                found.append(person)
    return found
