"""One turn as the handlers see it: who is asking, where, and how to answer; and the small
parsers every handler uses for command arguments and card data."""

from __future__ import annotations

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
