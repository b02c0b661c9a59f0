"""The tracker channel: where minimal lines and the daily digest go."""

from __future__ import annotations

from imr_bot.domain.people import Actor
from imr_bot.domain.policy import Permission, require

from .context import ServiceContext

TRACKER_SETTING = "tracker_channel"


async def subscribe(ctx: ServiceContext, actor: Actor, channel_key: str, channel_name: str) -> None:
    require(Permission.SUBSCRIBE_CHANNEL, actor)
    async with ctx.unit_of_work() as uow:
        await uow.settings.put(TRACKER_SETTING, channel_key, ctx.clock.now())
        await uow.audit.record(actor=actor.key, action="channel.subscribed", at=ctx.clock.now(),
                               channel=channel_name)
        await uow.commit()


async def unsubscribe(ctx: ServiceContext, actor: Actor) -> bool:
    require(Permission.SUBSCRIBE_CHANNEL, actor)
    async with ctx.unit_of_work() as uow:
        current = await uow.settings.get(TRACKER_SETTING)
        if current is None:
            return False
        await uow.settings.remove(TRACKER_SETTING)
        await uow.audit.record(actor=actor.key, action="channel.unsubscribed", at=ctx.clock.now())
        await uow.commit()
    return True
