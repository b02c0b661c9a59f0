"""The fast paths' assumptions about msrest's private parts (teams/msrest_seam.py): they hold for
the msrest installed, and when one stops holding every fast path steps aside for the SDK's own."""

import asyncio

import pytest
from botbuilder.schema import Activity, ConversationReference
from botframework.connector import ConnectorClient
from botframework.connector.auth import MicrosoftAppCredentials

from imr_bot.teams import activities, adapter, connector, msrest_seam

BODY = {"type": "message", "id": "1", "text": "imr status", "channelId": "msteams",
        "serviceUrl": "https://smba.example/emea/",
        "from": {"id": "29:u", "name": "U", "aadObjectId": "aad-u"},
        "conversation": {"id": "a:1", "conversationType": "personal", "tenantId": "t"},
        "recipient": {"id": "28:bot"}, "channelData": {"tenant": {"id": "t"}},
        "timestamp": "2026-11-23T09:30:01.005Z"}


def test_every_assumption_the_fast_paths_make_holds_for_the_installed_msrest():
    # if this fails after an upgrade, the bot still works (on the SDK's slower paths): read
    # which assumption went, and mend the seam or retire the fast path
    assert msrest_seam.problems() == []
    assert msrest_seam.fast_paths_hold()


def test_a_connector_client_carries_the_serialiser_the_card_pass_through_replaces():
    client = ConnectorClient(MicrosoftAppCredentials("", ""), base_url="https://smba.example/")
    assert msrest_seam.serializer_holders(client), "no part of the client has a _serialize"
    replacement = adapter._CardPassingSerializer(msrest_seam.current_serializer(client).dependencies)
    msrest_seam.replace_serializer(client, replacement)
    assert all(part._serialize is replacement for part in msrest_seam.serializer_holders(client))
    assert client.conversations._serialize is replacement


@pytest.fixture
def broken_seam(monkeypatch):
    monkeypatch.setattr(msrest_seam, "problems", lambda: ["Model._attribute_map changed"])
    msrest_seam.fast_paths_hold.cache_clear()
    yield
    msrest_seam.fast_paths_hold.cache_clear()


def test_when_an_assumption_fails_an_activity_is_read_by_msrest_itself(broken_seam, monkeypatch):
    quick = []
    monkeypatch.setattr(activities, "_read_model", lambda *a: quick.append(a))
    activity = activities.read_activity(BODY)
    assert quick == []
    assert activity.text == "imr status" and activity.from_property.aad_object_id == "aad-u"
    assert activity.as_dict() == Activity().deserialize(BODY).as_dict()


def test_when_an_assumption_fails_a_reference_is_written_by_msrest_itself(broken_seam):
    reference = ConversationReference(activity_id="1", channel_id="msteams",
                                      service_url="https://smba.example/")
    assert connector.wire(reference) == reference.serialize(keep_readonly=True)


def test_when_an_assumption_fails_the_sdk_client_is_used_as_it_is(broken_seam):
    client = ConnectorClient(MicrosoftAppCredentials("", ""), base_url="https://smba.example/")
    original = msrest_seam.current_serializer(client)

    class Factory:
        async def create(self, service_url, audience):
            return client

    caching = adapter._CachingConnectorFactory(Factory(), {}, "app", connector.Sessions())
    made = asyncio.run(caching.create("https://smba.example/", "aud"))
    assert made is client
    assert not isinstance(made.conversations, connector.DirectConversations)
    assert msrest_seam.current_serializer(made) is original
