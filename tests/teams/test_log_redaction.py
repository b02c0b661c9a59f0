"""No link token reaches a log: every route, with token-like values in its path and its query,
logs (access log and the bot's own, at DEBUG) route patterns only; nor do failures."""

import logging
import re
import secrets
from datetime import timedelta

import pytest
from aiohttp.test_utils import TestClient, TestServer

from imr_bot.app import build
from imr_bot.config import Settings
from imr_bot.observability import JsonFormatter, RedactTokens
from imr_bot.services import links

PLACEHOLDER = re.compile(r"\{[^}]+\}")


def logged(records) -> str:
    """The records as any handler writes them (message, exception and stack)."""
    formatter = logging.Formatter("%(name)s %(message)s")
    return "\n".join(formatter.format(r) for r in records)


async def token_like_values(ctx) -> list[str]:
    """A real signed token of each purpose (for nothing that exists), and random ones."""
    later = ctx.clock.now() + timedelta(days=1)
    return [await links.sign(ctx, "document", "1:2:3", later),
            await links.sign(ctx, "calendar", "4:5", later),
            secrets.token_urlsafe(32),
            f"{secrets.token_urlsafe(24)}.{secrets.token_urlsafe(20)}"]


@pytest.fixture
async def app(database):
    # the test clock adds its routes: every route the app can have is walked (with its own
    # settable clock, which the walk sets and resets)
    return build(Settings(database_url=database.url, scheduler=False, test_clock=True),
                 database=database)


async def test_no_route_logs_a_token_from_its_path_or_query(app, caplog):
    caplog.set_level(logging.DEBUG)
    values = await token_like_values(app.ctx)
    routes = [(r.method, r.resource.canonical) for r in app.web.router.routes()]
    assert {"/documents/{token}", "/calendar/{token}.ics", "/files/{token}",
            "/api/messages"} <= {path for _, path in routes}
    async with TestClient(TestServer(app.web)) as http:
        for value in values:
            for method, pattern in routes:
                path = PLACEHOLDER.sub(value, pattern)
                query = {"token": value, "code": value, "state": value}
                response = await http.request(method, path, params=query, json={"t": value},
                                              headers={"X-Token": value})
                await response.read()
            for stray in (f"/documents/{value}/more", f"/nothing/{value}", f"/calendar/{value}",
                          f"/{value}"):
                await (await http.get(stray, params={"t": value})).read()
            await (await http.put(f"/documents/{value}")).read()
            await (await http.options(f"/files/{value}")).read()
    text = logged(caplog.records)
    for value in values:
        assert value not in text
    access = [r.getMessage() for r in caplog.records if r.name == "aiohttp.access"]
    assert any("/documents/{token}" in line for line in access)  # it did log, by pattern


async def test_a_failure_while_serving_a_link_logs_no_token(app, caplog, monkeypatch):
    from imr_bot.services import approvals, files, meetings

    async def broken(_ctx, token, **_kw):
        raise RuntimeError(f"could not open {token}")

    for module, name in ((approvals, "document_for"), (meetings, "calendar_file"),
                         (files, "collect")):
        monkeypatch.setattr(module, name, broken)
    caplog.set_level(logging.DEBUG)
    values = await token_like_values(app.ctx)
    async with TestClient(TestServer(app.web)) as http:
        for value in values:
            for path in (f"/documents/{value}", f"/calendar/{value}.ics", f"/files/{value}"):
                response = await http.get(path)
                assert response.status == 500 and value not in await response.text()
    text = logged(caplog.records)
    assert "RuntimeError" in text  # the failure is logged, by its type and frames
    for value in values:
        assert value not in text


async def test_a_malformed_request_quoting_a_token_logs_no_token(app, caplog):
    import asyncio

    caplog.set_level(logging.DEBUG)
    value = f"{secrets.token_urlsafe(24)}.{secrets.token_urlsafe(20)}"
    jwt = ".".join(secrets.token_urlsafe(30) for _ in range(3))
    requests = [f"GET /documents/{value} HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n",
                f"GET /files/{value}\x00 HTTP/1.1\r\nHost: x\r\n\r\n",
                f"GET /calendar/{value}.ics HTTP/9.9\r\n\r\n",
                f"GET /documents/{value}?{'a' * 9000} HTTP/1.1\r\n\r\n",
                f"GET /healthz?code={value}&x={'b' * 9000} HTTP/1.1\r\n\r\n",
                f"POST /api/messages HTTP/1.1\r\nAuthorization: Bearer {jwt}\x01\r\n\r\n"]
    server = TestServer(app.web)
    await server.start_server()
    try:
        for raw in requests:
            reader, writer = await asyncio.open_connection(server.host, server.port)
            writer.write(raw.encode("latin-1"))
            await writer.drain()
            assert (await reader.read(100)).startswith(b"HTTP/1.")
            writer.close()
    finally:
        await server.close()
    text = logged(caplog.records)
    assert "aiohttp.server" in text  # aiohttp did log them
    assert value not in text and jwt not in text
    assert not any(part in text for part in jwt.split("."))


@pytest.mark.parametrize("message", [
    "GET /documents/{v} HTTP/1.1", "bad request line 'GET /files/{v}?x=1'", "token {v} refused",
    "GET /calendar/{v}.ics", "/healthz?code={v}"])
def test_the_log_handler_takes_out_anything_token_like(message):
    value = f"{secrets.token_urlsafe(24)}.{secrets.token_urlsafe(20)}"
    record = logging.LogRecord("aiohttp.server", logging.ERROR, __file__, 1, message.format(v=value),
                               None, None)
    try:
        raise ValueError(message.format(v=value))
    except ValueError:
        import sys
        record.exc_info = sys.exc_info()
    assert RedactTokens().filter(record)
    line = JsonFormatter().format(record)
    assert value not in line and "[redacted]" in line
