"""The Bot Framework's signing keys are fetched without stopping the event loop: while their
endpoint hangs, other requests are answered, and the one waiting is refused after a timeout."""

import asyncio
import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiohttp.test_utils import TestClient, TestServer
from jwt.algorithms import RSAAlgorithm

from imr_bot.app import build
from imr_bot.teams.adapter import SigningKeys
from tests.teams.test_auth import GOOD_KEY, activity, secured_settings, token


class KeyServer:
    """Serves the OpenID metadata and key set; `hold` makes every request wait until released."""

    def __init__(self, *, hold: bool = False, body: bytes | None = None):
        self.release = threading.Event()
        self.released_after_answer = None
        self.requests: list[str] = []
        if not hold:
            self.release.set()
        jwk = json.loads(RSAAlgorithm.to_jwk(GOOD_KEY.public_key()))
        jwk.update({"kid": "test-key", "endorsements": ["msteams"]})
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - the http.server spelling
                server.requests.append(self.path)
                server.release.wait(30)
                port = self.server.server_address[1]
                payload = body if body is not None else json.dumps(
                    {"issuer": "x", "jwks_uri": f"http://127.0.0.1:{port}/keys"}
                    if self.path.startswith("/.well-known") else {"keys": [jwk]}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.http.daemon_threads = True
        threading.Thread(target=self.http.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:  # a URL of its own per test: the SDK caches keys per URL, process-wide
        return (f"http://127.0.0.1:{self.http.server_address[1]}/.well-known/"
                f"openid-configuration?{uuid.uuid4().hex}")

    def close(self):
        self.release.set()
        self.http.shutdown()


@pytest.fixture
def retry_soon(monkeypatch):
    monkeypatch.setattr(SigningKeys, "retry_after", 0.0)


async def bot_with_keys_at(database, clock, url, **settings):
    from imr_bot.config import Settings as _  # noqa: F401 - the settings below are the real ones

    app = build(secured_settings(database, url, **settings), clock=clock, database=database)

    async def no_reply(self, context, activities):
        return []

    app.adapter.send_activities = no_reply.__get__(app.adapter)
    return app


async def test_other_requests_are_answered_while_the_key_endpoint_hangs(database, clock):
    keys = KeyServer(hold=True)
    try:
        app = await bot_with_keys_at(database, clock, keys.url, signing_key_timeout_seconds=2)
        async with TestClient(TestServer(app.web)) as client:
            waiting = asyncio.create_task(client.post(
                "/api/messages", json=activity(), headers={"Authorization": f"Bearer {token()}"}))
            while not keys.requests:
                await asyncio.sleep(0.01)
            health = await asyncio.wait_for(client.get("/healthz"), 30)
            answered_while_held = not keys.release.is_set()
            assert health.status == 200 and answered_while_held
            refused = await asyncio.wait_for(waiting, 30)
            assert refused.status == 401  # timed out: refused, not a 500, not forever
    finally:
        keys.close()


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b'{"jwks_uri": 5}',
                                  b'{"keys": "none"}', b"{" * 5000, b'"' + b"x" * (2 << 20) + b'"'])
async def test_a_broken_key_endpoint_is_a_refusal_not_a_server_error(database, clock, body,
                                                                     retry_soon):
    keys = KeyServer(body=body)
    try:
        app = await bot_with_keys_at(database, clock, keys.url)
        async with TestClient(TestServer(app.web)) as client:
            response = await client.post("/api/messages", json=activity(),
                                         headers={"Authorization": f"Bearer {token()}"})
            assert response.status == 401
            assert (await client.get("/healthz")).status == 200
    finally:
        keys.close()


async def test_requests_arriving_together_share_one_fetch_of_the_keys(database, clock):
    keys = KeyServer()
    try:
        app = await bot_with_keys_at(database, clock, keys.url)
        async with TestClient(TestServer(app.web)) as client:
            responses = await asyncio.gather(*(client.post(
                "/api/messages", json=activity(), headers={"Authorization": f"Bearer {token()}"})
                for _ in range(8)))
        assert {r.status for r in responses} <= {200, 201}
        assert len([p for p in keys.requests if p.startswith("/.well-known")]) == 1
    finally:
        keys.close()


async def test_after_a_failed_fetch_the_keys_are_fetched_again_and_tokens_accepted(
        database, clock, retry_soon):
    keys = KeyServer(hold=True)
    try:
        app = await bot_with_keys_at(database, clock, keys.url, signing_key_timeout_seconds=0.5)
        async with TestClient(TestServer(app.web)) as client:
            first = await client.post("/api/messages", json=activity(),
                                      headers={"Authorization": f"Bearer {token()}"})
            keys.release.set()
            second = await client.post("/api/messages", json=activity(),
                                       headers={"Authorization": f"Bearer {token()}"})
        assert first.status == 401 and second.status in (200, 201)
    finally:
        keys.close()
