"""The HTTP edge under hostile input: bounded metrics, bodies in unknown charsets."""

import random
import string

import pytest
from aiohttp.test_utils import TestClient, TestServer

from imr_bot.app import build
from imr_bot.config import Settings
from tests.teams.test_http import activity


@pytest.fixture
async def client(database, clock):
    app = build(Settings(database_url=database.url, scheduler=False), clock=clock, database=database)
    async with TestClient(TestServer(app.web)) as test_client:
        yield test_client


def series(exposition: str) -> list[str]:
    return [line for line in exposition.splitlines() if line and not line.startswith("#")]


def random_type(rng: random.Random) -> str:
    alphabet = string.ascii_letters + string.digits + "/:-_ \u00e9\u4e2d\"{}"
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 40)))


async def test_a_thousand_invented_activity_types_leave_the_metrics_bounded(client):
    rng = random.Random(19)
    await client.post("/api/messages", json={"type": "message"})  # one of each known outcome
    before = len(series(await (await client.get("/metrics")).text()))
    for _ in range(1000):
        body = activity("http://127.0.0.1:1/", "hi")
        body["type"] = random_type(rng)
        await client.post("/api/messages", json=body)
    text = await (await client.get("/metrics")).text()
    assert len(series(text)) <= before + 40  # the "other" label's series, once
    assert 'imr_turns_total{type="other"} 1000.0' in text


@pytest.mark.parametrize("body", [
    {"type": "x" * 10_000},                                 # a long type
    {"type": "message\n# HELP injected"},                   # exposition syntax
    {"type": "invoke", "conversation": "not an object"},    # refused, malformed
    {"type": "🙂"},
])
async def test_odd_types_are_counted_as_other_or_invalid(client, body):
    await client.post("/api/messages", json=body)
    text = await (await client.get("/metrics")).text()
    labels = {line.split('type="')[1].split('"')[0] for line in series(text) if 'type="' in line}
    assert labels <= {"other", "invalid", "message", "invoke"}
    assert "injected" not in text and "🙂" not in text


async def test_refusals_are_counted_under_a_fixed_reason_each(client):
    await client.post("/api/messages", data=b"{bad", headers={"Content-Type": "application/json"})
    await client.post("/api/messages", data=b"{}", headers={"Content-Type": "text/plain"})
    await client.post("/api/messages", data=b"[]", headers={"Content-Type": "application/json"})
    await client.post("/api/messages", data=b"{}",
                      headers={"Content-Type": "application/json; charset=x-made-up"})
    text = await (await client.get("/metrics")).text()
    reasons = {line.split('reason="')[1].split('"')[0] for line in series(text)
               if line.startswith("imr_refused_requests_total")}
    assert reasons == {"not_json", "not_json_content", "not_an_activity", "charset"}


@pytest.mark.parametrize("content_type", [
    "application/json; charset=x-unknown",
    "application/json; charset=utf-7",
    "application/json; charset=latin-1",
    "application/json; charset=utf-16",
    "application/json; charset=utf-32",
])
async def test_a_body_in_an_unknown_or_non_utf8_charset_is_refused_not_a_server_error(
        client, content_type):
    response = await client.post("/api/messages", data=b'{"type": "message"}',
                                 headers={"Content-Type": content_type})
    assert response.status == 415


@pytest.mark.parametrize("raw", [b'{"type": "\xff\xfe"}', b"\xef\xbb\xbf{\"type\": 1}",
                                 b'{"type": "message", "text": "\xed\xa0\x80"}'])
async def test_bytes_that_are_not_utf8_are_refused_with_400(client, raw):
    response = await client.post("/api/messages", data=raw,
                                 headers={"Content-Type": "application/json; charset=utf-8"})
    assert response.status == 400


async def test_a_utf8_charset_in_any_spelling_is_accepted(client):
    for spelling in ("UTF-8", "utf8", "utf-8"):
        response = await client.post("/api/messages", data=b'{"type": "message"}',
                                     headers={"Content-Type": f"application/json; charset={spelling}"})
        assert response.status == 400  # read, and refused only for lacking a conversation
        assert (await response.json())["error"].startswith("activity lacks")
