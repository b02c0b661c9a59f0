"""The Teams side of a turn: an activity read into the SDK-neutral `Request`, and the reply sink
that answers through botbuilder's TurnContext. Handlers see only `turn.Turn`."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from botbuilder.core import CardFactory, MessageFactory, TurnContext
from botbuilder.schema import Attachment

from .card_templates import CardLibrary
from .turn_state import OUTBOX_KEY

log = logging.getLogger(__name__)

FILE_CONSENT = "application/vnd.microsoft.teams.card.file.consent"


class TeamsReplies:
    """Replies and conversation state for one Teams turn (both `turn.Replies` and
    `turn.Conversation`)."""

    def __init__(self, context: TurnContext, cards: CardLibrary, submitting_property,
                 begin_new_review: Callable[[TurnContext, dict | None], Awaitable[None]]):
        self.context = context
        self._cards = cards
        self._submitting = submitting_property
        self._begin_new_review = begin_new_review

    async def say(self, text: str) -> None:
        await self.context.send_activity(MessageFactory.text(text))

    async def card(self, name: str, data: dict) -> None:
        card = self._cards.render(name, data)
        await self.context.send_activity(MessageFactory.attachment(CardFactory.adaptive_card(card)))

    async def replace_pressed_card(self, name: str, data: dict) -> bool:
        """Change the card whose Action.Submit started this turn (Teams names its message in
        replyToId)."""
        activity = self.context.activity
        if activity.type != "message" or not activity.reply_to_id or not isinstance(
                activity.value, dict):
            return False
        update = MessageFactory.attachment(CardFactory.adaptive_card(self._cards.render(name, data)))
        update.id = activity.reply_to_id
        try:
            await self.context.update_activity(update)
        except Exception:  # an old message Teams will not edit: the answer goes as a new one
            log.info("could not update the pressed card", exc_info=True)
            return False
        return True

    async def offer_file(self, filename: str, description: str, size: int, token: str) -> None:
        """A FileConsentCard: the user allows it, then the bot uploads to their OneDrive."""
        consent = Attachment(content_type=FILE_CONSENT, name=filename, content={
            "description": description, "sizeInBytes": size,
            "acceptContext": {"token": token}, "declineContext": {"token": token}})
        await self.context.send_activity(MessageFactory.attachment(consent))

    def deliver_soon(self) -> None:
        self.context.turn_state[OUTBOX_KEY] = True

    async def submitting(self) -> str | None:
        return await self._submitting.get(self.context, None)

    async def set_submitting(self, reference: str | None) -> None:
        await self._submitting.set(self.context, reference)

    async def begin_new_review(self, options: dict | None = None) -> None:
        await self._begin_new_review(self.context, options)
