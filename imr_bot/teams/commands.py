"""Commands, each declared once: name, usage, one help line, who may run it, where, and its handler.

The help card, the authorisation checks and the Teams manifest's command list all come from these
declarations, so they cannot drift apart.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from imr_bot.domain.policy import Permission

ALL_SCOPES = frozenset({"personal", "team", "groupChat"})
PERSONAL = frozenset({"personal"})

Handler = Callable[[Any, str], Awaitable[None]]


@dataclass(frozen=True)
class Command:
    name: str
    usage: str
    help: str
    permission: Permission
    scopes: frozenset[str] = ALL_SCOPES
    aliases: tuple[str, ...] = ()
    handler_name: str = ""
    examples: tuple[str, ...] = field(default_factory=tuple)


_MENTION = re.compile(r"<at>.*?</at>", re.IGNORECASE | re.DOTALL)
_TAGS = re.compile(r"<[^>]+>")


def normalise(text: str | None) -> str:
    """What the user asked for, without the @mention, markup, a leading slash or 'imr'."""
    cleaned = _MENTION.sub(" ", text or "")
    cleaned = _TAGS.sub(" ", cleaned).replace("&nbsp;", " ")
    cleaned = re.sub(r"\s+", " ", cleaned).strip()
    cleaned = re.sub(r"^/", "", cleaned)
    cleaned = re.sub(r"^imr\b\s*", "", cleaned, flags=re.IGNORECASE)
    return cleaned.strip()


def has_command_prefix(text: str | None) -> bool:
    cleaned = _MENTION.sub(" ", text or "").strip()
    return bool(re.match(r"^/?imr\b", cleaned, flags=re.IGNORECASE))


class CommandRegistry:
    def __init__(self) -> None:
        self._commands: dict[str, Command] = {}
        self._lookup: dict[str, Command] = {}

    def declare(self, command: Command) -> Command:
        self._commands[command.name] = command
        for name in (command.name, *command.aliases):
            self._lookup[name.lower()] = command
        return command

    def __iter__(self):
        return iter(self._commands.values())

    def get(self, name: str) -> Command | None:
        return self._commands.get(name)

    def match(self, text: str) -> tuple[Command, str] | None:
        """The command a normalised text asks for, and the rest of the text as its arguments."""
        if not text:
            return None
        word, _, rest = text.partition(" ")
        command = self._lookup.get(word.lower())
        if command is None:
            return None
        return command, rest.strip()

    def help_lines(self) -> list[tuple[str, str]]:
        return [(f"imr {c.usage}", c.help) for c in self._commands.values()]


REGISTRY = CommandRegistry()


def command(name: str, usage: str, help: str, permission: Permission, *,
            scopes: frozenset[str] = ALL_SCOPES, aliases: tuple[str, ...] = ()):
    """Declare a handler method as a command."""
    def decorate(handler: Handler) -> Handler:
        REGISTRY.declare(Command(name, usage, help, permission, scopes, aliases,
                                 handler_name=handler.__name__))
        return handler
    return decorate


@dataclass(frozen=True)
class CardAction:
    verb: str
    permission: Permission
    handler_name: str


CARD_ACTIONS: dict[str, CardAction] = {}


def card_action(verb: str, permission: Permission):
    """Declare a handler method for a card button (Action.Submit data.verb)."""
    def decorate(handler: Handler) -> Handler:
        CARD_ACTIONS[verb] = CardAction(verb, permission, handler.__name__)
        return handler
    return decorate
