"""HTTP: /api/messages for the Bot Connector, the links browsers open (documents, calendar
invitations, files), /healthz and /readyz for the platform."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import orjson
from aiohttp import web
from botbuilder.core.serializer_helper import serializer_helper

from imr_bot.observability import (
    INVALID_TYPE,
    activity_type_label,
    new_correlation_id,
    redact_library_logs,
    release_memory,
)
from imr_bot.teams import link_routes
from imr_bot.teams.activities import activity_tenant, read_activity

log = logging.getLogger(__name__)

MAX_BODY = 512 * 1024  # a Teams message is at most 100 KB; leave room for attachments' metadata


JSON_CHARSETS = frozenset({"utf-8", "utf8", "us-ascii", "ascii"})


@dataclass(frozen=True)
class _Outcome:
    response: web.StreamResponse
    kind: str  # the activity's type, from a fixed set (observability.activity_type_label)
    refused: str = ""  # why it was refused, from a fixed set (observability.REFUSAL_REASONS)


def _refuse(status: int, error: str, reason: str, kind: str = INVALID_TYPE) -> _Outcome:
    return _Outcome(web.json_response({"error": error}, status=status), kind, reason)


def create_web_app(app) -> web.Application:
    """`app` is the wired application (imr_bot.app.Application)."""
    # the access log names each request's route pattern, never its path (links carry tokens);
    # aiohttp's own error log, which quotes a malformed request's first line, is redacted
    redact_library_logs()
    web_app = web.Application(client_max_size=MAX_BODY, handler_args={
        "access_log_class": link_routes.RouteAccessLogger})

    async def messages(request: web.Request) -> web.StreamResponse:
        new_correlation_id()
        started = time.perf_counter()
        outcome = await _messages(request)
        app.metrics.turns.labels(outcome.kind).inc()
        app.metrics.latency.labels(outcome.kind).observe(time.perf_counter() - started)
        if outcome.refused:
            app.metrics.count_refusal(outcome.refused)
        return outcome.response

    async def _messages(request: web.Request) -> _Outcome:
        if request.content_type != "application/json":
            return _refuse(415, "expected application/json", "not_json_content")
        charset = (request.charset or "utf-8").lower()
        if charset not in JSON_CHARSETS:  # JSON is UTF-8 (RFC 8259); an unknown codec is no 500
            return _refuse(415, "expected UTF-8 JSON", "charset")
        try:
            body = orjson.loads(await request.read())
        except orjson.JSONDecodeError:  # also malformed UTF-8
            return _refuse(400, "body is not JSON", "not_json")
        except web.HTTPRequestEntityTooLarge:
            return _refuse(413, "body too large", "too_large")
        if not isinstance(body, dict) or not isinstance(body.get("type"), str):
            return _refuse(400, "not an activity", "not_an_activity")
        kind = activity_type_label(body["type"])
        try:
            activity = read_activity(body)
        except Exception:  # msrest raises several types for malformed fields
            return _refuse(400, "malformed activity", "malformed", kind)
        if not activity.conversation or not activity.service_url:
            return _refuse(400, "activity lacks conversation or serviceUrl", "malformed", kind)
        auth_header = request.headers.get("Authorization", "")
        try:
            # authenticate first, on its own: every failure of a token is a 401, never a 500
            authenticated = await app.adapter.bot_framework_authentication.authenticate_request(
                activity, auth_header)
        except Exception as error:  # PermissionError, jwt errors, unreachable key set
            log.info("refused an activity: %s", type(error).__name__)
            return _refuse(401, "unauthorised", "unauthorised", kind)
        allowed = app.settings.tenant_allow_list
        if allowed and activity_tenant(activity) not in allowed:
            log.info("refused an activity from tenant %s", activity_tenant(activity)[:64])
            return _refuse(403, "tenant not allowed", "tenant", kind)
        response = await app.adapter.process_activity(authenticated, activity, app.bot.on_turn)
        if response is not None:
            # the activity handler has usually serialised the body already; a model still needs it
            try:
                body = response.body if isinstance(response.body, (dict, list, type(None))) else \
                    serializer_helper(response.body)
            except Exception:  # botbuilder's own error bodies hold an Exception it cannot serialise
                return _refuse(400, "bad request", "bad_request", kind)
            return _Outcome(web.json_response(body, status=response.status), kind)
        return _Outcome(web.Response(status=201), kind)

    async def metrics(_request: web.Request) -> web.Response:
        return web.Response(body=app.metrics.exposition(),
                            content_type="text/plain", charset="utf-8")

    async def healthz(_request: web.Request) -> web.Response:
        return web.json_response({"status": "up"})

    async def readyz(_request: web.Request) -> web.Response:
        if await app.database.ping():
            return web.json_response({"status": "ready"})
        return web.json_response({"status": "database unreachable"}, status=503)

    # the links a browser opens (teams/link_routes: HEAD and previewers only look)
    def refused_link() -> web.Response:
        app.metrics.count_refusal("link")
        return link_routes.refused()

    async def download(request: web.Request) -> web.Response:
        from imr_bot.services import files

        found = await files.collect(app.ctx, request.match_info["token"],
                                    client=request.remote or "")
        if found is None:
            return refused_link()
        safe_name = "".join(c for c in found.filename if c.isalnum() or c in "-_.") or "download"
        return link_routes.attachment(found.content, found.content_type, safe_name)

    async def calendar(request: web.Request) -> web.Response:
        from imr_bot.services import meetings

        found = await meetings.calendar_file(app.ctx, request.match_info["token"],
                                             client=request.remote or "")
        if found is None:
            return refused_link()
        filename, content = found
        return link_routes.attachment(content, "text/calendar", filename, charset="utf-8")

    async def document(request: web.Request) -> web.Response:
        from imr_bot.services import approvals

        found = await approvals.document_for(app.ctx, request.match_info["token"],
                                             client=request.remote or "")
        if found is None:
            return refused_link()
        stored, content = found
        safe_name = "".join(c for c in stored.filename if c.isalnum() or c in "-_. ") or "document"
        return link_routes.attachment(content, stored.content_type, safe_name)

    if app.settings.test_clock and app.settings.local_mode:
        # end-to-end tests only: set the time, and run the scheduled work on demand
        from datetime import datetime

        from imr_bot.services import reminders

        async def set_clock(request: web.Request) -> web.Response:
            body = await request.json()
            app.ctx.clock.set(datetime.fromisoformat(body["now"]) if body.get("now") else None)
            return web.json_response({"now": app.ctx.clock.now().isoformat()})

        async def run_sweep(request: web.Request) -> web.Response:
            result = await reminders.sweep(app.ctx)
            await reminders.daily_digest(app.ctx)
            if request.query.get("deliver") == "later":  # as the scheduler: in the background
                app.delivery.kick()
            else:
                while await app.delivery.flush():
                    pass
            release_memory()  # as the scheduler does after each sweep
            return web.json_response({"queued": result.queued})

        web_app.router.add_post("/_test/clock", set_clock)
        web_app.router.add_post("/_test/sweep", run_sweep)

    web_app.router.add_post("/api/messages", messages)
    link_routes.add_link_routes(web_app.router, {
        "/documents/{token}": ("document", document),
        "/calendar/{token}.ics": ("calendar", calendar),
        "/files/{token}": ("file", download)})
    web_app.router.add_get("/healthz", healthz)
    web_app.router.add_get("/metrics", metrics)
    web_app.router.add_get("/readyz", readyz)
    return web_app
