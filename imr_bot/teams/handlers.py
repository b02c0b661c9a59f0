"""The command handlers. Each is declared once with @command; the bot finds it by name."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from botbuilder.core import CardFactory, MessageFactory, TurnContext

from imr_bot.domain.people import Actor
from imr_bot.domain.policy import Permission
from imr_bot.services import channels, planning, tracker

from . import views
from .commands import PERSONAL, REGISTRY, command

if TYPE_CHECKING:
    from dialogs.new_review import NewReviewDialog  # noqa: F401

    from .bot import ImrBot


@dataclass
class Turn:
    context: TurnContext
    actor: Actor
    scope: str  # personal, team or groupChat
    bot: ImrBot

    async def say(self, text: str) -> None:
        await self.context.send_activity(MessageFactory.text(text))

    async def card(self, name: str, data: dict) -> None:
        card = self.bot.cards.render(name, data)
        await self.context.send_activity(MessageFactory.attachment(CardFactory.adaptive_card(card)))


_SCOPE_WORDS = {"mine", "overdue", "all"}


class CommandHandlers:
    @command("help", "help", "This list of commands.", Permission.HELP, aliases=("?", "hello", "hi"))
    async def help(self, turn: Turn, args: str) -> None:
        await turn.card("help", views.help_data(REGISTRY.help_lines()))

    @command("status", "status [REF | mine | overdue]",
             "The tracker: every open IMR, most urgent first; one review's timeline with a "
             "reference; “mine” for yours; “overdue” for the red ones.", Permission.VIEW_STATUS)
    async def status(self, turn: Turn, args: str) -> None:
        target = args.strip()
        if target and target.lower() not in _SCOPE_WORDS:
            detail = await tracker.detail(turn.bot.ctx, turn.actor, target)
            await turn.card("status_review", views.review_data(detail))
            return
        await self.show_board(turn, target.lower() or "all", 0)

    async def show_board(self, turn: Turn, scope: str, page: int) -> None:
        rows = await tracker.board(turn.bot.ctx, turn.actor, scope)
        if not rows:
            empty = {"all": "There are no open reviews.", "mine": "You have no open reviews.",
                     "overdue": "Nothing is overdue."}
            await turn.say(empty.get(scope, "There are no open reviews."))
            return
        await turn.card("status_board", views.board_data(rows, scope, page))

    @command("plan", "plan DATE [deadline DATE]",
             "Preview the milestone dates for a request received on a date, optionally re-based "
             "to an agreed DDSCP deadline.", Permission.PREVIEW_PLAN)
    async def plan(self, turn: Turn, args: str) -> None:
        if not args.strip():
            await turn.say("Tell me the date the request was received, e.g. `imr plan 21/12/2026` "
                           "or `imr plan 21 Dec 2026 deadline 26 Feb 2027`.")
            return
        received, *rest = re.split(r"\bdeadline\b", args, maxsplit=1, flags=re.IGNORECASE)
        deadline = rest[0] if rest else ""
        preview = planning.preview_plan(turn.bot.ctx, received.strip(), deadline.strip() or None)
        await turn.card("plan", views.plan_data(preview))

    @command("new", "new", "Log a new IMR commission (Business Services, Head of CP & IRO), by "
             "form or typed answers.", Permission.COMMISSION, scopes=PERSONAL)
    async def new(self, turn: Turn, args: str) -> None:
        await turn.bot.begin_new_review(turn)

    @command("subscribe", "subscribe", "Make this channel the tracker channel (Business Services, "
             "administrator).", Permission.SUBSCRIBE_CHANNEL, scopes=frozenset({"team", "groupChat"}))
    async def subscribe(self, turn: Turn, args: str) -> None:
        activity = turn.context.activity
        name = (activity.channel_data or {}).get("channel", {}).get("name") if isinstance(
            activity.channel_data, dict) else None
        await channels.subscribe(turn.bot.ctx, turn.actor, turn.bot.conversation_key(activity),
                                 name or "this channel")
        await turn.say("This channel is now the IMR tracker channel. It will get one line per new "
                       "IMR (reference, type and dates only) and a daily digest.")

    @command("unsubscribe", "unsubscribe", "Stop tracker messages in this channel.",
             Permission.SUBSCRIBE_CHANNEL, scopes=frozenset({"team", "groupChat"}))
    async def unsubscribe(self, turn: Turn, args: str) -> None:
        if await channels.unsubscribe(turn.bot.ctx, turn.actor):
            await turn.say("Tracker messages are stopped. `imr subscribe` starts them again.")
        else:
            await turn.say("No channel is subscribed to tracker messages.")

    @command("whoami", "whoami", "Who I think you are, and your roles.", Permission.HELP)
    async def whoami(self, turn: Turn, args: str) -> None:
        actor = turn.actor
        if not actor.is_known:
            await turn.say("You're not in the IMR people directory yet. Business Services can add "
                           "you with `imr-bot people import`.")
            return
        roles = ", ".join(sorted(r.title for r in actor.roles)) or "no roles"
        await turn.say(f"You are {actor.name} ({actor.key}): {roles}.")
