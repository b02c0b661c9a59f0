"""With MicrosoftAppId set, every /api/messages request needs a valid Bot Framework token.

Tokens are signed here with a local key set, served on loopback the way the Bot Framework serves
its OpenID metadata; a refused request changes nothing."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest
from aiohttp.test_utils import TestClient, TestServer
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from imr_bot.app import build
from imr_bot.config import Settings
from imr_bot.store.unit_of_work import UnitOfWork

APP_ID = "11111111-2222-3333-4444-555555555555"
ISSUER = "https://api.botframework.test"
SERVICE_URL = "https://smba.test/emea/"
GOOD_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def key_server():
    jwk = json.loads(RSAAlgorithm.to_jwk(GOOD_KEY.public_key()))
    jwk.update({"kid": "test-key", "endorsements": ["msteams"]})

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the http.server spelling
            port = self.server.server_address[1]
            body = ({"issuer": ISSUER, "jwks_uri": f"http://127.0.0.1:{port}/keys"}
                    if self.path.startswith("/.well-known") else {"keys": [jwk]})
            data = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/.well-known/openid-configuration"
    server.shutdown()


def token(key=GOOD_KEY, *, aud=APP_ID, iss=ISSUER, expires_in=3600, service_url=SERVICE_URL):
    now = int(time.time())
    return jwt.encode({"iss": iss, "aud": aud, "exp": now + expires_in, "nbf": now - 10,
                       "serviceurl": service_url}, key, algorithm="RS256",
                      headers={"kid": "test-key"})


def activity(tenant="tenant-1") -> dict:
    return {"type": "message", "id": "1", "text": "imr plan 21/12/2026", "channelId": "msteams",
            "serviceUrl": SERVICE_URL, "from": {"id": "29:u", "aadObjectId": "aad-u"},
            "recipient": {"id": "28:bot"},
            "conversation": {"id": "a:u", "conversationType": "personal", "tenantId": tenant},
            "channelData": {"tenant": {"id": tenant}}}


AUDIT_KEY = "k" * 40


def secured_settings(database, key_server, **overrides) -> Settings:
    return Settings(**{"database_url": database.url, "scheduler": False, "app_id": APP_ID,
                       "app_password": "not-used-in-tests", "app_type": "SingleTenant",
                       "app_tenant_id": "tenant-1", "bot_openid_metadata_url": key_server,
                       "bot_token_issuer": ISSUER, "allowed_tenants": "tenant-1",
                       "audit_key": AUDIT_KEY, **overrides})


@pytest.fixture(params=["listed", "by default"])
async def secured(request, database, clock, key_server):
    """The tenant allow-list as the operator lists it, and as it is by default (empty: the app
    registration's own tenant, MicrosoftAppTenantId)."""
    allowed = "tenant-1" if request.param == "listed" else ""
    settings = secured_settings(database, key_server, allowed_tenants=allowed)
    app = build(settings, clock=clock, database=database)
    sent = []

    async def no_reply(self, context, activities):  # the connector is not reachable in tests
        sent.extend(activities)
        return []

    app.adapter.send_activities = no_reply.__get__(app.adapter)
    async with TestClient(TestServer(app.web)) as client:
        yield client, app, sent


async def conversation_rows(app) -> int:
    async with UnitOfWork(app.database) as uow:
        return await uow.conversations.get("user:aad-u") is not None


@pytest.mark.parametrize("header", [
    None,                                                 # no token
    f"Bearer {token(OTHER_KEY)}",                         # a bad signature
    f"Bearer {token(expires_in=-3600)}",                  # expired
    f"Bearer {token(aud='someone-else')}",                # wrong audience
    f"Bearer {token(iss='https://evil.test')}",           # wrong issuer
    "Bearer not-a-jwt",
    "Basic dXNlcjpwYXNz",
])
async def test_a_request_without_a_valid_token_is_refused_and_changes_nothing(secured, header):
    client, app, sent = secured
    headers = {"Authorization": header} if header else {}
    response = await client.post("/api/messages", json=activity(), headers=headers)
    assert response.status == 401
    assert not sent and not await conversation_rows(app)


async def test_a_valid_token_is_accepted(secured):
    client, app, sent = secured
    response = await client.post("/api/messages", json=activity(),
                                 headers={"Authorization": f"Bearer {token()}"})
    assert response.status in (200, 201)
    assert sent and await conversation_rows(app)


@pytest.mark.parametrize("tenant", ["other-tenant", "", "tenant-10", "tenant-1,other",
                                    "TENANT-2"])
async def test_another_tenant_is_refused_even_with_a_valid_token(secured, tenant):
    client, app, sent = secured
    response = await client.post("/api/messages", json=activity(tenant=tenant),
                                 headers={"Authorization": f"Bearer {token()}"})
    assert response.status == 403 and not sent
    assert not await conversation_rows(app)


async def test_a_person_from_another_tenant_is_not_linked_to_the_directory_by_email(
        database, clock, key_server):
    """Even were the edge's refusal missed, the bot never links across tenants."""
    from imr_bot.domain.people import Person

    app = build(secured_settings(database, key_server, allowed_tenants=""), clock=clock,
                database=database)
    async with UnitOfWork(database) as uow:
        await uow.people.upsert(Person(email="ann@council.test", name="Ann"), clock.now())
        await uow.commit()
    context = type("Context", (), {})()
    from botbuilder.schema import Activity, ChannelAccount, ConversationAccount

    context.activity = Activity(
        type="message", channel_id="msteams", from_property=ChannelAccount(
            id="29:x", aad_object_id="aad-x"), conversation=ConversationAccount(
            id="a:x", tenant_id="other-tenant"), channel_data={"tenant": {"id": "other-tenant"}})
    context.turn_state = {}
    looked_up = []

    async def teams_email(turn_context, user):
        looked_up.append(user.id)
        return "ann@council.test"

    app.bot._teams_email = teams_email
    actor = await app.bot.actor(context)
    assert not actor.is_known and not looked_up
    async with UnitOfWork(database) as uow:
        assert (await uow.people.by_email("ann@council.test")).aad_object_id is None
