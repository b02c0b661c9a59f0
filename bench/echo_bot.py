"""The floors: a botbuilder echo bot on the same aiohttp stack, stock or with the SDK's per-turn
client construction removed (our lean authentication, sending through the SDK's connector client
as before). `--direct` adds our direct replies (connector.py): not a floor, shown for reference."""

import argparse

from aiohttp import web
from botbuilder.core import ActivityHandler, TurnContext
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication

from imr_bot.config import Settings
from imr_bot.teams.adapter import BotConfig, LeanAuthentication


class Echo(ActivityHandler):
    async def on_message_activity(self, turn_context: TurnContext) -> None:
        await turn_context.send_activity(turn_context.activity.text or "")


def make_app(lean: bool, direct: bool = False) -> web.Application:
    authentication = ConfigurationBotFrameworkAuthentication(BotConfig(Settings(app_id="")))
    if lean or direct:
        authentication = LeanAuthentication(authentication, direct_sends=direct)
    adapter = CloudAdapter(authentication)
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
    parser.add_argument("--direct", action="store_true")
    args = parser.parse_args()
    web.run_app(make_app(args.lean, args.direct), host="127.0.0.1", port=args.port, print=None, access_log=None)
