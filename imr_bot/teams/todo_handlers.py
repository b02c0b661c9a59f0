"""`imr todo`: what is waiting for the person asking, with the button that does each step; and
the typed answers (`imr accept`, `imr decline`, `imr approve`, `imr amend`)."""

from __future__ import annotations

from imr_bot.domain.dates import format_date
from imr_bot.domain.errors import DomainError
from imr_bot.domain.policy import Permission
from imr_bot.domain.roles import Role
from imr_bot.domain.submissions import Decision, Level
from imr_bot.domain.words import plural
from imr_bot.services import todo, tracker
from imr_bot.services.access import Target
from imr_bot.services.context import ServiceContext

from . import allocation_views, meeting_views, notice_views, views
from .approval_handlers import ApprovalHandlers
from .commands import (
    PERSONAL,
    REASON,
    REFERENCE,
    Arg,
    HandlerGroup,
    card_action,
    command,
    first_word,
)
from .todo_views import todo_data
from .turn import Turn, parse_id

APPROVERS = frozenset({Role.QA_LEAD, Role.SD_EHS})
COMMENT = Arg("comment", REASON.take)  # the rest, without a leading "because"; may be empty
AUTHORS = frozenset({Role.AUTHOR})


def _this_week(args: str) -> bool:
    # "week", "this week", "due this week": anything else is the whole list, as before
    return "week" in args.lower().split()


class TodoHandlers(HandlerGroup):
    key = "todo"

    def __init__(self, ctx: ServiceContext, approvals: ApprovalHandlers):
        self.ctx = ctx
        self.approvals = approvals  # a todo button starts `imr submit`

    @command("todo", "todo [week]", "What is waiting for you, soonest first: offers, meetings, "
             "documents to submit, decisions, reminders; each with a button. “week” for what is "
             "due by the end of this working week.",
             Permission.VIEW_STATUS, scopes=PERSONAL, aliases=("tasks", "mine"),
             group="Getting started", answers_questions=True)
    async def todo(self, turn: Turn, args: str) -> None:
        await self.show_todo(turn, this_week=_this_week(args))

    async def show_todo(self, turn: Turn, *, this_week: bool = False) -> None:
        """The steps waiting for this person; with none, the reviews they hold a part in."""
        ctx = self.ctx
        listed = await todo.for_person(ctx, turn.actor, this_week=this_week)
        if listed.items:
            await turn.card("todo", todo_data(listed, turn.actor.person.first_name))
            return
        if this_week and listed.later:
            await turn.say(f"Nothing is due by {format_date(listed.due_by)}. "
                           f"{plural(listed.later, 'step')} {'is' if listed.later == 1 else 'are'} "
                           "due later: `imr todo` shows them all.")
            return
        board = await tracker.board(ctx, turn.actor, "mine", 0)
        if not board.rows:
            await turn.say("Nothing is waiting for you just now, and you have no open reviews. "
                           "`imr status` shows every open review.")
            return
        await turn.say("Nothing is waiting for you just now. Your open reviews:")
        await turn.card("status_board", views.board_data(board, "mine"))

    @command("accept", "accept REF", "Accept what is waiting for your answer on a review: the "
             "offer to write it (typing this declares you are independent of the case and of its "
             "line management), or a meeting invitation.", Permission.VIEW_STATUS,
             scopes=PERSONAL, audience=AUTHORS | APPROVERS | {Role.LINE_MANAGER}, review=first_word)
    async def accept(self, turn: Turn, args: str) -> None:
        reference = args.strip().split(" ", 1)[0]
        if not reference:
            await turn.say("Tell me the review, e.g. `imr accept DDSCP/CSPR/2026/014`. "
                           "`imr todo` lists what is waiting for you.")
            return
        said = await todo.accept(self.ctx, turn.actor, reference)
        turn.deliver_soon()
        await turn.say(said)

    @command("decline", "decline REF REASON", "Decline the offer to write a review's IMR; the "
             "reason goes to the Head of CP & IRO.", Permission.VIEW_STATUS, scopes=PERSONAL,
             audience=AUTHORS, review=first_word,
             arguments=(REFERENCE, REASON),
             ask="Tell me the review and why, e.g. `imr decline DDSCP/CSPR/2026/014 on "
             "leave for most of the review`.")
    async def decline(self, turn: Turn, reference: str, reason: str) -> None:
        said = await todo.decline(self.ctx, turn.actor, reference, reason)
        turn.deliver_soon()
        await turn.say(said)

    @command("approve", "approve REF [COMMENT]", "Approve the report waiting for your decision "
             "(QA senior lead, or Service Director sign-off), as the approval card's button does.",
             Permission.VIEW_STATUS, scopes=PERSONAL, audience=APPROVERS, group="Documents",
             review=first_word, arguments=(REFERENCE, COMMENT),
             ask="Tell me the review, e.g. `imr approve DDSCP/CSPR/2026/014`.")
    async def approve(self, turn: Turn, reference: str, comment: str) -> None:
        await self._decide(turn, reference, comment, Decision.APPROVED)

    @command("amend", "amend REF REASON", "Ask for amendments to the report waiting for your "
             "decision; the reason goes to the author.", Permission.VIEW_STATUS, scopes=PERSONAL,
             audience=APPROVERS, group="Documents", review=first_word,
             arguments=(REFERENCE, COMMENT),
             ask="Tell me the review, e.g. `imr amend DDSCP/CSPR/2026/014 the chronology stops "
             "in March`.")
    async def amend(self, turn: Turn, reference: str, comment: str) -> None:
        await self._decide(turn, reference, comment, Decision.AMENDMENTS)

    async def _decide(self, turn: Turn, reference: str, comment: str,
                      decision: Decision) -> None:
        review, level, version = await todo.decide(self.ctx, turn.actor, reference, decision,
                                                   comment)
        turn.deliver_soon()
        if decision == Decision.AMENDMENTS:
            await turn.say(f"Recorded: amendments requested on **{review.reference}** (version "
                           f"{version}). The author has been told what to change.")
        elif level == Level.QA:
            await turn.say(f"Recorded: **{review.reference}** (version {version}) is approved at "
                           "QA and has gone to the Service Director for sign-off.")
        else:
            await turn.say(f"Recorded: **{review.reference}** (version {version}) is signed off. "
                           "Business Services will submit it to DDSCP.")

    # -- the buttons on the todo card -----------------------------------------------------------
    @card_action("todo.offer", Permission.ANSWER_OFFER, review=Target.ALLOCATION_ID)
    async def on_todo_offer(self, turn: Turn, value: dict) -> None:
        facts = await todo.offer_card(self.ctx, turn.actor, parse_id(value.get("allocationId")))
        await turn.card("allocation_offer", allocation_views.offer_data(facts))

    @card_action("todo.invite", Permission.ANSWER_MEETING, review=Target.MEETING_ID)
    async def on_todo_invite(self, turn: Turn, value: dict) -> None:
        invitation = await todo.invite_card(self.ctx, turn.actor, parse_id(value.get("meetingId")))
        await turn.card("meeting_invite", {**meeting_views.invite_data(invitation),
                                           "baseUrl": self.ctx.base_url})

    @card_action("todo.submit", Permission.SUBMIT_REPORT, review=Target.REFERENCE)
    async def on_todo_submit(self, turn: Turn, value: dict) -> None:
        reference = str(value.get("reference") or "")[:60].strip()
        if not reference or " " in reference:
            raise DomainError("That button's data was not valid.")
        await self.approvals.submit(turn, reference)

    @card_action("todo.approval", Permission.DECIDE_APPROVAL, review=Target.REVIEW_ID)
    async def on_todo_approval(self, turn: Turn, value: dict) -> None:
        try:
            level = Level(str(value.get("level")))
        except ValueError:
            raise DomainError("That button's data was not valid.") from None
        data = await todo.approval_card(self.ctx, turn.actor, parse_id(value.get("reviewId")),
                                        parse_id(value.get("version")), level)
        await turn.card("approval", {**notice_views.approval_card(data),
                                     "baseUrl": self.ctx.base_url})
