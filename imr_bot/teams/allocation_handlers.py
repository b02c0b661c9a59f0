"""Allocation (Days 1-4) and the people directory."""

from __future__ import annotations

import re

from imr_bot.domain.dates import format_date, parse_date
from imr_bot.domain.errors import DomainError, MomentPassed
from imr_bot.domain.plain_text import plain
from imr_bot.domain.policy import Permission, require
from imr_bot.domain.roles import Role
from imr_bot.domain.words import plural
from imr_bot.services import allocation, identity, notifications, people
from imr_bot.services.access import Target
from imr_bot.services.context import ServiceContext

from . import allocation_views, views
from .commands import (
    PERSONAL,
    REASON,
    REFERENCE,
    HandlerGroup,
    card_action,
    command,
    first_word,
)
from .turn import Turn, parse_emails, parse_id


class AllocationHandlers(HandlerGroup):
    """The Head of CP & IRO allocates; the author answers; anyone may declare a conflict."""

    key = "allocation"

    def __init__(self, ctx: ServiceContext):
        self.ctx = ctx

    @command("allocate", "allocate REF", "Allocate a report author and a QA senior lead from the "
             "pool (Head of CP & IRO).", Permission.ALLOCATE, scopes=PERSONAL,
             review=first_word)
    async def allocate(self, turn: Turn, args: str) -> None:
        if not args.strip():
            await turn.say("Tell me the review, e.g. `imr allocate DDSCP/CSPR/2026/014`.")
            return
        options = await allocation.options(self.ctx, turn.actor, args.strip())
        await turn.card("allocate", allocation_views.allocate_data(notifications.allocation_facts(options)))

    @card_action("allocate.start", Permission.ALLOCATE, review=Target.REFERENCE)
    async def on_allocate_start(self, turn: Turn, value: dict) -> None:
        await self.allocate(turn, str(value.get("reference") or ""))

    @card_action("allocate.refresh", Permission.ALLOCATE, review=Target.REFERENCE)
    async def on_allocate_refresh(self, turn: Turn, value: dict) -> None:
        options = await allocation.options(self.ctx, turn.actor, str(value.get("reference", "")),
                                           involved=parse_emails(value.get("involved")))
        await turn.show_card("allocate", allocation_views.allocate_data(notifications.allocation_facts(options)))

    @card_action("allocate.offer", Permission.ALLOCATE, review=Target.REFERENCE)
    async def on_allocate_offer(self, turn: Turn, value: dict) -> None:
        reference = str(value.get("reference") or "")
        involved = parse_emails(value.get("involved"))
        try:
            review, author = await allocation.offer(
                self.ctx, turn.actor, reference, parse_id(value.get("author")),
                parse_id(value.get("qa_lead")), involved=involved)
        except DomainError as error:
            # the same card again with the reason, keeping what was chosen
            options = await allocation.options(self.ctx, turn.actor, reference, involved=involved)
            await turn.show_card("allocate", allocation_views.allocate_data(notifications.allocation_facts(options), error=str(error)))
            return
        turn.deliver_soon()
        said = f"Asked {plain(author.name)} to write the IMR for {review.reference}."
        waiting = ""
        if not await identity.reachable(self.ctx, author):
            waiting = notifications.will_reach_when_they_open(author, "the offer")
            said += " " + waiting
        await turn.replace_pressed_card("outcome", views.outcome_data(
            f"Allocate {review.reference}",
            f"Offered to {plain(author.short_name)} by you, "
            f"{format_date(self.ctx.clock.today())}: waiting for the answer.",
            note=waiting or f"To ask someone else: imr reallocate {review.reference} REASON."))
        await turn.say(said + " I'll tell you when they answer.")

    @command("reallocate", "reallocate REF REASON", "Withdraw the author (keeping the history) "
             "and choose again (Head of CP & IRO).", Permission.ALLOCATE, scopes=PERSONAL,
             review=first_word,
             arguments=(REFERENCE, REASON),
             ask="Tell me the review and why, e.g. `imr reallocate DDSCP/CSPR/2026/014 "
             "author on long-term sick leave`.")
    async def reallocate(self, turn: Turn, reference: str, reason: str) -> None:
        options = await allocation.reallocate(self.ctx, turn.actor, reference, reason)
        await turn.card("allocate", allocation_views.allocate_data(notifications.allocation_facts(options)))

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
                self.ctx, turn.actor, parse_id(value.get("allocationId")), accept=accept,
                declared_independent=str(value.get("declaration")).lower() == "true",
                reason=str(value.get("reason") or ""))
        except MomentPassed as passed:
            await turn.replace_pressed_card("outcome", views.outcome_data(
                f"IMR {passed.reference}" if passed.reference else "IMR offer", str(passed),
                colour="Warning"))
            await turn.say(str(passed))
            return
        turn.deliver_soon()
        day = format_date(self.ctx.clock.today())
        outcome = f"Accepted by you, {day}." if accept else f"Declined by you, {day}."
        await turn.replace_pressed_card("outcome", views.outcome_data(
            f"IMR {review.reference}", outcome, colour="Good" if accept else "Default"))
        await turn.say(said)

    @command("conflict", "conflict REF REASON", "Declare a conflict of interest on a review, so "
             "you are not suggested as its author.", Permission.DECLARE_CONFLICT, scopes=PERSONAL,
             audience=frozenset({Role.AUTHOR, Role.QA_LEAD}),
             arguments=(REFERENCE, REASON),
             ask="Tell me the review and the conflict, e.g. `imr conflict "
             "DDSCP/CSPR/2026/014 I managed the family's social worker`.")
    async def conflict(self, turn: Turn, reference: str, reason: str) -> None:
        review = await allocation.declare_conflict(self.ctx, turn.actor, reference, reason)
        await turn.say(f"Noted: you will not be suggested as the author of {review.reference}.")


class PeopleHandlers(HandlerGroup):
    """The pool, the fairness view, leave and deactivation."""

    key = "people"

    def __init__(self, ctx: ServiceContext):
        self.ctx = ctx

    @command("people", "people [load | leave EMAIL FROM TO | deactivate EMAIL]",
             "The pool with each person's load; the fairness view; record leave; deactivate "
             "(Business Services, administrator).", Permission.VIEW_PEOPLE,
             group="People and admin")
    async def people(self, turn: Turn, args: str) -> None:
        words = args.split()
        action = words[0].lower() if words else ""
        ctx = self.ctx
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
            await turn.say(f"Leave recorded for {plain(person.name)}: {plural(len(person.leave), 'period')} of leave on "
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
            await turn.card("table", views.fairness_table(rows))
            return
        if action:
            await turn.say("Use `imr people`, `imr people load`, `imr people leave EMAIL FROM TO` or "
                           "`imr people deactivate EMAIL`.")
            return
        today = ctx.clock.today()
        await turn.card("table", views.pool_table(rows, today))
