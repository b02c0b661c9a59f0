"""A mock Bot Connector for benchmarks: accepts replies and proactive messages, counts them by
text, and (with --limits) enforces Teams' rate limits with 429 and Retry-After."""

import argparse
import collections
import time

from aiohttp import web

from imr_bot.teams.rate_limit import PER_APP, PER_CONVERSATION, SlidingWindow


def make_app(limits: bool) -> web.Application:
    received: collections.Counter = collections.Counter()
    refused = {"count": 0}
    app_windows = [SlidingWindow(limit, seconds) for limit, seconds in PER_APP]
    conversations: dict[str, list[SlidingWindow]] = {}

    async def activity(request: web.Request) -> web.Response:
        body = await request.json()
        conversation = request.match_info["conversation"]
        if limits:
            now = time.monotonic()
            windows = app_windows + conversations.setdefault(
                conversation, [SlidingWindow(limit, seconds) for limit, seconds in PER_CONVERSATION])
            wait = max(w.wait_time(now) for w in windows)
            if wait > 0:
                refused["count"] += 1
                return web.json_response({"error": {"code": "TooManyRequests"}}, status=429,
                                         headers={"Retry-After": f"{max(wait, 0.05):.2f}"})
            for window in windows:
                window.record(now)
        received[body.get("text") or "card"] += 1
        return web.json_response({"id": str(sum(received.values()))})

    async def stats(_request: web.Request) -> web.Response:
        return web.json_response({"received": dict(received), "refused": refused["count"]})

    async def reset(_request: web.Request) -> web.Response:
        received.clear()
        refused["count"] = 0
        conversations.clear()
        return web.json_response({})

    app = web.Application()
    app.router.add_post("/v3/conversations/{conversation}/activities", activity)
    app.router.add_post("/v3/conversations/{conversation}/activities/{reply}", activity)
    app.router.add_get("/stats", stats)
    app.router.add_post("/reset", reset)
    return app


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--limits", action="store_true")
    args = parser.parse_args()
    web.run_app(make_app(args.limits), host="127.0.0.1", port=args.port, print=None,
                access_log=None)
