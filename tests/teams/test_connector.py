"""Replies posted directly to the Bot Connector (connector.py): the same request the SDK's
connector client would make, and failures the delivery can read."""

from datetime import UTC, datetime, timedelta, timezone
from types import SimpleNamespace

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from botbuilder.core import CardFactory, MessageFactory, TurnContext
from botbuilder.schema import (
    Activity,
    ActivityTypes,
    CardAction,
    ChannelAccount,
    ConversationAccount,
    Mention,
    SuggestedActions,
)
from botbuilder.schema.teams import NotificationInfo, TeamsChannelData
from botframework.connector.auth import MicrosoftAppCredentials
from msrest.serialization import Serializer

from imr_bot.teams.card_templates import CardContent
from imr_bot.teams.connector import ChannelError, DirectConversations, Sessions, wire
from imr_bot.teams.delivery import classify


def incoming() -> Activity:
    return Activity(type="message", id="in-1", text="imr status", channel_id="msteams",
                    service_url="https://smba.example/emea/",
                    from_property=ChannelAccount(id="29:u", name="U", aad_object_id="aad-u"),
                    recipient=ChannelAccount(id="28:bot", name="IMR bot"),
                    conversation=ConversationAccount(id="a:1;messageid=9",
                                                     conversation_type="personal", tenant_id="t"))


def outgoing_examples() -> list[Activity]:
    reference = TurnContext.get_conversation_reference(incoming())
    card = CardContent({"type": "AdaptiveCard", "version": "1.5",
                        "body": [{"type": "TextBlock", "text": "DDSCP/1 — QA due 3 Dec"}]})
    mention = Mention(mentioned=ChannelAccount(id="29:u", name="U"), text="<at>U</at>",
                      type="mention")
    alert = TeamsChannelData(notification=NotificationInfo(alert=True))
    examples = [
        MessageFactory.text("Hello"),
        MessageFactory.attachment(CardFactory.adaptive_card(card)),
        MessageFactory.attachment(CardFactory.adaptive_card(dict(card))),
        Activity(type=ActivityTypes.message, text="<at>U</at> due", entities=[mention],
                 channel_data=alert, timestamp=datetime(2026, 11, 23, 9, 30, 1, 5000,
                                                        tzinfo=UTC)),
        Activity(type="message", text="Pick", suggested_actions=SuggestedActions(
            actions=[CardAction(type="imBack", title="Yes", value="yes")])),
        Activity(type="typing"),
    ]
    return [TurnContext.apply_conversation_reference(example, reference) for example in examples]


@pytest.mark.parametrize("activity", outgoing_examples(), ids=lambda a: a.text or a.type)
def test_an_activity_is_written_as_the_sdk_would_post_it(activity):
    from botbuilder.schema import _models_py3 as models

    from imr_bot.teams.adapter import _CardPassingSerializer

    # msrest as our lean adapter configures it (a rendered card passed through as JSON)
    sdk = _CardPassingSerializer({k: v for k, v in vars(models).items() if isinstance(v, type)})
    assert wire(activity) == sdk.body(activity, "Activity")


def test_a_rendered_card_is_posted_as_it_is_without_being_walked():
    card = CardContent({"type": "AdaptiveCard", "body": []})
    activity = MessageFactory.attachment(CardFactory.adaptive_card(card))
    assert wire(activity)["attachments"][0]["content"] is card


class Connector:
    """A Bot Connector that records requests and answers as told."""

    def __init__(self, answers):
        self.requests: list[tuple[str, dict, dict]] = []
        self._answers = list(answers)
        app = web.Application()
        app.router.add_post("/emea/v3/conversations/{conversation}/activities/{reply_to}",
                            self.receive)
        app.router.add_post("/emea/v3/conversations/{conversation}/activities", self.receive)
        self.server = TestServer(app)

    async def receive(self, request: web.Request) -> web.Response:
        self.requests.append((request.path, dict(request.headers), await request.json()))
        return self._answers.pop(0)


@pytest.fixture
async def sessions():
    sessions = Sessions()
    yield sessions
    await sessions.close()


async def conversations_for(connector: Connector, sessions: Sessions, credentials=None):
    await connector.server.start_server()
    client = SimpleNamespace(config=SimpleNamespace(
        base_url=str(connector.server.make_url("/emea/")), user_agent="imr-test",
        credentials=credentials))
    return DirectConversations(object(), client, sessions)


async def test_a_reply_goes_to_the_activity_it_answers_with_the_sdks_headers(sessions):
    connector = Connector([web.json_response({"id": "reply-1"})])
    conversations = await conversations_for(connector, sessions)
    try:
        response = await conversations.reply_to_activity("a:1", "in 1", MessageFactory.text("Hi"))
    finally:
        await connector.server.close()
    path, headers, body = connector.requests[0]
    assert response.id == "reply-1"
    assert path == "/emea/v3/conversations/a:1/activities/in 1"  # quoted on the wire
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    assert headers["x-ms-conversation-id"] == "a:1"
    assert headers["User-Agent"] == "imr-test"
    assert "Authorization" not in headers  # local mode: no app id, no token
    assert body == {"type": "message", "text": "Hi", "inputHint": "acceptingInput"}


async def send(sessions: Sessions, answer: web.Response, credentials=None):
    """Send "Hi" to a connector that answers `answer`: what came back, and what it received."""
    connector = Connector([answer])
    conversations = await conversations_for(connector, sessions, credentials)
    try:
        return (await conversations.send_to_conversation("a:1", MessageFactory.text("Hi")),
                connector.requests)
    finally:
        await connector.server.close()


async def refusal(sessions: Sessions, answer: web.Response) -> ChannelError:
    with pytest.raises(ChannelError) as raised:
        await send(sessions, answer)
    return raised.value


async def test_with_an_app_id_the_sdks_token_is_sent(sessions, monkeypatch):
    credentials = MicrosoftAppCredentials("app-id", "secret")
    monkeypatch.setattr(credentials, "get_access_token", lambda *a, **k: "the-token")
    _, [(path, headers, _)] = await send(sessions, web.json_response({"id": "m1"}), credentials)
    assert path == "/emea/v3/conversations/a:1/activities"
    assert headers["Authorization"] == "Bearer the-token"


async def test_a_429_is_an_error_the_delivery_retries_after_the_time_asked(sessions):
    error = await refusal(sessions, web.json_response(
        {"error": {"code": "TooManyRequests"}}, status=429, headers={"Retry-After": "7"}))
    outcome = classify(error, attempts=1)
    assert (outcome.kind, outcome.delay) == ("retry", 7.0)


async def test_a_bot_blocked_by_the_user_is_unreachable_not_retried(sessions):
    error = await refusal(sessions, web.json_response(
        {"error": {"code": "MessageWritesBlocked", "message": "Bot is blocked"}}, status=403))
    assert classify(error, attempts=1).kind == "unreachable"


async def test_an_answer_without_a_body_leaves_the_response_to_botbuilder(sessions):
    response, _ = await send(sessions, web.Response(status=202))
    assert response is None


def test_msrest_and_wire_agree_on_dates():
    moment = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=1)))
    assert wire(Activity(type="message", timestamp=moment))["timestamp"] == \
        Serializer.serialize_iso(moment)


def test_a_conversation_reference_is_stored_as_the_sdk_serialises_it():
    reference = TurnContext.get_conversation_reference(incoming())
    assert wire(reference) == reference.serialize()


async def test_a_reply_the_connector_refused_is_not_reported_as_the_database(caplog):
    """An unreachable Bot Connector raises a refused connection too: the log must say which."""
    import logging
    from types import SimpleNamespace

    import aiohttp

    from imr_bot.teams.adapter import on_turn_error

    told = []

    async def send_activity(text):
        told.append(text)

    context = SimpleNamespace(activity=SimpleNamespace(type="message", conversation=None),
                              send_activity=send_activity)
    refused = ConnectionRefusedError(111, "Connect call failed ('127.0.0.1', 1)")
    try:
        raise aiohttp.ClientConnectionError("Cannot connect to host") from refused
    except aiohttp.ClientError as error:
        with caplog.at_level(logging.WARNING):
            await on_turn_error(context, error)
    messages = [record.getMessage() for record in caplog.records]
    assert any("the Bot Connector failed" in message for message in messages)
    assert not any("database" in message for message in messages)
    assert "database" not in told[0] and "couldn't send you my answer" in told[0]
