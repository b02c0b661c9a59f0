"""The command handlers. Each is declared once with @command; the bot finds it by name."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from botbuilder.core import CardFactory, MessageFactory, TurnContext

from imr_bot.domain.dates import format_date
from imr_bot.domain.people import Actor
from imr_bot.domain.policy import Permission
from imr_bot.services import channels, corrections, export, files, planning, tracker

from . import views
from .commands import PERSONAL, REGISTRY, command
from .turn_state import OUTBOX_KEY

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

    def deliver_soon(self) -> None:
        self.context.turn_state[OUTBOX_KEY] = True

    async def card(self, name: str, data: dict) -> None:
        card = self.bot.cards.render(name, data)
        await self.context.send_activity(MessageFactory.attachment(CardFactory.adaptive_card(card)))


_SCOPE_WORDS = {"mine", "overdue", "all"}
_EDIT = re.compile(r"^(?P<ref>\S+)\s+(?P<field>\S+)\s+(?P<value>.+?)\s+because\s+(?P<reason>.+)$",
                   re.IGNORECASE | re.DOTALL)


def _reference_and_reason(args: str) -> tuple[str, str]:
    reference, _, reason = args.strip().partition(" ")
    reason = re.sub(r"^because\s+", "", reason.strip(), flags=re.IGNORECASE)
    return reference, reason


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

    @command("edit", "edit REF FIELD VALUE because REASON",
             "Correct a review (Business Services): type, body, tor-start, tor-end, initials, "
             "notes, or ddscp (a new agreed DDSCP date, which re-bases the plan).",
             Permission.EDIT_REVIEW, scopes=PERSONAL)
    async def edit(self, turn: Turn, args: str) -> None:
        match = _EDIT.match(args.strip())
        if not match:
            await turn.say("Tell me the review, the field, the new value and why, e.g. "
                           "`imr edit DDSCP/CSPR/2026/014 ddscp 26/02/2027 because DDSCP agreed an "
                           f"extension`. Fields: {corrections.FIELD_HELP}.")
            return
        _review, said = await corrections.edit(turn.bot.ctx, turn.actor, match["ref"],
                                               match["field"], match["value"], match["reason"])
        await turn.say(said)

    @command("hold", "hold REF REASON", "Put a review on hold; working days on hold don't count.",
             Permission.HOLD_REVIEW)
    async def hold(self, turn: Turn, args: str) -> None:
        reference, reason = _reference_and_reason(args)
        if not reference:
            await turn.say("Tell me the review and why, e.g. `imr hold DDSCP/CSPR/2026/014 police "
                           "investigation`.")
            return
        review = await corrections.hold(turn.bot.ctx, turn.actor, reference, reason)
        turn.deliver_soon()
        await turn.say(f"{review.reference} is on hold. `imr resume {review.reference}` restarts "
                       "it, and its later milestones move by the working days it was held.")

    @command("resume", "resume REF", "Resume a review on hold; its later milestones move by the "
             "working days held.", Permission.HOLD_REVIEW)
    async def resume(self, turn: Turn, args: str) -> None:
        reference, reason = _reference_and_reason(args)
        if not reference:
            await turn.say("Tell me the review, e.g. `imr resume DDSCP/CSPR/2026/014`.")
            return
        review = await corrections.resume(turn.bot.ctx, turn.actor, reference, reason)
        turn.deliver_soon()
        await turn.say(f"{review.reference} is back to '{review.stage.title}'. Submission to DDSCP "
                       f"is now due {format_date(review.plan.deadline)}.")

    @command("withdraw", "withdraw REF REASON", "Withdraw a review (it is closed and kept).",
             Permission.HOLD_REVIEW)
    async def withdraw(self, turn: Turn, args: str) -> None:
        reference, reason = _reference_and_reason(args)
        if not reference:
            await turn.say("Tell me the review and why, e.g. `imr withdraw DDSCP/CSPR/2026/014 "
                           "commission withdrawn by DDSCP`.")
            return
        review = await corrections.withdraw(turn.bot.ctx, turn.actor, reference, reason)
        turn.deliver_soon()
        await turn.say(f"{review.reference} is withdrawn. It stays in the history.")

    @command("export", "export", "The tracker as a spreadsheet (.xlsx), by a download link that "
             "works once, for 15 minutes.", Permission.EXPORT)
    async def export(self, turn: Turn, args: str) -> None:
        settings = turn.bot.settings
        filename, content = await export.tracker_export(turn.bot.ctx, turn.actor,
                                                        settings.protective_marking)
        token = await files.offer(turn.bot.ctx, filename=filename, content_type=export.XLSX,
                                  content=content, created_by=turn.actor.key)
        await turn.say(f"The tracker is ready: [{filename}]({settings.base_url}/files/{token}) "
                       "(the link works once, for 15 minutes).")
