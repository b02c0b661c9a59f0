"""The real HTTP endpoint: an activity posted to /api/messages, replies to a mock Bot Connector."""

import asyncio

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from imr_bot.app import build
from imr_bot.config import Settings
from tests.teams.harness import texts


class MockConnector:
    """Enough of the Bot Connector REST API to receive the bot's replies."""

    def __init__(self):
        self.received: list[dict] = []
        self.app = web.Application()
        self.app.router.add_post("/v3/conversations/{conversation}/activities/{reply_to}", self.reply)
        self.app.router.add_post("/v3/conversations/{conversation}/activities", self.reply)
        self.server = TestServer(self.app)

    async def reply(self, request: web.Request) -> web.Response:
        self.received.append(await request.json())
        return web.json_response({"id": f"m{len(self.received)}"})

    @property
    def url(self) -> str:
        return str(self.server.make_url("/"))


@pytest.fixture
async def connector():
    mock = MockConnector()
    await mock.server.start_server()
    yield mock
    await mock.server.close()


@pytest.fixture
async def client(database, clock):
    app = build(Settings(database_url=database.url), clock=clock, database=database)
    test_client = TestClient(TestServer(app.web))
    await test_client.start_server()
    yield test_client
    await test_client.close()


def activity(service_url: str, text: str) -> dict:
    return {
        "type": "message", "id": "1", "text": text, "channelId": "msteams",
        "serviceUrl": service_url, "from": {"id": "29:u1", "name": "U One", "aadObjectId": "aad-u1"},
        "recipient": {"id": "28:bot", "name": "IMR bot"},
        "conversation": {"id": "a:chat-u1", "conversationType": "personal", "tenantId": "t1"},
        "channelData": {"tenant": {"id": "t1"}},
    }


async def test_a_message_posted_over_http_gets_a_reply_through_the_connector(client, connector):
    response = await client.post("/api/messages", json=activity(connector.url, "imr plan 21/12/2026"))
    assert response.status in (200, 201)
    for _ in range(50):
        if connector.received:
            break
        await asyncio.sleep(0.02)
    (reply,) = connector.received
    card = reply["attachments"][0]["content"]
    assert "Thu 24 Dec 2026" in str(card)


@pytest.mark.parametrize(("body", "content_type", "status"), [
    (b"{not json", "application/json", 400),
    (b'["a list"]', "application/json", 400),
    (b'{"text": "no type"}', "application/json", 400),
    (b'{"type": "message"}', "application/json", 400),
    (b"type=message", "application/x-www-form-urlencoded", 415),
])
async def test_malformed_requests_are_refused_without_a_server_error(client, body, content_type, status):
    response = await client.post("/api/messages", data=body, headers={"Content-Type": content_type})
    assert response.status == status


async def test_health_and_readiness(client):
    assert (await client.get("/healthz")).status == 200
    ready = await client.get("/readyz")
    assert ready.status == 200 and (await ready.json())["status"] == "ready"


async def test_readiness_fails_when_the_database_is_unreachable(clock):
    app = build(Settings(database_url="postgresql://nobody@127.0.0.1:1/none"), clock=clock)
    async with TestClient(TestServer(app.web)) as test_client:
        assert (await test_client.get("/readyz")).status == 503


async def test_a_commission_logged_over_http_reaches_the_head_of_cp(database, clock, connector):
    from tests.teams.harness import BUSINESS_SERVICES, HEAD_OF_CP, FakeTeams

    people = FakeTeams(database, clock)
    await people.add_people()
    app = build(Settings(database_url=database.url), clock=clock, database=database)
    async with TestClient(TestServer(app.web)) as http:
        def from_user(user, **fields):
            body = activity(connector.url, fields.pop("text", None))
            body["from"] = {"id": user.teams_id, "name": user.name, "aadObjectId": user.aad}
            body["conversation"]["id"] = user.chat
            body.update(fields)
            return body

        await http.post("/api/messages", json=from_user(HEAD_OF_CP, text="hello"))
        await http.post("/api/messages", json=from_user(BUSINESS_SERVICES, text="imr new"))
        form = {"verb": "new_review.check", "reference": "DDSCP/CSPR/2026/099",
                "review_type": "CSPR", "body": "DDSCP", "received": "", "tor_start": "2025-01-01",
                "tor_end": "2026-06-30", "subject_initials": "AB"}
        await http.post("/api/messages", json=from_user(BUSINESS_SERVICES, value=form))
        await http.post("/api/messages", json=from_user(
            BUSINESS_SERVICES, value={"verb": "new_review.confirm"}))
        await app.delivery.wait_idle()
    to_head = [r for r in connector.received if r["conversation"]["id"] == HEAD_OF_CP.chat]
    assert any("New IMR to allocate" in str(r.get("attachments")) for r in to_head)
    to_bs = [r.get("text") or "" for r in connector.received
             if r["conversation"]["id"] == BUSINESS_SERVICES.chat]
    assert any("Logged **DDSCP/CSPR/2026/099**" in t for t in to_bs)


async def test_metrics_count_turns_and_refusals(client, connector):
    await client.post("/api/messages", json=activity(connector.url, "imr help"))
    await client.post("/api/messages", data=b"{bad", headers={"Content-Type": "application/json"})
    text = await (await client.get("/metrics")).text()
    assert 'imr_turns_total{type="message"} 1.0' in text
    assert 'imr_refused_requests_total{reason="not_json"} 1.0' in text
    assert "imr_turn_seconds_bucket" in text


async def test_an_oversized_body_is_refused(client):
    response = await client.post("/api/messages", data=b'{"type": "message", "text": "' +
                                 b"x" * (600 * 1024) + b'"}',
                                 headers={"Content-Type": "application/json"})
    assert response.status == 413


async def test_neither_secrets_nor_message_text_reach_the_logs(database, clock, connector, caplog):
    import logging

    secret = "very-secret-password-123"
    app = build(Settings(database_url=database.url, scheduler=False, app_password=secret),
                clock=clock, database=database)
    caplog.set_level(logging.DEBUG)
    async with TestClient(TestServer(app.web)) as http:
        await http.post("/api/messages", json=activity(connector.url, "imr plan CONFIDENTIAL-TEXT"))
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert secret not in logged and "CONFIDENTIAL-TEXT" not in logged
    assert secret not in repr(app.settings)


async def test_a_user_sending_too_many_commands_is_asked_to_wait(teams):
    from tests.teams.harness import AUTHOR

    teams.app.bot.settings.commands_per_minute = 3
    for _ in range(3):
        assert "very quickly" not in texts(await teams.say(AUTHOR, "imr help"))
    assert "very quickly" in texts(await teams.say(AUTHOR, "imr help"))


def test_the_test_clock_is_refused_when_an_app_id_is_set(database):
    with pytest.raises(RuntimeError, match="refused when MicrosoftAppId is set"):
        build(Settings(database_url=database.url, test_clock=True, app_id="real-app"))


async def test_the_test_endpoints_exist_only_with_the_test_clock(client):
    assert (await client.post("/_test/clock", json={})).status in (404, 405)


async def test_an_invoke_over_http_returns_its_card(client, connector):
    body = activity(connector.url, None)
    body.update({"type": "invoke", "name": "adaptiveCard/action",
                 "value": {"action": {"type": "Action.Execute", "verb": "approval.refresh",
                                      "data": {"reviewId": 1, "version": 1, "level": "qa"}}}})
    response = await client.post("/api/messages", json=body)
    assert response.status == 200
    assert (await response.json())["type"] == "application/vnd.microsoft.card.adaptive"


async def test_a_proactive_send_refused_with_429_is_not_marked_sent_and_nobody_hears_of_it(database, clock):
    """Through the real CloudAdapter: botbuilder hands a failed proactive turn to on_turn_error;
    the delivery must still see the failure."""
    from datetime import timedelta

    from aiohttp import web as aioweb

    from imr_bot.domain.notification import OutgoingNotification
    from imr_bot.domain.people import Person
    from imr_bot.store.unit_of_work import UnitOfWork

    calls = []

    async def refuse(request):
        calls.append(await request.json())
        if len(calls) == 1:
            return aioweb.json_response({"error": {"code": "TooManyRequests"}}, status=429,
                                        headers={"Retry-After": "5"})
        return aioweb.json_response({"id": "ok"})

    connector_app = aioweb.Application()
    connector_app.router.add_post("/v3/conversations/{c}/activities", refuse)
    # botbuilder posts a proactive message as a reply to its continuation activity
    connector_app.router.add_post("/v3/conversations/{c}/activities/{reply}", refuse)
    server = TestServer(connector_app)
    await server.start_server()
    try:
        app = build(Settings(database_url=database.url, scheduler=False), clock=clock, database=database)
        async with UnitOfWork(database) as uow:
            person, _ = await uow.people.upsert(Person(email="p@c.test", name="P", aad_object_id="aad-p"),
                                                clock.now())
            await uow.conversations.save("user:aad-p", "user", {
                "conversation": {"id": "a:p"}, "serviceUrl": str(server.make_url("/")),
                "channelId": "msteams", "bot": {"id": "28:bot"}, "user": {"id": "29:p"}}, clock.now())
            await uow.outbox.queue(OutgoingNotification("n1", f"person:{person.id}", "test",
                                                        {"text": "Reminder"}), clock.now())
            await uow.commit()
        assert await app.delivery.flush() == 0
        assert [c.get("text") for c in calls] == ["Reminder"]  # no "something went wrong"
        clock.set(clock.now() + timedelta(seconds=6))
        assert await app.delivery.flush() == 1
        assert [c.get("text") for c in calls] == ["Reminder", "Reminder"]
    finally:
        await server.close()
