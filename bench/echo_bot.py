"""The floors: a botbuilder echo bot on the same aiohttp stack, stock or with our lean
authentication (the SDK's per-turn client construction removed)."""

import argparse

from aiohttp import web
from botbuilder.core import ActivityHandler, TurnContext
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication

from imr_bot.config import Settings
from imr_bot.teams.adapter import BotConfig, LeanAuthentication


class Echo(ActivityHandler):
    async def on_message_activity(self, turn_context: TurnContext) -> None:
        await turn_context.send_activity(turn_context.activity.text or "")


def make_app(lean: bool) -> web.Application:
    authentication = ConfigurationBotFrameworkAuthentication(BotConfig(Settings(app_id="")))
    adapter = CloudAdapter(LeanAuthentication(authentication) if lean else authentication)
    bot = Echo()

    async def messages(request: web.Request) -> web.Response:
        return await adapter.process(request, bot)

    app = web.Application()
    app.router.add_post("/api/messages", messages)
    app.router.add_get("/healthz", lambda _r: web.json_response({"status": "up"}))
    return app


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--lean", action="store_true")
    args = parser.parse_args()
    web.run_app(make_app(args.lean), host="127.0.0.1", port=args.port, print=None, access_log=None)
