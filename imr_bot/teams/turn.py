"""One turn as the handlers see it, with no Teams SDK in it: the request (who is asking, where,
what they typed or pressed, the files they sent) and where the answers go (a reply sink the
Teams room implements); and the small parsers every handler uses for arguments and card data."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from imr_bot.domain.errors import DomainError
from imr_bot.domain.inputs import whole_number
from imr_bot.domain.people import Actor

from .attachments import PastedLink, TeamsFile


@dataclass(frozen=True)
class Request:
    actor: Actor
    scope: str  # personal, team or groupChat
    conversation_key: str  # user:..., channel:... or chat:... (as conversation references are kept)
    conversation_name: str | None = None  # a channel's name, when Teams says it
    text: str = ""  # what was typed, normalised (no @mention, no leading imr)
    verb: str | None = None  # a card's action
    data: dict[str, Any] | None = None  # the card's data, with what was typed on it
    files: tuple[TeamsFile, ...] = ()  # files attached to the message, as plain descriptors
    links: tuple[PastedLink, ...] = ()  # links pasted into the message, not yet checked


class Replies(Protocol):
    """Where a turn's answers go (the Teams room implements it)."""

    async def say(self, text: str) -> None: ...

    async def card(self, name: str, data: dict) -> None: ...

    async def replace_pressed_card(self, name: str, data: dict) -> bool: ...

    async def offer_file(self, filename: str, description: str, size: int,
                         token: str) -> None: ...

    def deliver_soon(self) -> None: ...


class Conversation(Protocol):
    """What the conversation keeps between turns, and the dialog it can start."""

    async def submitting(self) -> str | None: ...

    async def set_submitting(self, reference: str | None) -> None: ...

    async def begin_new_review(self, options: dict | None = None) -> None: ...


@dataclass
class Turn:
    request: Request
    replies: Replies
    conversation: Conversation = field(repr=False, default=None)  # type: ignore[assignment]

    @property
    def actor(self) -> Actor:
        return self.request.actor

    @property
    def scope(self) -> str:
        return self.request.scope

    async def say(self, text: str) -> None:
        await self.replies.say(text)

    async def card(self, name: str, data: dict) -> None:
        await self.replies.card(name, data)

    async def replace_pressed_card(self, name: str, data: dict) -> bool:
        """Change the card whose button started this turn into the card `name` with `data`.
        False when there is no such card, or Teams would not change it (then the caller says it
        in a new message)."""
        return await self.replies.replace_pressed_card(name, data)

    async def show_card(self, name: str, data: dict) -> None:
        """In place of the card whose button was pressed, else as a new message: one card that
        changes, not a new copy for every click."""
        if not await self.replace_pressed_card(name, data):
            await self.card(name, data)

    def deliver_soon(self) -> None:
        self.replies.deliver_soon()


def parse_emails(value) -> set[str]:
    return {e.strip().lower() for e in str(value or "").split(",") if e.strip()}


def parse_id(value) -> int:
    """An id from card data: a positive whole number the database can hold, else a refusal."""
    number = whole_number(value, low=1)
    if number is None:
        raise DomainError("That choice was not valid; please choose from the list.")
    return number
