"""The tracker channel's subscription at the service layer, on the in-memory unit of work."""

import pytest

from imr_bot.domain.errors import NotAllowed
from imr_bot.services import channels
from tests.services.helpers import a_scene


@pytest.fixture
async def scene(clock):
    return await a_scene(clock)


async def test_subscribing_names_the_tracker_channel_and_audits_it(scene):
    await channels.subscribe(scene.ctx, scene.business_services, "19:abc@thread.tacv2", "IMR")
    assert scene.world.committed.settings == {channels.TRACKER_SETTING: "19:abc@thread.tacv2"}
    (entry,) = scene.world.audit("channel.subscribed")
    assert (entry.actor, entry.detail) == ("bs@council.test", {"channel": "IMR"})


async def test_unsubscribing_forgets_the_channel_once(scene):
    await channels.subscribe(scene.ctx, scene.business_services, "19:abc@thread.tacv2", "IMR")
    assert await channels.unsubscribe(scene.ctx, scene.business_services) is True
    assert scene.world.committed.settings == {}
    assert await channels.unsubscribe(scene.ctx, scene.business_services) is False
    assert [e.action for e in scene.world.audit()] == ["channel.subscribed",
                                                       "channel.unsubscribed"]


async def test_only_business_services_or_an_administrator_may_subscribe(scene):
    with pytest.raises(NotAllowed, match="Sorry, only "):
        await channels.subscribe(scene.ctx, scene.author, "19:abc@thread.tacv2", "IMR")
    with pytest.raises(NotAllowed):
        await channels.unsubscribe(scene.ctx, scene.stranger)
    assert scene.world.commits == 0
