"""One turn as the handlers see it: who is asking, where, and how to answer; and the small
parsers every handler uses for command arguments and card data."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from botbuilder.core import CardFactory, MessageFactory, TurnContext

from imr_bot.domain.errors import DomainError
from imr_bot.domain.inputs import whole_number
from imr_bot.domain.people import Actor

from .turn_state import OUTBOX_KEY

if TYPE_CHECKING:
    from .bot import ImrBot

log = logging.getLogger(__name__)


@dataclass
class Turn:
    context: TurnContext
    actor: Actor
    scope: str  # personal, team or groupChat
    bot: ImrBot

    async def say(self, text: str) -> None:
        await self.context.send_activity(MessageFactory.text(text))

    async def reference_and_reason(self, args: str, ask: str) -> tuple[str, str] | None:
        """The review and the reason a command was given; without a review, ask (with `ask`,
        an example) and return None."""
        reference, reason = reference_and_reason(args)
        if not reference:
            await self.say(ask)
            return None
        return reference, reason

    def deliver_soon(self) -> None:
        self.context.turn_state[OUTBOX_KEY] = True

    async def card(self, name: str, data: dict) -> None:
        card = self.bot.cards.render(name, data)
        await self.context.send_activity(MessageFactory.attachment(CardFactory.adaptive_card(card)))

    async def show_card(self, name: str, data: dict) -> None:
        """In place of the card whose button was pressed, else as a new message: one card that
        changes, not a new copy for every click."""
        if not await self.replace_pressed_card(self.bot.cards.render(name, data)):
            await self.card(name, data)

    async def replace_pressed_card(self, card: dict) -> bool:
        """Change the card whose Action.Submit started this turn (Teams names its message in
        replyToId) into `card`. False when there is no such card, or Teams would not change it
        (then the caller says it in a new message)."""
        activity = self.context.activity
        if activity.type != "message" or not activity.reply_to_id or not isinstance(
                activity.value, dict):
            return False
        update = MessageFactory.attachment(CardFactory.adaptive_card(card))
        update.id = activity.reply_to_id
        try:
            await self.context.update_activity(update)
        except Exception:  # an old message Teams will not edit: the answer goes as a new one
            log.info("could not update the pressed card", exc_info=True)
            return False
        return True



def reference_and_reason(args: str) -> tuple[str, str]:
    reference, _, reason = args.strip().partition(" ")
    reason = re.sub(r"^because\s+", "", reason.strip(), flags=re.IGNORECASE)
    return reference, reason


def parse_emails(value) -> set[str]:
    return {e.strip().lower() for e in str(value or "").split(",") if e.strip()}


def parse_id(value) -> int:
    """An id from card data: a positive whole number the database can hold, else a refusal."""
    number = whole_number(value, low=1)
    if number is None:
        raise DomainError("That choice was not valid; please choose from the list.")
    return number
