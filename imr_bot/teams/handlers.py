"""The command handlers. Each is declared once with @command; the bot finds it by name."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from imr_bot.domain.dates import format_date, parse_date
from imr_bot.domain.errors import DomainError, MomentPassed
from imr_bot.domain.inputs import whole_number
from imr_bot.domain.plain_text import plain
from imr_bot.domain.policy import Permission, require
from imr_bot.domain.roles import Role
from imr_bot.services import (
    allocation,
    channels,
    corrections,
    export,
    files,
    identity,
    notifications,
    people,
    planning,
    reminders,
    tracker,
)
from imr_bot.services.access import Target

from . import views
from .approval_handlers import ApprovalHandlers
from .commands import PERSONAL, REGISTRY, card_action, command, first_word
from .meeting_handlers import MeetingHandlers
from .reminder_handlers import ReminderHandlers
from .template_handlers import TemplateHandlers
from .todo_handlers import TodoHandlers
from .turn import Turn, parse_emails, parse_id

if TYPE_CHECKING:
    from dialogs.new_review import NewReviewDialog  # noqa: F401



_SCOPE_WORDS = {"mine", "overdue", "all"}
_EDIT = re.compile(r"^(?P<ref>\S+)\s+(?P<field>\S+)\s+(?P<value>.+?)\s+because\s+(?P<reason>.+)$",
                   re.IGNORECASE | re.DOTALL)


class CommandHandlers(TodoHandlers, ReminderHandlers, MeetingHandlers, ApprovalHandlers,
                      TemplateHandlers):
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
            await self.show_todo(turn)
            return
        if target and target.lower() not in _SCOPE_WORDS:
            detail = await tracker.detail(turn.bot.ctx, turn.actor, target)
            await turn.card("status_review", views.review_data(detail))
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
        board = await tracker.board(turn.bot.ctx, turn.actor, scope, page)
        if not board.rows and board.total:  # the board shrank since that page was offered
            board = await tracker.board(turn.bot.ctx, turn.actor, scope, 0)
        if not board.rows:
            empty = {"all": "There are no open reviews.", "mine": "You have no open reviews.",
                     "overdue": "Nothing is overdue."}
            await turn.say(empty.get(scope, "There are no open reviews."))
            return
        await turn.card("status_board", views.board_data(board, scope))

    @command("plan", "plan DATE [deadline DATE]",
             "Preview the milestone dates for a request received on a date, optionally re-based "
             "to an agreed DDSCP deadline.", Permission.PREVIEW_PLAN, group="Getting started")
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

    # the form's buttons: while `imr new` runs its dialog takes them (see NewReviewDialog)
    @card_action("new_review.check", Permission.COMMISSION, review=None, dialog=True)
    async def on_new_review_check(self, turn: Turn, value: dict) -> None:
        # the dialog ended (cancelled, or the bot's state was cleared): the user's values are in
        # the card, so carry on from them rather than lose them
        await turn.bot.begin_new_review(turn, {"values": value})

    @card_action("new_review.confirm", Permission.COMMISSION, review=None, dialog=True)
    async def on_new_review_confirm(self, turn: Turn, value: dict) -> None:
        await turn.say("That form is closed. Type `imr new` to log a commission.")

    @card_action("new_review.change", Permission.COMMISSION, review=None, dialog=True)
    async def on_new_review_change(self, turn: Turn, value: dict) -> None:
        await self.on_new_review_confirm(turn, value)

    @card_action("new_review.cancel", Permission.COMMISSION, review=None, dialog=True)
    async def on_new_review_cancel(self, turn: Turn, value: dict) -> None:
        await self.on_new_review_confirm(turn, value)

    @command("subscribe", "subscribe", "Make this channel the tracker channel (Business Services, "
             "administrator).", Permission.SUBSCRIBE_CHANNEL, scopes=frozenset({"team", "groupChat"}),
             group="People and admin")
    async def subscribe(self, turn: Turn, args: str) -> None:
        activity = turn.context.activity
        name = (activity.channel_data or {}).get("channel", {}).get("name") if isinstance(
            activity.channel_data, dict) else None
        await channels.subscribe(turn.bot.ctx, turn.actor, turn.bot.conversation_key(activity),
                                 name or "this channel")
        await turn.say("This channel is now the IMR tracker channel. It will get one line per new "
                       "IMR (reference, type and dates only) and a daily digest.")

    @command("unsubscribe", "unsubscribe", "Stop tracker messages in this channel.",
             Permission.SUBSCRIBE_CHANNEL, scopes=frozenset({"team", "groupChat"}),
             group="People and admin")
    async def unsubscribe(self, turn: Turn, args: str) -> None:
        if await channels.unsubscribe(turn.bot.ctx, turn.actor):
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
        _review, said = await corrections.edit(turn.bot.ctx, turn.actor, match["ref"],
                                               match["field"], match["value"], match["reason"])
        await turn.say(said)

    @command("hold", "hold REF REASON", "Put a review on hold; working days on hold don't count.",
             Permission.HOLD_REVIEW, review=first_word)
    async def hold(self, turn: Turn, args: str) -> None:
        asked = await turn.reference_and_reason(
            args,
            "Tell me the review and why, e.g. `imr hold DDSCP/CSPR/2026/014 police "
            "investigation`.")
        if asked is None:
            return
        reference, reason = asked
        review = await corrections.hold(turn.bot.ctx, turn.actor, reference, reason)
        turn.deliver_soon()
        await turn.say(f"{review.reference} is on hold. `imr resume {review.reference}` restarts "
                       "it, and its later milestones move by the working days it was held.")

    @command("resume", "resume REF", "Resume a review on hold; its later milestones move by the "
             "working days held.", Permission.HOLD_REVIEW, review=first_word)
    async def resume(self, turn: Turn, args: str) -> None:
        asked = await turn.reference_and_reason(
            args,
            "Tell me the review, e.g. `imr resume DDSCP/CSPR/2026/014`.")
        if asked is None:
            return
        reference, reason = asked
        review = await corrections.resume(turn.bot.ctx, turn.actor, reference, reason)
        turn.deliver_soon()
        await turn.say(f"{review.reference} is back to '{review.stage.title}'. Submission to DDSCP "
                       f"is now due {format_date(review.plan.deadline)}.")

    @command("withdraw", "withdraw REF REASON", "Withdraw a review (it is closed and kept).",
             Permission.HOLD_REVIEW, review=first_word)
    async def withdraw(self, turn: Turn, args: str) -> None:
        asked = await turn.reference_and_reason(
            args,
            "Tell me the review and why, e.g. `imr withdraw DDSCP/CSPR/2026/014 "
            "commission withdrawn by DDSCP`.")
        if asked is None:
            return
        reference, reason = asked
        review = await corrections.withdraw(turn.bot.ctx, turn.actor, reference, reason)
        turn.deliver_soon()
        await turn.say(f"{review.reference} is withdrawn. It stays in the history.")

    @command("export", "export", "The tracker as a spreadsheet (.xlsx), by a download link that "
             "works once, for 15 minutes.", Permission.EXPORT, group="People and admin")
    async def export(self, turn: Turn, args: str) -> None:
        settings = turn.bot.settings
        filename, content = await export.tracker_export(turn.bot.ctx, turn.actor,
                                                        settings.protective_marking)
        token = await files.offer(turn.bot.ctx, filename=filename, content_type=export.XLSX,
                                  content=content, created_by=turn.actor.key)
        await turn.say(f"The tracker is ready: [{filename}]({settings.base_url}/files/{token}) "
                       "(the link works once, for 15 minutes).")

    @command("reminders", "reminders REF", "The reminders the review will send over the next "
             "working days, and those already sent.", Permission.VIEW_STATUS,
             review=first_word)
    async def reminders(self, turn: Turn, args: str) -> None:
        if not args.strip():
            await turn.say("Tell me the review, e.g. `imr reminders DDSCP/CSPR/2026/014`.")
            return
        review, planned, sent = await reminders.upcoming(turn.bot.ctx, turn.actor, args.strip())
        rows = [{"a": format_date(p.day), "a2": "", "b": p.text, "c": p.recipients, "d": "planned"}
                for p in planned]
        rows += [{"a": line.split(" ", 2)[0] + " " + line.split(" ", 2)[1], "a2": "",
                  "b": line.split(" ", 2)[2], "c": "", "d": "sent-log"} for line in sent[-20:]]
        if not rows:
            await turn.say(f"No reminders are due for {review.reference} in the next 10 working "
                           "days, and none have been sent.")
            return
        await turn.card("people", {
            "title": f"Reminders for {review.reference}", "subtitle": "Planned (working days "
            "only, 08:00-18:00) and already sent.", "col1": "Day", "col2": "Reminder",
            "col3": "To", "col4": "", "rows": rows})

    # -- allocation (Days 1-4) -----------------------------------------------------------------
    @command("allocate", "allocate REF", "Allocate a report author and a QA senior lead from the "
             "pool (Head of CP & IRO).", Permission.ALLOCATE, scopes=PERSONAL,
             review=first_word)
    async def allocate(self, turn: Turn, args: str) -> None:
        if not args.strip():
            await turn.say("Tell me the review, e.g. `imr allocate DDSCP/CSPR/2026/014`.")
            return
        options = await allocation.options(turn.bot.ctx, turn.actor, args.strip())
        await turn.card("allocate", notifications.allocate_card_data(options))

    @card_action("allocate.start", Permission.ALLOCATE, review=Target.REFERENCE)
    async def on_allocate_start(self, turn: Turn, value: dict) -> None:
        await self.allocate(turn, str(value.get("reference") or ""))

    @card_action("allocate.refresh", Permission.ALLOCATE, review=Target.REFERENCE)
    async def on_allocate_refresh(self, turn: Turn, value: dict) -> None:
        options = await allocation.options(turn.bot.ctx, turn.actor, str(value.get("reference", "")),
                                           involved=parse_emails(value.get("involved")))
        await turn.show_card("allocate", notifications.allocate_card_data(options))

    @card_action("allocate.offer", Permission.ALLOCATE, review=Target.REFERENCE)
    async def on_allocate_offer(self, turn: Turn, value: dict) -> None:
        reference = str(value.get("reference") or "")
        involved = parse_emails(value.get("involved"))
        try:
            review, author = await allocation.offer(
                turn.bot.ctx, turn.actor, reference, parse_id(value.get("author")),
                parse_id(value.get("qa_lead")), involved=involved)
        except DomainError as error:
            # the same card again with the reason, keeping what was chosen
            options = await allocation.options(turn.bot.ctx, turn.actor, reference, involved=involved)
            await turn.show_card("allocate", notifications.allocate_card_data(options, error=str(error)))
            return
        turn.deliver_soon()
        said = f"Asked {plain(author.name)} to write the IMR for {review.reference}."
        waiting = ""
        if not await identity.reachable(turn.bot.ctx, author):
            waiting = notifications.will_reach_when_they_open(author, "the offer")
            said += " " + waiting
        await turn.replace_pressed_card(turn.bot.cards.render("outcome", views.outcome_data(
            f"Allocate {review.reference}",
            f"Offered to {plain(author.short_name)} by you, "
            f"{format_date(turn.bot.ctx.clock.today())}: waiting for the answer.",
            note=waiting or f"To ask someone else: imr reallocate {review.reference} REASON.")))
        await turn.say(said + " I'll tell you when they answer.")

    @command("reallocate", "reallocate REF REASON", "Withdraw the author (keeping the history) "
             "and choose again (Head of CP & IRO).", Permission.ALLOCATE, scopes=PERSONAL,
             review=first_word)
    async def reallocate(self, turn: Turn, args: str) -> None:
        asked = await turn.reference_and_reason(
            args,
            "Tell me the review and why, e.g. `imr reallocate DDSCP/CSPR/2026/014 "
            "author on long-term sick leave`.")
        if asked is None:
            return
        reference, reason = asked
        options = await allocation.reallocate(turn.bot.ctx, turn.actor, reference, reason)
        await turn.card("allocate", notifications.allocate_card_data(options))

    @card_action("allocation.accept", Permission.ANSWER_OFFER, review=Target.ALLOCATION_ID)
    async def on_allocation_accept(self, turn: Turn, value: dict) -> None:
        await self._answer_offer(turn, value, accept=True)

    @card_action("allocation.decline", Permission.ANSWER_OFFER, review=Target.ALLOCATION_ID)
    async def on_allocation_decline(self, turn: Turn, value: dict) -> None:
        await self._answer_offer(turn, value, accept=False)

    async def _answer_offer(self, turn: Turn, value: dict, *, accept: bool) -> None:
        """The author's answer; the card they pressed then shows it and offers no more buttons.
        A card pressed after its moment says what happened instead (withdrawn, answered)."""
        try:
            review, said = await allocation.answer(
                turn.bot.ctx, turn.actor, parse_id(value.get("allocationId")), accept=accept,
                declared_independent=str(value.get("declaration")).lower() == "true",
                reason=str(value.get("reason") or ""))
        except MomentPassed as passed:
            await turn.replace_pressed_card(turn.bot.cards.render("outcome", views.outcome_data(
                f"IMR {passed.reference}" if passed.reference else "IMR offer", str(passed),
                colour="Warning")))
            await turn.say(str(passed))
            return
        turn.deliver_soon()
        day = format_date(turn.bot.ctx.clock.today())
        outcome = f"Accepted by you, {day}." if accept else f"Declined by you, {day}."
        await turn.replace_pressed_card(turn.bot.cards.render("outcome", views.outcome_data(
            f"IMR {review.reference}", outcome, colour="Good" if accept else "Default")))
        await turn.say(said)

    @command("conflict", "conflict REF REASON", "Declare a conflict of interest on a review, so "
             "you are not suggested as its author.", Permission.DECLARE_CONFLICT, scopes=PERSONAL,
             audience=frozenset({Role.AUTHOR, Role.QA_LEAD}))
    async def conflict(self, turn: Turn, args: str) -> None:
        asked = await turn.reference_and_reason(
            args,
            "Tell me the review and the conflict, e.g. `imr conflict "
            "DDSCP/CSPR/2026/014 I managed the family's social worker`.")
        if asked is None:
            return
        reference, reason = asked
        review = await allocation.declare_conflict(turn.bot.ctx, turn.actor, reference, reason)
        await turn.say(f"Noted: you will not be suggested as the author of {review.reference}.")

    # -- the people directory --------------------------------------------------------------------
    @command("people", "people [load | leave EMAIL FROM TO | deactivate EMAIL]",
             "The pool with each person's load; the fairness view; record leave; deactivate "
             "(Business Services, administrator).", Permission.VIEW_PEOPLE,
             group="People and admin")
    async def people(self, turn: Turn, args: str) -> None:
        words = args.split()
        action = words[0].lower() if words else ""
        ctx = turn.bot.ctx
        if action == "leave":
            require(Permission.MANAGE_PEOPLE, turn.actor)
            match = re.match(r"^leave\s+(\S+)\s+(.+?)\s+(?:to\s+)?(\S+)$", args.strip(), re.I)
            if not match:
                await turn.say("Use `imr people leave EMAIL FROM TO`, e.g. `imr people leave "
                               "cara.author@council.gov.uk 21/12/2026 01/01/2027`.")
                return
            today = ctx.clock.today()
            person = await people.add_leave(ctx, turn.actor, match[1],
                                            parse_date(match[2], today=today),
                                            parse_date(match[3], today=today))
            await turn.say(f"Leave recorded for {plain(person.name)}: {len(person.leave)} period(s) on "
                           "record. They won't be suggested for reviews whose plan overlaps it.")
            return
        if action == "deactivate":
            require(Permission.MANAGE_PEOPLE, turn.actor)
            if len(words) != 2:
                await turn.say("Use `imr people deactivate EMAIL`.")
                return
            person = await people.deactivate(ctx, turn.actor, words[1])
            await turn.say(f"{plain(person.name)} is deactivated: no longer suggested or able to use the "
                           "bot's role commands. Their history is kept.")
            return
        rows = await allocation.loads(ctx, turn.actor)
        if action == "load":
            await turn.card("people", {
                "title": "Fairness: IMRs per person", "subtitle": "Open IMRs now, and "
                "allocations in the last 12 months.", "col1": "Person", "col2": "Open IMRs "
                "(author / QA lead)", "col3": "Offers awaiting an answer", "col4": "Allocated in "
                "12 months",
                "rows": [{"a": r.person.name, "a2": r.person.service, "b": f"{r.open_imrs} / {r.qa_open}",
                          "c": str(r.open_offers), "d": str(r.allocations_12_months)} for r in rows]})
            return
        if action:
            await turn.say("Use `imr people`, `imr people load`, `imr people leave EMAIL FROM TO` or "
                           "`imr people deactivate EMAIL`.")
            return
        today = ctx.clock.today()
        await turn.card("people", {
            "title": "The IMR pool", "subtitle": "Authors and QA senior leads, with their current "
            "load.", "col1": "Person", "col2": "Roles", "col3": "Load", "col4": "Availability",
            "rows": [{"a": r.person.name, "a2": r.person.email,
                      "b": ", ".join(sorted(x.title for x in r.person.roles)),
                      "c": f"{r.open_imrs + r.open_offers} of {r.person.max_concurrent}",
                      "d": _availability(r.person, today)} for r in rows]})


def _availability(person, today) -> str:
    upcoming = [p for p in person.leave if p.ends >= today]
    if not upcoming:
        return "available"
    first = min(upcoming, key=lambda p: p.starts)
    return f"leave {format_date(first.starts)} to {format_date(first.ends)}"


