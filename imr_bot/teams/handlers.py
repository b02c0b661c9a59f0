"""The review handlers: help, the tracker, plans, a new commission, corrections, a channel's
subscription and export. Each is declared once with @command or @card_action; the bot finds it
through the declaration table (commands.py)."""

from __future__ import annotations

import re
from datetime import date

from imr_bot.config import Settings
from imr_bot.domain.dates import format_date
from imr_bot.domain.inputs import whole_number
from imr_bot.domain.policy import Permission
from imr_bot.services import channels, corrections, export, files, planning, reminders, tracker
from imr_bot.services.access import Target
from imr_bot.services.context import ServiceContext

from . import views
from .commands import (
    PERSONAL,
    REASON,
    REFERENCE,
    REGISTRY,
    WHOLE_REFERENCE,
    Arg,
    HandlerGroup,
    card_action,
    command,
    date_after,
    date_until,
    first_word,
)
from .tab_links import tab_link
from .todo_handlers import TodoHandlers
from .turn import Turn

RECEIVED = Arg("received", date_until("deadline"))  # `plan 21 Dec 2026 deadline 26 Feb 2027`
DEADLINE = Arg("deadline", date_after("deadline"))

_SCOPE_WORDS = {"mine", "overdue", "all"}
_EDIT = re.compile(r"^(?P<ref>\S+)\s+(?P<field>\S+)\s+(?P<value>.+?)\s+because\s+(?P<reason>.+)$",
                   re.IGNORECASE | re.DOTALL)


class ReviewHandlers(HandlerGroup):
    """Help, the tracker, plans, a new commission, corrections and a review's reminders."""

    key = "reviews"

    def __init__(self, ctx: ServiceContext, settings: Settings, todo: TodoHandlers):
        self.ctx = ctx
        self.settings = settings
        self.todo = todo  # `status mine` in the personal chat is the todo list

    @command("help", "help", "This list of commands.", Permission.HELP, aliases=("?", "hello", "hi"),
             group="Getting started")
    async def help(self, turn: Turn, args: str) -> None:
        await turn.card("help", views.help_data(REGISTRY.help_groups(turn.actor)))

    @command("status", "status [REF | mine | overdue]",
             "The tracker: every open IMR, most urgent first; one review's timeline with a "
             "reference; “mine” for yours; “overdue” for the red ones.", Permission.VIEW_STATUS,
             review=lambda args: None if args.strip().lower() in _SCOPE_WORDS else first_word(args))
    async def status(self, turn: Turn, args: str) -> None:
        target = args.strip()
        if target.lower() == "mine" and turn.scope == "personal":  # what is waiting for me
            await self.todo.show_todo(turn)
            return
        if target and target.lower() not in _SCOPE_WORDS:
            detail = await tracker.detail(self.ctx, turn.actor, target)
            await turn.card("status_review", {**views.review_data(detail), "tabUrl": tab_link(
                self.settings, detail.review.reference)})
            return
        await self.show_board(turn, target.lower() or "all", 0)

    @card_action("status.more", Permission.VIEW_STATUS, review=None)
    async def on_status_more(self, turn: Turn, value: dict) -> None:
        page = whole_number(value.get("page") or 0, high=10_000) or 0
        scope = str(value.get("scope") or "all")
        await self.show_board(turn, scope if scope in _SCOPE_WORDS else "all", page)

    @card_action("status.review", Permission.VIEW_REVIEW, review=Target.REFERENCE)
    async def on_status_review(self, turn: Turn, value: dict) -> None:
        await self.status(turn, str(value.get("reference") or ""))

    async def show_board(self, turn: Turn, scope: str, page: int) -> None:
        board = await tracker.board(self.ctx, turn.actor, scope, page)
        if not board.rows and board.total:  # the board shrank since that page was offered
            board = await tracker.board(self.ctx, turn.actor, scope, 0)
        if not board.rows:
            empty = {"all": "There are no open reviews.", "mine": "You have no open reviews.",
                     "overdue": "Nothing is overdue."}
            await turn.say(empty.get(scope, "There are no open reviews."))
            return
        await turn.card("status_board", {**views.board_data(board, scope),
                                         "tabUrl": tab_link(self.settings)})

    @command("plan", "plan DATE [deadline DATE]",
             "Preview the milestone dates for a request received on a date, optionally re-based "
             "to an agreed DDSCP deadline.", Permission.PREVIEW_PLAN, group="Getting started",
             arguments=(RECEIVED, DEADLINE),
             ask="Tell me the date the request was received, e.g. `imr plan 21/12/2026` or "
             "`imr plan 21 Dec 2026 deadline 26 Feb 2027`.")
    async def plan(self, turn: Turn, received: date, deadline: date | None) -> None:
        preview = planning.preview_plan(self.ctx, received, deadline)
        await turn.card("plan", views.plan_data(preview))

    @command("new", "new", "Log a new IMR commission (Business Services, Head of CP & IRO), by "
             "form or typed answers.", Permission.COMMISSION, scopes=PERSONAL,
             interrupts_dialog=False)
    async def new(self, turn: Turn, args: str) -> None:
        await turn.conversation.begin_new_review()

    # the form's buttons: while `imr new` runs its dialog takes them (see NewReviewDialog)
    @card_action("new_review.check", Permission.COMMISSION, review=None, dialog=True)
    async def on_new_review_check(self, turn: Turn, value: dict) -> None:
        # the dialog ended (cancelled, or the bot's state was cleared): the user's values are in
        # the card, so carry on from them rather than lose them
        await turn.conversation.begin_new_review({"values": value})

    @card_action("new_review.confirm", Permission.COMMISSION, review=None, dialog=True)
    async def on_new_review_confirm(self, turn: Turn, value: dict) -> None:
        await turn.say("That form is closed. Type `imr new` to log a commission.")

    @card_action("new_review.change", Permission.COMMISSION, review=None, dialog=True)
    async def on_new_review_change(self, turn: Turn, value: dict) -> None:
        await self.on_new_review_confirm(turn, value)

    @card_action("new_review.cancel", Permission.COMMISSION, review=None, dialog=True)
    async def on_new_review_cancel(self, turn: Turn, value: dict) -> None:
        await self.on_new_review_confirm(turn, value)

    # asked when a command is typed while `imr new` runs (cards/new_review_interrupted.json)
    @card_action("new_review.resume", Permission.COMMISSION, review=None, dialog=True)
    async def on_new_review_resume(self, turn: Turn, value: dict) -> None:
        await self.on_new_review_confirm(turn, value)

    @card_action("new_review.restart", Permission.COMMISSION, review=None, dialog=True)
    async def on_new_review_restart(self, turn: Turn, value: dict) -> None:
        await turn.conversation.begin_new_review()

    @command("subscribe", "subscribe", "Make this channel the tracker channel (Business Services, "
             "administrator).", Permission.SUBSCRIBE_CHANNEL, scopes=frozenset({"team", "groupChat"}),
             group="People and admin")
    async def subscribe(self, turn: Turn, args: str) -> None:
        await channels.subscribe(self.ctx, turn.actor, turn.request.conversation_key,
                                 turn.request.conversation_name or "this channel")
        await turn.say("This channel is now the IMR tracker channel. Each IMR gets one card here "
                       "(its reference, type, stage and dates only), kept up to date as it moves "
                       "on, and there is a daily digest.")

    @command("unsubscribe", "unsubscribe", "Stop tracker messages in this channel.",
             Permission.SUBSCRIBE_CHANNEL, scopes=frozenset({"team", "groupChat"}),
             group="People and admin")
    async def unsubscribe(self, turn: Turn, args: str) -> None:
        if await channels.unsubscribe(self.ctx, turn.actor):
            await turn.say("Tracker messages are stopped. `imr subscribe` starts them again.")
        else:
            await turn.say("No channel is subscribed to tracker messages.")

    @command("whoami", "whoami", "Who I think you are, and your roles.", Permission.HELP,
             group="Getting started")
    async def whoami(self, turn: Turn, args: str) -> None:
        actor = turn.actor
        if not actor.is_known:
            await turn.say("I don't have you in the IMR people directory yet. Business Services can add "
                           "you with `imr-bot people import`.")
            return
        roles = ", ".join(sorted(r.title for r in actor.roles)) or "no roles"
        await turn.say(f"You are {actor.name} ({actor.key}): {roles}.")

    @command("edit", "edit REF FIELD VALUE because REASON",
             "Correct a review (Business Services): type, body, tor-start, tor-end, initials, "
             "notes, or ddscp (a new agreed DDSCP date, which re-bases the plan).",
             Permission.EDIT_REVIEW, scopes=PERSONAL, review=first_word)
    async def edit(self, turn: Turn, args: str) -> None:
        match = _EDIT.match(args.strip())
        if not match:
            await turn.say("Tell me the review, the field, the new value and why, e.g. "
                           "`imr edit DDSCP/CSPR/2026/014 ddscp 26/02/2027 because DDSCP agreed an "
                           f"extension`. Fields: {corrections.FIELD_HELP}.")
            return
        _review, said = await corrections.edit(self.ctx, turn.actor, match["ref"],
                                               match["field"], match["value"], match["reason"])
        await turn.say(said)

    @command("hold", "hold REF REASON", "Put a review on hold; working days on hold don't count.",
             Permission.HOLD_REVIEW, review=first_word,
             arguments=(REFERENCE, REASON),
             ask="Tell me the review and why, e.g. `imr hold DDSCP/CSPR/2026/014 police "
             "investigation`.")
    async def hold(self, turn: Turn, reference: str, reason: str) -> None:
        change = await corrections.hold(self.ctx, turn.actor, reference, reason)
        review = change.review
        turn.deliver_soon()
        await turn.say(f"{review.reference} is on hold. `imr resume {review.reference}` restarts "
                       f"it, and its later milestones move by the working days it was held. "
                       f"{change.told}".strip())

    @command("resume", "resume REF", "Resume a review on hold; its later milestones move by the "
             "working days held.", Permission.HOLD_REVIEW, review=first_word,
             arguments=(REFERENCE, REASON),
             ask="Tell me the review, e.g. `imr resume DDSCP/CSPR/2026/014`.")
    async def resume(self, turn: Turn, reference: str, reason: str) -> None:
        change = await corrections.resume(self.ctx, turn.actor, reference, reason)
        review = change.review
        turn.deliver_soon()
        await turn.say(f"{review.reference} is back to '{review.stage.title}'. Submission to DDSCP "
                       f"is now due {format_date(review.plan.deadline)}. {change.told}".strip())

    @command("withdraw", "withdraw REF REASON", "Withdraw a review (it is closed and kept).",
             Permission.HOLD_REVIEW, review=first_word,
             arguments=(REFERENCE, REASON),
             ask="Tell me the review and why, e.g. `imr withdraw DDSCP/CSPR/2026/014 "
             "commission withdrawn by DDSCP`.")
    async def withdraw(self, turn: Turn, reference: str, reason: str) -> None:
        change = await corrections.withdraw(self.ctx, turn.actor, reference, reason)
        review = change.review
        turn.deliver_soon()
        await turn.say(f"{review.reference} is withdrawn. It stays in the history. "
                       f"{change.told}".strip())

    @command("export", "export", "The tracker as a spreadsheet (.xlsx), by a download link that "
             "works once, for 15 minutes.", Permission.EXPORT, group="People and admin")
    async def export(self, turn: Turn, args: str) -> None:
        settings = self.settings
        filename, content = await export.tracker_export(self.ctx, turn.actor,
                                                        settings.protective_marking)
        token = await files.offer(self.ctx, filename=filename, content_type=export.XLSX,
                                  content=content, created_by=turn.actor.key)
        await turn.say(f"The tracker is ready: [{filename}]({settings.base_url}/files/{token}) "
                       "(the link works once, for 15 minutes).")

    @command("reminders", "reminders REF", "The reminders the review will send over the next "
             "working days, and those already sent.", Permission.VIEW_STATUS,
             review=first_word,
             arguments=(WHOLE_REFERENCE,),
             ask="Tell me the review, e.g. `imr reminders DDSCP/CSPR/2026/014`.")
    async def reminders(self, turn: Turn, reference: str) -> None:
        review, planned, sent = await reminders.upcoming(self.ctx, turn.actor, reference)
        if not planned and not sent:
            await turn.say(f"No reminders are due for {review.reference} in the next 10 working "
                           "days, and none have been sent.")
            return
        await turn.card("table", views.reminders_table(review.reference, planned, sent))
