"""Commands, each declared once: name, usage, one help line, who may run it, where, and its handler.

The help card, the authorisation checks and the Teams manifest's command list all come from these
declarations, so they cannot drift apart.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from imr_bot.domain.people import Actor
from imr_bot.domain.policy import Permission, allowed
from imr_bot.domain.roles import Role

ALL_SCOPES = frozenset({"personal", "team", "groupChat"})
PERSONAL = frozenset({"personal"})

Handler = Callable[[Any, str], Awaitable[None]]

# the help card's sections, in the order shown
GROUPS = ("Getting started", "Reviews", "Meetings", "Documents", "People and admin")
# within a section, these come first (a stable sort keeps the rest in declaration order)
FIRST_IN_GROUP = ("todo", "help", "status", "new", "allocate", "accept", "decline", "submit",
                  "approve", "amend")


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
    group: str = "Reviews"
    # whom the help card shows it to, beyond the permission (None: everyone permitted). Only
    # what is shown: who may act is still the permission and the use case's own checks.
    audience: frozenset[Role] | None = None

    def shown_to(self, actor: Actor) -> bool:
        return allowed(self.permission, actor) and (
            self.audience is None or bool(self.audience & actor.roles))


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

    def help_groups(self, actor: Actor | None = None) -> list[tuple[str, list[tuple[str, str]]]]:
        """The help card's sections: each group's commands that `actor` may run (all of them
        without an actor), the most asked for first, then in declaration order; empty groups
        are left out."""
        shown = sorted((c for c in self._commands.values() if actor is None or c.shown_to(actor)),
                       key=lambda c: FIRST_IN_GROUP.index(c.name) if c.name in FIRST_IN_GROUP
                       else len(FIRST_IN_GROUP))
        return [(group, [(f"imr {c.usage}", c.help) for c in shown if c.group == group])
                for group in GROUPS if any(c.group == group for c in shown)]

    def phrase(self, text: str, actor: Actor | None = None) -> str | None:
        """The command a natural question asks for (from the phrase table), if the actor may
        run it: "what's overdue?" is `status overdue`."""
        asked = _question(text)
        for pattern, meant in PHRASES:
            if pattern.search(asked):
                spec = self._lookup.get(meant.split(" ", 1)[0])
                if spec is not None and (actor is None or allowed(spec.permission, actor)):
                    return meant
                return None
        return None

    def near(self, text: str, actor: Actor | None = None) -> list[str]:
        """Commands a mistyped first word may have meant (the rest of the text kept), among
        those the actor may run: "stauts mine" is `status mine`."""
        word, _, rest = text.strip().partition(" ")
        names = {name: spec for name, spec in self._lookup.items()
                 if name.isalpha() and (actor is None or allowed(spec.permission, actor))}
        found: list[str] = []
        for name in difflib.get_close_matches(word.lower()[:40], list(names), n=3, cutoff=0.7):
            suggestion = f"{names[name].name} {rest[:80]}".strip()
            if suggestion not in found:
                found.append(suggestion)
        return found


def _question(text: str) -> str:
    cleaned = re.sub(r"[^\w\s']", " ", text[:300].lower().replace("’", "'"))
    return re.sub(r"\s+", " ", cleaned).strip()


# Natural questions and what answers them: a small table, not a language model. First match wins.
PHRASES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\b(overdue|late|behind|red ones?)\b"), "status overdue"),
    (re.compile(r"\b(what|anything).*\b(due|waiting|pending|need|outstanding)\b|\bmy (tasks|jobs|"
             r"actions|work|list)\b|\bto ?do\b|\bwhat should i\b"), "todo"),
    (re.compile(r"\bwho am i\b|\bmy roles?\b"), "whoami"),
    (re.compile(r"\b(tracker|all reviews|every review|open reviews|board)\b"), "status"),
    (re.compile(r"\btemplates?\b"), "templates"),
    (re.compile(r"\b(new|log|start)\b.*\b(review|commission|imr)\b"), "new"),
    (re.compile(r"\bwhat can you do\b|\bcommands\b|\bhelp\b"), "help"),
)


REGISTRY = CommandRegistry()


def command(name: str, usage: str, help: str, permission: Permission, *,
            scopes: frozenset[str] = ALL_SCOPES, aliases: tuple[str, ...] = (),
            group: str = "Reviews", audience: frozenset[Role] | None = None):
    """Declare a handler method as a command."""
    if group not in GROUPS:
        raise ValueError(f"unknown help group {group!r}")

    def decorate(handler: Handler) -> Handler:
        REGISTRY.declare(Command(name, usage, help, permission, scopes, aliases,
                                 handler_name=handler.__name__, group=group, audience=audience))
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
